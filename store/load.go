package store

import (
	"fmt"
	"time"

	"go.etcd.io/bbolt"
	"torn.cat/torn/dispenser"
)

// Load returns the state to rebuild the dispenser from at boot: the business
// day, the last recorded time, today's tickets, the desks and the
// appointment books of today and later days. It reads the
// current-state buckets only, never the event log, so it takes as long with
// a year of history as with a day's.
func (s *Store) Load() (dispenser.Snapshot, error) {
	var st dispenser.Snapshot
	err := s.view(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		st.Day = dispenser.Date(meta.Get(keyDay))
		var err error
		if st.Last, err = getTime(meta, keyLast); err != nil {
			return err
		}
		tickets := tx.Bucket(bucketTickets)
		// Counting first reads the same pages twice but spares copying a
		// day's tickets over and over as the slice grows.
		if n := tickets.Stats().KeyN; n > 0 {
			st.Tickets = make([]dispenser.Ticket, 0, n)
		}
		err = tickets.ForEach(func(k, v []byte) error {
			t, err := getTicket(k, v)
			if err != nil {
				return err
			}
			st.Tickets = append(st.Tickets, t)
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Bucket(bucketDesks).ForEach(func(k, v []byte) error {
			d, err := getDesk(k, v)
			if err != nil {
				return err
			}
			st.Desks = append(st.Desks, d)
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketBooks).ForEach(func(k, v []byte) error {
			b, err := getBook(k, v)
			if err != nil {
				return err
			}
			st.Books = append(st.Books, b)
			return nil
		})
	})
	if err != nil {
		return dispenser.Snapshot{}, fmt.Errorf("load store %s: %w", s.path, err)
	}
	return st, nil
}

// getTime reads a time meta value; an absent key is the zero time.
func getTime(b *bbolt.Bucket, key []byte) (time.Time, error) {
	var t time.Time
	v := b.Get(key)
	if v == nil {
		return t, nil
	}
	if err := t.UnmarshalText(v); err != nil {
		return t, corrupt("meta %q: %v", key, err)
	}
	return t, nil
}
