package printer_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"torn.cat/torn/printer"
)

func TestParseStatus(t *testing.T) {
	cases := []struct {
		n1, n2, n4 byte
		want       printer.Status
	}{
		{0x12, 0x12, 0x12, printer.Status{Online: true}},
		{0x16, 0x1A, 0x12, printer.Status{Online: true}}, // drawer pin, feed button: not ours
		{0x1A, 0x12, 0x12, printer.Status{}},             // offline
		{0x1A, 0x16, 0x12, printer.Status{CoverOpen: true}},
		{0x1A, 0x32, 0x72, printer.Status{PaperOut: true}},
		{0x1A, 0x12, 0x72, printer.Status{PaperOut: true}}, // roll sensor only
		{0x1A, 0x32, 0x12, printer.Status{PaperOut: true}}, // stopped at paper end only
		{0x12, 0x12, 0x1E, printer.Status{Online: true, PaperNearEnd: true}},
		{0x12, 0x12, 0x16, printer.Status{Online: true, PaperNearEnd: true}}, // one near-end bit
		{0x1A, 0x52, 0x12, printer.Status{Error: true}},
		{0x1A, 0x76, 0x7E, printer.Status{CoverOpen: true, PaperOut: true, PaperNearEnd: true, Error: true}},
	}
	for _, c := range cases {
		if got := printer.ParseStatus(c.n1, c.n2, c.n4); got != c.want {
			t.Errorf("ParseStatus(%#02x, %#02x, %#02x) = %+v, want %+v", c.n1, c.n2, c.n4, got, c.want)
		}
	}
}

// scripted answers each DLE EOT n from answers[n], or fails with err.
type scripted struct {
	answers map[byte]byte
	err     map[byte]error
	sent    [][]byte
}

func (s *scripted) Query(req []byte, n int, timeout time.Duration) ([]byte, error) {
	s.sent = append(s.sent, bytes.Clone(req))
	if n != 1 || len(req) != 3 {
		return nil, fmt.Errorf("query % x for %d bytes", req, n)
	}
	if err := s.err[req[2]]; err != nil {
		return nil, err
	}
	return []byte{s.answers[req[2]]}, nil
}

func TestQueryStatus(t *testing.T) {
	q := &scripted{answers: map[byte]byte{1: 0x12, 2: 0x12, 4: 0x1E}}
	got, err := printer.QueryStatus(q, time.Second)
	if err != nil || got != (printer.Status{Online: true, PaperNearEnd: true}) {
		t.Fatalf("got %+v, %v", got, err)
	}
	if want := [][]byte{{0x10, 4, 1}, {0x10, 4, 2}, {0x10, 4, 4}}; fmt.Sprint(q.sent) != fmt.Sprint(want) {
		t.Errorf("sent % x, want % x", q.sent, want)
	}
}

func TestQueryStatusErrors(t *testing.T) {
	noAnswer := fmt.Errorf("query printer x: %w", printer.ErrNoAnswer)
	cases := []struct {
		name    string
		q       *scripted
		want    error
		queries int
		says    string
	}{
		{"clone that never answers", &scripted{err: map[byte]error{1: noAnswer}}, printer.ErrNoAnswer, 1, "DLE EOT 1"},
		{"not a status byte", &scripted{answers: map[byte]byte{1: 0x00}}, printer.ErrBadAnswer, 1, "0x00"},
		{"second answer bad", &scripted{answers: map[byte]byte{1: 0x12, 2: 0xFF &^ 0x10}}, printer.ErrBadAnswer, 2, "DLE EOT 2"},
		{"third never comes", &scripted{answers: map[byte]byte{1: 0x12, 2: 0x12}, err: map[byte]error{4: noAnswer}}, printer.ErrNoAnswer, 3, "DLE EOT 4"},
	}
	for _, c := range cases {
		st, err := printer.QueryStatus(c.q, time.Second)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: err = %v, want %v saying %q", c.name, err, c.want, c.says)
		}
		if st != (printer.Status{}) || st.Ready() {
			t.Errorf("%s: status %+v with an error", c.name, st)
		}
		if len(c.q.sent) != c.queries {
			t.Errorf("%s: %d queries sent, want %d", c.name, len(c.q.sent), c.queries)
		}
	}
}
