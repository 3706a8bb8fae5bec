package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
	home := t.TempDir()
	stack.AgentEnv = append(stack.AgentEnv, "XDG_CONFIG_HOME="+home)
	place := unattended.Place{Config: home}

	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie"))
	customer.OpenPage(t)
	customer.Allow(t)
	waitJS(t, tech.p, "the workspace's console script ran", `!!window.lifeline?.video`)
	tech.WaitVideo(t)

	// The technician asks; the customer reads what it means, and agrees.
	clickOn(t, tech.p, "#ua-ask")
	if q := customer.WaitAsked(t); !strings.Contains(q, "when you are not there") || !strings.Contains(q, "at any time") {
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
	for _, p := range []string{unit, filepath.Dir(cmdline[0])} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", p, err)
		}
	}
}
