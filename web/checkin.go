package web

import (
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/idcard"
	"torn.cat/torn/office"
)

// CheckIns checks citizens with an appointment in: with the number typed on
// the kiosk, a document on the reader, or the API. A number is hashed with
// the office key the moment it arrives; only the hash goes on, to the
// dispenser, the store and central. Nothing here logs or keeps a number or
// a name.
//
// The outcome of each reader scan is kept (the last few) and announced to
// the kiosk pages listening on /kiosk/events, which show it.
type CheckIns struct {
	Office *office.Office
	// Hash turns a document number (DNI, NIE, passport) into its keyed
	// hash, or refuses it with an error wrapping idcard.ErrFormat or
	// idcard.ErrCheckDigit whose message quotes nothing.
	Hash func(number string) (string, error)
	// Log gets a line per check-in: outcome, service, ticket; never the
	// document. Default slog.Default().
	Log *slog.Logger

	mu      sync.Mutex
	lang    dispenser.Lang // the kiosk's language, as it last said
	n       int
	results []ScanResult
	subs    map[chan int]struct{}
}

// A ScanResult is what became of one document put on the reader.
type ScanResult struct {
	N    int
	Time time.Time
	// Ticket is the ticket issued, when Err is nil.
	Ticket dispenser.Ticket
	// Err says why not: a *dispenser.Refusal, or an error wrapping
	// ErrUnreadable.
	Err error
}

// ErrUnreadable: the reader's scan was incomplete or did not check out;
// the citizen should put the document on the reader again.
var ErrUnreadable = errors.New("the document could not be read")

// keepResults is how many scan results the kiosk can still show.
const keepResults = 16

func (c *CheckIns) log() *slog.Logger {
	if c.Log == nil {
		return slog.Default()
	}
	return c.Log
}

// Number checks in the holder of document number, typed on the kiosk or
// sent to the API.
func (c *CheckIns) Number(number string, lang dispenser.Lang, noPaper bool, via string) (dispenser.Ticket, error) {
	h, err := c.Hash(number)
	if err != nil {
		c.log().Info("check-in refused: not a valid number", "via", via, "problem", numberProblem(err))
		return dispenser.Ticket{}, err
	}
	return c.hashed(h, lang, noPaper, via)
}

// Hashed checks in the holder of the document with keyed hash h.
func (c *CheckIns) hashed(h string, lang dispenser.Lang, noPaper bool, via string) (dispenser.Ticket, error) {
	evs, err := c.Office.Do(dispenser.CheckIn{DocumentHash: h, Lang: lang, NoPaper: noPaper})
	if err != nil {
		var ref *dispenser.Refusal
		if errors.As(err, &ref) {
			c.log().Info("check-in refused", "via", via, "reason", ref.Reason, "service", ref.Service)
		} else {
			c.log().Error("check-in failed", "via", via, "err", err)
		}
		return dispenser.Ticket{}, err
	}
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == dispenser.TicketIssued {
			t := *evs[i].Ticket
			c.log().Info("checked in", "via", via, "ticket", t.Number, "kind", t.Kind, "service", t.Service, "appointment", t.Appointment)
			return t, nil
		}
	}
	return dispenser.Ticket{}, errors.New("check-in issued no ticket")
}

// numberProblem names what is wrong with a number, for the log.
func numberProblem(err error) string {
	switch {
	case errors.Is(err, idcard.ErrCheckDigit):
		return "check letter or digit"
	case errors.Is(err, idcard.ErrFormat):
		return "format"
	}
	return "other"
}

// Scan checks in the holder of the document a reader read, and announces
// the result to the kiosk.
func (c *CheckIns) Scan(sc idcard.Scan) ScanResult {
	c.mu.Lock()
	lang := c.lang
	c.mu.Unlock()
	if lang == "" {
		lang = dispenser.Catalan
	}
	var res ScanResult
	switch doc, err := idcard.Parse(strings.Join(sc.Lines, "\n")); {
	case sc.Err != nil:
		c.log().Info("document read in part", "lines", len(sc.Lines), "err", sc.Err)
		res.Err = ErrUnreadable
	case err != nil:
		c.log().Info("document not read", "lines", len(sc.Lines), "problem", numberProblem(err))
		res.Err = ErrUnreadable
	case doc.Identifier() == "":
		c.log().Info("document without a number", "format", doc.Format)
		res.Err = ErrUnreadable
	default:
		// A Spanish passport may have been booked with the DNI it carries
		// or with its own number: the first that has an appointment.
		for _, id := range doc.Identifiers() {
			res.Ticket, res.Err = c.Number(id, lang, false, "reader "+string(doc.Format))
			var ref *dispenser.Refusal
			if !errors.As(res.Err, &ref) || ref.Reason != dispenser.RefusedNoAppointment {
				break
			}
		}
	}
	c.publish(&res)
	return res
}

func (c *CheckIns) publish(res *ScanResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	res.N = c.n
	if res.Time.IsZero() {
		res.Time = time.Now()
	}
	c.results = append(c.results, *res)
	if len(c.results) > keepResults {
		c.results = c.results[len(c.results)-keepResults:]
	}
	for ch := range c.subs {
		select {
		case ch <- res.N:
		default: // a kiosk that is not reading misses it, and reloads
		}
	}
}

// Result returns scan result n, if it is still kept.
func (c *CheckIns) Result(n int) (ScanResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.results {
		if r.N == n {
			return r, true
		}
	}
	return ScanResult{}, false
}

// subscribe returns a channel of the numbers of new scan results, and
// records the language of the kiosk that listens.
func (c *CheckIns) subscribe(lang dispenser.Lang) (chan int, func()) {
	ch := make(chan int, 4)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subs == nil {
		c.subs = map[chan int]struct{}{}
	}
	c.subs[ch] = struct{}{}
	c.lang = lang
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.subs, ch)
	}
}
