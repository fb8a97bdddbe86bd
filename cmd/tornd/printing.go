package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"torn.cat/torn/catalog"
	"torn.cat/torn/dispenser"
	"torn.cat/torn/office"
	"torn.cat/torn/printer"
)

// paper is a ticket printer's connection: bytes out, and status queries
// when the transport is two-way (query is nil otherwise).
type paper struct {
	out   io.WriteCloser
	query printer.Querier
}

// ticketPrinter prints every ticket the office issues, once, after its
// commit, and tells the office when the printer cannot print (SetPrinter).
// A ticket whose printing fails stays issued and is not printed again by a
// retry; a reprint is an explicit action. It owns the printer's connection
// and reopens it when it is lost.
type ticketPrinter struct {
	office *office.Office
	cfg    PrinterConfig
	// look is how tickets look; a reload may change it while printing.
	look atomic.Pointer[ticketLook]
	// open connects to the printer.
	open func() (paper, error)
	log  *slog.Logger

	mu   sync.Mutex // serialises the connection: a status query never cuts a ticket
	conn paper
	lost chan struct{}
	// sub is taken when the printer is made, before anything is issued.
	sub *office.Subscription
}

// ticketLook is what a reload can change of the printed tickets.
type ticketLook struct {
	layout      printer.Layout
	footer      map[string]string
	trackingURL string
}

// newLook makes the look of tickets of the [printer] section cfg.
func newLook(cfg PrinterConfig, trackingURL string) (*ticketLook, error) {
	l, err := layoutFor(cfg)
	if err != nil {
		return nil, err
	}
	return &ticketLook{layout: l, footer: cfg.Footer, trackingURL: trackingURL}, nil
}

// layoutFor is the ticket layout of the [printer] section.
func layoutFor(cfg PrinterConfig) (printer.Layout, error) {
	cp, err := printer.CodePageFor(cfg.Model, cfg.CodePage)
	if err != nil {
		return printer.Layout{}, fmt.Errorf("printer: %w", err)
	}
	l := printer.Layout{Width: cfg.Width, CodePage: cp, NativeQR: cfg.NativeQR, Cut: cfg.Cut}
	if cfg.Logo != "" {
		img, err := printer.LoadLogo(cfg.Logo)
		if err != nil {
			return printer.Layout{}, fmt.Errorf("printer: %w", err)
		}
		l.Logo = printer.Dither(img, cfg.Width) // once, not on every ticket
	}
	return l, nil
}

func newTicketPrinter(o *office.Office, cfg PrinterConfig, trackingURL string, open func() (paper, error), log *slog.Logger) (*ticketPrinter, error) {
	look, err := newLook(cfg, trackingURL)
	if err != nil {
		return nil, err
	}
	p := &ticketPrinter{office: o, cfg: cfg, open: open, log: log,
		lost: make(chan struct{}, 1), sub: o.Subscribe()}
	p.look.Store(look)
	// Not ready until connected: a ticket must not be promised on paper
	// before there is paper to print it on.
	p.report(false, "offline", errors.New("not connected yet"))
	return p, nil
}

// Run prints until ctx ends. Tickets committed before then are still
// printed (a graceful shutdown lets issue requests in flight finish), and
// the connection closes last.
func (p *ticketPrinter) Run(ctx context.Context) {
	cctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	connected := make(chan struct{})
	go func() { p.connect(cctx); close(connected) }()
	defer func() {
		stop()
		<-connected
		p.sub.Cancel()
	}()
	for {
		select {
		case <-ctx.Done():
			for {
				select {
				case evs, ok := <-p.sub.Events():
					if !ok {
						return
					}
					p.printAll(evs)
				default:
					return
				}
			}
		case evs, ok := <-p.sub.Events():
			if !ok {
				p.log.Error("printer fell behind the office's events; tickets issued meanwhile were not printed")
				p.sub = p.office.Subscribe()
				continue
			}
			p.printAll(evs)
		}
	}
}

// printAll prints the tickets issued in evs that are meant for paper.
func (p *ticketPrinter) printAll(evs []dispenser.Event) {
	for _, e := range evs {
		if e.Type == dispenser.TicketIssued && !e.Ticket.NoPaper {
			if err := p.print(*e.Ticket); err != nil {
				p.log.Error("ticket not printed", "number", e.Ticket.Number, "err", err)
			}
		}
	}
}

// connect opens the printer, watches its status while the connection
// lasts, and opens it again when it is lost (a failed write, a printer that
// stopped answering).
func (p *ticketPrinter) connect(ctx context.Context) {
	for ctx.Err() == nil {
		select {
		case <-p.lost:
		default:
		}
		c, err := p.open()
		if err != nil {
			p.report(false, "offline", err)
			p.sleep(ctx, 5*p.cfg.StatusInterval)
			continue
		}
		p.mu.Lock()
		p.conn = c
		p.mu.Unlock()
		mctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		if c.query != nil {
			m := &printer.Monitor{
				Querier:  lockedQuerier{p},
				Interval: p.cfg.StatusInterval,
				Log:      p.log,
				OnChange: func(st printer.Status, err error) {
					if err != nil {
						p.report(false, "offline", err)
						p.signalLost()
						return
					}
					p.report(st.Ready(), st.String(), nil)
				},
			}
			go func() { m.Run(mctx); close(done) }()
		} else {
			p.report(true, "", nil) // a one-way printer is ready until a write fails
			close(done)
		}
		select {
		case <-ctx.Done():
		case <-p.lost:
		}
		cancel()
		<-done
		p.mu.Lock()
		p.conn.out.Close()
		p.conn = paper{}
		p.mu.Unlock()
		p.sleep(ctx, p.cfg.StatusInterval)
	}
}

func (p *ticketPrinter) signalLost() {
	select {
	case p.lost <- struct{}{}:
	default:
	}
}

func (p *ticketPrinter) sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// lockedQuerier queries the printer under the connection's lock.
type lockedQuerier struct{ p *ticketPrinter }

func (q lockedQuerier) Query(req []byte, n int, timeout time.Duration) ([]byte, error) {
	q.p.mu.Lock()
	defer q.p.mu.Unlock()
	if q.p.conn.query == nil {
		return nil, fmt.Errorf("printer not connected: %w", printer.ErrNoAnswer)
	}
	return q.p.conn.query.Query(req, n, timeout)
}

// report tells the office whether the printer can print.
func (p *ticketPrinter) report(ready bool, reason string, err error) {
	var before dispenser.PrinterStatus
	p.office.View(func(d *dispenser.Dispenser, _ time.Time) { before = d.Printer() })
	if before.Ready == ready && (ready || before.Reason == reason) {
		return
	}
	if ready {
		p.log.Info("printer ready")
	} else {
		p.log.Warn("printer cannot print; the dispenser is out of service", "reason", reason, "err", err)
	}
	if _, err := p.office.Do(dispenser.SetPrinter{Ready: ready, Reason: reason}); err != nil {
		p.log.Error("record the printer's state", "err", err)
	}
}

// ticket is what the printed ticket shows of t.
func (p *ticketPrinter) ticket(look *ticketLook, t dispenser.Ticket) printer.Ticket {
	var pt printer.Ticket
	p.office.View(func(d *dispenser.Dispenser, _ time.Time) {
		c := d.Config()
		lang := dispenser.Lang(t.Lang)
		pt = printer.Ticket{
			Lang: string(lang), Office: c.Name, Number: t.Number, Ahead: t.Ahead, Wait: t.Estimate,
			Issued: t.Issued.In(c.Location), URL: look.trackingURL + t.Token, Footer: look.footer[string(lang)],
		}
		pt.WaitLow, pt.WaitHigh = d.Range(t.Estimate)
		if s := d.Service(t.Service); s != nil {
			pt.Service = s.Name(lang)
		}
		if !t.Slot.IsZero() {
			pt.Slot = t.Slot.In(c.Location)
		}
	})
	if pt.Footer == "" {
		pt.Footer = look.footer[catalog.Default]
	}
	return pt
}

// print prints t once. A failure takes the dispenser out of service; the
// ticket stands.
func (p *ticketPrinter) print(t dispenser.Ticket) error {
	look := p.look.Load()
	b, err := look.layout.Ticket(p.ticket(look, t))
	if err != nil {
		return fmt.Errorf("lay out ticket %s: %w", t.Number, err)
	}
	p.mu.Lock()
	out := p.conn.out
	if out == nil {
		p.mu.Unlock()
		err := errors.New("no printer connected")
		p.report(false, "offline", err)
		return err
	}
	_, err = out.Write(b)
	p.mu.Unlock()
	if err != nil {
		p.report(false, "error", err)
		p.signalLost()
		return fmt.Errorf("print ticket %s: %w", t.Number, err)
	}
	p.log.Info("ticket printed", "number", t.Number, "bytes", len(b))
	return nil
}

// Reprint prints ticket id again: the explicit action after a failure. It
// is refused while the printer cannot print.
func (p *ticketPrinter) Reprint(id dispenser.TicketID) error {
	var t dispenser.Ticket
	var ok bool
	var st dispenser.PrinterStatus
	p.office.View(func(d *dispenser.Dispenser, _ time.Time) { t, ok = d.Ticket(id); st = d.Printer() })
	if !ok {
		return fmt.Errorf("%w %q", dispenser.ErrUnknownTicket, id)
	}
	if !st.Ready {
		return &dispenser.Refusal{Reason: dispenser.RefusedOutOfService, Service: t.Service, Detail: st.Reason}
	}
	return p.print(t)
}
