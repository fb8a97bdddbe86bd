package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"time"

	"torn.cat/torn/panel"
	"torn.cat/torn/panel/deskdisplay"
)

const buttonsUsage = `usage:
  tornd buttons test [-config FILE] [-for DURATION]
      print each press of the configured buttons and desk keys, light
      each LED in turn (a second each), and show a test number on the
      desk displays; Ctrl-C to stop
`

// buttonsHW opens the panel's hardware for `tornd buttons test`; tests
// put fakes in.
var buttonsHW = openHost

// buttonsCmd: `tornd buttons test`.
func buttonsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "test" {
		fmt.Fprint(stderr, buttonsUsage)
		return 2
	}
	fs := flag.NewFlagSet("tornd buttons test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", defaultConfig, "config file")
	dur := fs.Duration("for", 0, "stop after this long (0: until Ctrl-C)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		fmt.Fprint(stderr, buttonsUsage)
		return 2
	}
	cfg, err := LoadConfig(*path)
	if err != nil {
		fmt.Fprintf(stderr, "tornd buttons test: %v\n", err)
		return 2
	}
	pc := cfg.Panel
	if !pc.Enabled() {
		fmt.Fprintf(stderr, "tornd buttons test: no [panel] in %s\n", *path)
		return 2
	}
	hw, err := buttonsHW()
	if err != nil {
		fmt.Fprintf(stderr, "tornd buttons test: %v\n", err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	p := panel.New(panel.Options{Debounce: pc.Debounce, LongPress: pc.LongPress, RepeatGuard: pc.RepeatGuard, BlinkPeriod: pc.Blink, Log: log})
	pins := map[string]string{} // input or LED name → its pin
	var leds []string
	addInput := func(name string, in Input, long bool) error {
		pin, err := hw.Pin(in.Pin)
		if err == nil {
			err = p.AddInput(name, pin, pullOf(in.Pull), in.ActiveLow, long)
		}
		pins[name] = in.Pin
		return err
	}
	addLED := func(name, pinName string) error {
		pin, err := hw.Pin(pinName)
		if err == nil {
			err = p.AddLED(name, pin)
		}
		pins[name] = pinName
		leds = append(leds, name)
		return err
	}
	var errs []error
	if pc.StatusLED != "" {
		errs = append(errs, addLED(statusLED, pc.StatusLED))
	}
	for i, b := range pc.Buttons {
		errs = append(errs, addInput(buttonName(i, b), b.Input, b.LongPriority))
		if b.LED != "" {
			errs = append(errs, addLED(ledName(i, b), b.LED))
		}
	}
	var displays []deskdisplay.Display
	for _, dc := range pc.Desks {
		for _, k := range []struct {
			key string
			in  Input
		}{{"next", dc.Next}, {"recall", dc.Recall}, {"done", dc.Done}} {
			if k.in.Pin != "" {
				errs = append(errs, addInput(fmt.Sprintf("desk %s %s", dc.Desk, k.key), k.in, false))
			}
		}
		if dc.Display.Type != "" {
			r := &panelRunner{}
			d, err := r.openDisplay(hw, dc.Display)
			if err != nil {
				fmt.Fprintf(stderr, "desk %s display (%s): %v\n", dc.Desk, dc.Display.Type, err)
				continue
			}
			defer r.Close()
			defer d.Close()
			if err := d.Show(deskdisplay.Call{Number: "888", Desk: string(dc.Desk), DeskName: string(dc.Desk)}); err != nil {
				fmt.Fprintf(stderr, "desk %s display (%s): %v\n", dc.Desk, dc.Display.Type, err)
				continue
			}
			fmt.Fprintf(stdout, "desk %s display (%s): showing 888\n", dc.Desk, dc.Display.Type)
			displays = append(displays, d)
		}
	}
	for _, err := range errs {
		if err != nil {
			fmt.Fprintf(stderr, "tornd buttons test: %v\n", err)
			return 1
		}
	}
	if *dur > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *dur)
		defer cancel()
	}
	pctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(pctx) }()
	defer func() { stop(); <-done }()
	names := make([]string, 0, len(pins))
	for n := range pins {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(stderr, "watching %d inputs and %d LEDs; press the buttons, Ctrl-C to stop\n", len(pins)-len(leds), len(leds))
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	next := 0
	light := func() {
		if len(leds) == 0 {
			return
		}
		for _, l := range leds {
			p.Set(l, panel.Off)
		}
		name := leds[next%len(leds)]
		p.Set(name, panel.On)
		fmt.Fprintf(stdout, "%s %s %s: on\n", time.Now().Format("15:04:05.000"), name, pins[name])
		next++
	}
	light()
	for {
		select {
		case <-ctx.Done():
			for _, d := range displays {
				d.Show(deskdisplay.Call{})
			}
			return 0
		case in := <-p.Inputs():
			what := "press"
			if in.Long {
				what = "long press"
			}
			fmt.Fprintf(stdout, "%s %s %s: %s\n", in.At.Format("15:04:05.000"), in.Name, pins[in.Name], what)
		case <-tick.C:
			light()
		}
	}
}
