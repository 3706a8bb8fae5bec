package privacy

import (
	"errors"
	"image"
	"image/color"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// fakeDesktop is the operating system's side: a list of windows the test
// moves around.
type fakeDesktop struct {
	mu      sync.Mutex
	layout  Layout
	focus   uint64
	err     error
	changed bool
	passed  map[uint64][]image.Rectangle
}

func (d *fakeDesktop) Sync() (Layout, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return Layout{}, d.err
	}
	l := d.layout
	l.Windows = append([]TopLevel(nil), l.Windows...)
	l.Changed, l.Passed = d.changed, d.passed
	d.changed, d.passed = false, nil
	return l, nil
}

func (d *fakeDesktop) Focus() (uint64, error) { return d.focus, nil }
func (d *fakeDesktop) Close() error           { return nil }

// move puts window id at r, as a customer dragging it would.
func (d *fakeDesktop) move(id uint64, r image.Rectangle) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, w := range d.layout.Windows {
		if w.ID == id {
			if d.passed == nil {
				d.passed = map[uint64][]image.Rectangle{}
			}
			d.passed[w.Frame] = append(d.passed[w.Frame], r)
			d.layout.Windows[i].Rect = r
		}
	}
	d.changed = true
}

var screenRect = image.Rect(0, 0, 640, 480)

func win(id uint64, program string, r image.Rectangle) TopLevel {
	return TopLevel{ID: id, Frame: id, Title: "window " + program, Program: program, Rect: r, Occludes: true, Listed: true}
}

// desktop: a mail client at (100,100)-(400,300), half covered by an editor
// above it at (300,50)-(600,250).
func desktop() *fakeDesktop {
	return &fakeDesktop{layout: Layout{Screen: screenRect, Windows: []TopLevel{
		win(1, "thunderbird", image.Rect(100, 100, 400, 300)),
		win(2, "gedit", image.Rect(300, 50, 600, 250)),
	}}}
}

// frame is a screen of one known colour (BGRX), as the capture gives.
func frame(c byte) *image.RGBA {
	img := image.NewRGBA(screenRect)
	for i := range img.Pix {
		img.Pix[i] = c
	}
	return img
}

// untouched reports whether p still has the frame's colour c.
func untouched(img *image.RGBA, p image.Point, c byte) bool {
	return img.RGBAAt(p.X, p.Y) == color.RGBA{c, c, c, c}
}

func TestMaskPaintsOnlyTheVisiblePartOfAPrivateWindow(t *testing.T) {
	d := desktop()
	p := New(Config{Desktop: d, Lang: i18n.EN})
	img := frame(0xc8)
	p.MaskRGBA(img)
	if !untouched(img, image.Pt(150, 150), 0xc8) {
		t.Fatal("a frame with no private window was painted")
	}
	if err := p.SetPrivate(1, true); err != nil {
		t.Fatal(err)
	}
	p.MaskRGBA(img)
	for _, c := range []struct {
		at     image.Point
		masked bool
		what   string
	}{
		{image.Pt(101, 101), true, "top-left corner of the private window"},
		{image.Pt(299, 299), true, "bottom of the private window"},
		{image.Pt(350, 280), true, "part of the private window below the editor"},
		{image.Pt(350, 150), false, "the editor over the private window"},
		{image.Pt(99, 150), false, "left of the private window"},
		{image.Pt(500, 400), false, "the desktop"},
	} {
		if got := !untouched(img, c.at, 0xc8); got != c.masked {
			t.Errorf("%s at %v: masked %v, want %v", c.what, c.at, got, c.masked)
		}
	}
	// The pattern is grey (the same in BGRX and RGBA) and opaque.
	if px := img.RGBAAt(101, 101); px.R != px.G || px.G != px.B || px.A != 0xff {
		t.Errorf("mask pixel %v is not an opaque grey", px)
	}
}

func TestMaskFollowsAMoveAndCoversWhereTheWindowWas(t *testing.T) {
	d := desktop()
	p := New(Config{Desktop: d, Lang: i18n.EN})
	if err := p.SetPrivate(1, true); err != nil {
		t.Fatal(err)
	}
	p.MaskRGBA(frame(0xc8))
	// Dragged through (50,320) to (20,330)-(220,470), made smaller.
	d.move(1, image.Rect(50, 320, 350, 520))
	d.move(1, image.Rect(20, 330, 220, 470))
	img := frame(0xc8)
	p.MaskRGBA(img)
	for _, at := range []image.Point{{150, 150}, {300, 470}, {30, 400}} {
		if untouched(img, at, 0xc8) {
			t.Errorf("%v: a frame captured while the window moved shows where it was, passed or is; unmasked", at)
		}
	}
	// Once the move is old, only where it is now.
	p.mu.Lock()
	p.recent = nil
	p.mu.Unlock()
	img = frame(0xc8)
	p.MaskRGBA(img)
	if !untouched(img, image.Pt(150, 150), 0xc8) {
		t.Error("the old place is still masked after the move settled")
	}
	if untouched(img, image.Pt(30, 400), 0xc8) {
		t.Error("the new place is not masked")
	}
	if !untouched(img, image.Pt(300, 460), 0xc8) {
		t.Error("the resized window's old size is still masked")
	}
}

func TestMaskedWholeFrameWhenWindowsCannotBeRead(t *testing.T) {
	d := desktop()
	p := New(Config{Desktop: d, Lang: i18n.EN})
	if err := p.SetPrivate(1, true); err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	d.err = errors.New("X connection lost")
	d.mu.Unlock()
	img := frame(0xc8)
	p.MaskRGBA(img)
	for _, at := range []image.Point{{0, 0}, {500, 400}, {150, 150}} {
		if untouched(img, at, 0xc8) {
			t.Errorf("%v left unmasked while the private window's place is unknown", at)
		}
	}
	if !p.RefusesInput(protocol.InputEvent{Kind: protocol.InputButton, Down: true, X: 0.9, Y: 0.9}, nil) {
		t.Error("a click is let through while the private window's place is unknown")
	}
}

func TestClosedPrivateWindowLosesItsMask(t *testing.T) {
	d := desktop()
	p := New(Config{Desktop: d, Lang: i18n.EN})
	if err := p.SetPrivate(1, true); err != nil {
		t.Fatal(err)
	}
	p.MaskRGBA(frame(0xc8))
	d.mu.Lock()
	d.layout.Windows = d.layout.Windows[1:]
	d.changed = true
	d.mu.Unlock()
	p.MaskRGBA(frame(0xc8))
	p.mu.Lock()
	p.recent = nil
	p.mu.Unlock()
	img := frame(0xc8)
	p.MaskRGBA(img)
	if !untouched(img, image.Pt(150, 150), 0xc8) {
		t.Error("a closed private window is still masked")
	}
	if err := p.SetPrivate(1, false); !errors.Is(err, ErrUnknownWindow) {
		t.Errorf("marking a closed window: %v, want ErrUnknownWindow", err)
	}
}

func TestPresetHidesPasswordManagersAndMail(t *testing.T) {
	d := desktop()
	p := New(Config{Desktop: d, Lang: i18n.EN})
	p.SetPreset(true)
	img := frame(0xc8)
	p.MaskRGBA(img)
	if untouched(img, image.Pt(150, 150), 0xc8) {
		t.Error("the preset left the mail client unmasked")
	}
	if !untouched(img, image.Pt(500, 100), 0xc8) {
		t.Error("the preset masked the editor")
	}
	// The customer's own choice for one window wins over the preset.
	if err := p.SetPrivate(1, false); err != nil {
		t.Fatal(err)
	}
	img = frame(0xc8)
	p.MaskRGBA(img)
	if !untouched(img, image.Pt(150, 150), 0xc8) {
		t.Error("the mail client the customer chose to show is masked")
	}
}

func TestClicksAndKeysAimedAtAPrivateWindowAreRefused(t *testing.T) {
	d := desktop()
	p := New(Config{Desktop: d, Lang: i18n.EN})
	if err := p.SetPrivate(1, true); err != nil {
		t.Fatal(err)
	}
	at := func(x, y int) (float64, float64) { return float64(x) / 639, float64(y) / 479 }
	x, y := at(150, 150)
	ox, oy := at(350, 150) // on the editor, over the private window
	d.focus = 1
	for _, c := range []struct {
		name string
		ev   protocol.InputEvent
		want bool
	}{
		{"click on the private window", protocol.InputEvent{Kind: protocol.InputButton, Down: true, X: x, Y: y}, true},
		{"wheel on the private window", protocol.InputEvent{Kind: protocol.InputWheel, DY: 1, X: x, Y: y}, true},
		{"release on the private window", protocol.InputEvent{Kind: protocol.InputButton, X: x, Y: y}, false},
		{"move over the private window", protocol.InputEvent{Kind: protocol.InputMove, X: x, Y: y}, false},
		{"click on the window above it", protocol.InputEvent{Kind: protocol.InputButton, Down: true, X: ox, Y: oy}, false},
		{"key while it has the keyboard", protocol.InputEvent{Kind: protocol.InputKey, Down: true, Code: "KeyA"}, true},
		{"scan key while it has the keyboard", protocol.InputEvent{Kind: protocol.InputScan, Down: true, Code: "KeyA"}, true},
		{"text while it has the keyboard", protocol.InputEvent{Kind: protocol.InputText, Text: "secret"}, true},
		{"key release", protocol.InputEvent{Kind: protocol.InputKey, Code: "KeyA"}, false},
	} {
		if got := p.RefusesInput(c.ev, nil); got != c.want {
			t.Errorf("%s: refused %v, want %v", c.name, got, c.want)
		}
	}
	d.focus = 2
	if p.RefusesInput(protocol.InputEvent{Kind: protocol.InputKey, Down: true, Code: "KeyA"}, nil) {
		t.Error("a key for the editor is refused")
	}
	// Positions are fractions of the monitor the technician sees.
	m := &protocol.Monitor{X: 100, Y: 100, W: 200, H: 100}
	if !p.RefusesInput(protocol.InputEvent{Kind: protocol.InputButton, Down: true, X: 0.1, Y: 0.5}, m) {
		t.Error("a click on the private window through a monitor's crop is let through")
	}
}

func TestWindowTitlesAreBoundedText(t *testing.T) {
	d := desktop()
	d.layout.Windows[0].Title = "<script>alert(1)</script>\u202e" + strings.Repeat("x", 500)
	d.layout.Windows[0].Program = "evil\x00prog\xff"
	p := New(Config{Desktop: d, Lang: i18n.EN})
	ws, err := p.Windows()
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 || ws[0].ID != 2 {
		t.Fatalf("windows %+v, want the editor first (top first)", ws)
	}
	w := ws[1]
	if n := utf8.RuneCountInString(w.Title); n > MaxTitle {
		t.Errorf("title of %d characters, longer than %d", n, MaxTitle)
	}
	if strings.ContainsRune(w.Title, '\u202e') || strings.Contains(w.Program, "\x00") || !utf8.ValidString(w.Program) {
		t.Errorf("hidden characters kept: %q %q", w.Title, w.Program)
	}
}

// BenchmarkMask1080p is the masking cost of one 1080p frame with a private
// window of 1000x700 half covered by another (the layout unchanged since
// the last frame: the Desktop's round trip is measured on X11 apart).
func BenchmarkMask1080p(b *testing.B) {
	d := &fakeDesktop{layout: Layout{Screen: image.Rect(0, 0, 1920, 1080), Windows: []TopLevel{
		win(1, "keepassxc", image.Rect(200, 150, 1200, 850)),
		win(2, "gedit", image.Rect(900, 100, 1700, 600)),
	}}}
	p := New(Config{Desktop: d, Lang: i18n.EN})
	if err := p.SetPrivate(1, true); err != nil {
		b.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	p.MaskRGBA(img)
	b.SetBytes(int64(len(img.Pix)))
	b.ResetTimer()
	for b.Loop() {
		p.MaskRGBA(img)
	}
}

// The organisation's default private programs (from the server's welcome)
// are hidden from the start; the customer may still show them; a list that
// is not one is ignored.
func TestOrganisationDefaultHidesItsProgramsUntilTheCustomerChooses(t *testing.T) {
	d := desktop()
	d.layout.Windows[1].Program = "acmevault"
	p := New(Config{Desktop: d, Lang: i18n.EN})
	p.SetOrgPrograms([]string{"<script>"})
	if p.Preset() {
		t.Fatal("a bad list from the server turned the preset on")
	}
	p.SetOrgPrograms([]string{"acmevault"})
	img := frame(0xc8)
	p.MaskRGBA(img)
	if untouched(img, image.Pt(500, 100), 0xc8) {
		t.Error("the organisation's program is not hidden")
	}
	if untouched(img, image.Pt(150, 200), 0xc8) {
		t.Error("the preset's own programs are not hidden with the organisation's")
	}
	// The customer turns the preset off: a welcome sent again does not undo it.
	p.SetPreset(false)
	p.SetOrgPrograms([]string{"acmevault"})
	img = frame(0xc8)
	p.MaskRGBA(img)
	if !untouched(img, image.Pt(500, 100), 0xc8) {
		t.Error("the organisation's default overrode the customer's choice")
	}
}

// The badge's "Hide a window": the window the customer clicks, as they see
// it (the one on top where windows overlap), becomes private; a click on
// the desktop hides nothing.
func TestHideAtHidesTheWindowSeenThere(t *testing.T) {
	d := desktop()
	p := New(Config{Desktop: d, Lang: i18n.EN})
	if _, err := p.HideAt(image.Pt(50, 400)); !errors.Is(err, ErrUnknownWindow) {
		t.Fatalf("a click on the desktop: %v, want ErrUnknownWindow", err)
	}
	w, err := p.HideAt(image.Pt(350, 200)) // where the editor covers the mail client
	if err != nil || w.ID != 2 || w.Title != "window gedit" || !w.Private {
		t.Fatalf("HideAt where both are: %+v, %v, want the editor on top", w, err)
	}
	if w, err := p.HideAt(image.Pt(150, 250)); err != nil || w.ID != 1 {
		t.Fatalf("HideAt on the mail client: %+v, %v", w, err)
	}
	ws, err := p.Windows()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if !w.Private {
			t.Errorf("%+v is not private", w)
		}
	}
}

// A window hidden, or shown again, on a still screen: the capture does not
// change, yet the picture must. Mask says when its painting changed, and
// Changes says at once that the choices did (a still screen is not
// captured again until something is drawn).
func TestMaskSaysWhenItsPaintingChanges(t *testing.T) {
	p := New(Config{Desktop: desktop(), Lang: i18n.EN, Programs: []string{}})
	mask := func() bool { f := frame(0x20); return p.Mask(f.Pix, f.Stride, f.Rect) }
	if mask() {
		t.Error("nothing private: the painting changed")
	}
	select {
	case <-p.Changes():
		t.Fatal("Changes told before any choice")
	default:
	}
	if err := p.SetPrivate(1, true); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Changes():
	default:
		t.Fatal("Changes did not tell of a window hidden")
	}
	if !mask() {
		t.Error("the first frame after a window was hidden: no change")
	}
	if mask() {
		t.Error("the same window masked again: a change")
	}
	if err := p.SetPrivate(1, false); err != nil {
		t.Fatal(err)
	}
	if !mask() {
		t.Error("the first frame after the window was shown again: no change")
	}
	if mask() {
		t.Error("nothing private again: a change")
	}
}
