package idcard

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
)

// Recorded keystrokes live in testdata/evdev/*.events, one input event a
// line: its type, code and value, by the kernel's names
// (input-event-codes.h) or as numbers, as evtest prints them:
//
//	EV_MSC MSC_SCAN 0x700e1
//	EV_KEY KEY_LEFTSHIFT 1
//	EV_SYN SYN_REPORT 0
//
// A '#' starts a comment. Three comments say what the events type, for
// the test to check: "# layout: us" (or es), one "# text: …" per line
// typed, and "# ignored: n", the keys that type nothing. Most recordings
// are generated from their text by keyRecipes (go test ./idcard -run
// TestKeyRecordingsGenerated -update); hand-*.events are written by hand.

// keyNames are the kernel's names of the keys of keymap.go and of a few
// more. evdev_linux_test.go checks them against go-evdev's.
var keyNames = map[uint16]string{
	1: "KEY_ESC", key1: "KEY_1", key1 + 1: "KEY_2", key1 + 2: "KEY_3", key1 + 3: "KEY_4",
	key1 + 4: "KEY_5", key1 + 5: "KEY_6", key1 + 6: "KEY_7", key1 + 7: "KEY_8",
	key1 + 8: "KEY_9", key0: "KEY_0", keyMinus: "KEY_MINUS", keyEqual: "KEY_EQUAL",
	keyBackspace: "KEY_BACKSPACE", keyTab: "KEY_TAB",
	keyQ: "KEY_Q", keyW: "KEY_W", keyE: "KEY_E", keyR: "KEY_R", keyT: "KEY_T",
	keyY: "KEY_Y", keyU: "KEY_U", keyI: "KEY_I", keyO: "KEY_O", keyP: "KEY_P",
	keyLeftBrace: "KEY_LEFTBRACE", keyRightBrace: "KEY_RIGHTBRACE",
	keyEnter: "KEY_ENTER", keyLeftCtrl: "KEY_LEFTCTRL",
	keyA: "KEY_A", keyS: "KEY_S", keyD: "KEY_D", keyF: "KEY_F", keyG: "KEY_G",
	keyH: "KEY_H", keyJ: "KEY_J", keyK: "KEY_K", keyL: "KEY_L",
	keySemicolon: "KEY_SEMICOLON", keyApostrophe: "KEY_APOSTROPHE", keyGrave: "KEY_GRAVE",
	keyLeftShift: "KEY_LEFTSHIFT", keyBackslash: "KEY_BACKSLASH",
	keyZ: "KEY_Z", keyX: "KEY_X", keyC: "KEY_C", keyV: "KEY_V", keyB: "KEY_B",
	keyN: "KEY_N", keyM: "KEY_M",
	keyComma: "KEY_COMMA", keyDot: "KEY_DOT", keySlash: "KEY_SLASH",
	keyRightShift: "KEY_RIGHTSHIFT", keyKPAsterisk: "KEY_KPASTERISK",
	keyLeftAlt: "KEY_LEFTALT", keySpace: "KEY_SPACE", keyCapsLock: "KEY_CAPSLOCK",
	59: "KEY_F1", 60: "KEY_F2", 61: "KEY_F3", 62: "KEY_F4", 63: "KEY_F5",
	64: "KEY_F6", 65: "KEY_F7", 66: "KEY_F8", 67: "KEY_F9", 68: "KEY_F10",
	69: "KEY_NUMLOCK", 70: "KEY_SCROLLLOCK",
	keyKP7: "KEY_KP7", keyKP8: "KEY_KP8", keyKP9: "KEY_KP9", keyKPMinus: "KEY_KPMINUS",
	keyKP4: "KEY_KP4", keyKP5: "KEY_KP5", keyKP6: "KEY_KP6", keyKPPlus: "KEY_KPPLUS",
	keyKP1: "KEY_KP1", keyKP2: "KEY_KP2", keyKP3: "KEY_KP3", keyKP0: "KEY_KP0",
	keyKPDot: "KEY_KPDOT", key102nd: "KEY_102ND", 87: "KEY_F11", 88: "KEY_F12",
	keyKPEnter: "KEY_KPENTER", keyRightCtrl: "KEY_RIGHTCTRL", keyKPSlash: "KEY_KPSLASH",
	keyRightAlt: "KEY_RIGHTALT", keyLeftMeta: "KEY_LEFTMETA", keyRightMeta: "KEY_RIGHTMETA",
}

// evTypeNames are the event types of the recordings; evCodeNames the
// codes of the types other than EV_KEY.
var (
	evTypeNames = map[uint16]string{evSyn: "EV_SYN", evKey: "EV_KEY", evMsc: "EV_MSC", evLed: "EV_LED"}
	evCodeNames = map[uint16]map[uint16]string{
		evSyn: {synReport: "SYN_REPORT", synDropped: "SYN_DROPPED"},
		evMsc: {4: "MSC_SCAN"},
		evLed: {0: "LED_NUML", 1: "LED_CAPSL", 2: "LED_SCROLLL"},
	}
)

func codeNames(typ uint16) map[uint16]string {
	if typ == evKey {
		return keyNames
	}
	return evCodeNames[typ]
}

// keyRecording is a parsed testdata/evdev file.
type keyRecording struct {
	layout  string
	text    []string // the lines typed
	ignored int
	events  []keyEvent
}

func parseKeyRecording(data []byte) (keyRecording, error) {
	var rec keyRecording
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "#"); ok {
			c = strings.TrimPrefix(c, " ")
			var err error
			if v, ok := strings.CutPrefix(c, "layout: "); ok {
				rec.layout = v
			} else if v, ok := strings.CutPrefix(c, "text: "); ok {
				rec.text = append(rec.text, v)
			} else if c == "text:" {
				rec.text = append(rec.text, "")
			} else if v, ok := strings.CutPrefix(c, "ignored: "); ok {
				rec.ignored, err = strconv.Atoi(v)
			}
			if err != nil {
				return rec, fmt.Errorf("line %d: %w", n, err)
			}
			continue
		}
		if line, _, _ = strings.Cut(line, "#"); strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return rec, fmt.Errorf("line %d: %d fields, want type, code and value", n, len(f))
		}
		typ, err := parseEvName(f[0], evTypeNames)
		if err != nil {
			return rec, fmt.Errorf("line %d: type: %w", n, err)
		}
		code, err := parseEvName(f[1], codeNames(typ))
		if err != nil {
			return rec, fmt.Errorf("line %d: code: %w", n, err)
		}
		value, err := strconv.ParseInt(f[2], 0, 32)
		if err != nil {
			return rec, fmt.Errorf("line %d: value: %w", n, err)
		}
		rec.events = append(rec.events, keyEvent{Type: typ, Code: code, Value: int32(value)})
	}
	return rec, sc.Err()
}

// parseEvName reads a type or code: a name of names, or a number.
func parseEvName(s string, names map[uint16]string) (uint16, error) {
	for v, name := range names {
		if name == s {
			return v, nil
		}
	}
	v, err := strconv.ParseUint(s, 0, 16)
	if err != nil {
		return 0, fmt.Errorf("%q is neither a known name nor a number", s)
	}
	return uint16(v), nil
}

func formatKeyEvent(ev keyEvent) string {
	typ, ok := evTypeNames[ev.Type]
	if !ok {
		typ = strconv.Itoa(int(ev.Type))
	}
	code, ok := codeNames(ev.Type)[ev.Code]
	if !ok {
		code = strconv.Itoa(int(ev.Code))
	}
	value := strconv.Itoa(int(ev.Value))
	if ev.Type == evMsc {
		value = fmt.Sprintf("%#x", ev.Value)
	}
	return typ + " " + code + " " + value
}

// A keyRecipe says how a scanner types text; keyRecipes generate the
// recordings of testdata/evdev.
type keyRecipe struct {
	file    string
	scanner string // what the recording shows, for its header
	layout  string
	lines   []string
	shift   uint16 // keyLeftShift or keyRightShift
	caps    bool   // CapsLock on before, off after: letters typed unshifted
	repeat  bool   // a run of one character typed as a key held down
	end     uint16 // the key after each line
}

var keyRecipes = []keyRecipe{
	{
		file:    "us-td1.events",
		scanner: "an ICAO TD1 specimen typed for the US layout: Shift for capitals and '<' (Shift+comma), Enter after each line",
		layout:  "us", lines: readerTD1, shift: keyLeftShift, end: keyEnter,
	},
	{
		file:    "es-dni.events",
		scanner: "a DNI 3.0 specimen typed for the Spanish layout: '<' on the key left of Z, right Shift for capitals, runs of a character as a key held down (autorepeat), Enter after each line",
		layout:  "es", lines: readerDNI, shift: keyRightShift, repeat: true, end: keyEnter,
	},
	{
		file:    "us-td3-capslock.events",
		scanner: "an ICAO TD3 (passport) specimen typed for the US layout with CapsLock on: capitals unshifted, '<' with Shift; runs as autorepeat; keypad Enter after each line",
		layout:  "us", lines: readerTD3, shift: keyLeftShift, caps: true, repeat: true, end: keyKPEnter,
	},
	{
		file:    "es-td3.events",
		scanner: "an ICAO TD3 (passport) specimen typed for the Spanish layout, Enter after each line",
		layout:  "es", lines: readerTD3, shift: keyLeftShift, end: keyEnter,
	},
	{
		file:    "es-numbers-tab.events",
		scanner: "a DNI and a NIE number with dots and dashes typed for the Spanish layout ('-' where US has '/'), Tab after each",
		layout:  "es", lines: []string{"12.345.678-Z", "X-1234567-L", "y 1234567 x"}, shift: keyLeftShift, end: keyTab,
	},
}

// keyFor finds the key that types r on layout, and whether with Shift:
// the main keys first (so '<' is Shift+comma on "us"), then the key left
// of Z, then the keypad.
func keyFor(layout keyLayout, r rune) (code uint16, shift bool, ok bool) {
	codes := make([]uint16, 0, len(layout))
	for c := range layout {
		codes = append(codes, c)
	}
	rank := func(c uint16) int {
		switch {
		case c == key102nd:
			return 1
		case c >= keyKP7 && c <= keyKPDot || c == keyKPAsterisk || c == keyKPSlash:
			return 2
		}
		return 0
	}
	slices.SortFunc(codes, func(a, b uint16) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return int(a) - int(b)
	})
	for _, c := range codes {
		for level, ch := range layout[c] {
			if ch == r {
				return c, level == 1, true
			}
		}
	}
	return 0, false, false
}

// hidUsage is the USB HID usage a keyboard reports (EV_MSC MSC_SCAN)
// with the key code; the decoder ignores it.
func hidUsage(code uint16) int32 {
	usage := map[uint16]int32{
		keyEnter: 0x28, keyTab: 0x2b, keySpace: 0x2c, keyMinus: 0x2d, keyEqual: 0x2e,
		keyLeftBrace: 0x2f, keyRightBrace: 0x30, keyBackslash: 0x31, keySemicolon: 0x33,
		keyApostrophe: 0x34, keyGrave: 0x35, keyComma: 0x36, keyDot: 0x37, keySlash: 0x38,
		keyCapsLock: 0x39, key102nd: 0x64, keyKPEnter: 0x58,
		keyLeftShift: 0xe1, keyRightShift: 0xe5, key0: 0x27,
	}
	if u, ok := usage[code]; ok {
		return 0x70000 + u
	}
	if code >= key1 && code < key0 {
		return 0x70000 + 0x1e + int32(code-key1)
	}
	if chars, ok := commonKeys[code]; ok && chars[0] >= 'a' && chars[0] <= 'z' {
		return 0x70000 + 4 + int32(chars[0]-'a')
	}
	return 0x70000
}

// events returns the keystrokes of the recipe, as a USB keyboard sends
// them: each key change with its scan code before and a SYN_REPORT
// after; autorepeats without a scan code.
func (rc keyRecipe) events() ([]keyEvent, error) {
	layout, err := lookupLayout(rc.layout)
	if err != nil {
		return nil, err
	}
	var evs []keyEvent
	key := func(code uint16, value int32) {
		if value != keyRepeat {
			evs = append(evs, keyEvent{evMsc, 4, hidUsage(code)})
		}
		evs = append(evs, keyEvent{evKey, code, value}, keyEvent{evSyn, 0, 0})
	}
	tap := func(code uint16) { key(code, keyPress); key(code, keyRelease) }
	if rc.caps {
		tap(keyCapsLock)
	}
	for _, line := range rc.lines {
		runes := []rune(line)
		for i := 0; i < len(runes); {
			code, shift, ok := keyFor(layout, runes[i])
			if !ok {
				return nil, fmt.Errorf("%s: no key types %q on %s", rc.file, runes[i], rc.layout)
			}
			if rc.caps && capsShifts(layout[code]) {
				shift = !shift
			}
			n := 1
			for rc.repeat && i+n < len(runes) && runes[i+n] == runes[i] {
				n++
			}
			if shift {
				key(rc.shift, keyPress)
			}
			key(code, keyPress)
			for range n - 1 {
				key(code, keyRepeat)
			}
			key(code, keyRelease)
			if shift {
				key(rc.shift, keyRelease)
			}
			i += n
		}
		tap(rc.end)
	}
	if rc.caps {
		tap(keyCapsLock)
	}
	return evs, nil
}

// recording returns the file the recipe generates.
func (rc keyRecipe) recording() ([]byte, error) {
	evs, err := rc.events()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	about := "Keystrokes of a keyboard-wedge document scanner: " + rc.scanner +
		". Generated by go test ./idcard -run TestKeyRecordingsGenerated -update; see evdev_test.go for the format."
	line := "#"
	for _, w := range strings.Fields(about) {
		if len(line)+1+len(w) > 72 {
			b.WriteString(line + "\n")
			line = "#"
		}
		line += " " + w
	}
	b.WriteString(line + "\n")
	fmt.Fprintf(&b, "# layout: %s\n", rc.layout)
	for _, l := range rc.lines {
		fmt.Fprintf(&b, "# text: %s\n", l)
	}
	fmt.Fprintf(&b, "# ignored: 0\n")
	for _, ev := range evs {
		b.WriteString(formatKeyEvent(ev) + "\n")
	}
	return b.Bytes(), nil
}

// updating reports whether the test runs with -update (see serial_test.go).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestKeyRecordingsGenerated(t *testing.T) {
	for _, rc := range keyRecipes {
		t.Run(rc.file, func(t *testing.T) {
			want, err := rc.recording()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "evdev", rc.file)
			if updating() {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what its recipe generates: go test -update rewrites it", path)
			}
		})
	}
}

// recordedScans are the documents each recording holds, as the
// keyboard-wedge reader delivers them.
var recordedScans = map[string][]scanWant{
	"us-td1.events":          {scanWhole(readerTD1...)},
	"es-dni.events":          {scanWhole(readerDNI...)},
	"us-td3-capslock.events": {scanWhole(readerTD3...)},
	"es-td3.events":          {scanWhole(readerTD3...)},
	"es-numbers-tab.events":  {scanWhole("12.345.678-Z"), scanWhole("X-1234567-L"), scanWhole("y 1234567 x")},
	"hand-us-keyboard.events": {
		scanWhole("99999999R"), scanWhole("X1234567L"), scanWhole("x1234567l"), scanWhole("<<-. 09"),
	},
	"hand-es-half.events": {scanCut("IDESPBAA000589599999999R<<<<<<", "8001014F2501")},
}

func TestKeyRecordings(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "evdev", "*.events"))
	if err != nil {
		t.Fatal(err)
	}
	handWritten := 0
	for _, path := range files {
		name := filepath.Base(path)
		if strings.HasPrefix(name, "hand-") {
			handWritten++
		}
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := parseKeyRecording(data)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			layout, err := lookupLayout(rec.layout)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			// The lines typed, whether the last one ended or not.
			text, ignored := decodeKeys(layout, rec.events)
			if lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n"); !slices.Equal(lines, rec.text) {
				t.Errorf("typed %q, want the lines %q", text, rec.text)
			}
			if ignored != rec.ignored {
				t.Errorf("%d keys ignored, want %d", ignored, rec.ignored)
			}
			want, ok := recordedScans[name]
			if !ok {
				t.Fatalf("no scans listed for %s in recordedScans", name)
			}
			// The whole keyboard-wedge reader, on a device that
			// replays the recording and then waits.
			synctest.Test(t, func(t *testing.T) {
				dev := newKeyReplay(rec.events, nil)
				e := newEvdev("replayed "+name, dev, layout, Options{})
				var got []Scan
				for len(got) < len(want) {
					s, ok := <-e.Scans()
					if !ok {
						t.Fatalf("Scans closed: %v", e.Err())
					}
					got = append(got, s)
				}
				compareScans(t, got, want)
				if more, _ := receiveScans(e); len(more) != 0 {
					t.Errorf("scans after the last one expected: %s", describeScans(more))
				}
				if err := e.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
		})
	}
	if len(files) < len(recordedScans) {
		t.Errorf("%d recordings in testdata/evdev, want the %d of recordedScans", len(files), len(recordedScans))
	}
	if handWritten == 0 {
		t.Error("no hand-written recording (hand-*.events)")
	}
}

// keyReplay is an inputDevice that sends recorded events, then fails with
// err, or (err nil) waits for Close.
type keyReplay struct {
	events []keyEvent
	err    error
	closed chan struct{}
}

func newKeyReplay(events []keyEvent, err error) *keyReplay {
	return &keyReplay{events: events, err: err, closed: make(chan struct{})}
}

func (r *keyReplay) readEvent() (keyEvent, error) {
	select {
	case <-r.closed:
		return keyEvent{}, os.ErrClosed
	default:
	}
	if len(r.events) > 0 {
		ev := r.events[0]
		r.events = r.events[1:]
		return ev, nil
	}
	if r.err != nil {
		return keyEvent{}, r.err
	}
	<-r.closed
	return keyEvent{}, os.ErrClosed
}

func (r *keyReplay) Close() error {
	close(r.closed)
	return nil
}

func TestEvdevDeviceGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := keyRecipe{layout: "us", lines: readerTD3, shift: keyLeftShift, end: keyEnter}
		evs, err := rec.events()
		if err != nil {
			t.Fatal(err)
		}
		// A whole passport, then half a line of another, then unplugged.
		evs = append(evs, evs[:len(evs)/4]...)
		e := newEvdev("replayed", newKeyReplay(evs, syscall.ENODEV), layouts["us"], Options{})
		got, closed := receiveScans(e)
		if !closed {
			t.Fatal("Scans open after the device went away")
		}
		if len(got) != 2 || !slices.Equal(got[0].Lines, readerTD3) || got[0].Err != nil ||
			!errors.Is(got[1].Err, ErrIncomplete) || len(got[1].Lines) != 1 || !strings.HasPrefix(readerTD3[0], got[1].Lines[0]) {
			t.Errorf("scans:\n%s want the passport, then part of a line cut short", describeScans(got))
		}
		if err := e.Err(); !errors.Is(err, syscall.ENODEV) || !strings.Contains(err.Error(), "replayed") {
			t.Errorf("Err() = %v, want ENODEV and the reader's name", err)
		}
		e.Close()
	})
}

func TestEvdevClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dev := newKeyReplay(nil, nil)
		e := newEvdev("replayed", dev, layouts["es"], Options{})
		if err := e.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if _, ok := <-e.Scans(); ok {
			t.Error("Scans open after Close")
		}
		if err := e.Err(); err != nil {
			t.Errorf("Err() after Close = %v, want nil", err)
		}
		select {
		case <-dev.closed:
		default:
			t.Error("device open after Close")
		}
	})
}

func TestOpenEvdevErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "event99")
	e, err := OpenEvdev(missing, EvdevOptions{})
	if err == nil {
		e.Close()
		t.Fatalf("opened %s", missing)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), missing) {
		t.Errorf("error %q does not name the path", err)
	}
	if runtime.GOOS == "linux" {
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("error %v, want fs.ErrNotExist", err)
		}
	} else if !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("error %v, want errors.ErrUnsupported", err)
	}

	if runtime.GOOS == "linux" {
		plain := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(plain, []byte("not a keyboard"), 0o600); err != nil {
			t.Fatal(err)
		}
		e, err := OpenEvdev(plain, EvdevOptions{})
		if err == nil {
			e.Close()
			t.Fatalf("opened a plain file as a keyboard")
		}
		t.Log(err)
		if !strings.Contains(err.Error(), "not an input event device") {
			t.Errorf("error %q, want it to say the file is no input device", err)
		}
	}

	_, err = OpenEvdev(missing, EvdevOptions{Layout: "fr"})
	if err == nil || !strings.Contains(err.Error(), `"fr"`) || !strings.Contains(err.Error(), missing) {
		t.Errorf("layout fr: %v, want an error naming the layout and the path", err)
	}
}

// Key strokes for TestKeyDecoder.
func keyDown(code uint16) keyEvent { return keyEvent{evKey, code, keyPress} }
func keyUp(code uint16) keyEvent   { return keyEvent{evKey, code, keyRelease} }
func keyHeld(code uint16) keyEvent { return keyEvent{evKey, code, keyRepeat} }

func keyTaps(codes ...uint16) []keyEvent {
	var evs []keyEvent
	for _, c := range codes {
		evs = append(evs, keyDown(c), keyUp(c))
	}
	return evs
}

func keyWith(mod uint16, evs ...keyEvent) []keyEvent {
	return slices.Concat([]keyEvent{keyDown(mod)}, evs, []keyEvent{keyUp(mod)})
}

func TestKeyDecoder(t *testing.T) {
	syn := keyEvent{evSyn, 0, 0}
	tests := []struct {
		name    string
		layout  string
		events  []keyEvent
		want    string
		ignored int
	}{
		{"letters and digits", "us", keyTaps(keyA, key1, key0, keyZ), "a10z", 0},
		{"Shift", "us", slices.Concat(keyWith(keyLeftShift, keyTaps(keyA, keyB)...), keyTaps(keyA)), "ABa", 0},
		{"right Shift", "es", keyWith(keyRightShift, keyTaps(keyQ, key1+1)...), `Q"`, 0},
		{
			"both Shifts, one let go",
			"us",
			[]keyEvent{keyDown(keyLeftShift), keyDown(keyRightShift), keyUp(keyLeftShift), keyDown(keyA), keyUp(keyA), keyUp(keyRightShift), keyDown(keyA)},
			"Aa", 0,
		},
		{"Shift autorepeats", "us", []keyEvent{keyDown(keyLeftShift), keyHeld(keyLeftShift), keyHeld(keyLeftShift), keyDown(keyComma), keyUp(keyComma), keyUp(keyLeftShift)}, "<", 0},
		{"'<' on us", "us", slices.Concat(keyWith(keyLeftShift, keyTaps(keyComma)...), keyTaps(keyComma)), "<,", 0},
		{"'<' and '>' left of Z on us", "us", slices.Concat(keyTaps(key102nd), keyWith(keyLeftShift, keyTaps(key102nd)...)), "<>", 0},
		{"'<' on es", "es", slices.Concat(keyTaps(key102nd), keyWith(keyLeftShift, keyTaps(key102nd)...)), "<>", 0},
		{"Shift+comma on es", "es", keyWith(keyLeftShift, keyTaps(keyComma)...), ";", 0},
		{"'-' and '.' on us", "us", keyTaps(keyMinus, keyDot, keySlash), "-./", 0},
		{"'-' and '.' on es", "es", keyTaps(keySlash, keyDot, keyMinus), "-.'", 0},
		{"space", "es", keyTaps(keyA, keySpace, keyB), "a b", 0},
		{"ñ and ç", "es", slices.Concat(keyTaps(keySemicolon, keyBackslash), keyWith(keyLeftShift, keyTaps(keySemicolon)...)), "ñçÑ", 0},
		{"keypad", "us", keyTaps(keyKP1, keyKP0, keyKPDot, keyKPMinus, keyKP9), "10.-9", 0},
		{"keypad with Shift", "es", keyWith(keyLeftShift, keyTaps(keyKP7)...), "7", 0},
		{
			"CapsLock",
			"us",
			slices.Concat(keyTaps(keyCapsLock, keyA, key1, keyComma), keyWith(keyLeftShift, keyTaps(keyB, keyComma)...), keyTaps(keyCapsLock, keyC)),
			"A1,b<c", 0,
		},
		{"CapsLock on ñ, not on º", "es", keyTaps(keyCapsLock, keySemicolon, keyGrave), "Ñº", 0},
		{"CapsLock autorepeat toggles once", "us", []keyEvent{keyDown(keyCapsLock), keyHeld(keyCapsLock), keyHeld(keyCapsLock), keyUp(keyCapsLock), keyDown(keyA)}, "A", 0},
		{"autorepeat", "us", []keyEvent{keyDown(keyLeftShift), keyDown(keyComma), keyHeld(keyComma), keyHeld(keyComma), keyUp(keyComma), keyUp(keyLeftShift), keyDown(key1 + 6), keyHeld(key1 + 6)}, "<<<77", 0},
		{"releases type nothing", "us", []keyEvent{keyUp(keyA), keyUp(keyEnter), keyUp(keyLeftShift)}, "", 0},
		{"line ends", "us", keyTaps(keyA, keyEnter, keyB, keyKPEnter, keyC, keyTab), "a\nb\nc\n", 0},
		{
			"other events",
			"us",
			[]keyEvent{{evMsc, 4, 0x70004}, keyDown(keyA), syn, {evMsc, 4, 0x70004}, keyUp(keyA), syn, {evLed, 1, 1}, {evSyn, 0, 0}, {0x02, 0, 5}, {evMsc, 4, 0x70005}, keyDown(keyB), syn},
			"ab", 0,
		},
		{
			"events dropped",
			"us",
			[]keyEvent{keyDown(keyLeftShift), keyDown(keyA), syn, {evSyn, synDropped, 0}, keyUp(keyA), keyDown(keyB), syn, keyDown(keyC), keyDown(keyLeftShift), keyDown(keyD)},
			"AcD", 0,
		},
		{"unknown keys", "us", slices.Concat(keyTaps(1, 59, keyBackspace), []keyEvent{keyDown(700), keyHeld(700), keyUp(700)}, keyTaps(keyA)), "a", 5},
		{"dead keys on es", "es", keyTaps(keyLeftBrace, keyApostrophe, keyE), "e", 2},
		{"Ctrl, Alt, AltGr, Meta", "es", slices.Concat(
			keyWith(keyLeftCtrl, keyTaps(keyC)...),
			keyWith(keyRightCtrl, keyTaps(keyJ)...),
			keyWith(keyLeftAlt, keyTaps(keyTab)...),
			keyWith(keyRightAlt, keyTaps(key1+1)...),
			keyWith(keyLeftMeta, keyTaps(keyEnter)...),
			keyWith(keyRightMeta, keyTaps(keyA)...),
			keyTaps(keyD),
		), "d", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layout, err := lookupLayout(tt.layout)
			if err != nil {
				t.Fatal(err)
			}
			text, ignored := decodeKeys(layout, tt.events)
			if string(text) != tt.want {
				t.Errorf("typed %q, want %q", text, tt.want)
			}
			if ignored != tt.ignored {
				t.Errorf("%d keys ignored, want %d", ignored, tt.ignored)
			}
		})
	}
}

func TestLayouts(t *testing.T) {
	if l, err := lookupLayout(""); err != nil || l[keyComma][1] != '<' {
		t.Errorf("the default layout is not us: %v", err)
	}
	// Every character of MRZs and identity numbers, on every layout.
	for name, l := range layouts {
		for _, r := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789<-. " {
			if _, _, ok := keyFor(l, r); !ok {
				t.Errorf("layout %s: no key types %q", name, r)
			}
		}
		for code := range l {
			if _, ok := keyNames[code]; !ok {
				t.Errorf("layout %s: key %d has no name in keyNames", name, code)
			}
		}
	}
}
