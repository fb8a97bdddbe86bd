package printer

import (
	"fmt"
	"os"
)

// OpenUSBUnpolled opens path as OpenUSB does, but as if the runtime could
// not poll it, so that tests run the goroutine fallback on a
// pseudo-terminal, which can be polled. (Tests of package printer import
// printertest, which imports printer: they live in package printer_test,
// and this file lends them what they need.)
func OpenUSBUnpolled(path string, opts USBOptions) (*USB, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("open USB printer %s: %w", path, err)
	}
	return newUSB(path, f, opts, false), nil
}
