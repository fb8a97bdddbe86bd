package printer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Monitor polls a printer's status and reports changes. Its time is the
// runtime's clock, which tests replace with testing/synctest's.
type Monitor struct {
	// Querier is the printer's two-way transport. Required.
	Querier Querier
	// Interval is the pause between the end of one poll and the start of
	// the next; default 2 s.
	Interval time.Duration
	// Timeout is how long each DLE EOT query waits for its answer;
	// default 500 ms.
	Timeout time.Duration
	// OnChange is called from Run's goroutine with the first reading, and
	// then whenever the status or the kind of error changes (ErrNoAnswer,
	// ErrTimeout, ErrBadAnswer, any other), not on every poll. With an
	// error, the status is the zero Status, which is not ready. May be
	// nil.
	OnChange func(Status, error)
	// Log receives status changes and errors. An error is logged when it
	// is the first of its kind, then at most once a minute with the count
	// of those not logged, so a printer that never answers, or that flaps,
	// does not fill the journal. Default slog.Default(). OnChange's caller
	// need not log them again.
	Log *slog.Logger
}

// Run polls until ctx is done, starting at once. It returns within one
// poll (the queries' timeouts) of ctx being done.
func (m *Monitor) Run(ctx context.Context) {
	interval := orDefault(m.Interval, 2*time.Second)
	timeout := orDefault(m.Timeout, 500*time.Millisecond)
	log := m.Log
	if log == nil {
		log = slog.Default()
	}
	if s, ok := m.Querier.(fmt.Stringer); ok {
		log = log.With("printer", s.String())
	}

	var (
		reported      bool   // OnChange has had a reading
		lastStatus    Status // as last reported
		lastKind      error
		logged        bool      // a status has been logged
		loggedAs      Status    // the last status logged
		errLogged     time.Time // when an error was last logged
		errLoggedKind error
		errQuiet      int // errors not logged since errLogged
	)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}

		st, err := QueryStatus(m.Querier, timeout)
		kind := errorKind(err)
		if err == nil && (!logged || st != loggedAs) {
			log.Info("printer status", "status", st.String())
			logged, loggedAs = true, st
		}
		if err != nil {
			now := time.Now()
			if errLogged.IsZero() || kind != errLoggedKind || now.Sub(errLogged) >= time.Minute {
				if errQuiet > 0 {
					log.Warn("printer status unknown", "err", err, "not_logged", errQuiet)
				} else {
					log.Warn("printer status unknown", "err", err)
				}
				errLogged, errLoggedKind, errQuiet = now, kind, 0
			} else {
				errQuiet++
			}
		}
		if !reported || st != lastStatus || kind != lastKind {
			reported, lastStatus, lastKind = true, st, kind
			if m.OnChange != nil {
				m.OnChange(st, err)
			}
		}
		t.Reset(interval)
	}
}

// errOther is the kind of every error that wraps none of the package's.
var errOther = errors.New("other")

// errorKind is what Run compares between polls to tell a change.
func errorKind(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNoAnswer):
		return ErrNoAnswer
	case errors.Is(err, ErrBadAnswer):
		return ErrBadAnswer
	case errors.Is(err, ErrTimeout):
		return ErrTimeout
	}
	return errOther
}
