package panel_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"torn.cat/torn/panel"
	"torn.cat/torn/panel/paneltest"
)

const ms = time.Millisecond

// pressTest is a script played on one button, added as "b" with the
// default options but those set, and the Inputs it must give.
type pressTest struct {
	name   string
	o      panel.Options
	long   bool
	script func(b *paneltest.Button)
	want   []string
}

func runPressTests(t *testing.T, tests []pressTest) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newPanel(t, tt.o)
				b := paneltest.NewButton("GPIO17")
				if err := p.AddInput("b", b, gpio.PullUp, true, tt.long); err != nil {
					t.Fatal(err)
				}
				r := start(t, p)
				tt.script(b)
				time.Sleep(5 * time.Second) // any deadline left passes
				r.wantInputs(tt.want...)
			})
		})
	}
}

func TestDebounce(t *testing.T) {
	runPressTests(t, []pressTest{{
		name: "bouncy press then held counts once, Debounce after the last bounce",
		script: func(b *paneltest.Button) {
			b.Bounce(5, 2*ms) // edges at 0, 2, 4, 6, 8 ms, ending pressed
			time.Sleep(time.Second)
			b.Up()
		},
		want: []string{"b@28ms"},
	}, {
		name: "bouncy press and bouncy release count once",
		script: func(b *paneltest.Button) {
			b.Bounce(5, 2*ms)
			time.Sleep(300 * ms)
			b.Bounce(7, 3*ms)
		},
		want: []string{"b@28ms"},
	}, {
		name: "a glitch shorter than Debounce counts for nothing",
		script: func(b *paneltest.Button) {
			b.Bounce(2, 19*ms)
			time.Sleep(500 * ms)
			b.Bounce(6, 5*ms)
		},
		want: nil,
	}, {
		name: "a level held exactly Debounce counts",
		script: func(b *paneltest.Button) {
			b.Press(20 * ms)
		},
		want: []string{"b@20ms"},
	}, {
		name: "Debounce is configurable",
		o:    panel.Options{Debounce: 50 * ms},
		script: func(b *paneltest.Button) {
			b.Press(40 * ms) // too short now
			time.Sleep(time.Second)
			b.Press(60 * ms) // at 1.04 s
		},
		want: []string{"b@1.09s"},
	}, {
		name: "a release shorter than Debounce does not end the press",
		o:    panel.Options{RepeatGuard: ms}, // out of the way
		script: func(b *paneltest.Button) {
			b.Press(100 * ms)
			time.Sleep(15 * ms)
			b.Press(100 * ms)
		},
		want: []string{"b@20ms"},
	}, {
		name: "a release of Debounce ends the press",
		o:    panel.Options{RepeatGuard: ms},
		script: func(b *paneltest.Button) {
			b.Press(100 * ms)
			time.Sleep(25 * ms) // pressed again at 125 ms
			b.Press(100 * ms)
		},
		want: []string{"b@20ms", "b@145ms"},
	}, {
		name: "a second press within RepeatGuard is ignored",
		script: func(b *paneltest.Button) {
			b.Press(100 * ms)
			time.Sleep(300 * ms) // pressed again at 400 ms
			b.Press(100 * ms)
		},
		want: []string{"b@20ms"},
	}, {
		name: "a second press beyond RepeatGuard counts",
		script: func(b *paneltest.Button) {
			b.Press(100 * ms)
			time.Sleep(time.Second) // pressed again at 1.1 s
			b.Press(100 * ms)
		},
		want: []string{"b@20ms", "b@1.12s"},
	}, {
		name: "RepeatGuard runs from the previous accepted press, not an ignored one",
		script: func(b *paneltest.Button) {
			for range 3 { // pressed at 0, 0.6 s, 1.2 s
				b.Press(100 * ms)
				time.Sleep(500 * ms)
			}
		},
		want: []string{"b@20ms", "b@1.22s"},
	}, {
		name: "RepeatGuard is configurable",
		o:    panel.Options{RepeatGuard: 3 * time.Second},
		script: func(b *paneltest.Button) {
			for range 4 { // pressed at 0, 1.1, 2.2, 3.3 s
				b.Press(100 * ms)
				time.Sleep(time.Second)
			}
		},
		want: []string{"b@20ms", "b@3.32s"},
	}})
}

func TestLongPress(t *testing.T) {
	runPressTests(t, []pressTest{{
		name: "long input, short press: Long false at the release",
		long: true,
		script: func(b *paneltest.Button) {
			b.Press(300 * ms)
		},
		want: []string{"b@320ms"},
	}, {
		name: "long input, held 2 s: Long true at 1.5 s, nothing at the release",
		long: true,
		script: func(b *paneltest.Button) {
			b.Press(2 * time.Second)
		},
		want: []string{"b long@1.5s"},
	}, {
		name: "long input, held exactly LongPress: long",
		long: true,
		script: func(b *paneltest.Button) {
			b.Press(1500 * ms)
		},
		want: []string{"b long@1.5s"},
	}, {
		name: "long input, bouncy press: LongPress counts from the last bounce",
		long: true,
		script: func(b *paneltest.Button) {
			b.Bounce(5, 2*ms)
			time.Sleep(2 * time.Second)
			b.Bounce(5, 2*ms)
		},
		want: []string{"b long@1.508s"},
	}, {
		name: "long input, a glitch while held does not restart LongPress",
		long: true,
		script: func(b *paneltest.Button) {
			b.Down()
			time.Sleep(time.Second)
			b.Bounce(2, 5*ms)
			time.Sleep(time.Second)
			b.Up()
		},
		want: []string{"b long@1.5s"},
	}, {
		name: "long input, LongPress is configurable",
		long: true,
		o:    panel.Options{LongPress: 3 * time.Second},
		script: func(b *paneltest.Button) {
			b.Press(2 * time.Second) // short now
			time.Sleep(time.Second)
			b.Press(4 * time.Second) // at 3 s
		},
		want: []string{"b@2.02s", "b long@6s"},
	}, {
		name: "long input, short then long beyond RepeatGuard",
		long: true,
		script: func(b *paneltest.Button) {
			b.Press(200 * ms)
			time.Sleep(time.Second) // pressed again at 1.2 s
			b.Press(2 * time.Second)
		},
		want: []string{"b@220ms", "b long@2.7s"},
	}, {
		name: "long input, a press within RepeatGuard is ignored, long or not",
		long: true,
		script: func(b *paneltest.Button) {
			b.Press(200 * ms)
			time.Sleep(300 * ms) // pressed again at 0.5 s
			b.Press(2 * time.Second)
		},
		want: []string{"b@220ms"},
	}, {
		name: "plain input, held 10 s: one press, at once",
		script: func(b *paneltest.Button) {
			b.Press(10 * time.Second)
		},
		want: []string{"b@20ms"},
	}})
}

func TestTwoButtonsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPanel(t, panel.Options{})
		a, b := paneltest.NewButton("GPIO17"), paneltest.NewButton("GPIO27")
		for name, pin := range map[string]*paneltest.Button{"a": a, "b": b} {
			if err := p.AddInput(name, pin, gpio.PullUp, true, false); err != nil {
				t.Fatal(err)
			}
		}
		r := start(t, p)
		var wg sync.WaitGroup
		wg.Go(func() {
			a.Bounce(5, 2*ms) // ends pressed at 8 ms
			time.Sleep(500 * ms)
			a.Bounce(3, ms)
		})
		wg.Go(func() {
			time.Sleep(ms / 2)
			b.Bounce(7, ms) // ends pressed at 6.5 ms
			time.Sleep(500 * ms)
			b.Bounce(5, ms)
		})
		wg.Wait()
		time.Sleep(2 * time.Second)
		r.wantInputs("b@26.5ms", "a@28ms")
	})
}

func TestTwoButtonsInTheSameInstant(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPanel(t, panel.Options{})
		a, b := paneltest.NewButton("GPIO17"), paneltest.NewButton("GPIO27")
		if err := p.AddInput("a", a, gpio.PullUp, true, false); err != nil {
			t.Fatal(err)
		}
		if err := p.AddInput("b", b, gpio.PullUp, true, true); err != nil {
			t.Fatal(err)
		}
		r := start(t, p)
		for range 3 {
			a.Down()
			b.Down()
			time.Sleep(ms)
			a.Up()
			b.Up()
			time.Sleep(ms)
		}
		a.Down()
		b.Down()
		time.Sleep(2 * time.Second)
		a.Up()
		b.Up()
		time.Sleep(time.Second)
		got := r.inputs()
		slices.Sort(got) // the readers are independent: any order
		want := []string{"a@26ms", "b long@1.506s"}
		if !slices.Equal(got, want) {
			t.Errorf("Inputs:\n got %s\nwant %s", show(got), show(want))
		}
	})
}

// TestSlowConsumer shows that presses queue while nobody reads Inputs,
// none lost, in order, each stamped when it was recognised: the readers
// were never held up.
func TestSlowConsumer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPanel(t, panel.Options{})
		walkIn, priority := paneltest.NewButton("GPIO17"), paneltest.NewButton("GPIO27")
		if err := p.AddInput("walk-in", walkIn, gpio.PullUp, true, false); err != nil {
			t.Fatal(err)
		}
		if err := p.AddInput("priority", priority, gpio.PullUp, true, true); err != nil {
			t.Fatal(err)
		}
		r := start(t, p)
		var want []string
		for i := range 20 { // every 1.1 s
			at := time.Duration(i) * 1100 * ms
			walkIn.Press(100 * ms)
			want = append(want, "walk-in@"+(at+20*ms).String())
			if i%5 == 4 {
				priority.Press(200 * ms)
				want = append(want, "priority@"+(at+320*ms).String())
			}
			r.sleepUntil(at + 1100*ms)
		}
		if got := r.inputs(); !slices.Equal(got, want) {
			t.Errorf("Inputs, read after the presses:\n got %s\nwant %s", show(got), show(want))
		}
	})
}

// TestConsumerBusyPrinting reads one Input, then takes 5 s before the
// next, as if printing; the presses made meanwhile wait their turn.
func TestConsumerBusyPrinting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPanel(t, panel.Options{})
		b := paneltest.NewButton("GPIO17")
		if err := p.AddInput("b", b, gpio.PullUp, true, false); err != nil {
			t.Fatal(err)
		}
		r := start(t, p)
		var got []string
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 6 {
				got = append(got, r.format(<-p.Inputs()))
				time.Sleep(5 * time.Second)
			}
		}()
		for range 6 {
			b.Press(50 * ms)
			time.Sleep(1500 * ms)
		}
		<-done
		want := []string{"b@20ms", "b@1.57s", "b@3.12s", "b@4.67s", "b@6.22s", "b@7.77s"}
		if !slices.Equal(got, want) {
			t.Errorf("Inputs:\n got %s\nwant %s", show(got), show(want))
		}
	})
}

func TestWiring(t *testing.T) {
	for _, tt := range []struct {
		name      string
		pull      gpio.Pull
		activeLow bool
		pressed   gpio.Level
	}{
		{"pull-up, active low", gpio.PullUp, true, gpio.Low},
		{"pull-down, active high", gpio.PullDown, false, gpio.High},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newPanel(t, panel.Options{})
				b := paneltest.NewButton("GPIO17")
				b.Pressed = tt.pressed
				if err := p.AddInput("b", b, tt.pull, tt.activeLow, true); err != nil {
					t.Fatal(err)
				}
				if b.P != tt.pull {
					t.Errorf("pin's pull = %s, want %s", b.P, tt.pull)
				}
				if l := b.Read(); l == tt.pressed {
					t.Errorf("idle pin reads %s, the pressed level", l)
				}
				r := start(t, p)
				b.Bounce(3, ms)
				time.Sleep(200 * ms)
				b.Bounce(3, ms)
				time.Sleep(time.Second)
				b.Press(2 * time.Second)
				time.Sleep(time.Second)
				r.wantInputs("b@224ms", "b long@2.704s")
			})
		})
	}
}

// TestHeldAtStart shows that a button that reads pressed when Run starts
// (held, or stuck) sends nothing for that press.
func TestHeldAtStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPanel(t, panel.Options{})
		b := paneltest.NewButton("GPIO17")
		if err := p.AddInput("b", b, gpio.PullUp, true, true); err != nil {
			t.Fatal(err)
		}
		b.Lock()
		b.L = gpio.Low
		b.Unlock()
		r := start(t, p)
		time.Sleep(3 * time.Second)
		b.Up()
		time.Sleep(time.Second)
		b.Press(100 * ms) // at 4 s
		time.Sleep(time.Second)
		r.wantInputs("b@4.12s")
	})
}

func TestAddInputErrors(t *testing.T) {
	p := panel.New(panel.Options{})
	err := p.AddInput("walk-in", &gpiotest.Pin{N: "GPIO17"}, gpio.PullUp, true, false)
	if err == nil || !strings.Contains(err.Error(), `"walk-in"`) || !strings.Contains(err.Error(), "GPIO17") {
		t.Errorf("AddInput on a pin whose In fails: %v, want an error naming the input and the pin", err)
	}
	if err := p.AddInput("walk-in", paneltest.NewButton("GPIO17"), gpio.PullUp, true, false); err != nil {
		t.Fatalf("AddInput after a failed one of the same name: %v", err)
	}
	if err := p.AddInput("walk-in", paneltest.NewButton("GPIO27"), gpio.PullUp, true, false); err == nil {
		t.Error("AddInput of a name taken: no error")
	}
	if err := p.AddInput("", paneltest.NewButton("GPIO22"), gpio.PullUp, true, false); err == nil {
		t.Error("AddInput without a name: no error")
	}
	if err := p.AddInput("x", nil, gpio.PullUp, true, false); err == nil {
		t.Error("AddInput without a pin: no error")
	}
}

func TestAfterRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPanel(t, panel.Options{})
		r := start(t, p)
		if err := p.AddInput("b", paneltest.NewButton("GPIO17"), gpio.PullUp, true, false); !errors.Is(err, panel.ErrRunning) {
			t.Errorf("AddInput while running: %v, want ErrRunning", err)
		}
		if err := p.AddLED("l", paneltest.NewLED("GPIO5")); !errors.Is(err, panel.ErrRunning) {
			t.Errorf("AddLED while running: %v, want ErrRunning", err)
		}
		if err := p.Run(t.Context()); !errors.Is(err, panel.ErrRunning) {
			t.Errorf("Run again: %v, want ErrRunning", err)
		}
		r.stop()
	})
}
