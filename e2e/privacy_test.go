package e2e

import (
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
)

// The customer hides a window from the technician on their page: none of its
// pixels reaches the console's video, a screenshot or a recording; the
// technician sees the "Private window" placeholder instead; the mask follows
// the window as it moves and grows; the technician's click on it is refused
// (and audited) while the customer can still use it; shown again, it takes
// clicks again.
func TestPrivateWindowNeverReachesTheTechnician(t *testing.T) {
	stack := Start(t)
	win := twtest.Start(t, stack.Display, twtest.Options{X: 300, Y: 200, W: 400, H: 300})
	ready := twtest.Filter(win.Events(t), "ready")
	if len(ready) == 0 {
		t.Fatal("the test window logged no ready event")
	}
	id := ready[0].Window
	place := image.Rect(300, 200, 700, 500)

	tech := stack.Technician(t)
	downloads := t.TempDir()
	tech.SaveDownloadsTo(t, downloads)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	waitFor(t, "the test window in the console before it is hidden", func() bool {
		return tech.VideoQuadrants(t, place) > 1000
	})
	if p := customer.PrivacyPanel(t); !strings.Contains(p, "Hide windows from the technician") || !strings.Contains(p, "lifeline-testwindow") {
		t.Fatalf("the customer's panel does not list the window:\n%s", p)
	}

	customer.HideWindow(t, "lifeline-testwindow", true)
	waitFor(t, "the window masked in the console", func() bool { return tech.VideoQuadrants(t, place) == 0 })

	// The screenshot: lossless, so the placeholder's pattern and its light
	// label are there exactly, and nothing of the window.
	tech.TakeScreenshot(t)
	f, err := os.Open(WaitDownload(t, downloads, ".png"))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// Where the window is (the rest of the screen may have such colours: the
	// badge in its corner).
	if n := countQuadrants(shot, place); n != 0 {
		t.Fatalf("the screenshot holds %d pixels of the private window", n)
	}
	pattern, label := 0, 0
	for y := place.Min.Y; y < place.Max.Y; y++ {
		for x := place.Min.X; x < place.Max.X; x++ {
			r, g, b, _ := shot.At(x, y).RGBA()
			switch {
			case r == g && g == b && (r>>8 == 0x5a || r>>8 == 0x6e):
				pattern++
			case r == g && g == b && r>>8 == 0xf0:
				label++
			}
		}
	}
	if pattern < place.Dx()*place.Dy()/2 || label < 200 {
		t.Errorf("the placeholder is not shown: %d pattern pixels, %d label pixels", pattern, label)
	}

	// The mask follows a move and a resize; no frame in between shows the
	// window. (The places stay clear of the badge in the bottom right
	// corner, whose colours are the test window's too.)
	for _, to := range []image.Rectangle{image.Rect(100, 80, 500, 380), image.Rect(600, 250, 1100, 600)} {
		stack.PlaceWindow(t, id, to)
		all := to.Union(place)
		waitFor(t, "the placeholder in the console's video after the move", func() bool {
			if n, _ := tech.VideoPrivacy(t, all); n != 0 {
				t.Fatalf("%d pixels of the private window in the console after a move to %v", n, to)
			}
			// Most of the window's new place shows the placeholder's grey
			// (the rest is its label), as the lossy video gives it.
			_, grey := tech.VideoPrivacy(t, to)
			return grey >= to.Dx()*to.Dy()/2
		})
		place = to
	}

	// The recording holds the placeholder, not the window.
	tech.UseTool(t, "record")
	waitFor(t, "recorded video", func() bool { return tech.Recording(t).Bytes > 0 })
	tech.UseTool(t, "record")
	webm := WaitDownload(t, downloads, ".webm")
	// Played from a page of the same origin, so that its pixels can be read.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/rec.webm" {
			http.ServeFile(w, r, webm)
			return
		}
		fmt.Fprint(w, `<!doctype html><video src="/rec.webm" muted></video>`)
	}))
	defer srv.Close()
	player := stack.tab(t)
	run(t, player, "open the recording", chromedp.Navigate(srv.URL))
	waitFor(t, "the recording decoded", func() bool {
		return get(t, player, "play", chromedp.Evaluate[bool](`(() => {
			const v = document.querySelector("video");
			if (!v) return false;
			v.muted = true;
			if (v.paused && !v.ended) v.play().catch(() => {});
			return v.readyState >= 2 && v.videoWidth > 0;
		})()`))
	})
	// Every picture drawn from it is free of the window; once decoded, one
	// shows the placeholder (a busy machine may hand over a blank picture
	// first).
	waitFor(t, "the placeholder in the recording", func() bool {
		// Where the window is: the badge in its corner has such colours too.
		recorded := get(t, player, "count the window's colours in the recording", chromedp.Evaluate[[]int](`(() => {
			const v = document.querySelector("video"), c = document.createElement("canvas");
			c.width = v.videoWidth; c.height = v.videoHeight;
			const g = c.getContext("2d");
			g.drawImage(v, 0, 0);
			const sx = v.videoWidth / `+fmt.Sprint(ScreenW)+`, sy = v.videoHeight / `+fmt.Sprint(ScreenH)+`;
			return `+privacyCountJS+`(g.getImageData(Math.floor(`+fmt.Sprint(place.Min.X)+` * sx), Math.floor(`+fmt.Sprint(place.Min.Y)+` * sy),
				Math.ceil(`+fmt.Sprint(place.Dx())+` * sx), Math.ceil(`+fmt.Sprint(place.Dy())+` * sy)).data);
		})()`))
		if recorded[0] != 0 {
			t.Fatalf("the recording holds %d pixels of the private window", recorded[0])
		}
		return recorded[1] >= place.Dx()*place.Dy()/2
	})

	// Control: a click on the private window is refused, and said so in
	// the agent's log; the customer's own click still reaches it.
	tech.RequestControl(t)
	customer.Allow(t)
	tech.WaitStatus(t, "in control")
	mark := win.Mark(t)
	cx, cy := place.Min.X+place.Dx()/4, place.Min.Y+place.Dy()/4
	tech.Click(t, cx, cy)
	customer.WaitLog(t, "input aimed at a private window dropped")
	customer.ClickScreen(t, cx, cy)
	evs := win.WaitFor(t, mark, "the customer's own click", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "button_press")) > 0
	})
	if n := len(twtest.Filter(evs, "button_press")); n != 1 {
		t.Fatalf("the private window got %d clicks, want only the customer's", n)
	}

	// Shown again: the technician's click reaches it.
	customer.HideWindow(t, "lifeline-testwindow", false)
	waitFor(t, "the window shown again in the console", func() bool { return tech.VideoQuadrants(t, place) > 1000 })
	mark = win.Mark(t)
	tech.Click(t, cx, cy)
	win.WaitFor(t, mark, "the technician's click once the window is shown", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "button_press")) > 0
	})
}

// The customer hides a window from the on-screen badge: "Hide a window",
// then a click on the window. The console's video loses it, their page
// lists it as hidden, and the window did not get that click.
func TestCustomerHidesAWindowFromTheBadge(t *testing.T) {
	stack := Start(t)
	win := twtest.Start(t, stack.Display, twtest.Options{X: 200, Y: 150, W: 400, H: 300})
	place := image.Rect(200, 150, 600, 450)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	waitFor(t, "the test window in the console", func() bool { return tech.VideoQuadrants(t, place) > 1000 })

	mark := win.Mark(t)
	customer.HideFromBadge(t, 300, 250)
	waitFor(t, "the window masked in the console", func() bool {
		n, grey := tech.VideoPrivacy(t, place)
		return n == 0 && grey >= place.Dx()*place.Dy()/2
	})
	waitFor(t, "the window hidden on the customer's page", func() bool {
		return get(t, customer.ctx, "read the hidden windows", chromedp.Evaluate[bool](`(() => {
			for (const li of document.querySelectorAll("#privacy-windows li")) {
				const name = li.querySelector(".privacy-name"), box = li.querySelector("input[type=checkbox]");
				if (name && box && name.textContent === "lifeline-testwindow") return box.checked;
			}
			return false;
		})()`))
	})
	if n := len(twtest.Filter(win.Events(t)[mark:], "button_press")); n != 0 {
		t.Fatalf("the window got %d clicks: the badge's pick went through to it", n)
	}
}

// A window on another monitor (a second X screen) is listed on the
// customer's page; hidden, it is masked there in the console's video, and
// the technician's click on it there is refused.
func TestPrivateWindowOnAnotherMonitor(t *testing.T) {
	const w2, h2 = 800, 600
	stack := StartWith(t, Options{ExtraScreens: []image.Point{image.Pt(w2, h2)}})
	win := twtest.Start(t, stack.Display+".1", twtest.Options{X: 100, Y: 100, W: 400, H: 300})
	place := image.Rect(100, 100, 500, 400)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideoSize(t, ScreenW, ScreenH)
	tech.Monitors(t, 2)
	tech.Monitor(t, 1)
	tech.WaitVideoSize(t, w2, h2)
	waitFor(t, "the second monitor's test window in the console", func() bool {
		n, _ := tech.VideoPrivacyIn(t, place, w2, h2)
		return n > 1000
	})

	customer.HideWindow(t, "lifeline-testwindow", true)
	waitFor(t, "the window masked on the second monitor", func() bool {
		n, grey := tech.VideoPrivacyIn(t, place, w2, h2)
		return n == 0 && grey >= place.Dx()*place.Dy()/2
	})

	tech.RequestControl(t)
	customer.WaitAsked(t)
	customer.Allow(t)
	tech.WaitStatus(t, "in control")
	mark := win.Mark(t)
	cx, cy := win.Center()
	tech.ClickIn(t, cx, cy, w2, h2)
	customer.WaitLog(t, "input aimed at a private window dropped")
	if n, _ := tech.VideoPrivacyIn(t, place, w2, h2); n != 0 {
		t.Fatalf("%d pixels of the private window in the console", n)
	}
	if n := len(twtest.Filter(win.Events(t)[mark:], "button_press")); n != 0 {
		t.Fatalf("the private window got %d of the technician's clicks", n)
	}
}
