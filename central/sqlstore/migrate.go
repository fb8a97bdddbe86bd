package sqlstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// A migration takes the schema from version-1 to version.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the engine's migrations ("sqlite", "postgres") in
// order. Their files are named NNNN_what.sql and numbered from 1 without
// a gap; the two engines have the same versions.
func migrations(engine string) ([]migration, error) {
	dir := path.Join("migrations", engine)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: want NNNN_what.sql", e.Name())
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrationLock is the PostgreSQL advisory lock that keeps two instances
// from migrating at once.
const migrationLock = 0x746f726e // "torn"

// migrate brings the schema to the latest version, in one transaction. A
// schema newer than this code knows is refused, rather than written to in
// ways the newer code would misread.
func (s *Store) migrate(ctx context.Context) error {
	engine, table := "sqlite", "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
	if s.pg {
		engine, table = "postgres", "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied timestamptz NOT NULL)"
	}
	ms, err := migrations(engine)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	err = s.e.write(ctx, func(q querier) error {
		if s.pg {
			if _, err := q.exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
				return err
			}
		}
		if _, err := q.exec(ctx, table); err != nil {
			return err
		}
		var have int
		if err := q.queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&have); err != nil {
			return err
		}
		if have > len(ms) {
			return errNewer{have, len(ms)}
		}
		for _, m := range ms[have:] {
			if _, err := q.exec(ctx, m.sql); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			_, err := q.exec(ctx, "INSERT INTO schema_migrations (version, applied) VALUES (?, ?)", m.version, s.tv(time.Now()))
			if err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
		}
		return nil
	})
	var newer errNewer
	if errors.As(err, &newer) {
		return err
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// errNewer: the schema is newer than this code.
type errNewer struct{ have, know int }

func (e errNewer) Error() string {
	return fmt.Sprintf("schema version %d is newer than this torn-central (%d)", e.have, e.know)
}
