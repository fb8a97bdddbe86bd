package syncproto

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"torn.cat/torn/dispenser"
)

// TestEventsTurnedAway: the record of a ticket refused for the cut-off
// goes to central as this JSON and comes back from Decode as it was.
func TestEventsTurnedAway(t *testing.T) {
	e := dispenser.Event{Seq: 42, Time: time.Date(2026, 11, 26, 12, 50, 0, 0, time.UTC), Type: dispenser.TicketRefused,
		Refused: &dispenser.Refused{Service: "oac", Kind: dispenser.WalkIn, Reason: dispenser.RefusedCutOff}}
	b, err := json.Marshal(Events{Type: TypeEvents, Events: []dispenser.Event{e}})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"type":"events","events":[{"seq":42,"time":"2026-11-26T12:50:00Z","type":"ticket.refused",` +
		`"refused":{"service":"oac","kind":"walkin","reason":"cutoff"}}]}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := m.(*Events)
	if !ok || len(got.Events) != 1 || !reflect.DeepEqual(got.Events[0], e) {
		t.Errorf("decoded %+v, want %+v", m, e)
	}
}
