package deskdisplay

// Call is what a desk display shows.
type Call struct {
	Number   string // "A023"; "" clears the display
	Desk     string // desk id
	DeskName string // "Taula 1"
	Service  string // service name
}

// Display is a desk display: an SSD1306 or a Line. Show replaces what it
// shows; Close turns it off and frees what it holds.
type Display interface {
	Show(c Call) error
	Close() error
}

var (
	_ Display = (*SSD1306)(nil)
	_ Display = (*Line)(nil)
)
