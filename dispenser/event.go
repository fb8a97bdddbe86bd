package dispenser

import "time"

// EventType names what happened.
type EventType string

// The event types. Every ticket event carries the ticket as it is after the
// event, except TicketRefused, which has none; every event that changes a
// desk carries the desk.
const (
	TicketIssued      EventType = "ticket.issued"
	TicketCalled      EventType = "ticket.called"
	TicketRecalled    EventType = "ticket.recalled"
	TicketStarted     EventType = "ticket.started"
	TicketDone        EventType = "ticket.done"
	TicketNoShow      EventType = "ticket.noshow"
	TicketCancelled   EventType = "ticket.cancelled"
	TicketTransferred EventType = "ticket.transferred"
	DeskChanged       EventType = "desk.changed"
	DayStarted        EventType = "day.started"
	PrinterChanged    EventType = "printer.changed"
	BookLoaded        EventType = "book.loaded"
	// TicketRefused records a walk-in or priority ticket refused for the
	// cut-off: a citizen turned away by the queue's length, whom the
	// service managers count. It carries Refused and changes nothing
	// else: no ticket, no number. See Dispenser.Handle.
	TicketRefused EventType = "ticket.refused"
)

// An Event is a change of the queue. Events are the log the store keeps and
// central receives; the snapshots they carry make each one self-contained.
type Event struct {
	// Seq is the device's sequence number, set by the store when the event
	// is committed. It never repeats.
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	Type EventType `json:"type"`
	// Ticket is the ticket after the event.
	Ticket *Ticket `json:"ticket,omitempty"`
	// Desk is the desk after the event.
	Desk *DeskStatus `json:"desk,omitempty"`
	// Day is the business day that starts, for DayStarted.
	Day Date `json:"day,omitempty"`
	// Printer is the printer's state after a PrinterChanged.
	Printer *PrinterStatus `json:"printer,omitempty"`
	// Book is the day's appointment book that BookLoaded loads.
	Book *Book `json:"book,omitempty"`
	// Refused is the ticket that was not issued, for TicketRefused.
	Refused *Refused `json:"refused,omitempty"`
	// Applied is the id of the message from central (a book, a command)
	// whose application made this event; the store records it, so that a
	// repeat of the message is not applied twice.
	Applied string `json:"applied,omitempty"`
}

// Refused is what a TicketRefused event records of the ticket it refused.
type Refused struct {
	Service ServiceID     `json:"service"`
	Kind    Kind          `json:"kind"`
	Reason  RefusalReason `json:"reason"`
}
