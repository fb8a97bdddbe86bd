package office

import (
	"fmt"

	"torn.cat/torn/dispenser"
)

// Reconfigure runs the office on cfg from now on: the dispenser is rebuilt
// from the store under cfg, so the day's tickets, numbers and desks carry
// on. It refuses, changing nothing, a cfg the dispenser rejects and one
// that drops a service with citizens still waiting for it (they would
// never be called). Subscribers get an empty batch: their cue to read
// the office again (new names, hours, desks).
func (o *Office) Reconfigure(cfg dispenser.Config) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.broken != nil {
		return o.broken
	}
	snap, err := o.store.Load()
	if err != nil {
		return fmt.Errorf("load office state: %w", err)
	}
	d, err := dispenser.New(cfg, snap)
	if err != nil {
		return err
	}
	waiting := map[dispenser.ServiceID]int{}
	for _, t := range o.d.Tickets() {
		if t.State == dispenser.Waiting {
			waiting[t.Service]++
		}
	}
	for id, n := range waiting {
		if d.Service(id) == nil {
			return fmt.Errorf("service %q is not in the new config, but %d tickets of it are waiting: remove it once they are served", id, n)
		}
	}
	o.cfg, o.d = cfg, d
	o.publish(nil)
	return nil
}
