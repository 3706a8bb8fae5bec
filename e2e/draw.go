package e2e

import (
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// Silence the X library's "could not get authority info" (Xvfb has no cookie).
func init() { xgb.Logger = log.New(io.Discard, "", 0) }

// UseTool clicks a button of the workspace's toolbar (draw-mode, laser-mode,
// draw-erase, …) once it is enabled.
func (tc *Technician) UseTool(t testing.TB, id string) {
	t.Helper()
	run(t, tc.ctx, "use tool "+id, chromedp.WaitEnabled(chromedp.ID(id)), click(id))
}

// WaitToolsReady waits until drawing on the customer's screen is possible.
func (tc *Technician) WaitToolsReady(t testing.TB) {
	t.Helper()
	waitFor(t, "the drawing tools", func() bool {
		return evalJS[bool](t, tc.p, "tools ready", `lifelineDraw.ready`)
	})
}

// Drag presses the left button on the customer's screen pixel from, moves
// through steps points to to, and releases it, as a hand on a mouse would.
func (tc *Technician) Drag(t testing.TB, from, to image.Point, steps int) {
	t.Helper()
	tc.DragIn(t, from, to, ScreenW, ScreenH, steps)
}

// Hover moves the mouse, no button held, over the customer's screen pixel p.
func (tc *Technician) Hover(t testing.TB, p image.Point) {
	t.Helper()
	x, y := tc.pagePoint(t, p.X, p.Y)
	run(t, tc.ctx, "move the mouse", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y, chromedp.ButtonNone))
}

func withButtons(b int64) chromedp.MouseOption {
	return func(p *input.DispatchMouseEventParams) { p.Buttons = b }
}

func withClicks(p *input.DispatchMouseEventParams) { p.ClickCount = 1 }

// CanvasPixel is the colour of the console's drawing canvas over the customer's
// screen pixel (x, y).
func (tc *Technician) CanvasPixel(t testing.TB, x, y int) color.RGBA {
	t.Helper()
	rgba := evalJS[[]int](t, tc.p, "read the drawing canvas", fmt.Sprintf(
		`(() => { const c = document.getElementById("draw-canvas");
			const d = c.getContext("2d").getImageData(Math.round(%d / %d * c.width), Math.round(%d / %d * c.height), 1, 1).data;
			return [d[0], d[1], d[2], d[3]]; })()`, x, ScreenW, y, ScreenH))
	return color.RGBA{uint8(rgba[0]), uint8(rgba[1]), uint8(rgba[2]), uint8(rgba[3])}
}

// InputSent counts the input events the console has sent to the remote.
func (tc *Technician) InputSent(t testing.TB) int {
	t.Helper()
	return evalJS[int](t, tc.p, "input sent", `lifeline.input.sent`)
}

// Screen reads the customer's whole X screen, straight from the X server: the
// reference the tests compare against. It expects Xvfb's 24-bit TrueColor
// layout (32 bits per pixel, blue in the low byte).
func (s *Stack) Screen(t testing.TB) *image.RGBA {
	t.Helper()
	conn, err := xgb.NewConnDisplay(s.Display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	scr := xproto.Setup(conn).DefaultScreen(conn)
	w, h := int(scr.WidthInPixels), int(scr.HeightInPixels)
	r, err := xproto.GetImage(conn, xproto.ImageFormatZPixmap, xproto.Drawable(scr.Root), 0, 0, uint16(w), uint16(h), 0xffffffff).Reply()
	if err != nil {
		t.Fatal(err)
	}
	if scr.RootDepth != 24 || len(r.Data) != w*h*4 {
		t.Fatalf("unexpected X screen: depth %d, %d bytes for %dx%d", scr.RootDepth, len(r.Data), w, h)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		v := binary.LittleEndian.Uint32(r.Data[i*4:])
		img.Pix[i*4], img.Pix[i*4+1], img.Pix[i*4+2], img.Pix[i*4+3] = uint8(v>>16), uint8(v>>8), uint8(v), 0xff
	}
	return img
}

// IsRed reports whether c is the pure red the tests draw with.
func IsRed(c color.RGBA) bool { return c.R > 200 && c.G < 60 && c.B < 60 }

// SaveDownloadsTo makes the console's browser save downloads into dir.
func (tc *Technician) SaveDownloadsTo(t testing.TB, dir string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tc.ctx, Timeout)
	defer cancel()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
	}); err != nil {
		t.Fatal(err)
	}
}

// WaitDownload waits for a finished download in dir whose name ends in ext
// and returns its path.
func WaitDownload(t testing.TB, dir, ext string) string {
	t.Helper()
	var found string
	waitFor(t, "a "+ext+" download", func() bool {
		ents, _ := os.ReadDir(dir)
		found = ""
		for _, e := range ents {
			// Browsers reserve the final name with an empty file, write
			// NAME.crdownload (Chromium) or NAME.part (Firefox), then rename
			// it over: a download is whole once nothing is being written and
			// its file is not empty (CI decoded a screenshot's empty
			// placeholder: "unexpected EOF").
			if strings.HasSuffix(e.Name(), ".crdownload") || strings.HasSuffix(e.Name(), ".part") {
				return false
			}
			if info, err := e.Info(); err == nil && strings.HasSuffix(e.Name(), ext) && info.Size() > 0 {
				found = filepath.Join(dir, e.Name())
			}
		}
		return found != ""
	})
	return found
}

// TakeScreenshot clicks Screenshot and waits until the console saved it.
func (tc *Technician) TakeScreenshot(t testing.TB) {
	t.Helper()
	n := evalJS[int](t, tc.p, "screenshots", `lifelineScreenshots.saved.length`)
	tc.UseTool(t, "screenshot")
	waitFor(t, "the screenshot saved", func() bool {
		return evalJS[int](t, tc.p, "screenshots", `lifelineScreenshots.saved.length`) > n
	})
}

// RecordingState is what the console's recorder did, in order, and its state.
type RecordingState struct {
	State string   `json:"state"`
	Bytes int      `json:"bytes"`
	Trace []string `json:"trace"`
}

// Recording reads the console's recorder.
func (tc *Technician) Recording(t testing.TB) RecordingState {
	t.Helper()
	return evalJS[RecordingState](t, tc.p, "recording state",
		`({state: lifelineRecording.state, bytes: lifelineRecording.bytes, trace: lifelineRecording.trace})`)
}

// RecordingBanner is the text of the customer's recording banner, "" when hidden.
func (c *Customer) RecordingBanner(t testing.TB) string {
	t.Helper()
	return get(t, c.ctx, "recording banner", chromedp.Evaluate[string](
		`(() => { const p = document.getElementById("panel-recording"); return p && !p.hidden ? p.textContent : ""; })()`))
}

// TopWindow is where the highest mapped window on the customer's screen is,
// straight from the X server's stacking order.
func (s *Stack) TopWindow(t testing.TB) image.Rectangle {
	t.Helper()
	conn, err := xgb.NewConnDisplay(s.Display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	tree, err := xproto.QueryTree(conn, root).Reply()
	if err != nil {
		t.Fatal(err)
	}
	for i := len(tree.Children) - 1; i >= 0; i-- {
		w := tree.Children[i]
		a, err := xproto.GetWindowAttributes(conn, w).Reply()
		if err != nil || a.MapState != xproto.MapStateViewable {
			continue
		}
		g, err := xproto.GetGeometry(conn, xproto.Drawable(w)).Reply()
		if err != nil {
			continue
		}
		return image.Rect(int(g.X), int(g.Y), int(g.X)+int(g.Width), int(g.Y)+int(g.Height))
	}
	return image.Rectangle{}
}
