package dispenser

import "time"

// TicketID is a ticket's opaque id, unique on the device.
type TicketID string

// Kind is how a ticket was issued.
type Kind string

// The kinds of ticket.
const (
	WalkIn      Kind = "walkin"
	Appointment Kind = "appointment"
	Priority    Kind = "priority"
)

func (k Kind) valid() bool { return k == WalkIn || k == Appointment || k == Priority }

// State is where a ticket is in its life cycle:
//
//	waiting → called → serving → done
//	             ↓  ↘            (no-show, cancelled)
//	          no-show  done
//
// A transfer from called or serving makes the ticket wait again in another
// service; a waiting ticket can be cancelled.
type State string

// The states of a ticket.
const (
	Waiting   State = "waiting"
	Called    State = "called"
	Serving   State = "serving"
	Done      State = "done"
	NoShow    State = "noshow"
	Cancelled State = "cancelled"
)

// Final reports whether a ticket in state s will not change again.
func (s State) Final() bool { return s == Done || s == NoShow || s == Cancelled }

// A Ticket is one citizen's turn. Values are snapshots: events carry copies.
type Ticket struct {
	ID TicketID `json:"id"`
	// Number is the display number, the service's prefix and a counter:
	// "A023". Unique within Day.
	Number string `json:"number"`
	// Counter is the number's counter part.
	Counter int `json:"counter"`
	// Day is the business day the ticket was issued on, "2006-01-02" in
	// the office's time zone.
	Day     Date      `json:"day"`
	Service ServiceID `json:"service"`
	Kind    Kind      `json:"kind"`
	State   State     `json:"state"`
	// Token is the tracking token of the citizen's live page.
	Token string `json:"token"`
	// Lang is the language the citizen chose at the dispenser.
	Lang Lang `json:"lang,omitempty"`

	Issued time.Time `json:"issued"`
	// Queued orders the ticket in its service's queue: the issue time,
	// or what a transfer set.
	Queued time.Time `json:"queued"`
	// Slot is an appointment's time.
	Slot time.Time `json:"slot,omitzero"`
	// Ahead and Estimate are what the dispenser told the citizen at issue:
	// people ahead and the estimated wait.
	Ahead    int           `json:"ahead"`
	Estimate time.Duration `json:"estimate"`

	Desk  DeskID `json:"desk,omitempty"`
	Clerk string `json:"clerk,omitempty"`
	// Calls counts the calls of the current visit to a desk.
	Calls       int       `json:"calls,omitempty"`
	FirstCalled time.Time `json:"first_called,omitzero"`
	Called      time.Time `json:"called,omitzero"`
	Started     time.Time `json:"started,omitzero"`
	Ended       time.Time `json:"ended,omitzero"`
	// Transfers counts the transfers; From is the previous service.
	Transfers int       `json:"transfers,omitempty"`
	From      ServiceID `json:"from,omitempty"`
	// Reason says why a ticket was cancelled.
	Reason string `json:"reason,omitempty"`

	// NoPaper says the ticket was not to be printed: the kiosk showed it
	// on its screen.
	NoPaper bool `json:"no_paper,omitempty"`

	// DocumentHash is the keyed hash of the document an appointment was
	// checked in with. Personal data: purged after the retention period,
	// never shown.
	DocumentHash string `json:"document_hash,omitempty"`
	// Appointment is the appointment the ticket was checked in for: an
	// Appointment ticket, or a walk-in one for a late arrival.
	Appointment AppointmentID `json:"appointment,omitempty"`
}
