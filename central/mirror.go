package central

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/syncproto"
)

// mirror is central's copy of one office's queue: a dispenser rebuilt
// from the store's snapshot of the office whenever a notification says it
// changed. It never decides anything; it answers the tracking pages.
type mirror struct {
	office string

	mu    sync.Mutex
	d     *dispenser.Dispenser
	dirty bool
}

// stale marks the mirror to be rebuilt at its next use.
func (m *mirror) stale() {
	m.mu.Lock()
	m.dirty = true
	m.mu.Unlock()
}

// mirrorOf returns office's mirror.
func (s *Server) mirrorOf(office string) *mirror {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mirrors[office]
	if m == nil {
		m = &mirror{office: office, dirty: true}
		s.mirrors[office] = m
	}
	return m
}

// view calls fn with the office's queue as the store has it now, under
// the mirror's lock. d is nil when central knows nothing of the office.
func (m *mirror) view(ctx context.Context, st Store, fn func(d *dispenser.Dispenser)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dirty || m.d == nil {
		d, err := load(ctx, st, m.office)
		if err != nil {
			return err
		}
		m.d, m.dirty = d, false
	}
	fn(m.d)
	return nil
}

// load rebuilds the office's queue from the store.
func load(ctx context.Context, st Store, office string) (*dispenser.Dispenser, error) {
	b, err := st.OfficeConfig(ctx, office)
	if err != nil {
		return nil, fmt.Errorf("mirror of %s: %w", office, err)
	}
	var oc syncproto.OfficeConfig
	if err := json.Unmarshal(b, &oc); err != nil {
		return nil, fmt.Errorf("mirror of %s: config: %w", office, err)
	}
	cfg, err := oc.Dispenser()
	if err != nil {
		return nil, fmt.Errorf("mirror of %s: %w", office, err)
	}
	snap, err := st.Snapshot(ctx, office)
	if err != nil {
		return nil, fmt.Errorf("mirror of %s: %w", office, err)
	}
	d, err := dispenser.New(cfg, snap)
	if err != nil {
		return nil, fmt.Errorf("mirror of %s: %w", office, err)
	}
	return d, nil
}

// mirrorNow is the time the mirror's estimates are made for: now, or the
// office's last recorded change if central's clock is behind it.
func mirrorNow(d *dispenser.Dispenser, now time.Time) time.Time {
	if last := d.Last(); now.Before(last) {
		return last
	}
	return now
}
