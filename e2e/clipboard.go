package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// AllowClipboardAccess gives the console the clipboard permissions a technician
// grants when the browser asks, and keeps its tab focused (as the window the
// technician works in), so the page may read and write the clipboard.
func (tc *Technician) AllowClipboardAccess(t testing.TB) {
	t.Helper()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(tc.ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
			Setting:    browser.PermissionSettingGranted,
			Origin:     tc.s.URL,
		}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
	if _, err := chromedp.Call(tc.ctx, page.BringToFront, struct{}{}); err != nil {
		t.Fatalf("bring the console to front: %v", err)
	}
	if _, err := chromedp.Call(tc.ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatalf("focus the console: %v", err)
	}
}

// ShareClipboard flips the "Share clipboard" switch.
func (tc *Technician) ShareClipboard(t testing.TB) {
	t.Helper()
	tc.OpenPanel(t, "clipboard")
	run(t, tc.ctx, "switch clipboard sharing", chromedp.WaitEnabled(chromedp.ID("clip-switch")), click("clip-switch"))
}

// ClipboardState returns the clipboard panel's state line and note.
func (tc *Technician) ClipboardState(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the clipboard state",
		`document.getElementById("clip-state").textContent + " " + document.getElementById("clip-note").textContent`)
}

// WaitClipboardState waits until the clipboard panel's state or note contains text.
func (tc *Technician) WaitClipboardState(t testing.TB, text string) {
	t.Helper()
	waitFor(t, "clipboard panel saying "+text, func() bool { return strings.Contains(tc.ClipboardState(t), text) })
}

// CopyText selects text in the console page and copies it (Ctrl+C, as a user
// gesture).
func (tc *Technician) CopyText(t testing.TB, text string) {
	t.Helper()
	js := `(() => {
		const d = document.createElement("div");
		d.id = "e2e-copy-source";
		d.textContent = ` + jsString(text) + `;
		document.getElementById("panel-clipboard").append(d);
		const r = document.createRange();
		r.selectNodeContents(d);
		const s = getSelection();
		s.removeAllRanges();
		s.addRange(r);
		const ok = document.execCommand("copy");
		s.removeAllRanges();
		d.remove();
		return ok;
	})()`
	// Chromium's execCommand("copy") needs a fresh user activation; on a
	// heavily loaded machine the one given with the evaluation can lapse before
	// the copy runs, so try again a couple of times before calling it refused.
	for try := 1; !get(t, tc.ctx, "copy text in the console", chromedp.Evaluate[bool](js, userGesture)); try++ {
		if try == 3 {
			t.Fatal("the console refused to copy")
		}
	}
}

// BrowserClipboard returns the text on the technician's clipboard.
func (tc *Technician) BrowserClipboard(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the technician's clipboard", `navigator.clipboard.readText().catch((e) => "ERROR: " + e)`)
}

// ClipboardPreview returns the "last synced" text the panel shows.
func (tc *Technician) ClipboardPreview(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the clipboard preview", `document.getElementById("clip-preview").textContent`)
}

// SessionLog returns the text of the workspace's session log.
func (tc *Technician) SessionLog(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the session log", `document.getElementById("session-log").textContent`)
}

// StopClipboard clicks "Stop sharing clipboard" on the customer's page.
func (c *Customer) StopClipboard(t testing.TB) {
	t.Helper()
	run(t, c.ctx, "stop clipboard sharing", click("stop-clip"))
}

// XClipboard returns the text on the customer's X clipboard, as a paste would
// get it ("" if none).
func (s *Stack) XClipboard(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("xclip", "-o", "-selection", "clipboard", "-display", s.Display).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// CustomerCopies puts text on the customer's X clipboard, as copying in any
// application does, and returns once a paste gets it: xclip's parent exits
// before the child it leaves behind owns the selection (CI read the
// previous copy right after it).
func (s *Stack) CustomerCopies(t testing.TB, text string) {
	t.Helper()
	cmd := exec.Command("xclip", "-i", "-selection", "clipboard", "-display", s.Display)
	cmd.Stdin = strings.NewReader(text)
	cmd.Env = append(os.Environ(), "DISPLAY="+s.Display)
	if err := cmd.Run(); err != nil {
		t.Fatalf("xclip -i: %v", err)
	}
	waitFor(t, "the customer's copy on their clipboard", func() bool { return s.XClipboard(t) == text })
}

func userGesture(p *runtime.EvaluateParams) { yes := true; p.UserGesture = &yes }

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// jsonOf is v as a JavaScript literal (its JSON).
func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
