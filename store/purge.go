package store

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
	"torn.cat/torn/dispenser"
)

// Retention says how long the store keeps what.
type Retention struct {
	// Days: events older than this many days are deleted. Default 90.
	Days int
	// PersonalDays: personal data (the document hashes of tickets and
	// appointment books, the names in the books) is scrubbed from events
	// and tickets older than this many days. Default 1. The books of past
	// days go at the day rollover.
	PersonalDays int
}

func (r *Retention) fill() error {
	if r.Days == 0 {
		r.Days = 90
	}
	if r.PersonalDays == 0 {
		r.PersonalDays = 1
	}
	if r.Days < 0 || r.PersonalDays < 0 {
		return fmt.Errorf("retention of %d days, personal data %d days: want positive numbers", r.Days, r.PersonalDays)
	}
	return nil
}

// PurgeResult counts what a Purge did: events deleted, and events and
// tickets whose document hash it removed.
type PurgeResult struct{ EventsDeleted, Scrubbed int }

// purgeBatch is how many events one purge transaction deletes or reads at
// most, so that a purge never holds the write lock for long: a ticket
// waiting to be committed waits for one batch at worst.
const purgeBatch = 2000

// Purge applies retention r at now. It deletes the events older than r.Days
// and removes the document hash from the events and tickets older than
// r.PersonalDays, in transactions of at most a couple of thousand events.
// The log is in time order (the dispenser never records an earlier time),
// so both walks start from the oldest event and stop at the first one young
// enough; the scrub also starts after where the last one ended (the
// "scrubbed" cursor in meta), so a daily purge reads about a day of events.
// A purge that fails keeps what earlier batches did; the next one goes on
// from there.
func (s *Store) Purge(now time.Time, r Retention) (PurgeResult, error) {
	var res PurgeResult
	if err := r.fill(); err != nil {
		return res, fmt.Errorf("purge: %w", err)
	}
	oldest := now.AddDate(0, 0, -r.Days)
	for more := true; more; {
		var n int
		var err error
		n, more, err = s.deleteEvents(oldest)
		res.EventsDeleted += n
		if err != nil {
			return res, fmt.Errorf("purge events before %s: %w", oldest.Format(time.RFC3339), err)
		}
	}
	personal := now.AddDate(0, 0, -r.PersonalDays)
	for more := true; more; {
		var n int
		var err error
		n, more, err = s.scrubEvents(personal)
		res.Scrubbed += n
		if err != nil {
			return res, fmt.Errorf("purge personal data of events before %s: %w", personal.Format(time.RFC3339), err)
		}
	}
	n, err := s.scrubTickets(personal)
	res.Scrubbed += n
	if err != nil {
		return res, fmt.Errorf("purge personal data of tickets before %s: %w", personal.Format(time.RFC3339), err)
	}
	return res, nil
}

// deleteEvents deletes up to purgeBatch events older than before, oldest
// first, and reports whether there may be more.
func (s *Store) deleteEvents(before time.Time) (deleted int, more bool, err error) {
	err = s.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		var old [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			e, err := getEvent(k, v)
			if err != nil {
				return err
			}
			if !e.Time.Before(before) {
				break
			}
			if len(old) == purgeBatch {
				more = true
				break
			}
			old = append(old, bytes.Clone(k))
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return fmt.Errorf("delete event %x: %w", k, err)
			}
		}
		deleted = len(old)
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return deleted, more, nil
}

// scrubEvents removes the document hash from up to purgeBatch events after
// the scrub cursor that are older than before, advances the cursor past
// them, and reports whether there may be more.
func (s *Store) scrubEvents(before time.Time) (scrubbed int, more bool, err error) {
	err = s.update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		b := tx.Bucket(bucketEvents)
		cursor, err := getUint(meta, keyScrubbed)
		if err != nil {
			return err
		}
		type put struct{ k, v []byte }
		var puts []put
		c := b.Cursor()
		read := 0
		for k, v := c.Seek(seqKey(cursor + 1)); k != nil; k, v = c.Next() {
			if read == purgeBatch {
				more = true
				break
			}
			e, err := getEvent(k, v)
			if err != nil {
				return err
			}
			if !e.Time.Before(before) {
				break
			}
			read++
			cursor = e.Seq
			if !scrub(&e) {
				continue
			}
			nv, err := encodeEvent(&e)
			if err != nil {
				return fmt.Errorf("encode event %d: %w", e.Seq, err)
			}
			puts = append(puts, put{bytes.Clone(k), nv})
		}
		if read == 0 {
			return errUnchanged
		}
		for _, p := range puts {
			if err := b.Put(p.k, p.v); err != nil {
				return fmt.Errorf("rewrite event %x: %w", p.k, err)
			}
		}
		scrubbed = len(puts)
		return putUint(meta, keyScrubbed, cursor)
	})
	if errors.Is(err, errUnchanged) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return scrubbed, more, nil
}

// scrubTickets removes the document hash from the current tickets that last
// changed before before. There are a day's tickets at most: one transaction.
func (s *Store) scrubTickets(before time.Time) (scrubbed int, err error) {
	err = s.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketTickets)
		var ts []dispenser.Ticket
		err := b.ForEach(func(k, v []byte) error {
			t, err := getTicket(k, v)
			if err != nil {
				return err
			}
			if t.DocumentHash != "" && lastChange(&t).Before(before) {
				t.DocumentHash = ""
				ts = append(ts, t)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return errUnchanged
		}
		for i := range ts {
			if err := putTicket(b, &ts[i]); err != nil {
				return fmt.Errorf("rewrite ticket %s: %w", ts[i].ID, err)
			}
		}
		scrubbed = len(ts)
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return 0, nil
	}
	return scrubbed, err
}

// scrub removes the personal data from e, the document hashes and the
// names of its ticket and its book, and reports whether there was any.
func scrub(e *dispenser.Event) bool {
	found := false
	if e.Ticket != nil && e.Ticket.DocumentHash != "" {
		e.Ticket.DocumentHash = ""
		found = true
	}
	if e.Book != nil {
		for i := range e.Book.Appointments {
			a := &e.Book.Appointments[i]
			if a.DocumentHash != "" || a.Name != "" {
				a.DocumentHash, a.Name = "", ""
				found = true
			}
		}
	}
	return found
}

// lastChange is the latest time recorded on t.
func lastChange(t *dispenser.Ticket) time.Time {
	last := t.Issued
	for _, u := range []time.Time{t.Queued, t.Called, t.Started, t.Ended} {
		if u.After(last) {
			last = u
		}
	}
	return last
}
