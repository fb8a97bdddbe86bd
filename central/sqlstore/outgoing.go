package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"torn.cat/torn/central"
)

// Enqueue queues message m for office's device (Queued now if zero);
// ErrExists if its id is taken.
func (s *Store) Enqueue(ctx context.Context, office string, m central.Outgoing) error {
	if m.Queued.IsZero() {
		m.Queued = time.Now()
	}
	err := s.e.write(ctx, func(q querier) error {
		return s.enqueue(ctx, q, office, m.ID, m.Body, m.Queued)
	})
	if err != nil {
		return fmt.Errorf("queue message %s for office %s: %w", m.ID, office, err)
	}
	return nil
}

func (s *Store) enqueue(ctx context.Context, q querier, office, id string, body []byte, queued time.Time) error {
	if id == "" || office == "" {
		return errors.New("want an id and an office")
	}
	if !json.Valid(body) {
		return errors.New("the body is not JSON")
	}
	n, err := q.exec(ctx, `INSERT INTO outgoing (id, office, body, queued) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, id, office, string(body), s.tv(queued))
	if err == nil && n == 0 {
		err = central.ErrExists
	}
	return err
}

// Pending returns office's messages without an answer, in the order they
// were queued (those queued at the same time in the order Enqueue got
// them).
func (s *Store) Pending(ctx context.Context, office string) ([]central.Outgoing, error) {
	var out []central.Outgoing
	err := s.e.view(ctx, func(q querier) error {
		rows, err := q.query(ctx, `SELECT id, body, queued FROM outgoing
			WHERE office = ? AND answered IS NULL ORDER BY queued, n`, office)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m central.Outgoing
			if err := rows.Scan(&m.ID, &m.Body, scanTime{&m.Queued}); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the messages pending for office %s: %w", office, err)
	}
	return out, nil
}

// Answer records the device's answer to message id ("" when applied, else
// the refusal); the message is no longer pending. The first answer
// stands: a repeat (a device says "applied" again after a reconnect)
// changes nothing. ErrNotFound if there is no message id.
func (s *Store) Answer(ctx context.Context, office, id, refusal string) error {
	err := s.e.write(ctx, func(q querier) error {
		n, err := q.exec(ctx, "UPDATE outgoing SET answered = ?, refusal = ? WHERE id = ? AND office = ? AND answered IS NULL",
			s.tv(time.Now()), refusal, id, office)
		if err != nil || n > 0 {
			return err
		}
		var one int
		err = q.queryRow(ctx, "SELECT 1 FROM outgoing WHERE id = ? AND office = ?", id, office).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return central.ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("record the answer to message %s: %w", id, err)
	}
	return nil
}
