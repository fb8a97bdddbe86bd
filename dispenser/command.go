package dispenser

import "time"

// A Command asks the dispenser for a change. Desk commands act on the desk's
// current ticket.
type Command interface{ command() }

// Issue issues a ticket.
type Issue struct {
	Service ServiceID
	Kind    Kind // default WalkIn
	Lang    Lang
	// Slot is an appointment's time; required for Appointment tickets.
	Slot time.Time
	// DocumentHash is the keyed hash of the document an appointment was
	// checked in with.
	DocumentHash string
	// NoPaper says the ticket will not be printed (the kiosk shows it on
	// its screen), so it is issued while the printer is out of service.
	NoPaper bool
	// ID and Token are chosen by the caller: ID unique on the device,
	// Token at least 128 random bits.
	ID    TicketID
	Token string
}

// CallNext finishes the desk's current ticket, if any, as done, and calls
// the next one. A closed or paused desk opens when there is someone to call.
// When nobody waits it is refused with ErrNobodyWaiting and the current
// ticket stays at the desk.
type CallNext struct {
	Desk  DeskID
	Clerk string
}

// Recall calls the desk's current ticket again, or marks it a no-show when
// it has been called Rules.MaxCalls times.
type Recall struct{ Desk DeskID }

// Start records that the citizen called at the desk has arrived.
type Start struct{ Desk DeskID }

// Finish marks the desk's current ticket done.
type Finish struct{ Desk DeskID }

// MarkNoShow marks the desk's current ticket, which has not started, a
// no-show.
type MarkNoShow struct{ Desk DeskID }

// Transfer sends the desk's current ticket to wait in another service.
type Transfer struct {
	Desk DeskID
	To   ServiceID
}

// Cancel cancels a waiting ticket.
type Cancel struct {
	Ticket TicketID
	Reason string
}

// SetDesk opens, pauses or closes a desk. A desk with a current ticket
// cannot pause or close.
type SetDesk struct {
	Desk  DeskID
	State DeskState
	Clerk string
}

// Tick does nothing but what time alone causes: the day rollover.
type Tick struct{}

func (Issue) command()      {}
func (CallNext) command()   {}
func (Recall) command()     {}
func (Start) command()      {}
func (Finish) command()     {}
func (MarkNoShow) command() {}
func (Transfer) command()   {}
func (Cancel) command()     {}
func (SetDesk) command()    {}
func (Tick) command()       {}
