package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"torn.cat/torn/central"
)

// AddAPIKey registers k (Created now if zero); ErrExists if its hash is
// registered already.
func (s *Store) AddAPIKey(ctx context.Context, k central.APIKey) error {
	if len(k.Hash) == 0 {
		return fmt.Errorf("add API key %q: no hash", k.Name)
	}
	if k.Created.IsZero() {
		k.Created = time.Now()
	}
	err := s.e.write(ctx, func(q querier) error {
		n, err := q.exec(ctx, `INSERT INTO api_keys (hash, name, office, revoked, created) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (hash) DO NOTHING`, k.Hash, k.Name, k.Office, k.Revoked, s.tv(k.Created))
		if err == nil && n == 0 {
			err = central.ErrExists
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("add API key %q: %w", k.Name, err)
	}
	return nil
}

// APIKey returns the key whose SHA-256 is hash; ErrNotFound if unknown or
// revoked.
func (s *Store) APIKey(ctx context.Context, hash []byte) (central.APIKey, error) {
	var k central.APIKey
	err := s.e.view(ctx, func(q querier) error {
		return q.queryRow(ctx, "SELECT hash, name, office, revoked, created FROM api_keys WHERE hash = ? AND revoked = ?", hash, false).
			Scan(&k.Hash, &k.Name, &k.Office, &k.Revoked, scanTime{&k.Created})
	})
	if errors.Is(err, sql.ErrNoRows) {
		return central.APIKey{}, notFound("API key")
	}
	if err != nil {
		return central.APIKey{}, fmt.Errorf("look up an API key: %w", err)
	}
	return k, nil
}

// RevokeAPIKeys revokes the active keys called name.
func (s *Store) RevokeAPIKeys(ctx context.Context, name string) (int, error) {
	var n int64
	err := s.e.write(ctx, func(q querier) error {
		var err error
		n, err = q.exec(ctx, "UPDATE api_keys SET revoked = ? WHERE name = ? AND revoked = ?", true, name, false)
		if err == nil && n == 0 {
			err = central.ErrNotFound
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("revoke API key %q: %w", name, err)
	}
	return int(n), nil
}
