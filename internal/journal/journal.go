// Package journal makes log/slog's text lines fit systemd's journal: when
// a service's stderr is the journal, each line starts with its syslog
// priority (<3> error, <4> warning, <6> info, <7> debug), which journald
// takes as the entry's priority (journalctl -p warning), and carries no
// time of its own, the journal stamping every entry already.
//
// It owns the shape of log lines, never what is logged.
package journal

import (
	"context"
	"io"
	"log/slog"
	"os"
)

// Attached says whether stderr is connected to the journal: systemd sets
// JOURNAL_STREAM to its device and inode.
func Attached() bool { return os.Getenv("JOURNAL_STREAM") != "" }

// NewHandler returns slog's text handler writing to w; for the journal
// (journal true) with each line's priority first and without the time.
func NewHandler(w io.Writer, opts *slog.HandlerOptions, journal bool) slog.Handler {
	if !journal {
		return slog.NewTextHandler(w, opts)
	}
	o := slog.HandlerOptions{}
	if opts != nil {
		o = *opts
	}
	replace := o.ReplaceAttr
	o.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		if replace != nil {
			return replace(groups, a)
		}
		return a
	}
	var h handler
	for i, p := range []string{"<7>", "<6>", "<4>", "<3>"} {
		h[i] = slog.NewTextHandler(prefixed{w, []byte(p)}, &o)
	}
	return h
}

// handler is a text handler per priority: debug, info, warning, error.
type handler [4]slog.Handler

func (h handler) pick(l slog.Level) slog.Handler {
	switch {
	case l >= slog.LevelError:
		return h[3]
	case l >= slog.LevelWarn:
		return h[2]
	case l >= slog.LevelInfo:
		return h[1]
	}
	return h[0]
}

func (h handler) Enabled(ctx context.Context, l slog.Level) bool { return h[0].Enabled(ctx, l) }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	return h.pick(r.Level).Handle(ctx, r)
}

func (h handler) WithAttrs(as []slog.Attr) slog.Handler {
	var out handler
	for i := range h {
		out[i] = h[i].WithAttrs(as)
	}
	return out
}

func (h handler) WithGroup(name string) slog.Handler {
	var out handler
	for i := range h {
		out[i] = h[i].WithGroup(name)
	}
	return out
}

// prefixed writes each line (slog's text handler writes a record, one
// line, per call) after its prefix, in one write, so that lines of
// concurrent records never mix.
type prefixed struct {
	w      io.Writer
	prefix []byte
}

func (p prefixed) Write(b []byte) (int, error) {
	line := make([]byte, 0, len(p.prefix)+len(b))
	line = append(append(line, p.prefix...), b...)
	if _, err := p.w.Write(line); err != nil {
		return 0, err
	}
	return len(b), nil
}
