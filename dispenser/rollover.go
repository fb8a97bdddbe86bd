package dispenser

import (
	"sort"
	"time"
)

// ReasonDayEnded is the Reason of tickets cancelled by the day rollover.
const ReasonDayEnded = "day ended"

// rollover closes the business day at now and starts day: tickets still
// open are cancelled, desks close, and DayStarted resets the counters.
func (d *Dispenser) rollover(day Date, now time.Time) []Event {
	var evs []Event
	var open []*Ticket
	for _, t := range d.tickets {
		if !t.State.Final() {
			open = append(open, t)
		}
	}
	sort.Slice(open, func(i, j int) bool { return open[i].ID < open[j].ID })
	for _, p := range open {
		t := *p
		t.State, t.Ended, t.Reason = Cancelled, now, ReasonDayEnded
		evs = append(evs, Event{Time: now, Type: TicketCancelled, Ticket: &t})
	}
	for _, dk := range d.cfg.Desks {
		ds := *d.status[dk.ID]
		if ds.State != DeskClosed || ds.Current != "" || ds.Clerk != "" {
			ds.State, ds.Current, ds.Clerk, ds.Since = DeskClosed, "", "", now
			evs = append(evs, Event{Time: now, Type: DeskChanged, Desk: &ds})
		}
	}
	return append(evs, Event{Time: now, Type: DayStarted, Day: day})
}
