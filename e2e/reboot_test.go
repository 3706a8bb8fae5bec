package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Issue 15, reboot and reconnect: the technician asks for a restart, the
// customer confirms it on their page, the agent leaves its one-shot
// autostart entry (its secret readable by the customer only) and runs the
// restart (the test's stand-in) and exits, as a restart would end it; the
// console shows Rebooting. The test then runs the entry as the desktop
// would after the customer logs in: the program asks "Reconnect to ...?",
// then viewing again, and the session is Active with the screen on a new
// connection. The entry is gone once used: run again, it brings nothing back.
func TestRebootAndReconnect(t *testing.T) {
	stack := Start(t)
	config, ran := stack.FakeReboot(t)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Ada"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	tech.WaitState(t, "active")
	tech.markPeer(t)

	tech.Reboot(t)
	if q := customer.WaitAsked(t); !strings.Contains(q, "wants to restart your computer. Save your work first.") {
		t.Fatalf("the customer is asked %q", q)
	}
	if b := get(t, customer.ctx, "the buttons", chromedp.Text(chromedp.ID("allow"))) + "/" + get(t, customer.ctx, "deny", chromedp.Text(chromedp.ID("deny"))); b != "Restart/Not now" {
		t.Errorf("the buttons say %q", b)
	}
	customer.Allow(t)
	code, stdout, _ := customer.WaitExit(t)
	if code != 0 || !strings.Contains(stdout, "Your computer is restarting") || ranCount(ran) != 1 {
		t.Fatalf("after the restart: exit %d, restart ran %d times, stdout:\n%s", code, ranCount(ran), stdout)
	}
	tech.WaitState(t, "rebooting")
	tech.WaitStatus(t, "computer is restarting")
	shot(t, tech.ctx, "console-rebooting")
	if os.Getenv("LIFELINE_SCREENSHOTS") != "" {
		png := get(t, tech.ctx, "screenshot", chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join("screenshots", "console-rebooting.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(config, "lifeline", "reboot", "*.json"))
	if len(files) != 1 {
		t.Fatalf("entry files %q", files)
	}
	if fi, err := os.Stat(files[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the entry's secret file: %v %v, want mode 0600", fi.Mode(), err)
	}

	again := stack.RunAutostart(t, customer, config)
	again.OpenPage(t)
	if q := again.WaitAsked(t); !strings.Contains(q, "Reconnect to") {
		t.Fatalf("after the restart the customer is asked %q", q)
	}
	run(t, again.ctx, "yes", click("allow")) // the next question takes its place at once
	waitFor(t, "viewing asked again", func() bool { return strings.Contains(again.WaitAsked(t), "view your screen") })
	again.Allow(t)
	tech.WaitState(t, "active")
	waitFor(t, "the screen on a new connection", func() bool { return tech.newPeerConnected(t) })
	tech.WaitFramesAfter(t, 0)
	waitFor(t, "the log says it", func() bool { return strings.Contains(tech.LogText(t), "back after the restart") })
	if left, _ := filepath.Glob(filepath.Join(config, "autostart", "*")); len(left) != 0 {
		t.Fatalf("autostart entries left after use: %q", left)
	}

	// The entry used twice: it is gone, and says so.
	twice := stack.RunAgent(t, customer.ctx, again.cmd.Args[0], "--reconnect", files[0])
	if code, _, stderr := twice.WaitExit(t); code == 0 || !strings.Contains(stderr, "used already") {
		t.Fatalf("the entry run twice: exit %d\n%s", code, stderr)
	}
	tech.WaitStatus(t, "Connected to Ada")
}

// Issue 15: a computer that does not come back: the session waits the
// server's limit (5 s here, 10 minutes by default), then ends, and the
// console says why.
func TestRebootNotBackExpires(t *testing.T) {
	stack := StartWith(t, Options{SignalingArgs: []string{"--reboot-wait", "5s"}})
	config, _ := stack.FakeReboot(t)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Ada"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitState(t, "active")
	tech.Reboot(t)
	customer.Allow(t) // Restart
	customer.WaitExit(t)
	tech.WaitState(t, "rebooting")
	tech.WaitState(t, "timed_out")
	tech.WaitStatus(t, "The customer's computer did not come back within 5 seconds")
	if !strings.Contains(tech.LogText(t), "did not come back within 5 seconds") {
		t.Errorf("the log does not say why the session ended:\n%s", tech.LogText(t))
	}
	// The entry run late brings nothing back: it lives as long as the
	// server waits (the server's wait reached the agent with the restart),
	// so it refuses itself and says so, before any page or question.
	late := stack.RunAutostart(t, customer, config)
	code, out, errs := late.WaitExit(t)
	if code == 0 {
		t.Fatal("the entry reconnected a session that timed out")
	}
	if said := out + errs; !strings.Contains(said, "has ended") {
		t.Errorf("the late entry said %q; want that the session has ended", said)
	}
}

// Issue 15: after the restart the customer says No to reconnecting: the
// session ends, the technician's log says why, and the entry is gone.
func TestRebootReconnectDeclined(t *testing.T) {
	stack := Start(t)
	config, _ := stack.FakeReboot(t)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Ada"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitState(t, "active")
	tech.Reboot(t)
	customer.Allow(t) // Restart
	customer.WaitExit(t)
	tech.WaitState(t, "rebooting")

	again := stack.RunAutostart(t, customer, config)
	again.OpenPage(t)
	if q := again.WaitAsked(t); !strings.Contains(q, "Reconnect to") {
		t.Fatalf("asked %q", q)
	}
	again.Deny(t) // No
	if code, stdout, _ := again.WaitExit(t); code != 0 || !strings.Contains(stdout, "chose not to reconnect") {
		t.Fatalf("after No: exit %d\n%s", code, stdout)
	}
	tech.WaitState(t, "closed_by_customer")
	waitFor(t, "the log says it", func() bool { return strings.Contains(tech.LogText(t), "Ada chose not to reconnect") })
	if left, _ := filepath.Glob(filepath.Join(config, "autostart", "*")); len(left) != 0 {
		t.Fatalf("autostart entries left: %q", left)
	}
	if left, _ := filepath.Glob(filepath.Join(config, "lifeline", "reboot", "*")); len(left) != 0 {
		t.Fatalf("entry files left: %q", left)
	}
}
