package e2e

import (
	"testing"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// xState is what the customer's X display says is held, mapped and shown.
type xState struct {
	keys    map[xproto.Keycode]bool // keycodes down (XQueryKeymap)
	buttons uint16                  // Button1..5 mask of the pointer (XQueryPointer)
	syms    map[xproto.Keysym]xproto.Keycode
	windows map[xproto.Window]bool // mapped children of the root
}

// readX reads the display's key, button, keymap and window state.
func readX(t testing.TB, display string) xState {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	setup := xproto.Setup(conn)
	root := setup.DefaultScreen(conn).Root
	st := xState{keys: map[xproto.Keycode]bool{}, syms: map[xproto.Keysym]xproto.Keycode{}, windows: map[xproto.Window]bool{}}
	km, err := xproto.QueryKeymap(conn).Reply()
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range km.Keys {
		for bit := 0; bit < 8; bit++ {
			if b&(1<<bit) != 0 {
				st.keys[xproto.Keycode(i*8+bit)] = true
			}
		}
	}
	p, err := xproto.QueryPointer(conn, root).Reply()
	if err != nil {
		t.Fatal(err)
	}
	st.buttons = p.Mask & (xproto.KeyButMaskButton1 | xproto.KeyButMaskButton2 | xproto.KeyButMaskButton3 | xproto.KeyButMaskButton4 | xproto.KeyButMaskButton5)
	n := int(setup.MaxKeycode) - int(setup.MinKeycode) + 1
	m, err := xproto.GetKeyboardMapping(conn, setup.MinKeycode, byte(n)).Reply()
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range m.Keysyms {
		if _, seen := st.syms[s]; s != 0 && !seen {
			st.syms[s] = setup.MinKeycode + xproto.Keycode(i/int(m.KeysymsPerKeycode))
		}
	}
	tree, err := xproto.QueryTree(conn, root).Reply()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range tree.Children {
		if a, err := xproto.GetWindowAttributes(conn, w).Reply(); err == nil && a.MapState == xproto.MapStateViewable {
			st.windows[w] = true
		}
	}
	return st
}

// HeldInput reads which keys and mouse buttons the customer's X display
// holds down right now: after an agent has gone, whatever way, both must be
// empty, or the customer's keyboard and mouse misbehave.
func HeldInput(t testing.TB, display string) (keys []xproto.Keycode, buttons uint16) {
	t.Helper()
	x := readX(t, display)
	for k := range x.keys {
		keys = append(keys, k)
	}
	return keys, x.buttons
}
