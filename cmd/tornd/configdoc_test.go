package main

import (
	"os"
	"testing"

	"torn.cat/torn/internal/tomlconf"
)

// TestConfigDocs: docs/config.md documents every key tornd takes, with its
// type, default and an example of its type, and no key tornd does not
// take.
func TestConfigDocs(t *testing.T) {
	md, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range tomlconf.CheckDocs(md, fileConfig{}) {
		t.Errorf("docs/config.md: %v", err)
	}
}
