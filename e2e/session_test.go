package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
)

// near reports whether two colours are within tol on every channel.
func near(got, want [3]int, tol int) bool {
	for i := range got {
		if d := got[i] - want[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

// A technician sees a customer's desktop and controls it, started from an
// invitation link; the customer stays in charge and the session ends cleanly.
func TestRemoteControlSession(t *testing.T) {
	stack := Start(t)
	winAt := twtest.Options{X: 200, Y: 120, W: 600, H: 400}
	win := twtest.Start(t, stack.Display, winAt)

	// 2. The technician logs in and creates a session.
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Dupont")
	tech.Shot(t, "console-new-session")
	if !strings.Contains(inv.Link, "/s/") || len(inv.PIN) != 6 {
		t.Fatalf("invitation %+v", inv)
	}
	tech.WaitStatus(t, "Waiting for Marie Dupont to open the invitation")

	// 3–4. The customer opens the link, runs the downloaded agent, and is asked.
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	question := customer.WaitAsked(t)
	page := customer.PageText(t)
	for _, want := range []string{"Administrator", "Acme IT", "Only continue if you contacted"} {
		if !strings.Contains(page, want) {
			t.Errorf("the customer's page does not show %q:\n%s", want, page)
		}
	}
	t.Logf("customer is asked: %q", question)
	customer.Shot(t, "customer-asked-view")
	// Connected but not allowed yet: the console gets only black frames.
	tech.WaitVideo(t)
	if got := tech.Pixel(t, 200+150, 120+100); !near(got, [3]int{0, 0, 0}, 16) {
		t.Fatalf("before Allow the console shows %v where the red window is, want black", got)
	}
	allowedAt := time.Now()
	customer.Allow(t)

	// 5. The technician sees the live desktop, scaled to fit.
	w, h := tech.WaitVideo(t)
	first := tech.FirstFrameAt(t)
	t.Logf("agent start → first decoded frame: %d ms (allow click → first frame: %d ms); video %dx%d, shown at scale %.2f",
		first-customer.Started.UnixMilli(), first-allowedAt.UnixMilli(), w, h, tech.Scale(t))
	if w != ScreenW || h != ScreenH {
		t.Errorf("video is %dx%d, want the customer's %dx%d", w, h, ScreenW, ScreenH)
	}
	tech.WaitStatus(t, "Connected to Marie Dupont — view only")
	// Both on this machine: the console says the path is direct.
	path, shown := tech.WaitPath(t)
	t.Logf("console shows the path: %q", shown)
	if path != "direct" || !strings.HasPrefix(shown, "Direct connection") {
		t.Errorf("connection path %q (%q), want direct", path, shown)
	}
	tech.WaitQuadrants(t, winAt)

	// 6. The technician asks for control; the customer is asked again and allows.
	tech.RequestControl(t)
	if q := customer.WaitAsked(t); !strings.Contains(strings.ToLower(q), "control") {
		t.Errorf("second question %q does not ask for control", q)
	}
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont — in control")
	tech.Shot(t, "console-in-control")
	customer.Shot(t, "customer-controlled")

	clickAndTypeReach(t, tech, win)

	// 7. The customer revokes control: the console says so, and even input sent
	// straight on the data channel is dropped by the agent.
	customer.StopControl(t)
	tech.WaitStatus(t, "Connected to Marie Dupont — view only")
	cx, cy := win.Center()
	mark := win.Mark(t)
	tech.ForgeInput(t, cx, cy)
	customer.WaitLog(t, "input without a control grant dropped")
	if got := twtest.Filter(win.Events(t)[mark:], "button_press"); len(got) != 0 {
		t.Fatalf("input arrived after control was revoked: %+v", got)
	}

	// The technician ends the session: the agent exits and both sides say so.
	tech.End(t)
	tech.WaitStatus(t, "You ended the session with Marie Dupont")
	code, out, _ := customer.WaitExit(t)
	if code != 0 || !strings.Contains(out, "The support session has ended") {
		t.Fatalf("agent exited with %d:\n%s", code, out)
	}
}

// A customer joins with the 6-digit code, shares the screen, and ends the
// session from their own page: the console hears it and the agent exits.
func TestCustomerJoinsWithPINAndEnds(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Jean Martin")

	customer := stack.CustomerWithPIN(t, inv.PIN)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	tech.WaitStatus(t, "Connected to Jean Martin — view only")

	customer.End(t)
	if got := customer.WaitEnded(t); got == "" {
		t.Error("the customer's page does not say the session ended")
	}
	tech.WaitStatus(t, "Session ended by Jean Martin")
	if code, out, _ := customer.WaitExit(t); code != 0 {
		t.Fatalf("agent exited with %d:\n%s", code, out)
	}
}

// Closing the agent's window ends the session for the technician too.
func TestClosingTheAgentEndsTheSession(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Paul Durand")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Paul Durand — view only")

	customer.Close(t)
	tech.WaitStatus(t, "Session ended by Paul Durand")
	if code, out, _ := customer.WaitExit(t); code != 0 {
		t.Fatalf("agent exited with %d:\n%s", code, out)
	}
}

// An agent started with a code the server does not know says so and fails.
func TestAgentWithBadCodeExits(t *testing.T) {
	stack := Start(t)
	agent := filepath.Join(Binaries(t), "agents", "lifeline-agent-linux-amd64")
	customer := stack.RunAgent(t, nil, agent, "--server", stack.URL, "--code", "aaaaaaaaaaaaaaaaaaaaaaaaaa")
	code, _, stderr := customer.WaitExit(t)
	if code == 0 || !strings.Contains(stderr, "That code is not valid") {
		t.Fatalf("agent exited with %d, stderr:\n%s", code, stderr)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Defect 8 of issue 18: after the technician ended the session normally, the
// customer's page said "Lost contact with Lifeline on this computer" and its
// file picker still looked usable. It says the session has ended, and every
// control on it (the panels' included) is disabled.
func TestCustomerPageAfterTheEnd(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Dupont")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont — view only")
	run(t, customer.ctx, "see the file picker", chromedp.WaitVisible(chromedp.ID("files-input")))

	tech.End(t)
	if code, out, _ := customer.WaitExit(t); code != 0 {
		t.Fatalf("agent exited with %d:\n%s", code, out)
	}
	if got := customer.WaitEnded(t); !strings.Contains(got, "The session has ended") || !strings.Contains(got, "The technician ended the session.") {
		t.Errorf("the end reads %q", got)
	}
	const enabled = `[...document.querySelectorAll("main button, main input, main select, main textarea")].filter(e => !e.disabled).map(e => e.id || e.className)`
	var left []string
	waitFor(t, "every control on the page disabled", func() bool {
		left = get(t, customer.ctx, "the controls still enabled", chromedp.Evaluate[[]string](enabled))
		return len(left) == 0
	})
	if text := customer.PageText(t); strings.Contains(text, "Lost contact") {
		t.Errorf("after a normal end the page says it lost contact:\n%s", text)
	}
}
