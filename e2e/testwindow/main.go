// Command testwindow opens an X11 window with a known four-colour pattern and
// logs every input it receives as JSON lines, for end-to-end tests. Built for
// Windows it opens a Win32 window instead (win32_windows.go): the tests run
// it under Wine as the target of the Windows agent's SendInput.
//
// The window is filled with four flat quadrants — red #FF0000 top-left, green
// #00FF00 top-right, blue #0000FF bottom-left, yellow #FFFF00 bottom-right —
// that survive video compression. It takes the input focus itself, since
// Xvfb runs no window manager. When the window is mapped, painted and focused
// it prints READY on stdout. Each received event is written to -log as one
// JSON object per line, flushed immediately; see [record] for the fields.
//
// Usage:
//
//	testwindow -x 100 -y 80 -w 400 -h 300 -log events.jsonl
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
)

// config holds the command-line flags.
type config struct {
	X, Y, W, H int
	Log        string
	Title      string
	Display    string
}

func main() {
	var cfg config
	flag.IntVar(&cfg.X, "x", 100, "window left edge on the root window, in pixels")
	flag.IntVar(&cfg.Y, "y", 100, "window top edge on the root window, in pixels")
	flag.IntVar(&cfg.W, "w", 400, "window width in pixels")
	flag.IntVar(&cfg.H, "h", 300, "window height in pixels")
	flag.StringVar(&cfg.Log, "log", "", "file to write the JSON-lines event log to (default stderr)")
	flag.StringVar(&cfg.Title, "title", "lifeline-testwindow", "window title (WM_NAME)")
	flag.StringVar(&cfg.Display, "display", "", "X display (default $DISPLAY)")
	flag.Parse()

	if err := run(cfg); err != nil {
		log.SetFlags(0)
		log.Fatalf("testwindow: %v", err)
	}
}

// record is one line of the event log. Fields that do not apply to an event
// kind are left out; coordinates are always present on pointer and key events.
type record struct {
	// Event is ready, button_press, button_release, motion, key_press,
	// key_release, focus_in, focus_out or mapping_notify.
	Event string `json:"event"`
	// Time is the X server timestamp in milliseconds.
	Time uint32 `json:"time,omitempty"`
	// X and Y are window-relative, RootX and RootY root-window coordinates.
	X     *int16 `json:"x,omitempty"`
	Y     *int16 `json:"y,omitempty"`
	RootX *int16 `json:"root_x,omitempty"`
	RootY *int16 `json:"root_y,omitempty"`
	// State is the core modifier and button mask before the event.
	State *uint16 `json:"state,omitempty"`
	// Button is the X button number (1 left, 2 middle, 3 right, 4/5 wheel
	// up/down, 6/7 wheel left/right).
	Button int `json:"button,omitempty"`
	// Keycode, Keysym and KeysymName describe a key event; Text is the
	// character it types with the current mapping and modifiers ("" for
	// function keys and modifiers; Control is not applied).
	Keycode    int     `json:"keycode,omitempty"`
	Keysym     uint32  `json:"keysym,omitempty"`
	KeysymName string  `json:"keysym_name,omitempty"`
	Text       *string `json:"text,omitempty"`
	// Mode and Detail are the focus event's mode and detail.
	Mode   *int `json:"mode,omitempty"`
	Detail *int `json:"detail,omitempty"`
	// FirstKeycode and Count are the MappingNotify range; Request is 0
	// modifier, 1 keyboard, 2 pointer.
	Request      *int `json:"request,omitempty"`
	FirstKeycode int  `json:"first_keycode,omitempty"`
	Count        int  `json:"count,omitempty"`
	// Window, W and H appear on the ready line.
	Window uint32 `json:"window,omitempty"`
	W      int    `json:"w,omitempty"`
	H      int    `json:"h,omitempty"`
}

// logger writes records, one Write per line, so every line reaches the file at once.
type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *logger) write(r record) {
	b, err := json.Marshal(r)
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(append(b, '\n'))
}

func ptr[T any](v T) *T { return &v }

// openLog checks the window's size and opens the event log (stderr when
// cfg.Log is empty); close closes it.
func openLog(cfg config) (lg *logger, close func(), err error) {
	if cfg.W <= 0 || cfg.H <= 0 || cfg.W > 65535 || cfg.H > 65535 {
		return nil, nil, fmt.Errorf("bad size %dx%d", cfg.W, cfg.H)
	}
	if cfg.Log == "" {
		return &logger{w: os.Stderr}, func() {}, nil
	}
	f, err := os.OpenFile(cfg.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, err
	}
	return &logger{w: f}, func() { f.Close() }, nil
}
