package panel_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"torn.cat/torn/panel"
)

// The tests run inside testing/synctest bubbles: time is virtual, so the
// pins' WaitForEdge timeouts, the debounce and long-press deadlines and the
// LED patterns happen at exact instants, and a test of minutes takes
// milliseconds. Pins are made inside the bubble.

// rig is a Panel running inside a bubble.
type rig struct {
	t      *testing.T
	p      *panel.Panel
	t0     time.Time // when Run had started
	cancel context.CancelFunc
	done   chan error
}

// newPanel returns a Panel logging to the test's output.
func newPanel(t *testing.T, o panel.Options) *panel.Panel {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return panel.New(o)
}

// start runs p until the test stops it, and waits until its goroutines
// are waiting. Its stop is registered with t.Cleanup, so that every
// goroutine has ended when the bubble does.
func start(t *testing.T, p *panel.Panel) *rig {
	ctx, cancel := context.WithCancel(t.Context())
	r := &rig{t: t, p: p, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- p.Run(ctx) }()
	synctest.Wait()
	r.t0 = time.Now()
	t.Cleanup(r.stop)
	return r
}

// stop ends Run, checks it returned nil, and checks that Inputs is closed
// with no press left in it.
func (r *rig) stop() {
	r.t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	if err := <-r.done; err != nil {
		r.t.Errorf("Run: %v", err)
	}
	if in, ok := <-r.p.Inputs(); ok {
		r.t.Errorf("Inputs after Run returned: %s, want the channel closed", r.format(in))
	}
}

// sleepUntil sleeps until d after t0.
func (r *rig) sleepUntil(d time.Duration) {
	time.Sleep(time.Until(r.t0.Add(d)))
}

// inputs lets every goroutine settle and returns the Inputs delivered,
// each formatted as "name@offset" or "name long@offset", the offset from t0.
func (r *rig) inputs() []string {
	var got []string
	for {
		synctest.Wait()
		select {
		case in := <-r.p.Inputs():
			got = append(got, r.format(in))
		default:
			return got
		}
	}
}

func (r *rig) format(in panel.Input) string {
	long := ""
	if in.Long {
		long = " long"
	}
	return fmt.Sprintf("%s%s@%v", in.Name, long, in.At.Sub(r.t0))
}

func (r *rig) wantInputs(want ...string) {
	r.t.Helper()
	got := r.inputs()
	if !slices.Equal(got, want) {
		r.t.Errorf("Inputs:\n got %s\nwant %s", show(got), show(want))
	}
}

func show(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
