//go:build windows

package supervise

import (
	"errors"
	"syscall"
	"unsafe"
)

var sendInput = syscall.NewLazyDLL("user32.dll").NewProc("SendInput")

// INPUT, KEYBDINPUT and MOUSEINPUT as SendInput takes them (64-bit layout).
type winInput struct {
	typ uint32
	_   uint32
	u   [32]byte
}

type keybdInput struct {
	vk, scan    uint16
	flags, time uint32
	extra       uintptr
}

type mouseInput struct {
	dx, dy           int32
	data, flags, tim uint32
	extra            uintptr
}

const (
	inputMouse     = 0
	inputKeyboard  = 1
	keyeventfKeyUp = 0x0002
)

// Mouse button-up flags, by X button number.
var buttonUp = map[int]uint32{1: 0x0004, 2: 0x0040, 3: 0x0010}

// releaseInput undoes l with SendInput: it sends key-up for every virtual key
// and button-up for every button l holds. Windows has no keymap to restore.
func releaseInput(l *Leftovers) error {
	var ins []winInput
	for vk := range l.Keys {
		in := winInput{typ: inputKeyboard}
		*(*keybdInput)(unsafe.Pointer(&in.u)) = keybdInput{vk: uint16(vk), flags: keyeventfKeyUp}
		ins = append(ins, in)
	}
	for b := range l.Buttons {
		if f, ok := buttonUp[b]; ok {
			in := winInput{typ: inputMouse}
			*(*mouseInput)(unsafe.Pointer(&in.u)) = mouseInput{flags: f}
			ins = append(ins, in)
		}
	}
	if len(ins) == 0 {
		return nil
	}
	n, _, err := sendInput.Call(uintptr(len(ins)), uintptr(unsafe.Pointer(&ins[0])), unsafe.Sizeof(ins[0]))
	if int(n) != len(ins) {
		return errors.Join(errors.New("SendInput released only part of the input"), err)
	}
	return nil
}
