package e2e

import (
	"fmt"
	"image"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/agent/indicator"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// HideWindow switches "Hide" on (or off) for the window titled title in the
// customer's "Hide windows from the technician" panel.
func (c *Customer) HideWindow(t testing.TB, title string, hide bool) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		for (const li of document.querySelectorAll("#privacy-windows li")) {
			const name = li.querySelector(".privacy-name"), box = li.querySelector("input[type=checkbox]");
			if (!name || !box || name.textContent !== %q) continue;
			if (box.checked !== %v) box.click();
			return true;
		}
		return false;
	})()`, title, hide)
	waitFor(t, "the window "+title+" in the customer's panel", func() bool {
		return get(t, c.ctx, "switch a window's privacy", chromedp.Evaluate[bool](js))
	})
}

// PrivacyPanel is the text of the customer's "Hide windows" panel.
func (c *Customer) PrivacyPanel(t testing.TB) string {
	t.Helper()
	return get(t, c.ctx, "read the privacy panel", chromedp.Text(chromedp.ID("panel-privacy")))
}

// isQuadrant reports whether r, g, b is one of the test window's four
// colours, allowing for video compression.
func isQuadrant(r, g, b int) bool {
	hi := func(v int) bool { return v > 180 }
	lo := func(v int) bool { return v < 80 }
	return hi(r) && lo(g) && lo(b) || lo(r) && hi(g) && lo(b) || lo(r) && lo(g) && hi(b) || hi(r) && hi(g) && lo(b)
}

// countQuadrants counts the pixels of img in r that have one of the test
// window's colours.
func countQuadrants(img image.Image, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if isQuadrant(int(cr>>8), int(cg>>8), int(cb>>8)) {
				n++
			}
		}
	}
	return n
}

// privacyCountJS is a JavaScript function that counts, in a canvas'
// ImageData's data, the pixels of the test window's colours and those of
// the placeholder's greys, both allowing for video compression: a lossy
// picture of the placeholder is grey within a few levels, not exactly
// (86,87,84 for the 0x5a stripe was seen on a loaded machine, and stayed:
// a still picture is refined a few frames, then no longer coded).
const privacyCountJS = `((d) => {
	const hi = (v) => v > 180, lo = (v) => v < 80;
	let n = 0, grey = 0;
	for (let i = 0; i < d.length; i += 4) {
		const r = d[i], g = d[i + 1], b = d[i + 2];
		if (hi(r) && lo(g) && lo(b) || lo(r) && hi(g) && lo(b) || lo(r) && lo(g) && hi(b) || hi(r) && hi(g) && lo(b)) n++;
		if (Math.abs(r - g) < 8 && Math.abs(g - b) < 8 && r > 0x48 && r < 0x80) grey++;
	}
	return [n, grey];
})`

// VideoPrivacy counts the pixels of the console's decoded video, within r
// of the customer's screen, that have one of the test window's colours
// (window) and that are the placeholder's greys (placeholder).
func (tc *Technician) VideoPrivacy(t testing.TB, r image.Rectangle) (window, placeholder int) {
	t.Helper()
	return tc.VideoPrivacyIn(t, r, ScreenW, ScreenH)
}

// VideoPrivacyIn is VideoPrivacy for a streamed screen of w×h pixels.
func (tc *Technician) VideoPrivacyIn(t testing.TB, r image.Rectangle, w, h int) (window, placeholder int) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const v = lifeline.video, c = document.createElement("canvas");
		c.width = v.videoWidth; c.height = v.videoHeight;
		const g = c.getContext("2d");
		g.drawImage(v, 0, 0);
		const sx = v.videoWidth / %d, sy = v.videoHeight / %d;
		const x0 = Math.floor(%d * sx), y0 = Math.floor(%d * sy), x1 = Math.ceil(%d * sx), y1 = Math.ceil(%d * sy);
		return %s(g.getImageData(x0, y0, x1 - x0, y1 - y0).data);
	})()`, w, h, r.Min.X, r.Min.Y, r.Max.X, r.Max.Y, privacyCountJS)
	n := get(t, tc.ctx, "count the test window's colours in the video", chromedp.Evaluate[[]int](js))
	return n[0], n[1]
}

// VideoQuadrants counts the pixels of the console's decoded video, within
// r of the customer's screen, that have one of the test window's colours.
func (tc *Technician) VideoQuadrants(t testing.TB, r image.Rectangle) int {
	t.Helper()
	n, _ := tc.VideoPrivacy(t, r)
	return n
}

// PlaceWindow moves and resizes X window id on the customer's desktop, as
// the customer dragging it would, and waits until the X server did it.
func (s *Stack) PlaceWindow(t testing.TB, id uint32, r image.Rectangle) {
	t.Helper()
	conn, err := xgb.NewConnDisplay(s.Display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	xproto.ConfigureWindow(conn, xproto.Window(id), xproto.ConfigWindowX|xproto.ConfigWindowY|xproto.ConfigWindowWidth|xproto.ConfigWindowHeight,
		[]uint32{uint32(r.Min.X), uint32(r.Min.Y), uint32(r.Dx()), uint32(r.Dy())})
	if _, err := xproto.GetInputFocus(conn).Reply(); err != nil {
		t.Fatal(err)
	}
}

// HideFromBadge hides the window at (x, y) as the customer would from the
// on-screen badge: "Hide a window", then a click on the window (both with
// their own mouse). It waits for the badge to take the pointer in between
// (the agent's log says so).
func (c *Customer) HideFromBadge(t testing.TB, x, y int) {
	t.Helper()
	hide, end, err := indicator.ButtonWidths(indicator.Badge{
		Hide: i18n.T(i18n.EN, "agent.indicator.hide"), End: i18n.T(i18n.EN, "agent.indicator.end")})
	if err != nil {
		t.Fatal(err)
	}
	badge := c.badge(t)
	if badge.Dx() < hide+end {
		t.Fatalf("the badge, %d pixels wide, has no Hide a window button", badge.Dx())
	}
	c.ClickScreen(t, badge.Max.X-end-hide/2, badge.Min.Y+badge.Dy()/2)
	// (Not probed with a pointer grab of the test's own: it would take the
	// pointer from the badge.)
	c.WaitLog(t, "customer is pointing at a window to hide")
	c.ClickScreen(t, x, y)
}
