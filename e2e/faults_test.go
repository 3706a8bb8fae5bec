package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/e2e/wine"
)

// Keysyms the fault test watches.
const (
	ksControlL = 0xffe3
	ksShiftL   = 0xffe1
	ksEuro     = 0x010020ac // U+20AC as the agent maps it to a spare keycode
)

// sendInput sends raw input events on the console's input channel, as the
// console does for the technician's keys and buttons.
func (tc *Technician) sendInput(t testing.TB, events ...string) {
	t.Helper()
	js := `(() => { const ch = lifeline.input.input; for (const e of [` + strings.Join(events, ",") + `]) ch.send(JSON.stringify(e)); return true; })()`
	evalJS[bool](t, tc.p, "send input", js)
}

// A crashed agent leaves nothing behind (issue 21, item 1): the technician
// holds Ctrl+Shift and the left button, has typed a character the layout
// lacks (the agent maps it to a spare keycode) and is sending a file into
// Downloads; the agent's worker is killed with SIGKILL. The display then holds
// no key and no button, the spare keycode is clear again, the indicator's
// windows are gone, no .lifeline-part file is left, and the agent tells the
// customer and exits.
func TestAgentKilledReleasesHeldKeys(t *testing.T) {
	downloads := t.TempDir()
	t.Setenv("XDG_DOWNLOAD_DIR", downloads)
	stack := Start(t)
	before := readX(t, stack.Display)
	tech, customer := stack.InControl(t, "Ada")

	// A character the US layout lacks: the agent maps a spare keycode to it.
	tech.sendInput(t, `{k: "text", t: "€"}`)
	waitFor(t, "the agent to map € to a spare keycode", func() bool {
		_, ok := readX(t, stack.Display).syms[ksEuro]
		return ok
	})

	// A file on its way into Downloads.
	path, _ := MakeFile(t, "big.bin", 400<<20)
	tech.SendFile(t, path)
	customer.AcceptFile(t)
	part := filepath.Join(downloads, ".big.bin.lifeline-part")
	waitFor(t, "the partial file in Downloads", func() bool { _, err := os.Stat(part); return err == nil })

	// The technician holds Ctrl+Shift and the left button.
	tech.sendInput(t, `{k: "key", c: "ControlLeft", d: true}`, `{k: "key", c: "ShiftLeft", d: true}`,
		`{k: "button", b: 0, d: true, x: 0.5, y: 0.5}`)
	ctrl, shift := before.syms[ksControlL], before.syms[ksShiftL]
	waitFor(t, "Ctrl, Shift and the left button held on the display", func() bool {
		x := readX(t, stack.Display)
		return x.keys[ctrl] && x.keys[shift] && x.buttons&xproto.KeyButMaskButton1 != 0
	})
	shown := readX(t, stack.Display).windows
	if len(shown) <= len(before.windows) {
		t.Fatalf("no indicator windows on the display: %d mapped before the agent, %d now", len(before.windows), len(shown))
	}

	worker := customer.WorkerPid(t)
	if err := syscall.Kill(worker, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()

	for deadline := time.Now().Add(Timeout); ; time.Sleep(20 * time.Millisecond) {
		x := readX(t, stack.Display)
		_, mapped := x.syms[ksEuro]
		if !x.keys[ctrl] && !x.keys[shift] && x.buttons == 0 && !mapped && len(x.windows) <= len(before.windows) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v after SIGKILL the display still shows: Ctrl down %v, Shift down %v, buttons 0x%x, € mapped %v, %d windows mapped (%d before the agent)",
				Timeout, x.keys[ctrl], x.keys[shift], x.buttons, mapped, len(x.windows), len(before.windows))
		}
	}
	t.Logf("released %v after SIGKILL", time.Since(killed).Round(10*time.Millisecond))
	waitFor(t, "the partial file removed", func() bool { _, err := os.Stat(part); return os.IsNotExist(err) })
	if entries, _ := os.ReadDir(downloads); len(entries) != 0 {
		t.Errorf("Downloads after the crash: %v", entries)
	}
	waitFor(t, "the customer's page to say the agent is gone", func() bool {
		return strings.Contains(customer.PageText(t), "Lost contact with Lifeline")
	})
	code, stdout, _ := customer.WaitExit(t)
	if code == 0 || !strings.Contains(stdout, "Lifeline stopped unexpectedly") {
		t.Errorf("agent exit %d; it should tell the customer; stdout:\n%s", code, stdout)
	}
}

// The technician's browser dies (its renderer crashes: no goodbye on any
// connection) while the customer's screen is viewed (issue 21, item 4):
// within seconds the customer's page says the technician's connection was
// lost, no longer that the screen is viewed, and the on-screen frame is gone
// (only the badge stays, saying the same).
func TestLostTechnicianShownWithinSeconds(t *testing.T) {
	stack := Start(t)
	before := readX(t, stack.Display)
	// A browser context of its own: its renderer is not the customer page's.
	tech := stack.TechnicianAs(t, "admin", AdminPassword)
	customer := stack.Customer(t, tech.NewSession(t, "Ada"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	waitFor(t, "the customer's page to say the screen is viewed", func() bool {
		return strings.Contains(customer.PageText(t), "being viewed")
	})

	crashed := time.Now()
	cctx, cancel := context.WithTimeout(tech.ctx, 2*time.Second)
	_, _ = chromedp.Call(cctx, page.Crash, cdp.Empty{}) // answers with the crash, or not at all
	cancel()

	const within = 8 * time.Second // ~5 s, with room for a loaded machine
	for {
		text := customer.PageText(t)
		x := readX(t, stack.Display)
		if !strings.Contains(text, "being viewed") && strings.Contains(text, "connection was lost") && len(x.windows) <= len(before.windows)+1 {
			break
		}
		if time.Since(crashed) > within {
			t.Fatalf("%v after the technician's browser died: %d windows mapped (%d before the agent, the badge alone is 1); the customer's page says:\n%s",
				within, len(x.windows), len(before.windows), text)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the customer saw the technician gone %v after the crash", time.Since(crashed).Round(10*time.Millisecond))
}

// Only signaling goes away (the server is killed) while the peer-to-peer
// connection lives on: the customer's page keeps saying the screen is viewed
// and that the session continues, not "Connection lost".
func TestSignalingLossKeepsSessionShown(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Ada"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)

	stack.KillSignaling(t)
	customer.WaitLog(t, "reconnect failed; retrying") // the agent knows signaling is gone
	tech.WaitFramesAfter(t, tech.Frames(t))           // the screen still flows
	text := customer.PageText(t)
	if strings.Contains(text, "Connection lost") || !strings.Contains(text, "being viewed") || !strings.Contains(text, "session continues") {
		t.Fatalf("with signaling down and the peer connection alive, the customer's page says:\n%s", text)
	}
}

// Found by the soak (issue 21): signaling's goroutines grew by about five
// per session. Each workspace the technician left stayed in Chromium's
// back/forward cache with its console WebSocket open, so the node held one
// console socket more per session opened (a writer, a pinger, a NATS
// subscription each) until the browser dropped the page. A page the browser
// keeps that way closes its socket, and opens it again when the technician
// comes back to it.
func TestLeftPagesHoldNoConsoleSocket(t *testing.T) {
	port := freePorts(t, 1)[0]
	metrics := fmt.Sprintf("http://127.0.0.1:%d/metrics", port)
	stack := StartWith(t, Options{SignalingArgs: []string{"--metrics-addr", fmt.Sprintf("127.0.0.1:%d", port)}})
	tech := stack.Technician(t)
	tech.NewSession(t, "Ada")
	first := tech.SessionID(t)
	evalJS[bool](t, tech.p, "mark the page", `(window.__kept = true)`)
	for _, name := range []string{"Grace", "Alan"} {
		tech.NewSession(t, name)
	}
	sockets := func() float64 { return metric(t, metrics, "lifeline_consoles_connected") }
	waitFor(t, "the node to hold one console socket, the open workspace's", func() bool { return sockets() == 1 })

	// Back to Ada's workspace (past Alan's queue page, Grace's workspace and
	// its queue page): the page the cache kept connects again.
	do(t, "go back four pages", func(ctx context.Context) error {
		h, err := chromedp.Call(tech.ctx, page.GetNavigationHistory, cdp.Empty{})
		if err != nil || h.CurrentIndex < 4 {
			return fmt.Errorf("history at %d: %v", h.CurrentIndex, err)
		}
		// Returns at once: a page shown from the cache fires no load event.
		_, err = chromedp.Call(tech.ctx, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: h.Entries[h.CurrentIndex-4].ID})
		return err
	})
	waitFor(t, "Ada's workspace shown again", func() bool {
		var sid string
		ctx, cancel := context.WithTimeout(tech.ctx, 5*time.Second)
		defer cancel()
		err := tech.p.Eval(ctx, `document.getElementById("workspace")?.dataset.sid ?? ""`, &sid) // fails while the pages change
		return err == nil && sid == first
	})
	if !evalJS[bool](t, tech.p, "was the page kept", `window.__kept === true`) {
		t.Skip("Chromium reloaded the page instead of keeping it in its back/forward cache: nothing to reconnect")
	}
	waitFor(t, "Ada's workspace connected again, alone", func() bool {
		return sockets() == 1 && evalJS[bool](t, tech.p, "the page's socket", `lifeline.signalOpen`)
	})
}

// A crashed Windows agent leaves nothing held either (issue 21, item 1, on
// Windows): under Wine, the technician holds Ctrl+Shift and the left button
// on a Windows window; the agent's worker is killed with SIGKILL; the
// supervisor releases them with SendInput (the window sees the keys and the
// button come up) and tells the customer.
func TestWindowsAgentKilledReleasesHeldKeys(t *testing.T) {
	prefix := wine.NewPrefix(t) // skips without wine64 and mingw
	stack := Start(t)
	WindowsAgent(t)
	// Centred on the screen: the held button lands on the window too.
	win := twtest.StartWindows(t, stack.Display, prefix, twtest.Options{X: ScreenW/2 - 200, Y: ScreenH/2 - 150, W: 400, H: 300})
	tech := stack.Technician(t)
	customer := stack.WindowsCustomer(t, tech.NewSession(t, "Ada"), prefix)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	tech.RequestControl(t)
	customer.Allow(t)
	tech.WaitStatus(t, "in control")
	cx, cy := win.Center()
	mark := win.Mark(t)
	tech.Click(t, cx, cy) // the window takes the keyboard
	win.WaitFor(t, mark, "the click on the Windows window", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "button_release")) > 0 && twtest.Released(evs)
	})

	mark = win.Mark(t)
	tech.sendInput(t, `{k: "key", c: "ControlLeft", d: true}`, `{k: "key", c: "ShiftLeft", d: true}`,
		`{k: "button", b: 0, d: true, x: 0.5, y: 0.5}`)
	win.WaitFor(t, mark, "Ctrl, Shift and the left button held on the Windows window", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "key_press")) >= 2 && len(twtest.Filter(evs, "button_press")) >= 1
	})
	worker := customer.WorkerPid(t)
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", worker))
	if worker == customer.Pid() || !strings.Contains(string(cmdline), "lifeline-support") {
		t.Fatalf("the worker is process %d (%q), the agent %d", worker, strings.ReplaceAll(string(cmdline), "\x00", " "), customer.Pid())
	}
	if err := syscall.Kill(worker, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	win.WaitFor(t, mark, "every key and button released after SIGKILL", twtest.Released)
	t.Logf("released %v after SIGKILL", time.Since(killed).Round(10*time.Millisecond))
	code, stdout, _ := customer.WaitExit(t)
	if code == 0 || !strings.Contains(stdout, "Lifeline stopped unexpectedly") {
		t.Errorf("agent exit %d; it should tell the customer; stdout:\n%s", code, stdout)
	}
}
