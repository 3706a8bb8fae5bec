package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
)

// TestStoryInEachBrowser is the core story, written once, with the
// technician in each browser we support: log in, invite, the customer
// joins, the screen flows (frames advance, known pixels in the decoded
// video), control (a click and typed text reach the test window), chat
// both ways, a file each way with its hash, hold and resume, end. The
// customer's own page stays in Chromium: it is the browser that varies.
// Most other e2e tests run the technician in Chromium only
// (TestSecondConsoleTakesOverSession runs in both too).
func TestStoryInEachBrowser(t *testing.T) {
	for _, browser := range []string{Chromium, Firefox} {
		t.Run(browser, func(t *testing.T) { story(t, browser) })
	}
}

func story(t *testing.T, browser string) {
	began := time.Now()
	downloads := t.TempDir()
	t.Setenv("XDG_DOWNLOAD_DIR", downloads) // the customer's Downloads
	stack := Start(t)
	winAt := twtest.Options{X: 200, Y: 120, W: 600, H: 400}
	win := twtest.Start(t, stack.Display, winAt)
	Animate(t, stack.Display, 900, 500, 120, 90) // a moving corner, so frames keep coming

	// Log in, invite; the customer joins and lets the technician see.
	tech := stack.TechnicianIn(t, browser)
	inv := tech.NewSession(t, "Marie Dupont")
	tech.WaitStatus(t, "Waiting for Marie Dupont to open the invitation")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	if w, h := tech.WaitVideo(t); w != ScreenW || h != ScreenH {
		t.Errorf("video is %dx%d, want %dx%d", w, h, ScreenW, ScreenH)
	}
	tech.WaitStatus(t, "Connected to Marie Dupont — view only")

	// The screen flows: decoded frames advance, and the test window's
	// colours are where they are on the customer's screen.
	first := tech.WaitFramesAfter(t, 0)
	tech.WaitFramesAfter(t, first+10)
	tech.WaitQuadrants(t, winAt)
	tech.Shot(t, browser+"-view")

	// Control: a click and typed text reach the customer's window.
	tech.RequestControl(t)
	if q := customer.WaitAsked(t); !strings.Contains(strings.ToLower(q), "control") {
		t.Errorf("the customer is asked %q, want a question about control", q)
	}
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont — in control")
	clickAndTypeReach(t, tech, win)

	// Chat both ways.
	customer.WaitChatReady(t)
	tech.Chat(t, "Bonjour, je regarde")
	customer.WaitChat(t, "Bonjour, je regarde")
	customer.Chat(t, "Merci !")
	tech.WaitLog(t, "Merci !")

	// A file each way, the same bytes at the other end.
	inSum := fileEachWay(t, tech, customer, "report.bin", func() string {
		p := filepath.Join(downloads, "report.bin")
		if !fileExists(p) {
			return ""
		}
		return p
	})
	saved := tech.SaveReceived(t, "photos.bin")
	if got := fileSHA(t, saved); got != inSum {
		t.Errorf("the technician saved SHA-256 %s, want %s", got, inSum)
	}

	// Hold and resume: the screen flows again after.
	tech.ToggleHold(t)
	tech.WaitState(t, "on_hold")
	tech.WaitStatus(t, "Marie Dupont is on hold")
	tech.ToggleHold(t)
	tech.WaitState(t, "active")
	tech.WaitStatus(t, "Connected to Marie Dupont")
	tech.WaitFramesAfter(t, tech.Frames(t))

	// Nothing went wrong on the way, as far as the console's page knows.
	if p := tech.PageProblems(t); len(p) > 0 {
		t.Errorf("the console reported problems:\n%s", strings.Join(p, "\n"))
	}

	// End: both sides say so and the agent exits.
	tech.End(t)
	tech.WaitStatus(t, "You ended the session with Marie Dupont")
	if code, out, _ := customer.WaitExit(t); code != 0 || !strings.Contains(out, "The support session has ended") {
		t.Fatalf("agent exited with %d:\n%s", code, out)
	}
	t.Logf("%s story: %s", browser, time.Since(began).Round(100*time.Millisecond))
}

// clickAndTypeReach clicks the middle of the test window win in the console
// and types characters of several scripts and Enter: the customer's window
// must get the click where it was aimed and exactly the text.
func clickAndTypeReach(t *testing.T, tech *Technician, win *twtest.Window) {
	t.Helper()
	mark := win.Mark(t)
	cx, cy := win.Center()
	tech.Click(t, cx, cy)
	evs := win.WaitFor(t, mark, "the click on the test window", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "button_press")) > 0
	})
	if p := twtest.Filter(evs, "button_press")[0]; p.Button != 1 || abs(p.RootX-cx) > 3 || abs(p.RootY-cy) > 3 {
		t.Errorf("click arrived as button %d at (%d,%d), want button 1 at (%d,%d)", p.Button, p.RootX, p.RootY, cx, cy)
	}
	// Characters (any script) and keys that are not characters (Enter).
	mark = win.Mark(t)
	const text = "Hello é€ Ünïcode"
	tech.Type(t, text+"\n")
	win.WaitFor(t, mark, "the typed text", func(evs []twtest.Event) bool { return twtest.Typed(evs) == text+"\r" })
}

// fileEachWay sends a 3 MiB file name from the console, which the customer
// accepts, then photos.bin from the customer's page, and checks both hashes
// at both ends; saved says where the customer's agent put name ("" for
// nowhere). It returns the SHA-256 of photos.bin.
func fileEachWay(t *testing.T, tech *Technician, customer *Customer, name string, saved func() string) string {
	t.Helper()
	out, sum := MakeFile(t, name, 3<<20)
	tech.SendFile(t, out)
	customer.AcceptFile(t)
	waitFor(t, "the file at the customer", func() bool { return len(tech.Files(t).Sent) == 1 })
	if got := tech.Files(t).Sent[0].SHA256; got != sum {
		t.Errorf("the console says it sent SHA-256 %s, want %s", got, sum)
	}
	if p := saved(); p == "" || fileSHA(t, p) != sum {
		t.Errorf("the customer's Downloads holds %q, want %s with SHA-256 %s", p, name, sum)
	}
	in, inSum := MakeFile(t, "photos.bin", 2<<20+12345)
	customer.SendFile(t, in)
	waitFor(t, "the file at the technician", func() bool { return len(tech.Files(t).Received) == 1 })
	if r := tech.Files(t).Received[0]; r.SHA256 != inSum || r.Name != "photos.bin" {
		t.Errorf("the technician received %+v, want photos.bin with SHA-256 %s", r, inSum)
	}
	return inSum
}
