package input

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"

	"github.com/lifeline-support/lifeline/agent/supervise"
)

// spareReuseDelay is the least time between two remappings of one spare
// keycode. A client decodes a key event with the mapping it fetches after the
// MappingNotify that precedes the event; remapping the same keycode again
// before it has done so would make it decode the newer keysym. The spare
// keycodes are reused least recently used first, so this only delays text
// with more distinct unmapped characters than there are spare keycodes.
const spareReuseDelay = 150 * time.Millisecond

// maxSpare bounds how many unused keycodes the typer borrows for characters
// the keyboard layout cannot type.
const maxSpare = 32

// Keysyms used directly.
const (
	ksShiftL = 0xffe1
	ksReturn = 0xff0d
	ksTab    = 0xff09
)

// xkeyboard is this package's own X connection (pure Go, beside robotgo's
// Xlib one): it keeps a copy of the keyboard mapping to validate keys, fakes
// the keys robotgo cannot name, and types text by keysym.
//
// Methods other than present and keycode must be called only from the
// Robot's injecting goroutine.
type xkeyboard struct {
	conn     *xgb.Conn
	log      *slog.Logger
	journal  *supervise.Journal // told of keys and keycodes before they change
	min, max xproto.Keycode
	done     chan struct{} // closed when the event reader exits
	closing  atomic.Bool

	mu   sync.RWMutex // guards per, syms and have
	per  int
	syms []xproto.Keysym
	have map[xproto.Keysym]bool

	// Owned by the injecting goroutine.
	spare    []xproto.Keycode // least recently used first
	assigned map[xproto.Keycode]xproto.Keysym
	lastMap  map[xproto.Keycode]time.Time
}

func newXKeyboard(conn *xgb.Conn, log *slog.Logger, journal *supervise.Journal) (*xkeyboard, error) {
	setup := xproto.Setup(conn)
	k := &xkeyboard{
		conn:     conn,
		log:      log,
		journal:  journal,
		min:      setup.MinKeycode,
		max:      setup.MaxKeycode,
		done:     make(chan struct{}),
		assigned: map[xproto.Keycode]xproto.Keysym{},
		lastMap:  map[xproto.Keycode]time.Time{},
	}
	if err := k.refresh(); err != nil {
		return nil, err
	}
	mods, err := xproto.GetModifierMapping(conn).Reply()
	if err != nil {
		return nil, fmt.Errorf("get modifier mapping: %w", err)
	}
	isMod := map[xproto.Keycode]bool{}
	for _, kc := range mods.Keycodes {
		isMod[kc] = true
	}
	// Borrow unused keycodes from the top, as xdotool does.
	for kc := int(k.max); kc >= int(k.min) && len(k.spare) < maxSpare; kc-- {
		if !isMod[xproto.Keycode(kc)] && k.unused(xproto.Keycode(kc)) {
			k.spare = append(k.spare, xproto.Keycode(kc))
		}
	}
	go k.readEvents()
	return k, nil
}

// readEvents drains the connection's events (xgb blocks when nobody reads
// them) and refetches the mapping on every MappingNotify, which the server
// sends to all clients.
func (k *xkeyboard) readEvents() {
	defer close(k.done)
	for {
		ev, xerr := k.conn.WaitForEvent()
		if ev == nil && xerr == nil {
			return // connection closed
		}
		if xerr != nil && !k.closing.Load() {
			k.log.Warn("input: X error", "err", xerr)
			continue
		}
		if mn, ok := ev.(xproto.MappingNotifyEvent); ok && mn.Request != xproto.MappingPointer {
			if err := k.refresh(); err != nil && !k.closing.Load() {
				k.log.Warn("input: refresh keyboard mapping", "err", err)
			}
		}
	}
}

// refresh fetches the whole core keyboard mapping.
func (k *xkeyboard) refresh() error {
	count := int(k.max) - int(k.min) + 1
	km, err := xproto.GetKeyboardMapping(k.conn, k.min, byte(count)).Reply()
	if err != nil {
		return fmt.Errorf("get keyboard mapping: %w", err)
	}
	have := make(map[xproto.Keysym]bool, len(km.Keysyms))
	for _, s := range km.Keysyms {
		if s != 0 {
			have[s] = true
		}
	}
	k.mu.Lock()
	k.per, k.syms, k.have = int(km.KeysymsPerKeycode), km.Keysyms, have
	k.mu.Unlock()
	return nil
}

// present reports whether some key of the layout carries keysym s.
func (k *xkeyboard) present(s uint32) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.have[xproto.Keysym(s)]
}

// keycode returns a keycode carrying keysym s in column 0 or 1 (group 1
// without or with Shift) and that column; or, when anyCol is set, in any
// column. ok is false when no key carries it.
func (k *xkeyboard) keycode(s xproto.Keysym, anyCol bool) (kc xproto.Keycode, col int, ok bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	cols := k.per
	if !anyCol && cols > 2 {
		cols = 2
	}
	for c := 0; c < cols; c++ {
		for i := 0; i+k.per <= len(k.syms); i += k.per {
			if k.syms[i+c] == s {
				return k.min + xproto.Keycode(i/k.per), c, true
			}
		}
	}
	return 0, 0, false
}

// inRange reports whether kc is a keycode of this X server.
func (k *xkeyboard) inRange(kc xproto.Keycode) bool { return kc >= k.min && kc <= k.max }

func (k *xkeyboard) unused(kc xproto.Keycode) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	i := int(kc-k.min) * k.per
	for _, s := range k.syms[i : i+k.per] {
		if s != 0 {
			return false
		}
	}
	return true
}

// fake sends one XTEST key event and waits until the server has processed it,
// so it stays ordered with robotgo's events on the other connection.
func (k *xkeyboard) fake(kc xproto.Keycode, down bool) error {
	typ := byte(xproto.KeyRelease)
	if down {
		typ = xproto.KeyPress
		k.journal.Key(uint32(kc), true)
	}
	if err := xtest.FakeInputChecked(k.conn, typ, byte(kc), 0, 0, 0, 0, 0).Check(); err != nil {
		return err
	}
	if !down {
		k.journal.Key(uint32(kc), false)
	}
	return nil
}

// warp moves the pointer to x, y on X screen screen and waits until the
// server has processed it. It warps rather than fakes a motion: Xvfb ignores
// the root window of an XTEST motion, so that could not change screens.
func (k *xkeyboard) warp(screen, x, y int) error {
	roots := xproto.Setup(k.conn).Roots
	if screen < 0 || screen >= len(roots) {
		return fmt.Errorf("no X screen %d", screen)
	}
	return xproto.WarpPointerChecked(k.conn, 0, roots[screen].Root, 0, 0, 0, 0, int16(x), int16(y)).Check()
}

// toggleKeysym presses or releases the key carrying keysym s.
func (k *xkeyboard) toggleKeysym(s uint32, down bool) error {
	kc, _, ok := k.keycode(xproto.Keysym(s), true)
	if !ok {
		return fmt.Errorf("%w: keysym 0x%x", ErrKeyUnavailable, s)
	}
	return k.fake(kc, down)
}

func (k *xkeyboard) tap(kc xproto.Keycode) error {
	if err := k.fake(kc, true); err != nil {
		return err
	}
	return k.fake(kc, false)
}

// typeText types s character by character. "\r\n", "\r" and "\n" type
// Return, "\t" Tab; other control characters are skipped.
func (k *xkeyboard) typeText(s string) error {
	prevCR := false
	for _, r := range s {
		var sym xproto.Keysym
		switch {
		case r == '\n' && prevCR:
			prevCR = false
			continue
		case r == '\r' || r == '\n':
			sym = ksReturn
		case r == '\t':
			sym = ksTab
		case r < 0x20 || (r >= 0x7f && r < 0xa0):
			k.log.Debug("input: skipping control character in text", "rune", r)
			prevCR = false
			continue
		default:
			sym = runeKeysym(r)
		}
		prevCR = r == '\r'
		if err := k.typeKeysym(sym); err != nil {
			return fmt.Errorf("type %q: %w", r, err)
		}
	}
	return nil
}

// typeKeysym taps the key that types keysym s: a key of the layout (with
// Shift for its second column), or else a spare keycode remapped to s.
func (k *xkeyboard) typeKeysym(s xproto.Keysym) error {
	if kc, col, ok := k.keycode(s, false); ok {
		if col == 0 {
			return k.tap(kc)
		}
		if shift, _, ok := k.keycode(ksShiftL, true); ok {
			if err := k.fake(shift, true); err != nil {
				return err
			}
			err := k.tap(kc)
			return errors.Join(err, k.fake(shift, false))
		}
	}
	kc, err := k.spareFor(s)
	if err != nil {
		return err
	}
	return k.tap(kc)
}

// spareFor returns a spare keycode mapped to keysym s, mapping the least
// recently used one if none is yet. Both columns get s, so Shift and Caps
// Lock do not change it.
func (k *xkeyboard) spareFor(s xproto.Keysym) (xproto.Keycode, error) {
	for i, kc := range k.spare {
		if k.assigned[kc] == s && k.mappedTo(kc, s) {
			k.spare = append(append(k.spare[:i:i], k.spare[i+1:]...), kc) // most recent last
			return kc, nil
		}
	}
	for len(k.spare) > 0 {
		kc := k.spare[0]
		k.spare = k.spare[1:]
		if _, mine := k.assigned[kc]; !mine && !k.unused(kc) {
			continue // the layout took it over since: drop it from the pool
		}
		if mine := k.assigned[kc]; mine != 0 && !k.mappedTo(kc, mine) {
			delete(k.assigned, kc)
			continue
		}
		if wait := spareReuseDelay - time.Since(k.lastMap[kc]); wait > 0 {
			time.Sleep(wait)
		}
		if err := k.remap(kc, s); err != nil {
			return 0, err
		}
		k.assigned[kc] = s
		k.lastMap[kc] = time.Now()
		k.spare = append(k.spare, kc)
		return kc, nil
	}
	return 0, fmt.Errorf("%w: no unused keycode to map keysym 0x%x to", ErrKeyUnavailable, uint32(s))
}

func (k *xkeyboard) mappedTo(kc xproto.Keycode, s xproto.Keysym) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	i := int(kc-k.min) * k.per
	return k.per > 0 && k.syms[i] == s
}

// remap sets keycode kc to keysym s (0 clears it) and updates the local copy
// at once, before the MappingNotify comes back.
func (k *xkeyboard) remap(kc xproto.Keycode, s xproto.Keysym) error {
	k.mu.RLock()
	per := k.per
	k.mu.RUnlock()
	syms := make([]xproto.Keysym, per)
	if s != 0 {
		syms[0] = s
		if per > 1 {
			syms[1] = s
		}
	}
	if s != 0 {
		k.journal.Keymap(uint32(kc), uint32(s))
	}
	if err := xproto.ChangeKeyboardMappingChecked(k.conn, 1, kc, byte(per), syms).Check(); err != nil {
		return fmt.Errorf("change keyboard mapping: %w", err)
	}
	if s == 0 {
		k.journal.Keymap(uint32(kc), 0)
	}
	k.mu.Lock()
	i := int(kc-k.min) * k.per
	if k.per == per && i+per <= len(k.syms) {
		fresh := append([]xproto.Keysym(nil), k.syms...) // refresh may share the old slice
		copy(fresh[i:i+per], syms)
		k.syms = fresh
		if s != 0 {
			have := make(map[xproto.Keysym]bool, len(k.have)+1)
			for ks := range k.have {
				have[ks] = true
			}
			have[s] = true
			k.have = have
		}
	}
	k.mu.Unlock()
	return nil
}

// restore clears the spare keycodes this typer mapped.
func (k *xkeyboard) restore() error {
	var errs []error
	for kc, s := range k.assigned {
		if k.mappedTo(kc, s) {
			errs = append(errs, k.remap(kc, 0))
		}
		delete(k.assigned, kc)
	}
	return errors.Join(errs...)
}

// close closes the connection and waits for the event reader.
func (k *xkeyboard) close() {
	k.closing.Store(true)
	k.conn.Close()
	<-k.done
}

// runeKeysym returns the keysym that types r: Latin-1 keysyms equal their
// code points, all other characters use the Unicode keysyms 0x01000000+r.
func runeKeysym(r rune) xproto.Keysym {
	if (r >= 0x20 && r <= 0x7e) || (r >= 0xa0 && r <= 0xff) {
		return xproto.Keysym(r)
	}
	return xproto.Keysym(0x01000000 + r)
}
