package store

import (
	"bytes"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
	"torn.cat/torn/dispenser"
)

// Commit makes evs durable, in order, in one transaction: each event gets
// the next sequence number, which Commit writes into evs[i].Seq, and goes
// into the log; its ticket and desk snapshots replace the current ones; a
// DayStarted event sets the business day and drops the tickets of other
// days; the last event's time becomes the last recorded time. When Commit
// returns an error nothing is stored and every evs[i].Seq is left as given.
// An event that already has a Seq is refused: it was committed before.
// Empty evs is a no-op.
func (s *Store) Commit(evs []dispenser.Event) error {
	if len(evs) == 0 {
		return nil
	}
	seqs := make([]uint64, len(evs))
	err := s.update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		events := tx.Bucket(bucketEvents)
		// Keys only ever grow, so pages can be filled: the log takes about
		// half the space bbolt's default of half-full pages would.
		events.FillPercent = 1.0
		tickets := tx.Bucket(bucketTickets)
		desks := tx.Bucket(bucketDesks)
		books := tx.Bucket(bucketBooks)
		applied := tx.Bucket(bucketApplied)
		for i := range evs {
			e := evs[i]
			if err := validate(&e); err != nil {
				return fmt.Errorf("event %d (%s): %w", i+1, e.Type, err)
			}
			seq, err := events.NextSequence()
			if err != nil {
				return fmt.Errorf("event %d (%s): next sequence: %w", i+1, e.Type, err)
			}
			e.Seq = seq
			if err := putEvent(events, &e); err != nil {
				return fmt.Errorf("event %d (%s): %w", i+1, e.Type, err)
			}
			if e.Ticket != nil {
				if err := putTicket(tickets, e.Ticket); err != nil {
					return fmt.Errorf("event %d (%s): ticket %s: %w", i+1, e.Type, e.Ticket.ID, err)
				}
			}
			if e.Desk != nil {
				if err := putDesk(desks, e.Desk); err != nil {
					return fmt.Errorf("event %d (%s): desk %s: %w", i+1, e.Type, e.Desk.ID, err)
				}
			}
			if e.Applied != "" {
				if err := applied.Put([]byte(e.Applied), seqKey(seq)); err != nil {
					return fmt.Errorf("event %d (%s): applied %q: %w", i+1, e.Type, e.Applied, err)
				}
			}
			if e.Book != nil {
				if err := putBook(books, e.Book); err != nil {
					return fmt.Errorf("event %d (%s): book of %s: %w", i+1, e.Type, e.Book.Day, err)
				}
			}
			if e.Type == dispenser.DayStarted {
				if err := meta.Put(keyDay, []byte(e.Day)); err != nil {
					return fmt.Errorf("event %d (%s): %w", i+1, e.Type, err)
				}
				if err := dropTickets(tickets, e.Day); err != nil {
					return fmt.Errorf("event %d (%s): %w", i+1, e.Type, err)
				}
				if err := dropBooks(books, e.Day); err != nil {
					return fmt.Errorf("event %d (%s): %w", i+1, e.Type, err)
				}
			}
			seqs[i] = seq
		}
		last, err := evs[len(evs)-1].Time.MarshalText()
		if err == nil {
			err = meta.Put(keyLast, last)
		}
		if err != nil {
			return fmt.Errorf("last time: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("commit %d events: %w", len(evs), err)
	}
	for i := range evs {
		evs[i].Seq = seqs[i]
	}
	s.raiseLast(seqs[len(seqs)-1])
	return nil
}

// validate refuses what cannot be stored as the layout says.
func validate(e *dispenser.Event) error {
	switch {
	case e.Seq != 0:
		return fmt.Errorf("already committed as %d", e.Seq)
	case e.Ticket != nil && e.Ticket.ID == "":
		return errors.New("ticket without an id")
	case e.Desk != nil && e.Desk.ID == "":
		return errors.New("desk without an id")
	case e.Type == dispenser.DayStarted && e.Day == "":
		return errors.New("no day")
	case e.Book != nil && e.Book.Day == "":
		return errors.New("book without a day")
	}
	return nil
}

// dropTickets deletes the tickets whose business day is not day.
func dropTickets(tickets *bbolt.Bucket, day dispenser.Date) error {
	var old [][]byte
	err := tickets.ForEach(func(k, v []byte) error {
		t, err := getTicket(k, v)
		if err != nil {
			return err
		}
		if t.Day != day {
			old = append(old, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		if err := tickets.Delete(k); err != nil {
			return fmt.Errorf("drop ticket %q: %w", k, err)
		}
	}
	return nil
}

// Applied reports whether a message of central with this id was applied:
// an event it caused was committed.
func (s *Store) Applied(id string) (bool, error) {
	var found bool
	err := s.view(func(tx *bbolt.Tx) error {
		found = tx.Bucket(bucketApplied).Get([]byte(id)) != nil
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("read applied ids: %w", err)
	}
	return found, nil
}

// dropBooks deletes the books of the days before day: with them go the
// document hashes of appointments nobody checked in.
func dropBooks(books *bbolt.Bucket, day dispenser.Date) error {
	var old [][]byte
	c := books.Cursor()
	for k, _ := c.First(); k != nil && string(k) < string(day); k, _ = c.Next() {
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		if err := books.Delete(k); err != nil {
			return fmt.Errorf("drop book %q: %w", k, err)
		}
	}
	return nil
}

// raiseLast records seq as the last sequence number unless a concurrent
// commit recorded a higher one.
func (s *Store) raiseLast(seq uint64) {
	for {
		cur := s.last.Load()
		if seq <= cur || s.last.CompareAndSwap(cur, seq) {
			return
		}
	}
}
