package deskdisplay_test

import (
	"testing"
	"time"

	"torn.cat/torn/panel/deskdisplay"
	"torn.cat/torn/panel/deskdisplay/deskdisplaytest"
)

// TestLineSerial: calls sent through a pseudo-terminal at 9600 baud, 8N1,
// read back at the far end byte for byte.
func TestLineSerial(t *testing.T) {
	for _, tc := range []struct {
		tmpl  string
		calls []deskdisplay.Call
		want  string
	}{
		{"", []deskdisplay.Call{{Number: "A023", Desk: "1", DeskName: "Taula 1"}}, "A023 Taula 1\r\n"},
		{"\x1b[2J{{.Number}}\n", []deskdisplay.Call{{Number: "A023"}, {Number: "A024"}, {}}, "\x1b[2JA023\n\x1b[2JA024\n\x1b[2J\n"},
	} {
		path, dev := deskdisplaytest.NewSerial(t)
		l, err := deskdisplay.OpenSerial(path, 9600, tc.tmpl)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range tc.calls {
			if err := l.Show(c); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := dev.WaitFor(len(tc.want), 5*time.Second); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // nothing more comes
		if got := dev.Bytes(); string(got) != tc.want {
			t.Errorf("the display got % X (%q), want %q", got, got, tc.want)
		}
		if baud, err := dev.Baud(); err != nil || baud != 9600 {
			t.Errorf("line at %d baud (%v), want 9600", baud, err)
		}
		if err := l.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestFakeDisplay: the fake records what it is shown.
func TestFakeDisplay(t *testing.T) {
	d := &deskdisplaytest.Display{Calls: make(chan deskdisplay.Call, 1)}
	var _ deskdisplay.Display = d
	if err := d.Show(deskdisplay.Call{Number: "A023"}); err != nil {
		t.Fatal(err)
	}
	if c := <-d.Calls; c.Number != "A023" {
		t.Errorf("Calls got %+v", c)
	}
	if c, ok := d.Last(); !ok || c.Number != "A023" || len(d.Shown()) != 1 {
		t.Errorf("Last %+v %v, Shown %v", c, ok, d.Shown())
	}
	if d.Close() != nil || !d.Closed() || d.Show(deskdisplay.Call{}) == nil {
		t.Error("Close does not close")
	}
}
