//go:build !linux

package idcard

import (
	"errors"
	"fmt"
)

// openInput fails: keyboard-wedge readers are read through Linux's evdev.
func openInput(path string, grab bool) (inputDevice, error) {
	return nil, fmt.Errorf("keyboard-wedge readers are read through Linux's evdev: %w", errors.ErrUnsupported)
}
