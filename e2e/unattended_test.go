package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/agent/desktopentry"
	"github.com/lifeline-support/lifeline/agent/indicator"
	"github.com/lifeline-support/lifeline/agent/unattended"
)

// Unattended access, end to end: in an attended session the technician asks
// for unattended access and the customer agrees; the agent installs its
// systemd user unit, which the test then runs as the session manager
// would, and the customer's session ends. The computer shows online on the
// Computers page, comes back after a signaling restart, and the technician
// connects with nobody at the computer under each policy: silent (no
// indicator), notify (the indicator on), ask (nobody answers; allowed
// after the wait, as the policy says; the indicator on). An administrator revokes it: the
// device stops and cannot come back; the customer's --unattended-remove
// removes everything from the computer.
func TestUnattendedAccess(t *testing.T) {
	stack := Start(t)
	tech, customer, place := unattendedComputer(t, stack)
	unit, _ := place.Unit()
	cmdline, err := unattended.ExecStart(unit)
	if err != nil {
		t.Fatal(err)
	}
	device := stack.RunAgent(t, customer.ctx, cmdline[0], cmdline[1:]...)

	computers := func(want string) {
		t.Helper()
		waitFor(t, "the computer "+want+" on the Computers page", func() bool {
			navigate(t, tech.p, stack.URL+"/console/computers")
			return evalJS[string](t, tech.p, "read the status", `document.querySelector("tr.computer .status")?.textContent.trim() ?? ""`) == want
		})
	}
	computers("Online")
	stack.RestartSignaling(t, nil)
	computers("Online")

	for _, policy := range []struct {
		mode, seconds string
		badge         bool
	}{
		{"silent", "0", false},
		{"notify", "0", true},
		// Asked or not, a customer who may be there sees the indicator:
		// only silent hides it (agent/main.go: features, indicatorOn).
		{"ask", "2", true},
	} {
		t.Run(policy.mode, func(t *testing.T) {
			// The last session's badge is gone before this one starts (CI:
			// the notify session's badge was still up when the ask session
			// was checked).
			waitFor(t, "no badge left from the last session", func() bool { return stack.TopWindow(t).Dy() != indicator.BadgeHeight })
			navigate(t, tech.p, stack.URL+"/console/computers")
			evalJS[bool](t, tech.p, "set the policy", fmt.Sprintf(`(() => {
				const f = document.querySelector('form.policy[data-group="default"]');
				f.mode.value = %s; f.askSeconds.value = %s; f.allowOnTimeout.checked = true;
				window.__policySent = true; f.submit(); return true; })()`, strconv.Quote(policy.mode), strconv.Quote(policy.seconds)))
			// The page the form's answer loads, not the one it was sent from.
			waitJS(t, tech.p, "the policy saved", fmt.Sprintf(`!window.__policySent && document.querySelector('form.policy[data-group="default"] select')?.value === %s`, strconv.Quote(policy.mode)))
			clickOn(t, tech.p, "tr.computer button.connect")
			var at string
			waitFor(t, "the workspace of the new session", func() bool {
				at = evalJS[string](t, tech.p, "where the page is", `location.pathname + " " + (document.querySelector("#computers-message")?.textContent ?? "")`)
				return strings.HasPrefix(at, "/console/sessions/")
			})
			t.Logf("Connect opened %s", at)
			tech.waitReady(t)
			waitJS(t, tech.p, "the workspace's console script ran", `!!window.lifeline?.video`)
			tech.WaitVideo(t)
			if policy.badge {
				device.badge(t)
			} else if r := stack.TopWindow(t); r.Dy() == indicator.BadgeHeight {
				t.Errorf("a badge shows under the %s policy", policy.mode)
			}
			tech.End(t)
			waitJS(t, tech.p, "the session ended", `document.getElementById("status")?.dataset.state === "ended"`)
		})
	}
	if n := strings.Count(stack.logs.String(), "unattended session created"); n < 3 {
		t.Logf("signaling logged %d unattended sessions", n)
	}

	// An administrator revokes the computer: its device stops for good.
	// The page the revocation's answer loads says so (opening another
	// before it would cancel the request).
	navigate(t, tech.p, stack.URL+"/console/computers")
	evalJS[bool](t, tech.p, "mark the page", `window.__revokeSent = true`)
	clickOn(t, tech.p, "tr.computer button.revoke")
	waitJS(t, tech.p, "the computer revoked", `!window.__revokeSent && document.querySelector("tr.computer .status")?.textContent.trim() === "Revoked"`)
	if code, out, _ := device.WaitExit(t); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("the revoked device exited %d: %s", code, out)
	}
	again := stack.RunAgent(t, customer.ctx, cmdline[0], cmdline[1:]...)
	if code, out, _ := again.WaitExit(t); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("the revoked device, started again, exited %d: %s", code, out)
	}

	// The customer removes it from the computer: nothing is left.
	rm := stack.RunAgent(t, customer.ctx, cmdline[0], "--unattended-remove")
	if code, out, _ := rm.WaitExit(t); code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("--unattended-remove exited %d: %s", code, out)
	}
	entry, _ := place.MenuEntry()
	for _, p := range []string{unit, entry, filepath.Dir(cmdline[0])} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", p, err)
		}
	}
}

// unattendedComputer has a customer agree to unattended access in an
// attended session (the agent then installs its systemd user unit and its
// menu entry, under temporary folders) and end the session; it checks the
// unit runs the installed program with --unattended.
func unattendedComputer(t *testing.T, stack *Stack) (*Technician, *Customer, unattended.Place) {
	t.Helper()
	return unattendedComputerAt(t, stack, nil, "at any time")
}

// unattendedComputerAt is unattendedComputer with the window chosen by
// choose (nil: the default, at any time) and the customer's question
// checked for wantWindow.
func unattendedComputerAt(t *testing.T, stack *Stack, choose func(tech *Technician), wantWindow string) (*Technician, *Customer, unattended.Place) {
	t.Helper()
	home, data := t.TempDir(), t.TempDir()
	stack.AgentEnv = append(stack.AgentEnv, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+data)
	place := unattended.Place{Config: home, Menu: filepath.Join(data, "applications")}

	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie"))
	customer.OpenPage(t)
	customer.Allow(t)
	waitJS(t, tech.p, "the workspace's console script ran", `!!window.lifeline?.video`)
	tech.WaitVideo(t)

	// The technician asks; the customer reads what it means, and agrees.
	if choose != nil {
		choose(tech)
	}
	clickOn(t, tech.p, "#ua-ask")
	if q := customer.WaitAsked(t); !strings.Contains(q, "when you are not there") || !strings.Contains(q, wantWindow) {
		t.Fatalf("the customer was asked %q", q)
	}
	customer.Allow(t)
	unit, err := place.Unit()
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the systemd user unit", func() bool { _, err := os.Stat(unit); return err == nil })
	waitJS(t, tech.p, "the technician told the customer agreed", `document.body.textContent.includes("allowed unattended access")`)
	st, err := place.Settings()
	if err != nil || st.DeviceID == "" {
		t.Fatalf("settings %+v, %v", st, err)
	}
	customer.End(t)
	customer.WaitEnded(t)
	customer.Close(t)
	customer.WaitExit(t)

	// The session manager starts the unit.
	cmdline, err := unattended.ExecStart(unit)
	if err != nil {
		t.Fatal(err)
	}
	if prog, _ := place.Program(); cmdline[0] != prog || !strings.Contains(strings.Join(cmdline, " "), "--unattended") {
		t.Fatalf("ExecStart %q", cmdline)
	}
	return tech, customer, place
}

// The owner sees and removes unattended access without a terminal: the
// menu entry the agent installed opens a local page that names the
// computer, who may connect and when; its button removes access. The
// running device stops, the server refuses the computer's old key, and
// nothing is left on the computer.
func TestUnattendedOwnersPage(t *testing.T) {
	stack := Start(t)
	tech, customer, place := unattendedComputer(t, stack)
	st, _ := place.Settings()
	unit, _ := place.Unit()
	service, _ := unattended.ExecStart(unit)
	device := stack.RunAgent(t, customer.ctx, service[0], service[1:]...)
	waitFor(t, "the computer online on the Computers page", func() bool {
		navigate(t, tech.p, stack.URL+"/console/computers")
		return evalJS[string](t, tech.p, "read the status", `document.querySelector("tr.computer .status")?.textContent.trim() ?? ""`) == "Online"
	})
	// The key and settings as they were, to try them again once removed.
	dir, _ := place.Dir()
	key, _ := os.ReadFile(filepath.Join(dir, "key"))
	settings, _ := os.ReadFile(filepath.Join(dir, "settings.json"))

	// The owner opens "Lifeline unattended access" from the menu: the
	// desktop runs the entry's Exec line.
	entry, _ := place.MenuEntry()
	b, err := os.ReadFile(entry)
	if err != nil || !strings.Contains(string(b), "Name=Lifeline unattended access") {
		t.Fatalf("menu entry: %v\n%s", err, b)
	}
	exec, err := desktopentry.ReadExec(entry)
	if err != nil {
		t.Fatal(err)
	}
	pageProg := stack.RunAgent(t, customer.ctx, exec[0], exec[1:]...)
	pageProg.OpenPage(t)
	text := pageProg.PageText(t)
	for _, want := range []string{st.DeviceID, "asked by", "at any time", "No technician has connected yet", "Remove unattended access"} {
		if !strings.Contains(text, want) {
			t.Errorf("the owner's page lacks %q:\n%s", want, text)
		}
	}
	if os.Getenv("LIFELINE_SCREENSHOTS") != "" {
		writeShot(t, get(t, customer.ctx, "screenshot the owner's page", chromedp.CaptureScreenshot()), "unattended-owner-page")
	}
	run(t, customer.ctx, "remove unattended access", click("remove"),
		chromedp.WaitVisible(`body[data-removed="true"] #result`))
	if got := get(t, customer.ctx, "read the result", chromedp.Text(chromedp.ID("result"))); !strings.Contains(got, "support team was told") {
		t.Errorf("after removal the page says %q", got)
	}
	if code, out, _ := pageProg.WaitExit(t); code != 0 {
		t.Errorf("the page's program exited %d: %s", code, out)
	}
	if code, out, _ := device.WaitExit(t); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("the device exited %d: %s", code, out)
	}
	waitFor(t, "the computer revoked on the Computers page", func() bool {
		navigate(t, tech.p, stack.URL+"/console/computers")
		return evalJS[string](t, tech.p, "read the status", `document.querySelector("tr.computer .status")?.textContent.trim() ?? ""`) == "Revoked"
	})
	for _, p := range []string{unit, entry, dir} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", p, err)
		}
	}

	// The old key, put back, is refused by the server (tried with the
	// program the customer downloaded: the installed one is gone).
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(dir, "key"), key, 0o600)
	_ = os.WriteFile(filepath.Join(dir, "settings.json"), settings, 0o600)
	again := stack.RunAgent(t, customer.ctx, customer.bin, service[1:]...)
	if code, out, _ := again.WaitExit(t); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("the old key, tried again, exited %d: %s", code, out)
	}
}

// The technician chooses days and hours, which are the customer's: the
// customer's computer (here on Kiritimati time, UTC+14) puts its own time
// zone in, the question says so, and the Computers page shows when the
// computer is available. Outside the window the server refuses Connect
// with a clear message.
func TestUnattendedOutsideWindow(t *testing.T) {
	stack := Start(t)
	const zone = "Pacific/Kiritimati"
	stack.AgentEnv = append(stack.AgentEnv, "TZ="+zone)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	// An hour, every day, half a day away from now on the customer's clock.
	h := (time.Now().In(loc).Hour() + 12) % 24
	from, to := fmt.Sprintf("%02d:00", h), fmt.Sprintf("%02d:00", (h+1)%24)
	shown := to
	if to == "00:00" {
		shown = "24:00"
	}
	want := fmt.Sprintf("every day, from %s to %s (%s time)", from, shown, zone)
	tech, customer, place := unattendedComputerAt(t, stack, func(tech *Technician) {
		evalJS[bool](t, tech.p, "choose the days and hours", fmt.Sprintf(`(() => {
			const s = document.getElementById("ua-window");
			s.value = "custom"; s.dispatchEvent(new Event("change"));
			for (const b of document.querySelectorAll('input[name="ua-day"]')) b.checked = true;
			document.getElementById("ua-from").value = %q;
			document.getElementById("ua-to").value = %q;
			return !document.getElementById("ua-custom").hidden; })()`, from, to))
	}, want)
	if st, _ := place.Settings(); st.Window.Zone != zone || st.Window.From != from || len(st.Window.Days) != 7 {
		t.Fatalf("the window installed: %+v", st.Window)
	}
	unit, _ := place.Unit()
	service, _ := unattended.ExecStart(unit)
	stack.RunAgent(t, customer.ctx, service[0], service[1:]...)
	waitFor(t, "the computer online on the Computers page", func() bool {
		navigate(t, tech.p, stack.URL+"/console/computers")
		return evalJS[string](t, tech.p, "read the status", `document.querySelector("tr.computer .status")?.textContent.trim() ?? ""`) == "Online"
	})
	if got := evalJS[string](t, tech.p, "read the window", `document.querySelector("tr.computer .window")?.textContent.trim() ?? ""`); got != "available "+want {
		t.Errorf("the Computers page says %q", got)
	}
	clickOn(t, tech.p, "tr.computer button.connect")
	waitJS(t, tech.p, "the refusal", `(document.querySelector("#computers-message")?.textContent ?? "").includes("does not allow unattended access at this time")`)
	if strings.HasPrefix(evalJS[string](t, tech.p, "where the page is", `location.pathname`), "/console/sessions/") {
		t.Fatal("Connect opened a session outside the window")
	}
	if os.Getenv("LIFELINE_SCREENSHOTS") != "" {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		png, err := tech.p.Screenshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		writeShot(t, png, "computers-outside-window")
	}
}
