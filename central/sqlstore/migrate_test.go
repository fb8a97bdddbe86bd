package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"torn.cat/torn/internal/pgtest"
)

// Both engines have the same migrations, numbered from 1.
func TestMigrations(t *testing.T) {
	lite, err := migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].name != pg[i].name {
			t.Errorf("migration %d: %s on SQLite, %s on PostgreSQL", i+1, lite[i].name, pg[i].name)
		}
	}
}

func TestSQLiteReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "central.db")
	testReopen(t,
		func() (*Store, error) { return OpenSQLite(path) },
		func(version int) {
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec("INSERT INTO schema_migrations (version, applied) VALUES (?, '2030-01-01T00:00:00.000000Z')", version); err != nil {
				t.Fatal(err)
			}
		})
}

func TestPostgresReopen(t *testing.T) {
	dsn := pgtest.Start(t)
	testReopen(t,
		func() (*Store, error) { return OpenPostgres(context.Background(), dsn) },
		func(version int) {
			conn, err := pgx.Connect(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(context.Background(), "INSERT INTO schema_migrations (version, applied) VALUES ($1, now())", version); err != nil {
				t.Fatal(err)
			}
		})
}

// testReopen opens a database three times, keeping what it holds, and
// then, after a newer torn-central's migration, is refused.
func testReopen(t *testing.T, open func() (*Store, error), migrateBeyond func(version int)) {
	for i := range 3 {
		s, err := open()
		if err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		if i == 0 {
			ingest(t, s, "masnou-1", batch(1, 10), 10)
		} else if acked, err := s.Acked(ctx, "masnou-1"); err != nil || acked != 10 {
			t.Errorf("open %d: acked %d, %v; want 10", i+1, acked, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	migrateBeyond(len(ms) + 1)
	s, err := open()
	if err == nil {
		s.Close()
		t.Fatal("a schema newer than this code: opened")
	}
	if want := fmt.Sprintf("schema version %d is newer than this torn-central (%d)", len(ms)+1, len(ms)); !strings.Contains(err.Error(), want) {
		t.Errorf("a schema newer than this code: %v", err)
	}
}

// Several instances opening a new database at once migrate it once.
func TestPostgresOpenAtOnce(t *testing.T) {
	dsn := pgtest.Start(t)
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			s, err := OpenPostgres(context.Background(), dsn)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestRebind(t *testing.T) {
	got := rebind("INSERT INTO t (a, b) VALUES (?, ?), (?, ?) WHERE x = 'y'")
	if want := "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) WHERE x = 'y'"; got != want {
		t.Errorf("rebind = %q, want %q", got, want)
	}
}
