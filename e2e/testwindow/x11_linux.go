package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// run opens the window on the X display and logs its events until SIGINT
// or SIGTERM.
func run(cfg config) error {
	lg, closeLog, err := openLog(cfg)
	if err != nil {
		return err
	}
	defer closeLog()

	xgb.Logger = log.New(io.Discard, "", 0) // silence "could not get authority info"
	display := cfg.Display
	if display == "" {
		display = os.Getenv("DISPLAY")
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return fmt.Errorf("connect to X display %q: %w", display, err)
	}
	defer conn.Close()

	setup := xproto.Setup(conn)
	screen := setup.DefaultScreen(conn)

	kb := &keyboard{min: setup.MinKeycode, max: setup.MaxKeycode}
	if err := kb.refresh(conn); err != nil {
		return err
	}

	wid, err := xproto.NewWindowId(conn)
	if err != nil {
		return err
	}
	const events = xproto.EventMaskExposure | xproto.EventMaskStructureNotify |
		xproto.EventMaskButtonPress | xproto.EventMaskButtonRelease |
		xproto.EventMaskPointerMotion | xproto.EventMaskKeyPress |
		xproto.EventMaskKeyRelease | xproto.EventMaskFocusChange
	err = xproto.CreateWindowChecked(conn, screen.RootDepth, wid, screen.Root,
		int16(cfg.X), int16(cfg.Y), uint16(cfg.W), uint16(cfg.H), 0,
		xproto.WindowClassInputOutput, screen.RootVisual,
		xproto.CwBackPixel|xproto.CwEventMask,
		[]uint32{screen.BlackPixel, events}).Check()
	if err != nil {
		return fmt.Errorf("create window: %w", err)
	}
	title := []byte(cfg.Title)
	xproto.ChangeProperty(conn, xproto.PropModeReplace, wid, xproto.AtomWmName,
		xproto.AtomString, 8, uint32(len(title)), title)
	// Ask a window manager, if any, to honour the requested position and size
	// (WM_NORMAL_HINTS with USPosition|USSize|PPosition|PSize).
	hints := make([]byte, 18*4)
	put := func(i int, v uint32) { xgb.Put32(hints[i*4:], v) }
	put(0, 1|2|4|8)
	put(1, uint32(cfg.X))
	put(2, uint32(cfg.Y))
	put(3, uint32(cfg.W))
	put(4, uint32(cfg.H))
	xproto.ChangeProperty(conn, xproto.PropModeReplace, wid, xproto.AtomWmNormalHints,
		xproto.AtomWmSizeHints, 32, 18, hints)

	gcs, err := quadrantGCs(conn, screen, wid)
	if err != nil {
		return err
	}
	paint := func() {
		w2, h2 := cfg.W/2, cfg.H/2
		rects := []xproto.Rectangle{
			{X: 0, Y: 0, Width: uint16(w2), Height: uint16(h2)},
			{X: int16(w2), Y: 0, Width: uint16(cfg.W - w2), Height: uint16(h2)},
			{X: 0, Y: int16(h2), Width: uint16(w2), Height: uint16(cfg.H - h2)},
			{X: int16(w2), Y: int16(h2), Width: uint16(cfg.W - w2), Height: uint16(cfg.H - h2)},
		}
		for i, gc := range gcs {
			xproto.PolyFillRectangle(conn, xproto.Drawable(wid), gc, rects[i:i+1])
		}
	}

	if err := xproto.MapWindowChecked(conn, wid).Check(); err != nil {
		return fmt.Errorf("map window: %w", err)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		conn.Close() // ends WaitForEvent below
	}()

	ready := false
	for {
		ev, xerr := conn.WaitForEvent()
		if ev == nil && xerr == nil {
			return nil // connection closed
		}
		if xerr != nil {
			log.Printf("testwindow: X error: %v", xerr)
			continue
		}
		switch e := ev.(type) {
		case xproto.MapNotifyEvent:
			if ready || e.Window != wid {
				continue
			}
			paint()
			// Take the focus: there is no window manager to give it to us.
			if err := xproto.SetInputFocusChecked(conn, xproto.InputFocusParent, wid,
				xproto.TimeCurrentTime).Check(); err != nil {
				return fmt.Errorf("set input focus: %w", err)
			}
			ready = true
			lg.write(record{Event: "ready", Window: uint32(wid),
				X: ptr(int16(cfg.X)), Y: ptr(int16(cfg.Y)), W: cfg.W, H: cfg.H})
			fmt.Println("READY")
		case xproto.ExposeEvent:
			if e.Count == 0 {
				paint()
			}
		case xproto.ButtonPressEvent:
			lg.write(pointerRecord("button_press", int(e.Detail), e.Time, e.EventX, e.EventY, e.RootX, e.RootY, e.State))
		case xproto.ButtonReleaseEvent:
			lg.write(pointerRecord("button_release", int(e.Detail), e.Time, e.EventX, e.EventY, e.RootX, e.RootY, e.State))
		case xproto.MotionNotifyEvent:
			lg.write(pointerRecord("motion", 0, e.Time, e.EventX, e.EventY, e.RootX, e.RootY, e.State))
		case xproto.KeyPressEvent:
			lg.write(keyRecord("key_press", kb, e.Detail, e.Time, e.EventX, e.EventY, e.RootX, e.RootY, e.State))
		case xproto.KeyReleaseEvent:
			lg.write(keyRecord("key_release", kb, e.Detail, e.Time, e.EventX, e.EventY, e.RootX, e.RootY, e.State))
		case xproto.FocusInEvent:
			lg.write(record{Event: "focus_in", Mode: ptr(int(e.Mode)), Detail: ptr(int(e.Detail))})
		case xproto.FocusOutEvent:
			lg.write(record{Event: "focus_out", Mode: ptr(int(e.Mode)), Detail: ptr(int(e.Detail))})
		case xproto.MappingNotifyEvent:
			// Sent to every client: refetch the mapping so that remapped
			// keycodes decode to their new keysyms.
			if e.Request != xproto.MappingPointer {
				if err := kb.refresh(conn); err != nil {
					return err
				}
			}
			lg.write(record{Event: "mapping_notify", Request: ptr(int(e.Request)),
				FirstKeycode: int(e.FirstKeycode), Count: int(e.Count)})
		}
	}
}

func pointerRecord(kind string, button int, t xproto.Timestamp, x, y, rx, ry int16, state uint16) record {
	return record{Event: kind, Button: button, Time: uint32(t),
		X: ptr(x), Y: ptr(y), RootX: ptr(rx), RootY: ptr(ry), State: ptr(state)}
}

func keyRecord(kind string, kb *keyboard, kc xproto.Keycode, t xproto.Timestamp, x, y, rx, ry int16, state uint16) record {
	sym := kb.lookup(kc, state)
	return record{Event: kind, Time: uint32(t), Keycode: int(kc), Keysym: uint32(sym),
		KeysymName: keysymName(sym), Text: ptr(keysymText(sym)),
		X: ptr(x), Y: ptr(y), RootX: ptr(rx), RootY: ptr(ry), State: ptr(state)}
}

// refresh fetches the whole keyboard and modifier mapping from the server.
func (k *keyboard) refresh(conn *xgb.Conn) error {
	count := int(k.max) - int(k.min) + 1
	km, err := xproto.GetKeyboardMapping(conn, k.min, byte(count)).Reply()
	if err != nil {
		return fmt.Errorf("get keyboard mapping: %w", err)
	}
	mm, err := xproto.GetModifierMapping(conn).Reply()
	if err != nil {
		return fmt.Errorf("get modifier mapping: %w", err)
	}
	k.per = int(km.KeysymsPerKeycode)
	k.syms = km.Keysyms
	per := int(mm.KeycodesPerModifier)
	for i := range k.modMap {
		k.modMap[i] = mm.Keycodes[i*per : (i+1)*per]
	}
	k.updateModifiers()
	return nil
}

// quadrantGCs allocates the four pattern colours and a graphics context for each.
func quadrantGCs(conn *xgb.Conn, screen *xproto.ScreenInfo, wid xproto.Window) ([]xproto.Gcontext, error) {
	colours := [][3]uint16{
		{0xffff, 0, 0},      // red, top-left
		{0, 0xffff, 0},      // green, top-right
		{0, 0, 0xffff},      // blue, bottom-left
		{0xffff, 0xffff, 0}, // yellow, bottom-right
	}
	var gcs []xproto.Gcontext
	for _, c := range colours {
		col, err := xproto.AllocColor(conn, screen.DefaultColormap, c[0], c[1], c[2]).Reply()
		if err != nil {
			return nil, fmt.Errorf("alloc colour: %w", err)
		}
		gc, err := xproto.NewGcontextId(conn)
		if err != nil {
			return nil, err
		}
		if err := xproto.CreateGCChecked(conn, gc, xproto.Drawable(wid),
			xproto.GcForeground, []uint32{col.Pixel}).Check(); err != nil {
			return nil, fmt.Errorf("create gc: %w", err)
		}
		gcs = append(gcs, gc)
	}
	if len(gcs) != 4 {
		return nil, errors.New("colour allocation failed")
	}
	return gcs, nil
}
