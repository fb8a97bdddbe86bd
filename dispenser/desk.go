package dispenser

import "time"

// DeskState is whether a desk takes tickets.
type DeskState string

// The states of a desk. A paused desk keeps its clerk but calls nobody.
const (
	DeskClosed DeskState = "closed"
	DeskOpen   DeskState = "open"
	DeskPaused DeskState = "paused"
)

func (s DeskState) valid() bool { return s == DeskClosed || s == DeskOpen || s == DeskPaused }

// DeskStatus is a desk's live state.
type DeskStatus struct {
	ID    DeskID    `json:"id"`
	State DeskState `json:"state"`
	// Current is the ticket called or being served at the desk.
	Current TicketID `json:"current,omitempty"`
	Clerk   string   `json:"clerk,omitempty"`
	// Since is when State last changed.
	Since time.Time `json:"since,omitzero"`
}
