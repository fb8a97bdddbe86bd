package dispenser

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// AppointmentID names an appointment in its day's book, as the system that
// booked it numbers it.
type AppointmentID string

// A Booking is one citizen's booked slot (cita prèvia).
type Booking struct {
	ID      AppointmentID `json:"id"`
	Slot    time.Time     `json:"slot"`
	Service ServiceID     `json:"service"`
	// DocumentHash is the keyed hash of the citizen's document number
	// (DNI, NIE or passport): what a check-in matches. Never the number.
	// Personal data.
	DocumentHash string `json:"document_hash"`
	// Name is what the clerk's page may show ("M. Puig"); optional.
	// Personal data: never on the ticket or the waiting-room display.
	Name string `json:"name,omitempty"`
}

// A Book is one business day's appointments of the office.
type Book struct {
	Day Date `json:"day"`
	// Version is the sender's label for this edition of the book (central's
	// version number, or the file's checksum); informative.
	Version      string    `json:"version,omitempty"`
	Appointments []Booking `json:"appointments"`
}

// MaxAppointments bounds a day's book.
const MaxAppointments = 5000

// LoadBook replaces the book of Book.Day, today or a later day. Tickets
// already checked in keep their appointment even if the new book drops it.
type LoadBook struct{ Book Book }

func (LoadBook) command() {}

// IsDocumentHash reports whether s has the shape of a keyed document hash:
// 64 lower-case hexadecimal digits (HMAC-SHA-256). A book or a check-in
// with anything else is refused, so that a number in clear never gets in.
func IsDocumentHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (d *Dispenser) loadBook(c LoadBook, now time.Time) ([]Event, error) {
	b := c.Book
	if _, err := time.Parse(time.DateOnly, string(b.Day)); err != nil {
		return nil, fmt.Errorf("%w: book day %q: want YYYY-MM-DD", ErrInvalid, b.Day)
	}
	if b.Day < d.day {
		return nil, fmt.Errorf("%w: the book of %s is for a day that has passed (today is %s)", ErrInvalid, b.Day, d.day)
	}
	if len(b.Appointments) > MaxAppointments {
		return nil, fmt.Errorf("%w: %d appointments in a day's book: at most %d", ErrInvalid, len(b.Appointments), MaxAppointments)
	}
	var errs []error
	ids := make(map[AppointmentID]bool, len(b.Appointments))
	appts := make([]Booking, len(b.Appointments))
	for i, a := range b.Appointments {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("appointment %d (%q): "+format, append([]any{i + 1, a.ID}, args...)...))
		}
		switch {
		case a.ID == "":
			bad("no id")
		case ids[a.ID]:
			bad("id used twice")
		}
		ids[a.ID] = true
		if d.services[a.Service] == nil {
			bad("unknown service %q", a.Service)
		}
		if a.Slot.IsZero() {
			bad("no slot time")
		} else if got := d.DayOf(a.Slot); got != b.Day {
			bad("slot %s is on %s, not on the book's day", a.Slot.In(d.cfg.Location).Format("2006-01-02 15:04"), got)
		}
		// The hash is not quoted: were it a number in clear, the error
		// would carry it into a log.
		if !IsDocumentHash(a.DocumentHash) {
			bad("the document hash is not 64 lower-case hex digits (a document number in clear is never accepted: hash it with the office key)")
		}
		if len(a.Name) > 80 {
			bad("name longer than 80 bytes")
		}
		a.Slot = a.Slot.UTC()
		appts[i] = a
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: book of %s: %w", ErrInvalid, b.Day, errors.Join(errs...))
	}
	sort.SliceStable(appts, func(i, j int) bool { return appts[i].Slot.Before(appts[j].Slot) })
	b.Appointments = appts
	return []Event{{Time: now, Type: BookLoaded, Book: &b}}, nil
}

// Book returns a copy of the book of day, and whether there is one.
func (d *Dispenser) Book(day Date) (Book, bool) {
	b := d.books[day]
	if b == nil {
		return Book{}, false
	}
	return b.clone(), true
}

// Books returns copies of the books held, today's and later days', by day.
func (d *Dispenser) Books() []Book {
	out := make([]Book, 0, len(d.books))
	for _, b := range d.books {
		out = append(out, b.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out
}

// CheckedIn returns the ticket of today that appointment id was checked in
// with, if any.
func (d *Dispenser) CheckedIn(id AppointmentID) (Ticket, bool) {
	t := d.checkedIn[id]
	if t == nil {
		return Ticket{}, false
	}
	return *t, true
}

func (b *Book) clone() Book {
	c := *b
	c.Appointments = append([]Booking(nil), b.Appointments...)
	return c
}
