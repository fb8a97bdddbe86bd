package office

import (
	"strings"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// TestReconfigure: a new config takes effect with the day's tickets kept;
// one that drops a service with citizens waiting is refused and changes
// nothing; subscribers hear of the change.
func TestReconfigure(t *testing.T) {
	st := &memStore{tickets: map[dispenser.TicketID]dispenser.Ticket{}}
	clk := &fakeClock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	o := open(t, st, clk)
	if _, err := o.Do(dispenser.Issue{Service: "a"}); err != nil {
		t.Fatal(err)
	}
	sub := o.Subscribe()
	defer sub.Cancel()

	cfg := testConfig()
	cfg.Name = "Oficina nova"
	cfg.Services = append(cfg.Services, dispenser.Service{ID: "b", Prefix: "B", Names: map[dispenser.Lang]string{"ca": "B"}, Hours: cfg.Services[0].Hours})
	cfg.Desks[0].Profile = append(cfg.Desks[0].Profile, "b")
	if err := o.Reconfigure(cfg); err != nil {
		t.Fatal(err)
	}
	select {
	case evs := <-sub.Events():
		if len(evs) != 0 {
			t.Errorf("the change's batch has %d events", len(evs))
		}
	default:
		t.Error("subscribers were not told")
	}
	evs, err := o.Do(dispenser.Issue{Service: "b"})
	if err != nil {
		t.Fatalf("a ticket of the new service: %v", err)
	}
	if n := evs[len(evs)-1].Ticket.Number; n != "B001" {
		t.Errorf("new service's first number %s", n)
	}
	evs, err = o.Do(dispenser.Issue{Service: "a"})
	if err != nil || evs[len(evs)-1].Ticket.Number != "A002" {
		t.Fatalf("the day's numbering after the change: %v %v", evs, err)
	}
	if o.Config().Name != "Oficina nova" {
		t.Errorf("name %q", o.Config().Name)
	}

	// Dropping service a, with A001 and A002 waiting, is refused.
	drop := testConfig()
	drop.Services[0] = cfg.Services[1]
	drop.Desks[0].Profile = []dispenser.ServiceID{"b"}
	err = o.Reconfigure(drop)
	if err == nil || !strings.Contains(err.Error(), `service "a"`) || !strings.Contains(err.Error(), "2 tickets") {
		t.Fatalf("dropping a service with citizens waiting: %v", err)
	}
	bad := testConfig()
	bad.Desks[0].Profile = []dispenser.ServiceID{"nope"}
	if err := o.Reconfigure(bad); err == nil {
		t.Fatal("a config the dispenser rejects was taken")
	}
	if _, err := o.Do(dispenser.Issue{Service: "b"}); err != nil || o.Config().Name != "Oficina nova" {
		t.Fatalf("after refusals the office does not run on the last good config: %v", err)
	}
}
