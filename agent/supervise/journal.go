package supervise

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// Journal is the worker's side of the pipe to its supervisor: it records,
// before they happen, the keys and buttons the worker presses, the keycodes it
// remaps and the partial files it creates, and their undoing after they
// happened. So whatever the worker's end, the supervisor knows what to undo.
//
// A nil *Journal records nothing (the agent runs without a supervisor, or in
// tests). Methods are safe for concurrent use; a write that fails (the
// supervisor is gone) is ignored.
type Journal struct {
	mu sync.Mutex
	w  io.Writer
}

// NewJournal returns a Journal writing to w.
func NewJournal(w io.Writer) *Journal { return &Journal{w: w} }

// Record kinds: one line each, "<kind> <argument>".
const (
	recKeyDown    = "k+" // X keycode (Windows: virtual key)
	recKeyUp      = "k-"
	recButtonDown = "b+" // X button number, 1 left, 2 middle, 3 right
	recButtonUp   = "b-"
	recKeymap     = "m"  // "<keycode> <keysym>", keysym 0: cleared again
	recPartial    = "f+" // quoted path of a partial file
	recPartialEnd = "f-"
	recEnd        = "end" // the worker cleaned up and is exiting normally
)

func (j *Journal) write(kind string, args ...string) {
	if j == nil {
		return
	}
	line := kind
	if len(args) > 0 {
		line += " " + strings.Join(args, " ")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	_, _ = io.WriteString(j.w, line+"\n")
}

func u32(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

// Key records that key code is about to go down, or has gone up.
func (j *Journal) Key(code uint32, down bool) {
	if down {
		j.write(recKeyDown, u32(code))
	} else {
		j.write(recKeyUp, u32(code))
	}
}

// Button records that X button b (1 left, 2 middle, 3 right) is about to go
// down, or has gone up.
func (j *Journal) Button(b int, down bool) {
	if down {
		j.write(recButtonDown, strconv.Itoa(b))
	} else {
		j.write(recButtonUp, strconv.Itoa(b))
	}
}

// Keymap records that keycode is about to carry keysym (it carried none
// before), or, with keysym 0, that it has been cleared again.
func (j *Journal) Keymap(keycode, keysym uint32) { j.write(recKeymap, u32(keycode), u32(keysym)) }

// Partial records that the partial file at path is about to be created, or,
// with done, that it is gone (renamed to its final name or removed).
func (j *Journal) Partial(path string, done bool) {
	if done {
		j.write(recPartialEnd, strconv.Quote(path))
	} else {
		j.write(recPartial, strconv.Quote(path))
	}
}

// End records that the worker has undone everything and is exiting normally.
func (j *Journal) End() { j.write(recEnd) }

// Leftovers is what a worker left behind: the supervisor's view of its journal.
type Leftovers struct {
	// Keys and Buttons are held down: keys by X keycode on Linux, by scan
	// code (0xE0xx: extended) on Windows, as the worker pressed them.
	Keys    map[uint32]bool
	Buttons map[int]bool
	// Keymap maps keycodes the worker remapped to the keysym they carry.
	Keymap map[uint32]uint32
	// Partials are the partial files not yet renamed or removed.
	Partials map[string]bool
	// Ended is set when the worker said it exited normally.
	Ended bool
}

// Empty reports whether nothing is left to undo.
func (l *Leftovers) Empty() bool {
	return len(l.Keys) == 0 && len(l.Buttons) == 0 && len(l.Keymap) == 0 && len(l.Partials) == 0
}

// ReadJournal reads records from r until it ends (the worker exited, whatever
// the way) and returns what is left to undo. Unreadable lines are skipped.
func ReadJournal(r io.Reader) *Leftovers {
	l := &Leftovers{Keys: map[uint32]bool{}, Buttons: map[int]bool{}, Keymap: map[uint32]uint32{}, Partials: map[string]bool{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<16)
	for sc.Scan() {
		l.apply(sc.Text())
	}
	return l
}

func (l *Leftovers) apply(line string) {
	kind, arg, _ := strings.Cut(line, " ")
	num := func(s string) (uint32, bool) {
		v, err := strconv.ParseUint(s, 10, 32)
		return uint32(v), err == nil
	}
	switch kind {
	case recKeyDown, recKeyUp:
		if v, ok := num(arg); ok {
			setOrDelete(l.Keys, v, kind == recKeyDown)
		}
	case recButtonDown, recButtonUp:
		if v, ok := num(arg); ok && v >= 1 && v <= 5 {
			setOrDelete(l.Buttons, int(v), kind == recButtonDown)
		}
	case recKeymap:
		a, b, _ := strings.Cut(arg, " ")
		kc, ok1 := num(a)
		sym, ok2 := num(b)
		if ok1 && ok2 {
			if sym == 0 {
				delete(l.Keymap, kc)
			} else {
				l.Keymap[kc] = sym
			}
		}
	case recPartial, recPartialEnd:
		if p, err := strconv.Unquote(arg); err == nil && p != "" {
			setOrDelete(l.Partials, p, kind == recPartial)
		}
	case recEnd:
		l.Ended = true
	}
}

func setOrDelete[K comparable](m map[K]bool, k K, set bool) {
	if set {
		m[k] = true
	} else {
		delete(m, k)
	}
}

// String summarises the leftovers for the log.
func (l *Leftovers) String() string {
	return fmt.Sprintf("%d keys, %d buttons, %d keymap entries, %d partial files", len(l.Keys), len(l.Buttons), len(l.Keymap), len(l.Partials))
}
