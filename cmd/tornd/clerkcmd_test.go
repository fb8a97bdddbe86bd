package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestClerkHash(t *testing.T) {
	var out, errb bytes.Buffer
	if code := clerkCmd([]string{"hash"}, strings.NewReader("Taula3-secret\n"), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if err := bcrypt.CompareHashAndPassword([]byte(strings.TrimSpace(out.String())), []byte("Taula3-secret")); err != nil {
		t.Fatalf("the hash does not match the password: %v", err)
	}
	if code := clerkCmd([]string{"hash"}, strings.NewReader("short\n"), &out, &errb); code != 2 {
		t.Errorf("a short password: exit %d", code)
	}
	if code := cli(context.Background(), []string{"clerk"}, &out, &errb); code != 2 {
		t.Errorf("tornd clerk: exit %d", code)
	}
}
