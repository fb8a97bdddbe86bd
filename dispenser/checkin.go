package dispenser

import (
	"fmt"
	"sort"
	"time"
)

// An Offer is what the dispenser gives a citizen whose appointment cannot
// be checked in as such.
type Offer string

// The offers.
const (
	// OfferWalkIn: a walk-in ticket (of the appointment's service for a
	// late arrival; of the service the citizen picks for one with no
	// appointment).
	OfferWalkIn Offer = "walkin"
	// OfferDesk: no ticket; "please ask at the desk".
	OfferDesk Offer = "desk"
)

func (o Offer) valid() bool { return o == OfferWalkIn || o == OfferDesk }

// CheckInRules say when an appointment can be checked in and what happens
// outside that window. In Service.CheckIn, zero fields take the office's
// Rules.CheckIn.
type CheckInRules struct {
	// Early is how long before its slot an appointment can be checked in;
	// earlier, the citizen is told when to come back. Default 30 minutes;
	// negative means not before the slot.
	Early time.Duration
	// Grace is how long after its slot a check-in still counts as on time.
	// Default 10 minutes; negative means no grace.
	Grace time.Duration
	// Late is what an arrival after the grace gets: OfferWalkIn (default),
	// a walk-in ticket of the appointment's service, even one that takes
	// appointments only; or OfferDesk.
	Late Offer
	// NoAppointment is what a document with no appointment today gets:
	// OfferWalkIn (default), the walk-in buttons; or OfferDesk.
	NoAppointment Offer
}

// fill sets c's zero fields from def.
func (c *CheckInRules) fill(def CheckInRules) {
	if c.Early == 0 {
		c.Early = def.Early
	}
	if c.Grace == 0 {
		c.Grace = def.Grace
	}
	if c.Late == "" {
		c.Late = def.Late
	}
	if c.NoAppointment == "" {
		c.NoAppointment = def.NoAppointment
	}
}

// check reports bad offers, an unset one being no problem; field is the
// rules' path in the Config.
func (c *CheckInRules) check(field, where string, bad func(field, format string, args ...any)) {
	if c.Late != "" && !c.Late.valid() {
		bad(field+".Late", "%s: late arrivals get %q: want %q or %q", where, c.Late, OfferWalkIn, OfferDesk)
	}
	if c.NoAppointment != "" && !c.NoAppointment.valid() {
		bad(field+".NoAppointment", "%s: no appointment gets %q: want %q or %q", where, c.NoAppointment, OfferWalkIn, OfferDesk)
	}
}

// early and grace are the rules' window, negatives as zero.
func (c *CheckInRules) window() (early, grace time.Duration) {
	return max(c.Early, 0), max(c.Grace, 0)
}

// CheckIn checks in the appointment of today that the document with keyed
// hash DocumentHash booked, and issues its ticket. See Dispenser.checkIn for
// the rules; a refusal is a *Refusal.
type CheckIn struct {
	DocumentHash string
	Lang         Lang
	NoPaper      bool
	// ID and Token as in Issue.
	ID    TicketID
	Token string
}

func (CheckIn) command() {}

// checkIn finds the appointments of today booked with the document and not
// checked in yet, and takes the first by slot that the rules let in now:
//
//  1. one whose window, from Early before its slot to Grace after it, holds
//     now: an appointment ticket, called by slot once due;
//  2. else one past its grace whose service's Late rule is OfferWalkIn: a
//     walk-in ticket of that service, queued from now;
//  3. else the earliest one not open yet: refused, RefusedTooEarly, Until
//     when its window opens;
//  4. else (past grace, Late is OfferDesk): refused, RefusedLate.
//
// With no appointment today it is refused with RefusedNotToday when a later
// day's book has one (Until its slot), else RefusedNoAppointment; the
// Refusal's Offer says what the citizen can do instead. With every one of
// today's already checked in, RefusedCheckedIn names the ticket.
func (d *Dispenser) checkIn(c CheckIn, now time.Time) ([]Event, error) {
	if !IsDocumentHash(c.DocumentHash) {
		return nil, fmt.Errorf("%w: the document hash is not 64 lower-case hex digits", ErrInvalid)
	}
	var open []Booking
	var done *Ticket
	if b := d.books[d.day]; b != nil {
		for _, a := range b.Appointments {
			if a.DocumentHash != c.DocumentHash {
				continue
			}
			if t := d.checkedIn[a.ID]; t != nil {
				done = t
				continue
			}
			open = append(open, a)
		}
	}
	if len(open) == 0 {
		if done != nil {
			return nil, &Refusal{Reason: RefusedCheckedIn, Service: done.Service, Detail: done.Number}
		}
		return nil, d.noAppointment(c.DocumentHash)
	}
	// The book is in slot order.
	issue := Issue{Lang: c.Lang, DocumentHash: c.DocumentHash, NoPaper: c.NoPaper, ID: c.ID, Token: c.Token}
	for _, a := range open {
		early, grace := d.checkInRules(a.Service).window()
		if !now.Before(a.Slot.Add(-early)) && !now.After(a.Slot.Add(grace)) {
			issue.Service, issue.Kind, issue.Slot = a.Service, Appointment, a.Slot
			return d.issueFor(issue, a.ID, now)
		}
	}
	for _, a := range open {
		_, grace := d.checkInRules(a.Service).window()
		if now.After(a.Slot.Add(grace)) && d.checkInRules(a.Service).Late == OfferWalkIn {
			issue.Service, issue.Kind = a.Service, WalkIn
			return d.issueFor(issue, a.ID, now)
		}
	}
	for _, a := range open {
		early, _ := d.checkInRules(a.Service).window()
		if now.Before(a.Slot.Add(-early)) {
			return nil, &Refusal{Reason: RefusedTooEarly, Service: a.Service, Until: d.local(a.Slot.Add(-early)), Slot: d.local(a.Slot)}
		}
	}
	a := open[len(open)-1]
	return nil, &Refusal{Reason: RefusedLate, Service: a.Service, Slot: d.local(a.Slot), Offer: OfferDesk}
}

// noAppointment is the refusal of a document with no appointment left today.
func (d *Dispenser) noAppointment(hash string) error {
	var days []Date
	for day := range d.books {
		if day > d.day {
			days = append(days, day)
		}
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	for _, day := range days {
		for _, a := range d.books[day].Appointments {
			if a.DocumentHash == hash {
				return &Refusal{Reason: RefusedNotToday, Service: a.Service, Until: d.local(a.Slot), Slot: d.local(a.Slot), Offer: d.checkInRules(a.Service).NoAppointment}
			}
		}
	}
	return &Refusal{Reason: RefusedNoAppointment, Offer: d.cfg.Rules.CheckIn.NoAppointment}
}

// local is t in the office's time zone, as a refusal says it.
func (d *Dispenser) local(t time.Time) time.Time { return t.In(d.cfg.Location) }

// checkInRules returns service id's check-in rules, defaults filled in.
func (d *Dispenser) checkInRules(id ServiceID) *CheckInRules {
	if s := d.services[id]; s != nil {
		return &s.CheckIn
	}
	return &d.cfg.Rules.CheckIn
}
