package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"torn.cat/torn/dispenser"
	"torn.cat/torn/syncproto"
)

// PutBooks stores books for office in one transaction, replacing each
// day's, each with the next version of the office's ("c-<n>"), and queues
// for the office's device a syncproto.Book message for each, with id
// "book-<office>-<day>-<n>". It returns the books with their versions, in
// the order given.
//
// A book that the device loaded before, and whose event arrives after,
// shows in Books until the device loads this one and says so.
func (s *Store) PutBooks(ctx context.Context, office string, books []dispenser.Book) ([]dispenser.Book, error) {
	out, err := s.putBooks(ctx, office, books)
	if err != nil {
		return nil, fmt.Errorf("store %d books of office %s: %w", len(books), office, err)
	}
	return out, nil
}

func (s *Store) putBooks(ctx context.Context, office string, books []dispenser.Book) ([]dispenser.Book, error) {
	if office == "" {
		return nil, errors.New("no office")
	}
	if len(books) == 0 {
		return nil, nil
	}
	// Each day's row is written once, in day order (the order Ingest
	// writes books in), the last book given for a day winning.
	days := map[dispenser.Date]int{}
	for i, b := range books {
		if _, err := time.Parse(time.DateOnly, string(b.Day)); err != nil {
			return nil, fmt.Errorf("book %d: day %q: want YYYY-MM-DD", i+1, b.Day)
		}
		days[b.Day] = i
	}
	order := make([]int, 0, len(days))
	for _, i := range days {
		order = append(order, i)
	}
	sort.Slice(order, func(a, b int) bool { return books[order[a]].Day < books[order[b]].Day })

	out := make([]dispenser.Book, len(books))
	err := s.e.write(ctx, func(q querier) error {
		var n int64
		err := q.queryRow(ctx, `INSERT INTO book_versions (office, n) VALUES (?, ?)
			ON CONFLICT (office) DO UPDATE SET n = book_versions.n + excluded.n RETURNING n`, office, len(books)).Scan(&n)
		if err != nil {
			return fmt.Errorf("count versions: %w", err)
		}
		first := n - int64(len(books)) + 1
		now := time.Now()
		for i, b := range books {
			b.Version = fmt.Sprintf("c-%d", first+int64(i))
			b.Appointments = slices.Clone(b.Appointments)
			for j := range b.Appointments {
				b.Appointments[j].Slot = utc(b.Appointments[j].Slot)
			}
			out[i] = b
		}
		for _, i := range order {
			b := out[i]
			body, err := json.Marshal(b)
			if err != nil {
				return fmt.Errorf("book of %s: %w", b.Day, err)
			}
			_, err = q.exec(ctx, `INSERT INTO books (office, day, version, device_id, seq, body) VALUES (?, ?, ?, NULL, NULL, ?)
				ON CONFLICT (office, day) DO UPDATE SET version = excluded.version, device_id = NULL, seq = NULL, body = excluded.body`,
				office, string(b.Day), b.Version, string(body))
			if err != nil {
				return fmt.Errorf("book of %s: %w", b.Day, err)
			}
		}
		// A day's new book supersedes the ones still on their way to the
		// device: it need not load them in turn.
		for _, i := range order {
			prefix := likeEscape(fmt.Sprintf("book-%s-%s-", office, out[i].Day)) + "%"
			_, err := q.exec(ctx, `UPDATE outgoing SET answered = ?, refusal = ?
				WHERE office = ? AND answered IS NULL AND id LIKE ? ESCAPE '\'`, s.tv(now), "superseded", office, prefix)
			if err != nil {
				return fmt.Errorf("supersede the pending books of %s: %w", out[i].Day, err)
			}
		}
		for _, i := range order {
			b := out[i]
			id := fmt.Sprintf("book-%s-%s-%d", office, b.Day, first+int64(i))
			msg, err := json.Marshal(syncproto.Book{Type: syncproto.TypeBook, ID: id, Book: b})
			if err != nil {
				return fmt.Errorf("message %s: %w", id, err)
			}
			if err := s.enqueue(ctx, q, office, id, msg, now); err != nil {
				return fmt.Errorf("queue %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// likeEscape escapes s for a LIKE pattern with ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// Books returns office's books of day from and later, by day.
func (s *Store) Books(ctx context.Context, office string, from dispenser.Date) ([]dispenser.Book, error) {
	var books []dispenser.Book
	err := s.e.read(ctx, func(q querier) error {
		var err error
		books, err = queryJSON[dispenser.Book](ctx, q, "SELECT body FROM books WHERE office = ? AND day >= ? ORDER BY day", office, string(from))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the books of office %s from %s: %w", office, from, err)
	}
	return books, nil
}
