package dispenser

import "time"

// PrinterStatus says whether the dispenser can print tickets.
type PrinterStatus struct {
	Ready bool `json:"ready"`
	// Reason says what is wrong when not ready: "paper out", "cover
	// open", "offline", "error".
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since,omitzero"`
}

// SetPrinter reports the printer's state, as its status monitor read it. A
// printer that is not ready takes the dispenser out of service: tickets
// that would be printed are refused with RefusedOutOfService until it is
// ready again. Tickets already issued stand.
type SetPrinter struct {
	Ready  bool
	Reason string
}

func (SetPrinter) command() {}

// Printer returns the printer's state as the dispenser knows it. Until a
// SetPrinter says otherwise, the printer is taken to be ready.
func (d *Dispenser) Printer() PrinterStatus { return d.printer }

func (d *Dispenser) setPrinter(c SetPrinter, now time.Time) ([]Event, error) {
	if c.Ready {
		c.Reason = ""
	}
	if d.printer.Ready == c.Ready && d.printer.Reason == c.Reason {
		return nil, nil
	}
	p := PrinterStatus{Ready: c.Ready, Reason: c.Reason, Since: now}
	return []Event{{Time: now, Type: PrinterChanged, Printer: &p}}, nil
}
