package office

import (
	"context"
	"time"

	"torn.cat/torn/dispenser"
)

// Tick runs a dispenser.Tick every interval until ctx ends, so that what
// time alone causes (the day rollover at local midnight) happens even when
// nobody presses anything.
func (o *Office) Tick(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := o.Do(dispenser.Tick{}); err != nil {
				o.log.Error("tick", "err", err)
			}
		}
	}
}
