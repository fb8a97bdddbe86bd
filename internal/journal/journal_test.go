package journal

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestJournalLines(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(NewHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug}, true)).With("office", "08-121")
	log.Debug("button", "pin", "GPIO17")
	log.Info("serving", "addr", "127.0.0.1:8080")
	log.Warn("printer", "reason", "paper out")
	log.WithGroup("central").Error("sync", "err", "refused")
	want := `<7>level=DEBUG msg=button office=08-121 pin=GPIO17
<6>level=INFO msg=serving office=08-121 addr=127.0.0.1:8080
<4>level=WARN msg=printer office=08-121 reason="paper out"
<3>level=ERROR msg=sync office=08-121 central.err=refused
`
	if b.String() != want {
		t.Errorf("journal lines:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	slog.New(NewHandler(&b, nil, false)).Info("serving")
	if !strings.HasPrefix(b.String(), "time=") {
		t.Errorf("a terminal's line: %s", b.String())
	}
	b.Reset()
	slog.New(NewHandler(&b, nil, true)).Debug("hidden")
	if b.Len() != 0 {
		t.Errorf("a debug line at the default level: %s", b.String())
	}
}
