package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Group commit: ingests that arrive while a transaction runs wait and go
// together into the next one. Ten thousand devices sending a batch every
// ten seconds are a thousand ingests a second; one transaction (one fsync)
// each is more than SQLite's single writer can do on a small machine, one
// transaction for every ingest waiting is not.

// maxGroup bounds the ingests of one transaction.
const maxGroup = 256

// groupTimeout bounds one group's transaction.
const groupTimeout = 30 * time.Second

type ingestReq struct {
	device, office string
	es             []entry
	done           chan ingestRes
}

type ingestRes struct {
	acked uint64
	err   error
}

// errClosed: the store was closed.
var errClosed = errors.New("store closed")

// group hands r to the committer and waits for its result.
func (s *Store) group(ctx context.Context, r ingestReq) (uint64, error) {
	r.done = make(chan ingestRes, 1)
	select {
	case s.ingests <- r:
	case <-s.closed:
		return 0, errClosed
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case res := <-r.done:
		return res.acked, res.err
	case <-s.closed:
		return 0, errClosed
	}
}

// committer runs the groups until the store closes.
func (s *Store) committer() {
	for {
		var batch []ingestReq
		select {
		case r := <-s.ingests:
			batch = append(batch, r)
		case <-s.closed:
			return
		}
	more:
		for len(batch) < maxGroup {
			select {
			case r := <-s.ingests:
				batch = append(batch, r)
			default:
				break more
			}
		}
		s.commitGroup(batch)
	}
}

// commitGroup ingests batch in one transaction, in (office, device) order
// so that two instances' groups lock offices in the same order. If the
// transaction fails, each ingest is tried in a transaction of its own, so
// that one bad batch fails alone.
func (s *Store) commitGroup(batch []ingestReq) {
	sort.SliceStable(batch, func(i, j int) bool {
		if batch[i].office != batch[j].office {
			return batch[i].office < batch[j].office
		}
		return batch[i].device < batch[j].device
	})
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	acked := make([]uint64, len(batch))
	err := s.e.write(ctx, func(q querier) error {
		for i, r := range batch {
			a, err := s.ingestIn(ctx, q, r.device, r.office, r.es)
			if err != nil {
				return fmt.Errorf("device %s: %w", r.device, err)
			}
			acked[i] = a
		}
		return nil
	})
	if err == nil {
		for i, r := range batch {
			r.done <- ingestRes{acked: acked[i]}
		}
		return
	}
	if len(batch) == 1 {
		batch[0].done <- ingestRes{err: err}
		return
	}
	for _, r := range batch {
		var a uint64
		err := s.e.write(ctx, func(q querier) error {
			var err error
			a, err = s.ingestIn(ctx, q, r.device, r.office, r.es)
			return err
		})
		r.done <- ingestRes{acked: a, err: err}
	}
}
