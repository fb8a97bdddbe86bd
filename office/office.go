package office

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"torn.cat/torn/dispenser"
)

// Store is what the office needs of its durable store.
type Store interface {
	// Load returns the state to rebuild the dispenser from.
	Load() (dispenser.Snapshot, error)
	// Commit makes evs durable in one transaction, setting their Seq, or
	// stores nothing and returns an error.
	Commit(evs []dispenser.Event) error
}

// ErrBroken is returned by Do after the store failed and the office could
// not reload its state: it refuses every change until restarted.
var ErrBroken = errors.New("office stopped after a store failure")

// An Office is one office's queue with its store. Create it with Open.
type Office struct {
	log   *slog.Logger
	now   func() time.Time
	cfg   dispenser.Config
	store Store

	mu     sync.Mutex
	d      *dispenser.Dispenser
	broken error
	subs   map[*Subscription]struct{}
}

// Options are Open's settings.
type Options struct {
	// Log receives the office's log lines. Default slog.Default().
	Log *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Open rebuilds the office cfg from the store.
func Open(cfg dispenser.Config, st Store, opts Options) (*Office, error) {
	o := &Office{log: opts.Log, now: opts.Now, cfg: cfg, store: st, subs: map[*Subscription]struct{}{}}
	if o.log == nil {
		o.log = slog.Default()
	}
	if o.now == nil {
		o.now = time.Now
	}
	d, err := o.load()
	if err != nil {
		return nil, err
	}
	o.d = d
	return o, nil
}

func (o *Office) load() (*dispenser.Dispenser, error) {
	snap, err := o.store.Load()
	if err != nil {
		return nil, fmt.Errorf("load office state: %w", err)
	}
	return dispenser.New(o.cfg, snap)
}

// Do runs cmd now: the dispenser decides, the store commits, and only then
// do subscribers see the events. It returns the committed events. An Issue
// or a CheckIn without ID or Token gets fresh random ones.
//
// A refused command returns the dispenser's error and changes nothing,
// except that a pending day rollover is still committed, and so is the
// record of a ticket refused for the cut-off (dispenser.TicketRefused):
// those events are returned with the error, and published. If the commit
// fails the office reloads its state from the store, so memory never runs
// ahead of the disk, and Do returns the store's error.
func (o *Office) Do(cmd dispenser.Command) ([]dispenser.Event, error) {
	return o.do("", cmd)
}

// ErrAlreadyApplied is DoOnce's answer to an id applied before.
var ErrAlreadyApplied = errors.New("already applied")

// AppliedStore is a Store that remembers which messages from central were
// applied: the ids that committed events carry (Event.Applied).
type AppliedStore interface {
	Store
	Applied(id string) (bool, error)
}

// DoOnce runs cmd as Do does, for the message from central with this id:
// if the store says the id was applied before it returns
// ErrAlreadyApplied and changes nothing; otherwise the events cmd makes
// carry the id, and the store records it in the same commit. A refused
// command records no id (what Do commits of it carries none): central
// hears the refusal and does not send it again, but if that answer is
// lost, a resend is decided anew.
func (o *Office) DoOnce(id string, cmd dispenser.Command) ([]dispenser.Event, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: a message from central without an id", dispenser.ErrInvalid)
	}
	return o.do(id, cmd)
}

func (o *Office) do(applied string, cmd dispenser.Command) ([]dispenser.Event, error) {
	switch c := cmd.(type) {
	case dispenser.Issue:
		fillTicketIDs(&c.ID, &c.Token)
		cmd = c
	case dispenser.CheckIn:
		fillTicketIDs(&c.ID, &c.Token)
		cmd = c
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.broken != nil {
		return nil, o.broken
	}
	if applied != "" {
		as, ok := o.store.(AppliedStore)
		if !ok {
			return nil, errors.New("the store does not record applied ids")
		}
		done, err := as.Applied(applied)
		if err != nil {
			return nil, err
		}
		if done {
			return nil, ErrAlreadyApplied
		}
	}
	now := o.now()
	if last := o.d.Last(); now.Before(last) {
		o.log.Warn("clock is behind the last recorded change; recording the last time instead",
			"now", now, "last", last, "behind", last.Sub(now).Round(time.Millisecond))
	}
	evs, err := o.d.Handle(cmd, now)
	if len(evs) == 0 {
		return nil, err
	}
	if applied != "" && err == nil {
		for i := range evs {
			evs[i].Applied = applied
		}
	}
	if cerr := o.store.Commit(evs); cerr != nil {
		d, lerr := o.load()
		if lerr != nil {
			o.broken = fmt.Errorf("%w: commit: %v; reload: %v", ErrBroken, cerr, lerr)
			return nil, o.broken
		}
		o.d = d
		return nil, fmt.Errorf("record %s: %w", evs[len(evs)-1].Type, cerr)
	}
	o.publish(evs)
	return evs, err
}

// View calls fn with the dispenser and the current time, under the lock.
// fn must only read: changes go through Do.
func (o *Office) View(fn func(d *dispenser.Dispenser, now time.Time)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	if last := o.d.Last(); now.Before(last) {
		now = last
	}
	fn(o.d, now)
}

// Config returns the office's config, defaults filled in.
func (o *Office) Config() *dispenser.Config {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.d.Config()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// fillTicketIDs gives a new ticket a random id and tracking token where
// the command has none.
func fillTicketIDs(id *dispenser.TicketID, token *string) {
	if *id == "" {
		*id = dispenser.TicketID(randomHex(8))
	}
	if *token == "" {
		*token = randomToken()
	}
}

// randomToken returns 128 random bits, base64url without padding.
func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Err returns ErrBroken (wrapped with the cause) once the office refuses
// changes, nil while it works.
func (o *Office) Err() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.broken
}
