// Package privacy keeps the windows the customer marks as private from the
// technician. The customer chooses them on their page (one by one, or a
// preset by program: password managers and mail); the agent paints each
// one's visible area with a neutral pattern, a padlock and "Private window"
// in every captured frame before it is encoded (and in every screenshot), so
// those pixels never leave the computer; and the technician's clicks and
// keys aimed at a private window are refused.
//
// The system's windows come from a Desktop (X11: x11_linux.go; Windows:
// win32_windows.go); the rules here are the same for every system.
package privacy

import (
	"bytes"
	"image"
	"image/png"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
	xdraw "golang.org/x/image/draw"

	"github.com/lifeline-support/lifeline/agent/input"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/text"
)

// Lengths, in characters, of what the customer's page shows of a window.
const (
	MaxTitle   = 120
	MaxProgram = 60
)

// DefaultPrograms are the programs the preset hides ("password manager,
// banking and mail"), by the lower-case program name the system gives
// (X11: either part of WM_CLASS; Windows: the executable's name without
// ".exe"). Banking happens in a browser: the customer hides that window
// itself.
var DefaultPrograms = []string{
	"keepassxc", "keepass", "keepass2", "1password", "bitwarden", "enpass",
	"kwalletmanager5", "seahorse", "thunderbird", "evolution", "geary",
	"kmail", "mailspring", "outlook",
}

// TopLevel is one window on the customer's screen, as the system stacks it.
type TopLevel struct {
	// ID is the window the customer marks (X11: the application's window).
	ID uint64
	// Frame is the top-level window that holds it on the screen (X11: the
	// window manager's frame, or ID itself without one).
	Frame uint64
	// Title and Program are as the system gives them: any text at all.
	Title, Program string
	// Names are other names of the program the preset knows it by (X11:
	// WM_CLASS has two).
	Names []string
	// Rect is where it is on the screen, frame and decorations included.
	Rect image.Rectangle
	// Shape is its opaque parts, in screen coordinates, when the window is
	// shaped (X SHAPE); nil means all of Rect.
	Shape []image.Rectangle
	// Occludes says that it hides what is below it. Menus, tooltips and the
	// agent's own overlay (override-redirect on X11) do not count: a private
	// window under them stays masked.
	Occludes bool
	// Listed says that it is an application's window the customer can mark.
	Listed bool
	// Owner is the running program that made the window (X11: the X client
	// its ID comes from; Windows: the process), 0 if unknown. A window not
	// listed (a menu, a tooltip, a popup) of the same owner as a private
	// window is private with it: it shows the program's contents too. (A
	// program's popup that belongs to another of its windows, not private,
	// is masked as well: the safe side.)
	Owner uint64
	// Icon says that the system has, or may have, the program's picture
	// for it (see Icons; Windows only knows when asked).
	Icon bool
}

// ScreenOrigin is where the top-left corner of screen n (X11: X screen n;
// other systems have one, 0) is in the coordinates of Layout: the screens
// side by side, 65536 pixels apart (X's coordinates are 16-bit), so that
// no window of one overlaps another's.
func ScreenOrigin(n int) image.Point { return image.Pt(n<<16, 0) }

// Layout is the screens' windows at one moment, bottom to top.
type Layout struct {
	// Screen is the whole of screen 0, in the coordinates of Rect.
	Screen image.Rectangle
	// Windows are the windows shown, bottom to top (those of one screen
	// among themselves), each screen's at its ScreenOrigin.
	Windows []TopLevel
	// Changed says that windows moved, resized, appeared, disappeared or
	// were restacked since the last Sync.
	Changed bool
	// Passed holds rectangles that windows (by Frame) held between the last
	// Sync and this one: a frame captured in between may show them there.
	Passed map[uint64][]image.Rectangle
}

// Desktop is the system's windows: the operating system's side (X11:
// NewX11). Its methods are called with Privacy's lock held, one at a time.
type Desktop interface {
	// Sync returns the layout as it is now: whatever the screen showed
	// before the call is reflected in it or in its Passed rectangles.
	Sync() (Layout, error)
	// Focus returns the Frame of the window that receives the keyboard now,
	// 0 if none is known.
	Focus() (uint64, error)
	// Close releases the Desktop.
	Close() error
}

// Icons is a Desktop that has programs' pictures for their windows (X11:
// _NET_WM_ICON). Its method is called with Privacy's lock held.
type Icons interface {
	// Icon returns the picture of listed window id (TopLevel.ID), as near
	// IconSize as the program has it.
	Icon(id uint64) (image.Image, error)
}

// IconSize is the width and height, in pixels, of the icons the customer's
// page shows: larger pictures are scaled down to it.
const IconSize = 32

// Config configures a Privacy.
type Config struct {
	// Desktop lists the windows (required).
	Desktop Desktop
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Lang is the language of the label drawn on private windows.
	Lang i18n.Lang
	// Programs are the programs the preset hides; nil means
	// DefaultPrograms.
	Programs []string
}

// Privacy masks the customer's private windows and refuses input aimed at
// them. It is a session.Feature (with no channel of its own), an input
// filter of the session's one grants gate, and the "Hide windows" panel of
// the customer's page. Its methods are safe for concurrent use.
type Privacy struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex      // guards everything below, and every Desktop call
	explicit map[uint64]bool // the customer's choice per window, over the preset
	preset   bool
	chosen   bool     // the customer set the preset (the organisation's default no longer does)
	org      []string // the organisation's private programs, added to the preset's
	layout   Layout
	exact    []image.Rectangle // visible parts of private windows (and their programs' popups) in layout
	whole    []image.Rectangle // their rectangles in layout
	frames   map[uint64]bool   // their Frames in layout
	stale    bool              // the choices changed since exact was made
	failed   bool              // the last Sync failed
	recent   []change          // changes of windows of the last changeTTL
	paint    painter
	last     map[int]painted // what Mask painted in each screen's last frame
	changes  chan struct{}   // receives when the customer's choices change
}

// New returns a Privacy over cfg.Desktop.
func New(cfg Config) *Privacy {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Programs == nil {
		cfg.Programs = DefaultPrograms
	}
	return &Privacy{cfg: cfg, log: cfg.Logger.With("component", "privacy"), explicit: map[uint64]bool{}, stale: true,
		changes: make(chan struct{}, 1)}
}

// Changes receives (at most one value pending) after the customer's or
// the organisation's choices changed: a still screen, which is not
// captured again until something is drawn, is to be captured and masked
// anew at once. One reader.
func (p *Privacy) Changes() <-chan struct{} { return p.changes }

// choicesChanged marks the masks stale and says so on Changes. p.mu must
// be held.
func (p *Privacy) choicesChanged() {
	p.stale = true
	select {
	case p.changes <- struct{}{}:
	default:
	}
}

// Close closes the Desktop. It is idempotent if the Desktop's Close is.
func (p *Privacy) Close() error { return p.cfg.Desktop.Close() }

// Handles reports false: private windows have no data channel.
func (p *Privacy) Handles(string) bool { return false }

// Attach does nothing: no channel is ever handed over.
func (p *Privacy) Attach(*webrtc.DataChannel) {}

// SetGrants does nothing: the customer's choices hold whatever they allow.
func (p *Privacy) SetGrants(protocol.Permissions) {}

// private reports whether w is private now. p.mu must be held.
func (p *Privacy) private(w TopLevel) bool {
	if on, ok := p.explicit[w.ID]; ok {
		return on
	}
	return p.preset && (p.inPreset(w.Program) || slices.ContainsFunc(w.Names, p.inPreset))
}

// inPreset reports whether program is one of the preset's or the
// organisation's. p.mu must be held.
func (p *Privacy) inPreset(program string) bool {
	name := strings.ToLower(strings.TrimSpace(program))
	return slices.Contains(p.cfg.Programs, name) || slices.Contains(p.org, name)
}

// programs lists the preset's programs and the organisation's.
func (p *Privacy) programs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := slices.Clone(p.cfg.Programs)
	for _, n := range p.org {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// SetOrgPrograms adds the organisation's private programs (from the
// server's welcome) to the preset's, and turns the preset on unless the
// customer already chose: the organisation's windows are hidden from the
// start, and the customer may still show any of them. A list that is not
// one (protocol.CheckPrograms) is ignored: it can only come from a broken
// or hostile server.
func (p *Privacy) SetOrgPrograms(names []string) {
	if err := protocol.CheckPrograms(names); err != nil {
		p.log.Warn("the organisation's private programs ignored", "err", err)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.org = slices.Clone(names)
	if len(names) > 0 && !p.chosen {
		p.preset = true
	}
	p.choicesChanged()
}

// anyPrivate reports whether any window may be private: if not, frames
// need no Sync at all. p.mu must be held.
func (p *Privacy) anyPrivate() bool {
	if p.preset {
		return true
	}
	for _, on := range p.explicit {
		if on {
			return true
		}
	}
	return false
}

// changeTTL is how long the rectangles of a change of windows stay masked
// in every frame: a frame captured before a change and masked after it (a
// capture and its masking follow each other at once, but a busy machine may
// pause a goroutine in between) shows the windows as they were.
const changeTTL = time.Second

// change is where private windows were, are, and passed in between, seen
// by one Sync that found windows changed.
type change struct {
	at    time.Time
	rects []image.Rectangle
}

// sync reads the layout. When windows changed, it keeps, for changeTTL,
// all of each private window where it was, where it is and wherever it
// passed in between: a frame captured a moment ago may show any of those
// moments. p.mu must be held.
func (p *Privacy) sync() error {
	l, err := p.cfg.Desktop.Sync()
	if err != nil {
		if !p.failed {
			p.log.Warn("windows unreadable: the whole screen is masked while any window is private", "err", err)
		}
		p.failed = true
		return err
	}
	p.failed = false
	before, beforeFrames := p.whole, p.frames
	if l.Changed || p.stale {
		p.layout = l
		p.exact, p.whole, p.frames = nil, nil, map[uint64]bool{}
		owners := map[uint64]bool{}
		for _, w := range l.Windows {
			if w.Listed && w.Owner != 0 && p.private(w) {
				owners[w.Owner] = true
			}
		}
		for i, w := range l.Windows {
			if w.Listed && !p.private(w) || !w.Listed && (w.Owner == 0 || !owners[w.Owner]) {
				continue
			}
			p.exact = append(p.exact, visible(l.Windows, i)...)
			p.whole = append(p.whole, w.Rect)
			p.frames[w.Frame] = true
		}
		p.stale = false
	}
	if l.Changed {
		c := change{at: time.Now(), rects: slices.Concat(p.whole, before)}
		for f, rs := range l.Passed {
			if p.frames[f] || beforeFrames[f] {
				c.rects = append(c.rects, rs...)
			}
		}
		p.recent = append(p.recent, c)
	}
	return nil
}

// Mask paints the private windows in a 32-bit frame (BGRX or RGBA: the
// pattern is grey) of bounds in the coordinates of screen 0, captured just
// before: nothing of them is left for the encoder, a screenshot or anything
// after. If the windows cannot be read while any is private, the whole
// frame is painted. With no private window it costs nothing. It reports
// whether what it painted differs from what it painted in the last frame
// of the screen: a capture that did not change is then a new picture all
// the same (a window hidden, or shown again, on a still screen).
func (p *Privacy) Mask(pix []byte, stride int, bounds image.Rectangle) (changed bool) {
	return p.MaskScreen(0, pix, stride, bounds)
}

// MaskScreen is Mask for a frame of screen n (X11: X screen n), bounds in
// that screen's coordinates: a private window on another monitor is
// masked there too.
func (p *Privacy) MaskScreen(n int, pix []byte, stride int, bounds image.Rectangle) (changed bool) {
	return p.mask(n, pix, stride, bounds, true)
}

// MaskRGBA is Mask for an image such as a screenshot (no frame of the
// stream: the next frame's report is left alone).
func (p *Privacy) MaskRGBA(img *image.RGBA) { p.mask(0, img.Pix, img.Stride, img.Rect, false) }

// painted is what Mask painted in a screen's last frame.
type painted struct{ mask, labels []image.Rectangle }

// mask is Mask, MaskScreen and MaskRGBA; track says to compare with, and
// keep as, the screen's last frame's painting.
func (p *Privacy) mask(n int, pix []byte, stride int, bounds image.Rectangle, track bool) (changed bool) {
	bounds = bounds.Add(ScreenOrigin(n))
	p.mu.Lock()
	defer p.mu.Unlock()
	var mask, labels []image.Rectangle
	if p.anyPrivate() {
		mask = []image.Rectangle{bounds}
		if p.sync() == nil {
			mask, labels = p.exact, p.whole
			p.recent = slices.DeleteFunc(p.recent, func(c change) bool { return time.Since(c.at) > changeTTL })
			for _, c := range p.recent {
				mask = append(mask[:len(mask):len(mask)], c.rects...)
			}
		}
		p.paint.ensure(bounds.Dx(), i18n.T(p.cfg.Lang, "agent.privacy.placeholder"))
		p.paint.paint(pix, stride, bounds, mask, labels)
	}
	if !track {
		return false
	}
	last := p.last[n]
	if slices.Equal(last.mask, mask) && slices.Equal(last.labels, labels) {
		return false
	}
	if p.last == nil {
		p.last = map[int]painted{}
	}
	p.last[n] = painted{slices.Clone(mask), slices.Clone(labels)}
	return true
}

// RefusesInput reports whether the technician's event must be refused
// because it is aimed at a private window: a button press or a wheel turn
// on its visible part, a key pressed or text typed while it has the
// keyboard. Moves and releases pass (nothing stays held down), and so does
// everything else. area is the monitor positions are fractions of (nil: the
// whole screen). The session's grants gate asks it for every event.
func (p *Privacy) RefusesInput(ev protocol.InputEvent, area *protocol.Monitor) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.anyPrivate() {
		return false
	}
	switch {
	case ev.Kind == protocol.InputButton && ev.Down, ev.Kind == protocol.InputWheel:
		if err := p.sync(); err != nil {
			return true
		}
		r := p.layout.Screen
		if area != nil && area.W > 0 && area.H > 0 {
			r = image.Rect(area.X, area.Y, area.X+area.W, area.Y+area.H).Add(ScreenOrigin(area.Screen))
		}
		at := input.At(ev, r)
		for _, v := range p.exact {
			if at.In(v) {
				return true
			}
		}
		return false
	case (ev.Kind == protocol.InputKey || ev.Kind == protocol.InputScan) && ev.Down, ev.Kind == protocol.InputText:
		if err := p.sync(); err != nil {
			return true
		}
		f, err := p.cfg.Desktop.Focus()
		if err != nil {
			return true
		}
		return f != 0 && p.frames[f]
	}
	return false
}

// Window is one window as the customer's page lists it.
type Window struct {
	ID      uint64 `json:"id,string"`
	Title   string `json:"title"`
	Program string `json:"program"`
	Private bool   `json:"private"`
	// Icon says that Icon has, or may have, the program's picture for it.
	Icon bool `json:"icon,omitempty"`
}

// Windows lists the application windows on the screen now, top first, with
// their titles and programs made safe to show (text.Shown).
func (p *Privacy) Windows() ([]Window, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.sync(); err != nil {
		return nil, err
	}
	var out []Window
	for _, w := range slices.Backward(p.layout.Windows) {
		if w.Listed {
			_, icons := p.cfg.Desktop.(Icons)
			out = append(out, Window{ID: w.ID, Title: text.Shown(w.Title, MaxTitle), Program: text.Shown(w.Program, MaxProgram),
				Private: p.private(w), Icon: icons && w.Icon})
		}
	}
	return out, nil
}

// SetPrivate marks the window id private or not, over the preset. It fails
// with ErrUnknownWindow if no such window is on the screen.
func (p *Privacy) SetPrivate(id uint64, on bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.sync(); err != nil {
		return err
	}
	if !slices.ContainsFunc(p.layout.Windows, func(w TopLevel) bool { return w.Listed && w.ID == id }) {
		return ErrUnknownWindow
	}
	p.explicit[id] = on
	p.choicesChanged()
	p.log.Info("window privacy set by the customer", "window", id, "private", on)
	return nil
}

// Preset reports whether the preset is on.
func (p *Privacy) Preset() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.preset }

// SetPreset turns the preset on or off: the preset's programs' windows,
// those open now and those opened later, are private while it is on
// (unless the customer chose otherwise for one of them).
func (p *Privacy) SetPreset(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.preset, p.chosen = on, true
	p.choicesChanged()
	p.log.Info("private-window preset set by the customer", "on", on)
}

// HideAt marks private the application window the customer sees at pt on
// screen 0 (the one they clicked, from the badge's "Hide a window"): the
// topmost listed window whose visible part holds pt. It fails with
// ErrUnknownWindow if none does (the desktop, a menu).
func (p *Privacy) HideAt(pt image.Point) (Window, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.sync(); err != nil {
		return Window{}, err
	}
	ws := p.layout.Windows
	for i := len(ws) - 1; i >= 0; i-- {
		w := ws[i]
		if !w.Listed || !pt.In(w.Rect) || !slices.ContainsFunc(visible(ws, i), pt.In) {
			continue
		}
		p.explicit[w.ID] = true
		p.choicesChanged()
		p.log.Info("window hidden by the customer from the badge", "window", w.ID)
		return Window{ID: w.ID, Title: text.Shown(w.Title, MaxTitle), Program: text.Shown(w.Program, MaxProgram), Private: true}, nil
	}
	return Window{}, ErrUnknownWindow
}

// Icon returns the program's picture for listed window id as a PNG at most
// IconSize pixels wide and high. It fails with ErrUnknownWindow if no such
// window is listed or the system has no picture for it.
func (p *Privacy) Icon(id uint64) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d, ok := p.cfg.Desktop.(Icons)
	if !ok || !slices.ContainsFunc(p.layout.Windows, func(w TopLevel) bool { return w.Listed && w.ID == id && w.Icon }) {
		return nil, ErrUnknownWindow
	}
	img, err := d.Icon(id)
	if err != nil {
		return nil, err
	}
	if b := img.Bounds(); b.Dx() > IconSize || b.Dy() > IconSize {
		n := max(b.Dx(), b.Dy()) // kept in proportion
		small := image.NewNRGBA(image.Rect(0, 0, max(1, b.Dx()*IconSize/n), max(1, b.Dy()*IconSize/n)))
		xdraw.CatmullRom.Scale(small, small.Rect, img, b, xdraw.Src, nil)
		img = small
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
