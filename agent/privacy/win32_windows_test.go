package privacy

import (
	"bytes"
	"image"
	"image/png"
	"runtime"
	"testing"

	"github.com/lifeline-support/lifeline/agent/win32"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// A window of this process, marked private: listed with its title, masked
// where it is in a frame of the virtual screen, followed when it moves, and
// a click on it is refused.
func TestWin32PrivateWindowListedMaskedAndFollowed(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const class = "lifeline-private-test"
	if err := win32.RegisterClass(class, func(uintptr, uint32, uintptr, uintptr) (uintptr, bool) { return 0, false }); err != nil {
		t.Fatal(err)
	}
	hwnd, err := win32.CreateWindow(0, class, win32.WS_POPUP|win32.WS_VISIBLE, 100, 80, 300, 200)
	if err != nil {
		t.Fatal(err)
	}
	defer win32.Destroy(hwnd)
	d, err := NewWin32()
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Desktop: d, Lang: i18n.EN})
	ws, err := p.Windows()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range ws {
		found = found || w.ID == uint64(hwnd) && w.Title == class
	}
	if !found {
		t.Fatalf("the window is not listed: %+v", ws)
	}
	if err := p.SetPrivate(uint64(hwnd), true); err != nil {
		t.Fatal(err)
	}
	v := win32.VirtualScreen()
	origin := image.Pt(int(v.Left), int(v.Top))
	size := image.Pt(int(v.Right-v.Left), int(v.Bottom-v.Top))
	check := func(at image.Rectangle) {
		t.Helper()
		if _, err := p.Windows(); err != nil { // sees the move
			t.Fatal(err)
		}
		p.mu.Lock()
		p.recent = nil // the move's old place is masked for a second: let it pass
		p.mu.Unlock()
		img := image.NewRGBA(image.Rectangle{Max: size})
		p.MaskRGBA(img)
		in := at.Min.Sub(origin).Add(image.Pt(10, 10))
		if c := img.RGBAAt(in.X, in.Y); c.A != 0xff || c.R != c.G {
			t.Errorf("%v inside the private window at %v is %v, not masked", in, at, c)
		}
		out := at.Min.Sub(origin).Sub(image.Pt(5, 5))
		if c := img.RGBAAt(out.X, out.Y); c.A != 0 {
			t.Errorf("%v outside the private window is masked", out)
		}
		x, y := float64(at.Min.X+20-origin.X)/float64(size.X-1), float64(at.Min.Y+20-origin.Y)/float64(size.Y-1)
		if !p.RefusesInput(protocol.InputEvent{Kind: protocol.InputButton, Down: true, X: x, Y: y}, nil) {
			t.Error("a click on the private window is let through")
		}
	}
	check(image.Rect(100, 80, 400, 280))
	win32.Place(hwnd, 250, 200, 300, 200)
	check(image.Rect(250, 200, 550, 400))
}

// A private program's menus and popups (tool windows, never listed) are
// masked with its window: they are the same process's.
func TestWin32PopupOfAPrivateWindowIsMasked(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const class = "lifeline-private-popup-test"
	if err := win32.RegisterClass(class, func(uintptr, uint32, uintptr, uintptr) (uintptr, bool) { return 0, false }); err != nil {
		t.Fatal(err)
	}
	hwnd, err := win32.CreateWindow(0, class, win32.WS_POPUP|win32.WS_VISIBLE, 60, 60, 200, 150)
	if err != nil {
		t.Fatal(err)
	}
	defer win32.Destroy(hwnd)
	menu, err := win32.CreateWindow(win32.WS_EX_TOOLWINDOW, class, win32.WS_POPUP|win32.WS_VISIBLE, 240, 100, 120, 160)
	if err != nil {
		t.Fatal(err)
	}
	defer win32.Destroy(menu)
	d, err := NewWin32()
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Desktop: d, Lang: i18n.EN})
	if err := p.SetPrivate(uint64(hwnd), true); err != nil {
		t.Fatal(err)
	}
	v := win32.VirtualScreen()
	origin := image.Pt(int(v.Left), int(v.Top))
	img := image.NewRGBA(image.Rectangle{Max: image.Pt(int(v.Right-v.Left), int(v.Bottom-v.Top))})
	p.MaskRGBA(img)
	in := image.Pt(330, 230).Sub(origin) // in the menu, beyond the window
	if c := img.RGBAAt(in.X, in.Y); c.A != 0xff || c.R != c.G {
		t.Errorf("the private program's menu is not masked at %v: %v", in, c)
	}
}

// The customer's list shows a window's program icon: the one the program
// set (WM_SETICON), scaled to IconSize; a window without one has none.
func TestWin32WindowIconInTheList(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const class = "lifeline-private-icon-test"
	if err := win32.RegisterClass(class, func(uintptr, uint32, uintptr, uintptr) (uintptr, bool) { return 0, false }); err != nil {
		t.Fatal(err)
	}
	hwnd, err := win32.CreateWindow(0, class, win32.WS_POPUP|win32.WS_VISIBLE, 30, 30, 100, 80)
	if err != nil {
		t.Fatal(err)
	}
	defer win32.Destroy(hwnd)
	if err := win32.SetIcon(hwnd, 48, 48, 0xff0000ff); err != nil { // opaque blue
		t.Fatal(err)
	}
	d, err := NewWin32()
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Desktop: d, Lang: i18n.EN})
	ws, err := p.Windows()
	if err != nil {
		t.Fatal(err)
	}
	var w Window
	for _, x := range ws {
		if x.ID == uint64(hwnd) {
			w = x
		}
	}
	if !w.Icon {
		t.Fatalf("the window is not listed with an icon: %+v", ws)
	}
	b, err := p.Icon(w.ID)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	r, g, bl, a := img.At(IconSize/2, IconSize/2).RGBA()
	if img.Bounds().Size() != image.Pt(IconSize, IconSize) || r>>8 > 10 || g>>8 > 10 || bl>>8 < 245 || a>>8 < 245 {
		t.Errorf("the icon is %v with %d,%d,%d,%d in its middle, want opaque blue at %d pixels", img.Bounds(), r>>8, g>>8, bl>>8, a>>8, IconSize)
	}
}
