package idcardtest_test

import (
	"errors"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"torn.cat/torn/idcard"
	"torn.cat/torn/idcard/idcardtest"
)

var dni = idcard.Scan{Lines: []string{"99999999R"}, Time: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}

func TestReader(t *testing.T) {
	r := idcardtest.NewReader(t)
	var reader idcard.Reader = r
	go func() {
		r.In <- dni
		r.In <- idcard.Scan{Lines: []string{"IDESP"}, Err: idcard.ErrIncomplete}
	}()
	first, second := <-reader.Scans(), <-reader.Scans()
	if !slices.Equal(first.Lines, dni.Lines) || !first.Time.Equal(dni.Time) || first.Err != nil {
		t.Errorf("first scan %+v, want %+v", first, dni)
	}
	if !errors.Is(second.Err, idcard.ErrIncomplete) {
		t.Errorf("second scan %+v, want one cut short", second)
	}
	if err := reader.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, ok := <-reader.Scans(); ok {
		t.Error("Scans open after Close")
	}
	if err := reader.Err(); err != nil {
		t.Errorf("Err() after Close = %v, want nil", err)
	}
	select {
	case <-r.Closed():
	default:
		t.Error("Closed() not closed after Close")
	}
	if err := reader.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close: %v, want os.ErrClosed", err)
	}
}

func TestReaderGone(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  error
		want error
	}{
		{"default", nil, idcardtest.ErrGone},
		{"GoneErr", syscall.ENODEV, syscall.ENODEV},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := idcardtest.NewReader(t)
			r.GoneErr = tt.set
			go func() {
				r.In <- dni
				close(r.In)
			}()
			n := 0
			for range r.Scans() {
				n++
			}
			if n != 1 {
				t.Errorf("%d scans, want 1", n)
			}
			if err := r.Err(); !errors.Is(err, tt.want) {
				t.Errorf("Err() = %v, want %v", err, tt.want)
			}
		})
	}
}

// A test that never closes the reader leaves no goroutine behind: the
// cleanup stops it.
func TestReaderCleanup(t *testing.T) {
	t.Run("unclosed", func(t *testing.T) { idcardtest.NewReader(t) })
}
