package store

import (
	"reflect"
	"strings"
	"testing"
)

func TestOutbox(t *testing.T) {
	s := mustOpen(t)
	o := newOffice(t, s)
	busyMorning(o)
	n := uint64(len(o.evs))
	if n < 10 {
		t.Fatalf("only %d events", n)
	}

	var got []uint64
	for after := uint64(0); ; {
		evs, err := s.Outbox(after, 4)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) > 4 {
			t.Fatalf("outbox after %d returned %d events, max 4", after, len(evs))
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			if w := storedEvent(o.evs[e.Seq-1]); !reflect.DeepEqual(e, w) {
				t.Errorf("event %d:\n got %s\nwant %s", e.Seq, asJSON(t, e), asJSON(t, w))
			}
			got = append(got, e.Seq)
		}
		after = evs[len(evs)-1].Seq
	}
	if uint64(len(got)) != n {
		t.Fatalf("outbox in pages of 4 gave %d events, want %d", len(got), n)
	}
	for i, q := range got {
		if q != uint64(i+1) {
			t.Fatalf("outbox order: %v", got)
		}
	}
	for _, max := range []int{0, -1} {
		if evs, err := s.Outbox(0, max); err != nil || len(evs) != 0 {
			t.Errorf("outbox max %d: %d events, %v; want none", max, len(evs), err)
		}
	}
	if evs, err := s.Outbox(n, 10); err != nil || len(evs) != 0 {
		t.Errorf("outbox after the last: %d events, %v; want none", len(evs), err)
	}
}

func TestAck(t *testing.T) {
	s := mustOpen(t)
	o := newOffice(t, s)
	busyMorning(o)
	last := s.LastSeq()

	if a, err := s.Acked(); err != nil || a != 0 {
		t.Fatalf("new store acked %d, %v; want 0", a, err)
	}
	err := s.Ack(last + 1)
	if err == nil || !strings.Contains(err.Error(), "beyond the last sequence number") {
		t.Fatalf("ack beyond the last seq: %v, want an error", err)
	}
	if err := s.Ack(5); err != nil {
		t.Fatal(err)
	}
	if err := s.Ack(3); err != nil {
		t.Fatalf("ack backwards: %v, want it ignored", err)
	}
	if a, err := s.Acked(); err != nil || a != 5 {
		t.Fatalf("acked %d, %v after acks 5 and 3; want 5", a, err)
	}
	s = reopen(t, s)
	if a, err := s.Acked(); err != nil || a != 5 {
		t.Fatalf("acked %d, %v after reopening; want 5", a, err)
	}
	if err := s.Ack(last); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Acked(); a != last {
		t.Fatalf("acked %d, want %d", a, last)
	}
	if evs, err := s.Outbox(last, 10); err != nil || len(evs) != 0 {
		t.Errorf("outbox past the cursor: %d events, %v; want none", len(evs), err)
	}
}
