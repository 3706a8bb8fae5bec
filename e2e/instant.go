package e2e

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Pattern's size and colours: Chromium's fake camera plays it, the left half
// red, the right half blue.
const (
	PatternW, PatternH = 320, 240
)

// WritePattern writes the fake camera's video (Y4M, 4:2:0) into a temporary
// directory and returns its path, for Options.FakeCamera.
func WritePattern(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pattern.y4m")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "YUV4MPEG2 W%d H%d F30:1 Ip A1:1 C420jpeg\n", PatternW, PatternH)
	yuv := func(c color.RGBA) [3]byte {
		y, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
		return [3]byte{y, cb, cr}
	}
	left, right := yuv(color.RGBA{R: 255, A: 255}), yuv(color.RGBA{B: 255, A: 255})
	for range 4 {
		w.WriteString("FRAME\n")
		for plane, pw, ph := 0, PatternW, PatternH; plane < 3; plane++ {
			if plane == 1 {
				pw, ph = PatternW/2, PatternH/2
			}
			for range ph {
				for x := range pw {
					c := right
					if x < pw/2 {
						c = left
					}
					w.WriteByte(c[plane])
				}
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

// BrowserCustomer is a customer helped in the browser alone: the page at
// /s/<token>/browser in a Chromium tab.
type BrowserCustomer struct {
	ctx context.Context
	p   Page
}

// BrowserCustomer opens the invitation's link in a tab, follows its "Get
// help in the browser" link and starts the chat.
func (s *Stack) BrowserCustomer(t testing.TB, inv Invitation) *BrowserCustomer {
	t.Helper()
	return s.BrowserCustomerWith(t, inv, "")
}

// BrowserCustomerWith is BrowserCustomer in a browser changed by script,
// run before each page's own (e.g. one without screen sharing).
func (s *Stack) BrowserCustomerWith(t testing.TB, inv Invitation, script string) *BrowserCustomer {
	t.Helper()
	ctx := s.tab(t)
	if script != "" {
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script}); err != nil {
			t.Fatal(err)
		}
	}
	run(t, ctx, "open the invitation", chromedp.Navigate(inv.Link))
	return InBrowser(t, ctx)
}

// InBrowser follows the "Get help in the browser" link of the invitation's
// page open in ctx, and starts the chat.
func InBrowser(t testing.TB, ctx context.Context) *BrowserCustomer {
	t.Helper()
	run(t, ctx, "choose help in the browser",
		chromedp.WaitVisible(chromedp.ID("instant-link")),
		click("instant-link"),
		chromedp.WaitVisible(chromedp.ID("instant-connect")),
		click("instant-connect"),
		chromedp.WaitVisible(chromedp.ID("instant-session")),
	)
	return &BrowserCustomer{ctx: ctx, p: &chromiumPage{ctx: ctx}}
}

// Click clicks the page's button id.
func (c *BrowserCustomer) Click(t testing.TB, id string) {
	t.Helper()
	run(t, c.ctx, "click "+id, chromedp.WaitEnabled(chromedp.ID(id)), click(id))
}

// Say types text in the chat and sends it.
func (c *BrowserCustomer) Say(t testing.TB, text string) {
	t.Helper()
	run(t, c.ctx, "chat", chromedp.WaitEnabled(chromedp.ID("instant-send")),
		chromedp.SendKeys(chromedp.ID("instant-input"), text), click("instant-send"))
}

// SendFile picks path in the page's file field and sends it.
func (c *BrowserCustomer) SendFile(t testing.TB, path string) {
	t.Helper()
	run(t, c.ctx, "send a file", chromedp.SetUploadFiles(chromedp.ID("instant-file"), []string{path}), click("instant-file-send"))
}

// WaitText waits until the element id shows text, and returns what it shows.
func (c *BrowserCustomer) WaitText(t testing.TB, id, text string) string {
	t.Helper()
	return waitTextOn(t, c.p, id, text)
}

// Shared is what the page says it shares: "none", "screen" or "camera".
func (c *BrowserCustomer) Shared(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, c.p, "what is shared", `document.getElementById("instant-shared").dataset.shared`)
}

// Shot saves a screenshot of the customer's page (see shot).
func (c *BrowserCustomer) Shot(t testing.TB, name string) { shot(t, c.ctx, name) }

// Eval evaluates js on the customer's page.
func (c *BrowserCustomer) Eval(t testing.TB, what, js string) any {
	t.Helper()
	return evalJS[any](t, c.p, what, js)
}

// ArrowPixel is the colour the technician's drawings have at fraction (fx,
// fy) of the customer's camera view (transparent where there is none).
func (c *BrowserCustomer) ArrowPixel(t testing.TB, fx, fy float64) color.RGBA {
	t.Helper()
	v := evalJS[[]uint8](t, c.p, "read the drawings over the camera", fmt.Sprintf(`(() => {
		const c = document.getElementById("instant-arrows");
		const d = c.getContext("2d").getImageData(Math.round(%f * c.width), Math.round(%f * c.height), 1, 1).data;
		return [d[0], d[1], d[2], d[3]];
	})()`, fx, fy))
	return color.RGBA{v[0], v[1], v[2], v[3]}
}

// DragIn drags the mouse on the console's picture of a w×h stream, from
// pixel from to pixel to.
func (tc *Technician) DragIn(t testing.TB, from, to image.Point, w, h, steps int) {
	t.Helper()
	x0, y0 := tc.pagePointIn(t, from.X, from.Y, w, h)
	x1, y1 := tc.pagePointIn(t, to.X, to.Y, w, h)
	acts := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x0, y0, chromedp.ButtonLeft, withButtons(1), withClicks),
	}
	for i := 1; i <= steps; i++ {
		f := float64(i) / float64(steps)
		acts = append(acts, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x0+(x1-x0)*f, y0+(y1-y0)*f, chromedp.ButtonLeft, withButtons(1)))
	}
	acts = append(acts, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x1, y1, chromedp.ButtonLeft, withClicks))
	run(t, tc.ctx, "drag on the customer's picture", acts...)
}
