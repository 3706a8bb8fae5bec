package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
)

// In every view mode a click on the video lands on the customer's pixel under
// the pointer: fit to window, actual size scrolled to a corner, full screen
// (toolbar still there), a detached window, and through the magnifier, which
// shows the remote screen at one video pixel per screen pixel.
func TestViewModes(t *testing.T) {
	stack := Start(t)
	win := twtest.Start(t, stack.Display, twtest.Options{X: 100, Y: 80, W: 900, H: 560})
	// A small window whose red quadrant is exactly 100 pixels wide, for the magnifier.
	small := twtest.Start(t, stack.Display, twtest.Options{X: 1050, Y: 400, W: 200, H: 200})
	tech, _ := stack.InControl(t, "Marie Dupont")
	page := tech.Page()
	const video = `lifeline.video`

	// clickLands clicks remote pixel (x, y) in the page of ctx and checks that
	// window w received a click there.
	clickLands := func(ctx context.Context, mode, videoExpr string, w *twtest.Window, x, y int) {
		t.Helper()
		px, py, visible := videoPoint(t, ctx, videoExpr, x, y, ScreenW, ScreenH)
		if !visible {
			t.Fatalf("%s: remote pixel (%d, %d) is not visible in the console (page point %.0f, %.0f)", mode, x, y, px, py)
		}
		mark := w.Mark(t)
		run(t, ctx, mode+": click", chromedp.MouseClickXY(px, py))
		evs := w.WaitFor(t, mark, mode+": the click", func(evs []twtest.Event) bool {
			return len(twtest.Filter(evs, "button_release")) > 0
		})
		p := twtest.Filter(evs, "button_press")
		if len(p) == 0 {
			t.Fatalf("%s: no button press among %v", mode, evs)
		}
		if dx, dy := p[0].RootX-x, p[0].RootY-y; dx < -2 || dx > 2 || dy < -2 || dy > 2 {
			t.Errorf("%s: a click on remote pixel (%d, %d) landed at (%d, %d)", mode, x, y, p[0].RootX, p[0].RootY)
		}
	}

	// Fit (the default): the whole screen, scaled down.
	if s := tech.Scale(t); s >= 1 {
		t.Fatalf("fit: scale %.2f, want the 1280x720 screen shrunk into the window", s)
	}
	clickLands(page, "fit", video, win, 300, 200)

	// Actual size: one screen pixel per video pixel, with scroll bars; a click
	// after scrolling to the bottom-right corner lands there.
	tech.ClickTool(t, "view-actual")
	tech.WaitJS(t, "actual size", `(() => { const r = lifeline.video.getBoundingClientRect(); return Math.abs(r.width - lifeline.video.videoWidth) < 1 && Math.abs(r.height - lifeline.video.videoHeight) < 1; })()`)
	scrolled := Eval[[]float64](t, tech, "scroll to the corner", `(() => {
		const v = lifeline.video.parentElement;
		v.scrollLeft = v.scrollWidth; v.scrollTop = v.scrollHeight;
		return [v.scrollLeft, v.scrollTop, v.scrollWidth - v.clientWidth, v.scrollHeight - v.clientHeight];
	})()`)
	if scrolled[0] <= 0 || scrolled[1] <= 0 {
		t.Fatalf("actual size: the view does not scroll (scroll %v)", scrolled)
	}
	clickLands(page, "actual size", video, win, 950, 600)
	tech.ClickTool(t, "view-fit")
	tech.WaitJS(t, "fit again", `lifeline.video.getBoundingClientRect().width < lifeline.video.videoWidth`)

	// Full screen: the stage (video and toolbar) fills the screen.
	tech.ClickTool(t, "view-full")
	tech.WaitJS(t, "full screen", `document.fullscreenElement === document.getElementById("stage") && document.getElementById("view-full").getAttribute("aria-pressed") === "true"`)
	if !Eval[bool](t, tech, "toolbar in full screen", `(() => { const r = document.getElementById("toolbar").getBoundingClientRect(); return document.fullscreenElement.contains(document.getElementById("toolbar")) && r.height > 0 && r.top >= 0; })()`) {
		t.Error("full screen: the toolbar is not shown")
	}
	clickLands(page, "full screen", video, win, 500, 400)
	tech.ClickTool(t, "view-full")
	tech.WaitJS(t, "full screen left", `document.fullscreenElement === null`)

	// Detached: a second window with the live screen and the same control.
	opened := chromedp.WaitNewTarget(page, func(i *target.Info) bool { return i.Type == "page" })
	tech.ClickTool(t, "view-detach")
	var id target.ID
	select {
	case id = <-opened:
	case <-time.After(Timeout):
		t.Fatal("detach: no second window opened")
	}
	detached, cancel := chromedp.NewContext(page, chromedp.WithTargetID(id))
	defer cancel()
	if err := chromedp.Do(detached); err != nil {
		t.Fatalf("detach: attach to the second window: %v", err)
	}
	const dvideo = `document.querySelector("video")`
	waitFor(t, "the screen in the detached window", func() bool {
		return get(t, detached, "detached video", chromedp.Evaluate[int](`(document.querySelector("video")?.videoWidth) || 0`)) == ScreenW
	})
	clickLands(detached, "detached", dvideo, win, 400, 300)
	run(t, detached, "close the detached window", chromedp.Evaluate[chromedp.Void](`window.close()`))
	tech.WaitJS(t, "the detached window closed", `lifeline.detached.closed`)

	// Magnifier: dragged by its handle until its centre is over remote
	// (1100, 450), the middle of the small window's top half, it shows red for
	// exactly the red quadrant's 100 pixels, then its green: full resolution.
	tech.ClickTool(t, "view-magnifier")
	tech.WaitJS(t, "the magnifier", `!!(lifeline.lens && lifeline.lens.center)`)
	tx, ty, _ := videoPoint(t, page, video, 1100, 450, ScreenW, ScreenH)
	from := Eval[[]float64](t, tech, "the magnifier's handle and centre", `(() => {
		const h = lifeline.lens.box.querySelector(".lens-handle").getBoundingClientRect(), c = lifeline.lens.canvas.getBoundingClientRect();
		return [h.left + 20, h.top + h.height / 2, c.left + c.width / 2, c.top + c.height / 2];
	})()`)
	dx, dy := tx-from[2], ty-from[3]
	run(t, page, "drag the magnifier",
		chromedp.MouseEvent("mousePressed", from[0], from[1], chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent("mouseMoved", from[0]+dx/2, from[1]+dy/2, chromedp.ButtonLeft),
		chromedp.MouseEvent("mouseMoved", from[0]+dx, from[1]+dy, chromedp.ButtonLeft),
		chromedp.MouseEvent("mouseReleased", from[0]+dx, from[1]+dy, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	var runs []int
	waitFor(t, "the magnifier over the small window", func() bool {
		c := Eval[[]int](t, tech, "the magnifier's centre", `lifeline.lens.center || [0, 0]`)
		if abs(c[0]-1100) > 3 || abs(c[1]-450) > 3 {
			return false
		}
		// Red and green runs along the canvas's middle row.
		runs = Eval[[]int](t, tech, "the magnifier's middle row", `(() => {
			const c = lifeline.lens.canvas, d = c.getContext("2d").getImageData(0, c.height / 2, c.width, 1).data;
			let red = 0, green = 0;
			for (let i = 0; i < d.length; i += 4) {
				if (d[i] > 200 && d[i + 1] < 60 && d[i + 2] < 60) red++;
				if (d[i] < 60 && d[i + 1] > 200 && d[i + 2] < 60) green++;
			}
			return [red, green];
		})()`)
		return runs[0] > 0
	})
	if abs(runs[0]-100) > 4 || abs(runs[1]-100) > 4 {
		t.Errorf("magnifier: %d red and %d green pixels across, want 100 of each (one video pixel per screen pixel)", runs[0], runs[1])
	}
	// Clicks go through the magnifier to the screen below.
	clickLands(page, "under the magnifier", video, small, 1100, 450)
	tech.ClickTool(t, "view-magnifier")
	tech.WaitJS(t, "the magnifier closed", `lifeline.lens === null && !document.getElementById("magnifier")`)
}

// videoPoint returns where, in the page of ctx, the video videoExpr shows
// pixel (x, y) of a w×h remote screen, and whether that point is inside both
// the video's box and its scrolling parent.
func videoPoint(t testing.TB, ctx context.Context, videoExpr string, x, y, w, h int) (px, py float64, visible bool) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const v = %s, r = v.getBoundingClientRect(), p = v.parentElement.getBoundingClientRect();
		const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
		const w = v.videoWidth * s, h = v.videoHeight * s;
		const x = r.left + (r.width - w) / 2 + (%d + 0.5) / %d * w, y = r.top + (r.height - h) / 2 + (%d + 0.5) / %d * h;
		const inside = x >= p.left && x < p.right && y >= p.top && y < p.bottom && x < innerWidth && y < innerHeight;
		return [x, y, inside ? 1 : 0];
	})()`, videoExpr, x, w, y, h)
	p := get(t, ctx, "locate a remote pixel", chromedp.Evaluate[[]float64](js))
	return p[0], p[1], p[2] == 1
}
