package dispenser_test

import (
	"errors"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

func TestNumberingPrefixAndCounterPerService(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
	var got []dispenser.Ticket
	for _, s := range []dispenser.ServiceID{svcA, svcA, svcB, svcA, svcB} {
		got = append(got, f.issue(s))
		f.advance(time.Minute)
	}
	want := []string{"A001", "A002", "B001", "A003", "B002"}
	counters := []int{1, 2, 1, 3, 2}
	for i, tk := range got {
		if tk.Number != want[i] || tk.Counter != counters[i] {
			t.Errorf("ticket %d = %s (counter %d), want %s (%d)", i, tk.Number, tk.Counter, want[i], counters[i])
		}
		if tk.Day != "2026-03-26" {
			t.Errorf("ticket %s day = %q, want 2026-03-26", tk.Number, tk.Day)
		}
	}
}

// TestNumberingNeverRepeatsInADay issues over a thousand tickets in one
// business day, calling them as they come, and checks that A999 is followed
// by A1000 and no number is handed out twice.
func TestNumberingNeverRepeatsInADay(t *testing.T) {
	cfg := newConfig().desks(desk(desk1, svcA, svcB), desk(desk2, svcB, svcA)).build()
	f := newFixture(t, cfg, local(2026, time.March, 26, 0, 0, 1))
	seen := map[string]bool{}
	var lastA []string
	for i := 1; i <= 1120; i++ {
		s := svcA
		if i%10 == 0 {
			s = svcB
		}
		tk := f.issue(s)
		if seen[tk.Number] {
			t.Fatalf("ticket %d: number %s handed out twice", i, tk.Number)
		}
		seen[tk.Number] = true
		if s == svcA {
			lastA = append(lastA, tk.Number)
		}
		// Keep the queue short: desk 1 calls each ticket, finishing the
		// previous one; now and then one is cancelled instead.
		f.advance(20 * time.Second)
		if i%7 == 0 {
			f.do(dispenser.Cancel{Ticket: tk.ID})
		} else {
			f.call(desk1)
		}
	}
	if f.d.Day() != "2026-03-26" {
		t.Fatalf("day = %s, want 2026-03-26: the test must stay in one business day", f.d.Day())
	}
	if len(lastA) < 1001 {
		t.Fatalf("only %d A tickets", len(lastA))
	}
	if got := lastA[998:1001]; got[0] != "A999" || got[1] != "A1000" || got[2] != "A1001" {
		t.Errorf("numbers after A998 = %v, want A999 A1000 A1001", got)
	}
	tickets := f.d.Tickets()
	if len(tickets) != 1120 {
		t.Errorf("Tickets() has %d tickets, want 1120", len(tickets))
	}
	byNumber := map[string]bool{}
	for _, tk := range tickets {
		if byNumber[tk.Number] {
			t.Errorf("number %s appears twice in Tickets()", tk.Number)
		}
		byNumber[tk.Number] = true
	}
}

// TestNumberingRefusedAndCancelled: a refused ticket takes no number, a
// cancelled one keeps its number for good.
func TestNumberingRefusedAndCancelled(t *testing.T) {
	cfg := newConfig().service(svcB, func(s *dispenser.Service) { s.Priority = false }).build()
	f := newFixture(t, cfg, at(thursday, 9, 0))
	b1 := f.issue(svcB)
	c := f.newIssue(svcB)
	c.Kind = dispenser.Priority
	if _, err := f.try(c); err == nil {
		t.Fatal("priority ticket of a service without priority: issued, want a refusal")
	}
	f.do(dispenser.Cancel{Ticket: b1.ID})
	if b2 := f.issue(svcB); b2.Number != "B002" {
		t.Errorf("after B001 cancelled and a refusal, next = %s, want B002", b2.Number)
	}
}

func TestNumberingRestartsEachBusinessDay(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
	f.issue(svcA)
	f.issue(svcA)
	f.issue(svcB)
	f.at(at(friday, 9, 0))
	if a := f.issue(svcA); a.Number != "A001" || a.Day != "2026-03-27" {
		t.Errorf("first A ticket on Friday = %s of %s, want A001 of 2026-03-27", a.Number, a.Day)
	}
	if b := f.issue(svcB); b.Number != "B001" {
		t.Errorf("first B ticket on Friday = %s, want B001", b.Number)
	}
}

// TestNumberingAfterRestore restarts the dispenser from its snapshot, as
// the daemon does at boot or after a failed commit, and checks that numbers
// carry on without repeating.
func TestNumberingAfterRestore(t *testing.T) {
	for _, tc := range []struct {
		name string
		// transfer sends the desk's current ticket (A003) to B before
		// the restart.
		transfer bool
	}{
		{name: "numbers carry on after a restart"},
		{name: "numbers carry on after a restart when the last A ticket was transferred to B", transfer: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := newConfig().build()
			f := newFixture(t, cfg, at(thursday, 9, 0))
			for range 3 {
				f.issue(svcA)
				f.advance(time.Minute)
				f.call(desk1)
			}
			if tc.transfer {
				f.do(dispenser.Transfer{Desk: desk1, To: svcB})
			}
			g := &fixture{t: t, d: mustNew(t, cfg, f.snapshot()), now: f.now.Add(time.Minute), seq: f.seq}
			if a := g.issue(svcA); a.Number != "A004" {
				t.Errorf("after restart next A ticket = %s, want A004 (today already has %v)", a.Number, numbers(f.d.Tickets()))
			}
		})
	}
}

// TestNumberingTransferLeavesOtherCountersAlone: a ticket transferred to
// another service keeps its number; the other service's counter is its own.
func TestNumberingTransferLeavesOtherCountersAlone(t *testing.T) {
	f := newFixture(t, newConfig().build(), at(thursday, 9, 0))
	for range 5 {
		f.issue(svcA)
		f.advance(time.Minute)
		f.call(desk1)
	}
	f.issue(svcB)
	evs := f.do(dispenser.Transfer{Desk: desk1, To: svcB})
	moved := lastEvent(t, evs, dispenser.TicketTransferred).Ticket
	if moved.Number != "A005" || moved.Service != svcB {
		t.Fatalf("transferred %s of %s, want A005 now in %s", moved.Number, moved.Service, svcB)
	}
	if b := f.issue(svcB); b.Number != "B002" {
		t.Errorf("next B ticket after B001 = %s, want B002", b.Number)
	}
	if a := f.issue(svcA); a.Number != "A006" {
		t.Errorf("next A ticket after A005 = %s, want A006", a.Number)
	}
}

func TestIssueValidation(t *testing.T) {
	cfg := newConfig().build()
	for _, tc := range []struct {
		name string
		edit func(f *fixture, c *dispenser.Issue)
		want error
	}{
		{name: "unknown service", edit: func(_ *fixture, c *dispenser.Issue) { c.Service = "nope" }, want: dispenser.ErrUnknownService},
		{name: "unknown kind", edit: func(_ *fixture, c *dispenser.Issue) { c.Kind = "vip" }, want: dispenser.ErrInvalid},
		{name: "missing id", edit: func(_ *fixture, c *dispenser.Issue) { c.ID = "" }, want: dispenser.ErrInvalid},
		{name: "missing token", edit: func(_ *fixture, c *dispenser.Issue) { c.Token = "" }, want: dispenser.ErrInvalid},
		{name: "appointment without slot", edit: func(_ *fixture, c *dispenser.Issue) { c.Kind = dispenser.Appointment }, want: dispenser.ErrInvalid},
		{name: "walk-in with slot", edit: func(f *fixture, c *dispenser.Issue) { c.Slot = f.now }, want: dispenser.ErrInvalid},
		{name: "duplicate id", edit: func(_ *fixture, c *dispenser.Issue) { c.ID = "t00001" }, want: dispenser.ErrDuplicate},
		{name: "duplicate token", edit: func(_ *fixture, c *dispenser.Issue) {
			c.Token = "token-00001-0123456789abcdef0123456789abcdef"
		}, want: dispenser.ErrDuplicate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, cfg, at(thursday, 9, 0))
			f.issue(svcA) // t00001
			before := f.state()
			c := f.newIssue(svcA)
			tc.edit(f, &c)
			evs, err := f.try(c)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Issue = %v, want %v", err, tc.want)
			}
			if len(evs) != 0 {
				t.Errorf("events %v, want none", types(evs))
			}
			f.unchanged(before)
		})
	}
	t.Run("defaults: walk-in, Catalan", func(t *testing.T) {
		f := newFixture(t, cfg, at(thursday, 9, 0))
		tk := f.issue(svcA)
		if tk.Kind != dispenser.WalkIn || tk.Lang != dispenser.Catalan || tk.State != dispenser.Waiting {
			t.Errorf("ticket kind %q lang %q state %q, want walkin ca waiting", tk.Kind, tk.Lang, tk.State)
		}
		if !tk.Issued.Equal(f.now) || !tk.Queued.Equal(f.now) {
			t.Errorf("issued %s queued %s, want both %s", tk.Issued, tk.Queued, f.now)
		}
		if got, ok := f.d.TicketByToken(tk.Token); !ok || got.ID != tk.ID {
			t.Errorf("TicketByToken = %v, %v; want %s", got.ID, ok, tk.ID)
		}
	})
}
