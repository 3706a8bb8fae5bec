//go:build linux

package supervise

import (
	"errors"
	"fmt"
	"io"
	"log"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"
)

func init() { xgb.Logger = log.New(io.Discard, "", 0) }

// releaseInput undoes l on the X display named by DISPLAY with the
// supervisor's own connection: it releases (XTEST) the keys and buttons l
// holds that the display still shows down, and clears the keycodes l
// remapped that still carry the worker's keysym.
func releaseInput(l *Leftovers) error {
	conn, err := xgb.NewConn()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoDisplay, err)
	}
	defer conn.Close()
	if err := xtest.Init(conn); err != nil {
		return fmt.Errorf("%w: no XTEST: %v", ErrNoDisplay, err)
	}
	setup := xproto.Setup(conn)
	root := setup.DefaultScreen(conn).Root
	var errs []error

	km, err := xproto.QueryKeymap(conn).Reply()
	if err != nil {
		return fmt.Errorf("query keymap: %w", err)
	}
	for kc := range l.Keys {
		if kc < uint32(setup.MinKeycode) || kc > uint32(setup.MaxKeycode) || km.Keys[kc/8]&(1<<(kc%8)) == 0 {
			continue
		}
		errs = append(errs, xtest.FakeInputChecked(conn, xproto.KeyRelease, byte(kc), 0, root, 0, 0, 0).Check())
	}
	ptr, err := xproto.QueryPointer(conn, root).Reply()
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("query pointer: %w", err))...)
	}
	for b := range l.Buttons {
		if ptr.Mask&(1<<(7+b)) == 0 { // Button1Mask is 1<<8
			continue
		}
		errs = append(errs, xtest.FakeInputChecked(conn, xproto.ButtonRelease, byte(b), 0, root, 0, 0, 0).Check())
	}
	for kc, sym := range l.Keymap {
		if kc < uint32(setup.MinKeycode) || kc > uint32(setup.MaxKeycode) {
			continue
		}
		m, err := xproto.GetKeyboardMapping(conn, xproto.Keycode(kc), 1).Reply()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(m.Keysyms) == 0 || uint32(m.Keysyms[0]) != sym {
			continue // the layout changed it since: it is not ours any more
		}
		clear := make([]xproto.Keysym, m.KeysymsPerKeycode)
		errs = append(errs, xproto.ChangeKeyboardMappingChecked(conn, 1, xproto.Keycode(kc), m.KeysymsPerKeycode, clear).Check())
	}
	return errors.Join(errs...)
}
