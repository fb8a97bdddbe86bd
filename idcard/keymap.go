package idcard

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// keyEvent is an input event as the kernel reports it (struct
// input_event, without its time): what a keyboard-wedge scanner sends.
type keyEvent struct {
	Type  uint16
	Code  uint16
	Value int32
}

// Event types and key codes of Linux's input-event-codes.h: a stable
// kernel interface, the same on every architecture. evdev_linux_test.go
// checks them against go-evdev's.
const (
	evSyn = 0x00
	evKey = 0x01
	evMsc = 0x04
	evLed = 0x11

	synReport  = 0 // Code of an EV_SYN event: the end of a packet
	synDropped = 3 // events were lost

	keyRelease = 0 // Value of an EV_KEY event
	keyPress   = 1
	keyRepeat  = 2 // autorepeat of a key held down

	key1          = 2 // key1 … key9 are 2 … 10
	key0          = 11
	keyMinus      = 12
	keyEqual      = 13
	keyBackspace  = 14
	keyTab        = 15
	keyQ          = 16
	keyW          = 17
	keyE          = 18
	keyR          = 19
	keyT          = 20
	keyY          = 21
	keyU          = 22
	keyI          = 23
	keyO          = 24
	keyP          = 25
	keyLeftBrace  = 26
	keyRightBrace = 27
	keyEnter      = 28
	keyLeftCtrl   = 29
	keyA          = 30
	keyS          = 31
	keyD          = 32
	keyF          = 33
	keyG          = 34
	keyH          = 35
	keyJ          = 36
	keyK          = 37
	keyL          = 38
	keySemicolon  = 39
	keyApostrophe = 40
	keyGrave      = 41
	keyLeftShift  = 42
	keyBackslash  = 43
	keyZ          = 44
	keyX          = 45
	keyC          = 46
	keyV          = 47
	keyB          = 48
	keyN          = 49
	keyM          = 50
	keyComma      = 51
	keyDot        = 52
	keySlash      = 53
	keyRightShift = 54
	keyKPAsterisk = 55
	keyLeftAlt    = 56
	keySpace      = 57
	keyCapsLock   = 58
	keyKP7        = 71
	keyKP8        = 72
	keyKP9        = 73
	keyKPMinus    = 74
	keyKP4        = 75
	keyKP5        = 76
	keyKP6        = 77
	keyKPPlus     = 78
	keyKP1        = 79
	keyKP2        = 80
	keyKP3        = 81
	keyKP0        = 82
	keyKPDot      = 83
	key102nd      = 86 // the key left of Z on European keyboards
	keyKPEnter    = 96
	keyRightCtrl  = 97
	keyKPSlash    = 98
	keyRightAlt   = 100 // AltGr
	keyLeftMeta   = 125
	keyRightMeta  = 126
)

// A keyLayout maps key codes to the characters they type, unshifted and
// with Shift, as the host's keyboard layout does: a scanner sends the
// keys that type its text on the layout it is configured for.
type keyLayout map[uint16][2]rune

// The keys both layouts share: the letters (QWERTY on both), the space
// and the keypad. The keypad's digits are read as digits whatever the
// state of NumLock, which scanners that type on the keypad expect on.
var commonKeys = keyLayout{
	keyQ: {'q', 'Q'}, keyW: {'w', 'W'}, keyE: {'e', 'E'}, keyR: {'r', 'R'},
	keyT: {'t', 'T'}, keyY: {'y', 'Y'}, keyU: {'u', 'U'}, keyI: {'i', 'I'},
	keyO: {'o', 'O'}, keyP: {'p', 'P'}, keyA: {'a', 'A'}, keyS: {'s', 'S'},
	keyD: {'d', 'D'}, keyF: {'f', 'F'}, keyG: {'g', 'G'}, keyH: {'h', 'H'},
	keyJ: {'j', 'J'}, keyK: {'k', 'K'}, keyL: {'l', 'L'}, keyZ: {'z', 'Z'},
	keyX: {'x', 'X'}, keyC: {'c', 'C'}, keyV: {'v', 'V'}, keyB: {'b', 'B'},
	keyN: {'n', 'N'}, keyM: {'m', 'M'},
	keySpace: {' ', ' '},
	keyKP0:   {'0', '0'}, keyKP1: {'1', '1'}, keyKP2: {'2', '2'}, keyKP3: {'3', '3'},
	keyKP4: {'4', '4'}, keyKP5: {'5', '5'}, keyKP6: {'6', '6'}, keyKP7: {'7', '7'},
	keyKP8: {'8', '8'}, keyKP9: {'9', '9'}, keyKPDot: {'.', '.'},
	keyKPMinus: {'-', '-'}, keyKPPlus: {'+', '+'}, keyKPAsterisk: {'*', '*'},
	keyKPSlash: {'/', '/'},
}

// layouts are the keyboard layouts a scanner may type with, by the names
// of EvdevOptions.Layout: xkb's "us" and "es" on a 105-key keyboard.
var layouts = map[string]keyLayout{
	"us": withCommon(keyLayout{
		key1: {'1', '!'}, key1 + 1: {'2', '@'}, key1 + 2: {'3', '#'},
		key1 + 3: {'4', '$'}, key1 + 4: {'5', '%'}, key1 + 5: {'6', '^'},
		key1 + 6: {'7', '&'}, key1 + 7: {'8', '*'}, key1 + 8: {'9', '('},
		key0: {'0', ')'}, keyMinus: {'-', '_'}, keyEqual: {'=', '+'},
		keyLeftBrace: {'[', '{'}, keyRightBrace: {']', '}'},
		keySemicolon: {';', ':'}, keyApostrophe: {'\'', '"'},
		keyGrave: {'`', '~'}, keyBackslash: {'\\', '|'},
		keyComma: {',', '<'}, keyDot: {'.', '>'}, keySlash: {'/', '?'},
		key102nd: {'<', '>'},
	}),
	// On "es", '<' is the key left of Z, '-' is where "us" has '/', and
	// the shifted digits differ. The two dead keys (accents, on
	// keyLeftBrace and keyApostrophe) type nothing by themselves and are
	// ignored.
	"es": withCommon(keyLayout{
		key1: {'1', '!'}, key1 + 1: {'2', '"'}, key1 + 2: {'3', '·'},
		key1 + 3: {'4', '$'}, key1 + 4: {'5', '%'}, key1 + 5: {'6', '&'},
		key1 + 6: {'7', '/'}, key1 + 7: {'8', '('}, key1 + 8: {'9', ')'},
		key0: {'0', '='}, keyMinus: {'\'', '?'}, keyEqual: {'¡', '¿'},
		keyRightBrace: {'+', '*'}, keySemicolon: {'ñ', 'Ñ'},
		keyGrave: {'º', 'ª'}, keyBackslash: {'ç', 'Ç'},
		keyComma: {',', ';'}, keyDot: {'.', ':'}, keySlash: {'-', '_'},
		key102nd: {'<', '>'},
	}),
}

func withCommon(l keyLayout) keyLayout {
	for k, v := range commonKeys {
		l[k] = v
	}
	return l
}

// lookupLayout returns the layout named name; "" is "us".
func lookupLayout(name string) (keyLayout, error) {
	if name == "" {
		name = "us"
	}
	l, ok := layouts[name]
	if !ok {
		return nil, fmt.Errorf("unknown keyboard layout %q (want \"us\" or \"es\")", name)
	}
	return l, nil
}

// keyDecoder turns a keyboard's events into the text it types, as the
// host would with layout: Shift (either) and CapsLock are followed,
// Enter, keypad Enter and Tab end a line ("\n"). A key pressed with
// Ctrl, Alt, AltGr or Meta held, or one the layout does not know, types
// nothing and is counted in ignored. Only key presses and autorepeats
// type; releases and other events (EV_SYN, EV_MSC, EV_LED) only update
// the state. After a SYN_DROPPED, events are ignored up to the next
// SYN_REPORT and no modifier is taken as held. CapsLock starts off: a grabbed keyboard's CapsLock is its
// own, not the host's.
type keyDecoder struct {
	layout   keyLayout
	held     map[uint16]bool // modifiers held down
	caps     bool
	dropping bool // after SYN_DROPPED, until SYN_REPORT
	ignored  int  // keys pressed that typed nothing
}

func newKeyDecoder(l keyLayout) *keyDecoder {
	return &keyDecoder{layout: l, held: make(map[uint16]bool)}
}

// feed takes the next event and returns the text it types, if any: one
// character in UTF-8, or "\n" for the end of a line.
func (d *keyDecoder) feed(ev keyEvent) []byte {
	if ev.Type == evSyn {
		switch ev.Code {
		case synDropped:
			// The kernel's buffer overflowed: events up to the next
			// SYN_REPORT are to be ignored, and the keys held are
			// unknown. A line missing characters fails its checks.
			d.dropping = true
			clear(d.held)
		case synReport:
			d.dropping = false
		}
		return nil
	}
	if ev.Type != evKey || d.dropping {
		return nil
	}
	switch ev.Code {
	case keyLeftShift, keyRightShift, keyLeftCtrl, keyRightCtrl,
		keyLeftAlt, keyRightAlt, keyLeftMeta, keyRightMeta:
		d.held[ev.Code] = ev.Value != keyRelease
		return nil
	case keyCapsLock:
		if ev.Value == keyPress {
			d.caps = !d.caps
		}
		return nil
	}
	if ev.Value == keyRelease {
		return nil
	}
	if d.held[keyLeftCtrl] || d.held[keyRightCtrl] || d.held[keyLeftAlt] ||
		d.held[keyRightAlt] || d.held[keyLeftMeta] || d.held[keyRightMeta] {
		d.ignored++
		return nil
	}
	switch ev.Code {
	case keyEnter, keyKPEnter, keyTab:
		return []byte{'\n'}
	}
	chars, ok := d.layout[ev.Code]
	if !ok {
		d.ignored++
		return nil
	}
	shift := d.held[keyLeftShift] || d.held[keyRightShift]
	if d.caps && capsShifts(chars) {
		shift = !shift
	}
	r := chars[0]
	if shift {
		r = chars[1]
	}
	return utf8.AppendRune(nil, r)
}

// capsShifts reports whether CapsLock shifts a key: one whose two
// characters are a letter's lower and upper case, as with xkb's
// ALPHABETIC key type.
func capsShifts(chars [2]rune) bool {
	return chars[0] != chars[1] && unicode.ToUpper(chars[0]) == chars[1]
}

// decodeKeys returns the text events type on layout and how many keys
// typed nothing: what a keyboard-wedge reader with a new decoder makes of
// them.
func decodeKeys(l keyLayout, events []keyEvent) (text []byte, ignored int) {
	d := newKeyDecoder(l)
	for _, ev := range events {
		text = append(text, d.feed(ev)...)
	}
	return text, d.ignored
}
