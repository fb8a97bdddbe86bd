package idcard

import (
	"testing"

	evdev "github.com/holoplot/go-evdev"
)

// TestKernelCodes checks the codes of keymap.go, through the names of
// evdev_test.go, against go-evdev's copy of input-event-codes.h.
func TestKernelCodes(t *testing.T) {
	for code, name := range keyNames {
		if got, ok := evdev.KEYFromString[name]; !ok || uint16(got) != code {
			t.Errorf("%s is %d here, %d (%v) in go-evdev", name, code, got, ok)
		}
	}
	for typ, name := range evTypeNames {
		if got, ok := evdev.EVFromString[name]; !ok || uint16(got) != typ {
			t.Errorf("%s is %d here, %d (%v) in go-evdev", name, typ, got, ok)
		}
	}
	from := map[uint16]map[string]evdev.EvCode{evSyn: evdev.SYNFromString, evMsc: evdev.MSCFromString, evLed: evdev.LEDFromString}
	for typ, names := range evCodeNames {
		for code, name := range names {
			if got, ok := from[typ][name]; !ok || uint16(got) != code {
				t.Errorf("%s is %d here, %d (%v) in go-evdev", name, code, got, ok)
			}
		}
	}
	if keyRelease != 0 || keyPress != 1 || keyRepeat != 2 {
		t.Error("key values differ from the kernel's")
	}
}
