package dispenser

import (
	"errors"
	"fmt"
	"time"
)

// Errors returned by Handle, wrapped with the details. Callers test them
// with errors.Is. None of them changes the state.
var (
	// ErrInvalid: the command itself is malformed (a missing field, an
	// unknown kind or desk state).
	ErrInvalid = errors.New("invalid command")
	// ErrUnknownService, ErrUnknownDesk, ErrUnknownTicket: no such thing.
	ErrUnknownService = errors.New("unknown service")
	ErrUnknownDesk    = errors.New("unknown desk")
	ErrUnknownTicket  = errors.New("unknown ticket")
	// ErrWrongState: the ticket or desk is not in a state the action fits,
	// such as done on a desk with no current ticket.
	ErrWrongState = errors.New("wrong state")
	// ErrNobodyWaiting: a desk called next and nobody waits for it.
	ErrNobodyWaiting = errors.New("nobody waiting")
	// ErrDuplicate: a ticket id or tracking token is already in use.
	ErrDuplicate = errors.New("duplicate id or token")
)

// RefusalReason says why a ticket was not issued, in words a catalogue can
// translate for the citizen.
type RefusalReason string

// The reasons a ticket is refused.
const (
	// RefusedClosed: the service is not open now; Until is the next
	// opening, if any.
	RefusedClosed RefusalReason = "closed"
	// RefusedCutOff: the ticket would not be called before the service
	// closes at Until.
	RefusedCutOff RefusalReason = "cutoff"
	// RefusedAppointmentOnly: the service takes appointments only.
	RefusedAppointmentOnly RefusalReason = "appointment_only"
	// RefusedNoPriority: the service has no priority tickets.
	RefusedNoPriority RefusalReason = "no_priority"
	// RefusedOutOfService: the printer cannot print (Detail says why):
	// the citizen should ask at the desk.
	RefusedOutOfService RefusalReason = "out_of_service"
	// RefusedNoAppointment: a check-in found no appointment of the
	// document today or later; Offer says what the citizen gets instead.
	RefusedNoAppointment RefusalReason = "no_appointment"
	// RefusedNotToday: the document's appointment is on a later day, at
	// Until; Offer says what the citizen gets today.
	RefusedNotToday RefusalReason = "not_today"
	// RefusedTooEarly: the appointment at Slot can be checked in from
	// Until.
	RefusedTooEarly RefusalReason = "too_early"
	// RefusedLate: the appointment at Slot is past its grace and the
	// service sends late arrivals to the desk.
	RefusedLate RefusalReason = "late"
	// RefusedCheckedIn: the document's appointments of today are all
	// checked in already; Detail is the ticket's number.
	RefusedCheckedIn RefusalReason = "checked_in"
)

// A Refusal is the error Handle returns when an Issue is refused by the
// rules rather than malformed.
type Refusal struct {
	Reason  RefusalReason
	Service ServiceID
	// Until is the next opening (RefusedClosed) or the closing time
	// (RefusedCutOff); zero when unknown.
	Until time.Time
	// Detail is the printer's problem, for RefusedOutOfService; the
	// ticket's number, for RefusedCheckedIn.
	Detail string
	// Slot is the appointment's time, for the check-in refusals.
	Slot time.Time
	// Offer is what the citizen gets instead, for RefusedNoAppointment,
	// RefusedNotToday and RefusedLate.
	Offer Offer
}

func (r *Refusal) Error() string {
	switch r.Reason {
	case RefusedClosed:
		if r.Until.IsZero() {
			return fmt.Sprintf("service %s is closed", r.Service)
		}
		return fmt.Sprintf("service %s is closed until %s", r.Service, r.Until.Format("Mon 2006-01-02 15:04"))
	case RefusedCutOff:
		return fmt.Sprintf("service %s issues no more tickets today: it closes at %s and the wait would pass it", r.Service, r.Until.Format("15:04"))
	case RefusedAppointmentOnly:
		return fmt.Sprintf("service %s takes appointments only", r.Service)
	case RefusedOutOfService:
		return fmt.Sprintf("the dispenser is out of service (%s): ask at the desk", r.Detail)
	case RefusedNoPriority:
		return fmt.Sprintf("service %s issues no priority tickets", r.Service)
	case RefusedNoAppointment:
		return "no appointment today for this document"
	case RefusedNotToday:
		return fmt.Sprintf("the appointment for service %s is on %s, not today", r.Service, r.Until.Format("Mon 2006-01-02 15:04"))
	case RefusedTooEarly:
		return fmt.Sprintf("the appointment for service %s at %s can be checked in from %s", r.Service, r.Slot.Format("15:04"), r.Until.Format("15:04"))
	case RefusedLate:
		return fmt.Sprintf("the appointment for service %s at %s is past its grace: ask at the desk", r.Service, r.Slot.Format("15:04"))
	case RefusedCheckedIn:
		return fmt.Sprintf("already checked in: ticket %s", r.Detail)
	}
	return fmt.Sprintf("service %s refused the ticket: %s", r.Service, r.Reason)
}
