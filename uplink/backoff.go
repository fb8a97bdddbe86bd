package uplink

import "time"

// The waits between connections (docs/protocol.md, "Reconnecting").
const (
	// MinBackoff is the first wait after a connection ends.
	MinBackoff = time.Second
	// MaxBackoff is where the doubling stops.
	MaxBackoff = time.Minute
	// SlowBackoff is the wait after central refused the device for a reason
	// a person must fix (syncproto.Permanent), or replaced it.
	SlowBackoff = 5 * time.Minute
	// StableAfter is how long a connection must last for the next wait to
	// start again from MinBackoff.
	StableAfter = time.Minute
)

// backoff says how long to wait before the next dial. It holds no clock:
// the caller says how long the last connection lasted.
type backoff struct {
	// rand returns a number in [0, 1): the jitter.
	rand func() float64
	// base is the next wait before jitter; 0 means MinBackoff.
	base time.Duration
	// max caps base; 0 means MaxBackoff.
	max time.Duration
}

// next returns the wait after a connection that lasted lasted (0 when it
// never got a welcome); slow says central refused the device for a reason
// retrying soon does not fix. Each wait is multiplied by a random factor
// in [0.5, 1.5).
func (b *backoff) next(lasted time.Duration, slow bool) time.Duration {
	if lasted >= StableAfter {
		b.base = 0
	}
	d := SlowBackoff
	if !slow {
		if b.base == 0 {
			b.base = MinBackoff
		}
		d = b.base
		limit := b.max
		if limit <= 0 {
			limit = MaxBackoff
		}
		b.base = min(2*b.base, limit)
	}
	return time.Duration(float64(d) * (0.5 + b.rand()))
}
