package store

import (
	"errors"
	"fmt"
	"math"

	"go.etcd.io/bbolt"
	"torn.cat/torn/dispenser"
)

// Outbox returns up to max committed events with Seq > after, in order:
// what the sync sends central next. Events removed by Purge are not there,
// so the numbers can have gaps.
func (s *Store) Outbox(after uint64, max int) ([]dispenser.Event, error) {
	if max <= 0 || after == math.MaxUint64 {
		return nil, nil
	}
	var evs []dispenser.Event
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(evs) < max; k, v = c.Next() {
			e, err := getEvent(k, v)
			if err != nil {
				return err
			}
			evs = append(evs, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("outbox after %d: %w", after, err)
	}
	return evs, nil
}

// Acked returns the sync cursor: the highest sequence number central has
// acknowledged, 0 before the first.
func (s *Store) Acked() (uint64, error) {
	var acked uint64
	err := s.view(func(tx *bbolt.Tx) error {
		var err error
		acked, err = getUint(tx.Bucket(bucketMeta), keyAcked)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read sync cursor: %w", err)
	}
	return acked, nil
}

// errUnchanged rolls back a transaction that has nothing to write.
var errUnchanged = errors.New("unchanged")

// Ack advances the sync cursor to seq, durably. A seq at or below the
// cursor changes nothing (acks can arrive late or twice); a seq beyond
// LastSeq is an error, since central cannot have what was never handed out.
func (s *Store) Ack(seq uint64) error {
	err := s.update(func(tx *bbolt.Tx) error {
		if last := tx.Bucket(bucketEvents).Sequence(); seq > last {
			return fmt.Errorf("beyond the last sequence number %d", last)
		}
		meta := tx.Bucket(bucketMeta)
		acked, err := getUint(meta, keyAcked)
		if err != nil {
			return err
		}
		if seq <= acked {
			return errUnchanged
		}
		return putUint(meta, keyAcked, seq)
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ack %d: %w", seq, err)
	}
	return nil
}
