package uplink

import "time"

// repeatLogEvery is how often a failure that keeps repeating the same way
// (central unreachable, the token refused) is logged again.
const repeatLogEvery = 10 * time.Minute

// repeats rate-limits a log line of a failure that repeats: the first is
// logged, the same one again only once per repeatLogEvery, saying how many
// were not.
type repeats struct {
	last    string    // the message last logged
	at      time.Time // when
	skipped int       // how many of it were not logged since
}

// admit reports whether msg is to be logged at now, and how many times the
// same message was skipped since it last was.
func (r *repeats) admit(msg string, now time.Time) (ok bool, skipped int) {
	if msg == r.last && now.Sub(r.at) < repeatLogEvery {
		r.skipped++
		return false, 0
	}
	if msg == r.last {
		skipped = r.skipped
	}
	r.last, r.at, r.skipped = msg, now, 0
	return true, skipped
}

// reset forgets the last message, after a connection that worked: the next
// failure is logged at once.
func (r *repeats) reset() { *r = repeats{} }
