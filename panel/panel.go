package panel

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Options configures a Panel. A zero field takes its default.
type Options struct {
	// Debounce is how long a level must hold to count, for a press and for
	// a release alike; default 20 ms.
	Debounce time.Duration
	// LongPress is how long an input added with long = true must be held
	// for a long press; default 1.5 s.
	LongPress time.Duration
	// RepeatGuard: a press recognised within this of the previous accepted
	// press of the same input is ignored; default 1 s.
	RepeatGuard time.Duration
	// BlinkPeriod is the period of Blink; FastBlink's is a quarter of it and
	// Flash's twice it; default 1 s.
	BlinkPeriod time.Duration
	// Log receives the panel's warnings and debug lines; default: discard.
	Log *slog.Logger
}

// Defaults of Options.
const (
	DefaultDebounce    = 20 * time.Millisecond
	DefaultLongPress   = 1500 * time.Millisecond
	DefaultRepeatGuard = time.Second
	DefaultBlinkPeriod = time.Second
)

// FlashOn is how long a Flash lights its LED.
const FlashOn = 100 * time.Millisecond

// poll bounds each WaitForEdge, so that a reader sees its context end:
// periph pins' Halt does not interrupt a wait.
const poll = 100 * time.Millisecond

// Input is one recognised press of an input.
type Input struct {
	Name string    // the input's name as added
	Long bool      // held at least LongPress (only inputs added with long = true)
	At   time.Time // when the press was recognised
}

// Panel reads buttons and drives LEDs. Add its inputs and LEDs, then call
// Run once. Set, Light and Inputs are safe for concurrent use.
type Panel struct {
	o   Options
	log *slog.Logger

	mu      sync.Mutex
	inputs  []*input
	leds    map[string]*led
	order   []*led // in the order added
	warned  map[string]bool
	started bool
	queue   []Input

	queued  chan struct{} // signalled, without blocking, when queue grows
	ledWake chan struct{} // signalled, without blocking, when a light changes
	out     chan Input
}

// New returns a Panel with o's zero fields set to their defaults.
func New(o Options) *Panel {
	if o.Debounce <= 0 {
		o.Debounce = DefaultDebounce
	}
	if o.LongPress <= 0 {
		o.LongPress = DefaultLongPress
	}
	if o.RepeatGuard <= 0 {
		o.RepeatGuard = DefaultRepeatGuard
	}
	if o.BlinkPeriod <= 0 {
		o.BlinkPeriod = DefaultBlinkPeriod
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Panel{
		o:       o,
		log:     o.Log,
		leds:    map[string]*led{},
		warned:  map[string]bool{},
		queued:  make(chan struct{}, 1),
		ledWake: make(chan struct{}, 1),
		out:     make(chan Input),
	}
}

// Inputs returns the channel of recognised presses, in the order they were
// recognised. It never drops a press: an unbounded queue sits between the
// pin readers and this channel, so a slow consumer loses nothing and never
// blocks a reader. The channel is closed when Run returns; presses still
// queued then are dropped.
func (p *Panel) Inputs() <-chan Input { return p.out }

// ErrRunning is returned by AddInput and AddLED once Run has been called,
// and by a second call of Run.
var ErrRunning = errors.New("panel: already running")

// Run reads every input, one goroutine each, runs the LEDs' patterns and
// feeds Inputs until ctx is done; then it waits for its goroutines, turns
// every LED Off, closes the Inputs channel and returns nil. A reader sees
// the end of ctx within 100 ms.
func (p *Panel) Run(ctx context.Context) error {
	p.mu.Lock()
	if p.started {
		p.mu.Unlock()
		return ErrRunning
	}
	p.started = true
	inputs := p.inputs
	p.mu.Unlock()

	var wg sync.WaitGroup
	for _, in := range inputs {
		wg.Go(func() { p.read(ctx, in) })
	}
	wg.Go(func() { p.blink(ctx) })
	wg.Go(func() { p.feed(ctx) })
	wg.Wait()

	p.allOff()
	close(p.out)
	return nil
}

// enqueue adds in to the queue behind Inputs.
func (p *Panel) enqueue(in Input) {
	p.mu.Lock()
	p.queue = append(p.queue, in)
	p.mu.Unlock()
	select {
	case p.queued <- struct{}{}:
	default:
	}
}

// feed moves the queue to the Inputs channel, one at a time, until ctx is
// done.
func (p *Panel) feed(ctx context.Context) {
	for {
		p.mu.Lock()
		if len(p.queue) == 0 {
			p.mu.Unlock()
			select {
			case <-p.queued:
				continue
			case <-ctx.Done():
				return
			}
		}
		head := p.queue[0]
		p.mu.Unlock()
		select {
		case p.out <- head:
			p.mu.Lock()
			p.queue[0] = Input{}
			p.queue = p.queue[1:]
			p.mu.Unlock()
		case <-ctx.Done():
			return
		}
	}
}
