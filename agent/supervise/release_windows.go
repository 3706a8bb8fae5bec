//go:build windows

package supervise

import (
	"fmt"

	"github.com/lifeline-support/lifeline/agent/win32"
)

// Mouse button-up flags, by X button number.
var buttonUp = map[int]uint32{1: win32.MouseLeftUp, 2: win32.MouseMiddleUp, 3: win32.MouseRightUp}

// releaseInput undoes l with SendInput: a key-up for every key l holds (by
// its scan code, as the worker pressed it) and a button-up for every
// button. Windows has no keymap to restore.
func releaseInput(l *Leftovers) error {
	var ins []win32.Input
	for sc := range l.Keys {
		ins = append(ins, win32.KeyScan(uint16(sc), true))
	}
	for b := range l.Buttons {
		if f, ok := buttonUp[b]; ok {
			ins = append(ins, win32.Mouse(0, 0, 0, f))
		}
	}
	if err := win32.SendInput(ins...); err != nil {
		return fmt.Errorf("release held input: %w", err)
	}
	return nil
}
