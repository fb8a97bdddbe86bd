package panel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// input is one watched pin.
type input struct {
	name    string
	pin     gpio.PinIn
	pressed gpio.Level
	long    bool
}

// AddInput watches pin as the input name. Pressed is the level opposite to
// the idle one: with activeLow (a switch to ground, usually with
// gpio.PullUp) pressed is Low; without it (a switch to 3.3 V, usually with
// gpio.PullDown) pressed is High. AddInput calls pin.In(pull,
// gpio.BothEdges) and returns its error, naming the input.
//
// With long = false an Input is sent as soon as a press is recognised, once
// however long it is held. With long = true a release before LongPress
// sends Input{Long: false} at the release, and reaching LongPress while
// still held sends Input{Long: true} at that moment and nothing at the
// release.
//
// AddInput must be called before Run; after, it returns ErrRunning.
func (p *Panel) AddInput(name string, pin gpio.PinIn, pull gpio.Pull, activeLow, long bool) error {
	if name == "" {
		return errors.New("panel: add input: empty name")
	}
	if pin == nil {
		return fmt.Errorf("panel: add input %q: no pin", name)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		return fmt.Errorf("panel: add input %q: %w", name, ErrRunning)
	}
	for _, in := range p.inputs {
		if in.name == name {
			return fmt.Errorf("panel: add input %q: the name is taken", name)
		}
	}
	if err := pin.In(pull, gpio.BothEdges); err != nil {
		return fmt.Errorf("panel: add input %q: set %s as input (%s, both edges): %w", name, pin, pull, err)
	}
	in := &input{name: name, pin: pin, pressed: gpio.Level(!activeLow), long: long}
	if pin.Read() == in.pressed {
		p.log.Warn("panel: input reads pressed while idle; check its pull and active level, or the button is stuck",
			"input", name, "pin", pin.String(), "pull", pull.String(), "active_low", activeLow)
	}
	p.inputs = append(p.inputs, in)
	return nil
}

// read turns in's edges into Inputs until ctx is done.
//
// The reader keeps the raw level, as last read, and since when it has held;
// the debounced state (down) changes once the raw level has held for
// Debounce. Every wait for an edge is bounded by the next deadline (the
// debounce or the long press) and by poll, so deadlines are met without a
// further edge and the end of ctx is seen. A level that the pin reports at
// start as pressed counts as a press already handled, so a stuck button
// sends nothing.
func (p *Panel) read(ctx context.Context, in *input) {
	debounce, longPress, guard := p.o.Debounce, p.o.LongPress, p.o.RepeatGuard

	raw := in.pin.Read()
	rawSince := time.Now()
	down := raw == in.pressed
	var (
		downSince    time.Time // when the level of the current press began
		pending      bool      // the current press was accepted and owes its Input (long inputs)
		lastAccepted time.Time // when the previous accepted press was recognised
	)

	// settle applies the deadlines that have passed by now, with the raw
	// level as it was before any edge read at now: a level that held for
	// exactly Debounce counts, whichever of the timeout and the edge comes
	// first.
	settle := func(now time.Time) {
		if (raw == in.pressed) != down && now.Sub(rawSince) >= debounce {
			down = !down
			if down {
				downSince = rawSince
				if !lastAccepted.IsZero() && now.Sub(lastAccepted) < guard {
					p.log.Debug("panel: press ignored: repeat guard", "input", in.name,
						"since_previous", now.Sub(lastAccepted))
					pending = false
				} else {
					lastAccepted = now
					if in.long {
						pending = true
					} else {
						p.enqueue(Input{Name: in.name, At: now})
					}
				}
			} else if pending {
				pending = false
				p.enqueue(Input{Name: in.name, At: now})
			}
		}
		if down && pending && now.Sub(downSince) >= longPress {
			pending = false
			p.enqueue(Input{Name: in.name, Long: true, At: now})
		}
	}

	for {
		now := time.Now()
		settle(now)
		if ctx.Err() != nil {
			return
		}
		wait := poll
		if (raw == in.pressed) != down {
			wait = min(wait, rawSince.Add(debounce).Sub(now))
		}
		if down && pending {
			wait = min(wait, downSince.Add(longPress).Sub(now))
		}
		// settle leaves every deadline after now; the floor only guards
		// against a hot loop should that ever break.
		in.pin.WaitForEdge(max(wait, time.Millisecond))
		now = time.Now()
		settle(now)
		// Read after a timeout too: a driver may coalesce or miss edges,
		// and the level is what counts.
		if l := in.pin.Read(); l != raw {
			raw, rawSince = l, now
		}
	}
}
