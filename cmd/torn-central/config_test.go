package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"torn.cat/torn/internal/tomlconf"
	"torn.cat/torn/internal/tomlconf/tomlconftest"
)

// TestExampleConfig: configs/torn-central.toml, which the package
// installs, is valid and sets the defaults, as it says.
func TestExampleConfig(t *testing.T) {
	const path = "../../configs/torn-central.toml"
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.Path = path
	if c != want {
		t.Errorf("got %+v\nwant the defaults %+v", c, want)
	}
}

// TestGoodConfig: a config that sets every key is read as written; an
// empty one is the defaults.
func TestGoodConfig(t *testing.T) {
	c, err := LoadConfig("testdata/config/central-good.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Path: "testdata/config/central-good.toml", Listen: "127.0.0.1:8091",
		DSN: "postgres:///torn?host=/run/postgresql", Keys: "/srv/torn-central/keys", RefreshEvery: 15 * time.Minute}
	if c != want {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	c, err = ParseConfig("empty.toml", nil)
	want = DefaultConfig()
	want.Path = "empty.toml"
	if err != nil || c != want {
		t.Errorf("an empty file: %+v, %v; want the defaults", c, err)
	}
}

// TestPostgresDSNs: the DSNs docs/central.md gives for PostgreSQL pass
// the check, and pgx reads them as the docs say: the socket directory,
// the database, the user (the service's own when none is named) and the
// password file.
func TestPostgresDSNs(t *testing.T) {
	for _, tc := range []struct {
		dsn, host, user, passfile string
	}{
		{dsn: "postgres:///torn?host=/run/postgresql", host: "/run/postgresql"},
		{dsn: "postgresql:///torn?host=/run/postgresql", host: "/run/postgresql"},
		{dsn: "postgres://torn-central@db.example/torn?passfile=/etc/torn-central/pgpass", host: "db.example", user: "torn-central", passfile: "/etc/torn-central/pgpass"},
	} {
		if _, err := ParseConfig("pg.toml", []byte("[store]\ndsn = \""+tc.dsn+"\"\n")); err != nil {
			t.Errorf("%s: %v", tc.dsn, err)
		}
		pc, err := pgx.ParseConfig(tc.dsn)
		if err != nil {
			t.Errorf("%s: %v", tc.dsn, err)
			continue
		}
		if pc.Host != tc.host || pc.Database != "torn" || pc.Port != 5432 || (tc.user != "" && pc.User != tc.user) {
			t.Errorf("%s: host %q, port %d, database %q, user %q", tc.dsn, pc.Host, pc.Port, pc.Database, pc.User)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the .want files of testdata/config")

// TestBrokenConfigs: each broken config in testdata/config is refused with
// exactly the problems in its .want file: every one at once, each naming
// the file, the line and the key. go test -update rewrites the .want files
// (read the diff before committing it).
func TestBrokenConfigs(t *testing.T) {
	tomlconftest.Broken(t, "testdata/config", 5, *update, func(name string, b []byte) error {
		_, err := ParseConfig(name, b)
		return err
	}, func(t *testing.T, problems string) {
		if strings.Contains(problems, "s3cret") {
			t.Error("a problem shows the DSN's password")
		}
	})
}

func TestConfigTooLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(p, []byte("# "+strings.Repeat("x", 1<<20)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("a 1 MiB config: %v", err)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.toml")); err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Fatalf("a missing config: %v", err)
	}
}

// TestConfigDocs: docs/central.md documents every key of torn-central's
// file, with its type, default and an example of its type, and no key it
// does not take.
func TestConfigDocs(t *testing.T) {
	md, err := os.ReadFile("../../docs/central.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range tomlconf.CheckDocs(md, fileConfig{}) {
		t.Errorf("docs/central.md: %v", err)
	}
}
