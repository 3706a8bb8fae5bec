package e2e

import (
	"fmt"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// SetKeyboardLayout switches the customer's X keyboard layout (e.g. "fr"),
// as their desktop settings would.
func (s *Stack) SetKeyboardLayout(t testing.TB, layout string) {
	t.Helper()
	if _, err := exec.LookPath("setxkbmap"); err != nil {
		t.Skip("setxkbmap is not installed (apt-get install x11-xkb-utils)")
	}
	if out, err := exec.Command("setxkbmap", "-display", s.Display, layout).CombinedOutput(); err != nil {
		t.Fatalf("setxkbmap %s: %v: %s", layout, err, out)
	}
}

// KeyboardMode picks the workspace's keyboard mode: "remote" or "local".
func (tc *Technician) KeyboardMode(t testing.TB, mode string) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		const s = document.getElementById("keyboard-mode");
		s.value = %q;
		s.dispatchEvent(new Event("change"));
		return lifeline.input.mode;
	})()`, mode)
	if got := get(t, tc.ctx, "pick the keyboard mode", chromedp.Evaluate[string](js)); got != mode {
		t.Fatalf("keyboard mode is %q, want %q", got, mode)
	}
}

// CtrlAltDel clicks the Ctrl+Alt+Del button.
func (tc *Technician) CtrlAltDel(t testing.TB) {
	t.Helper()
	run(t, tc.ctx, "send Ctrl+Alt+Del",
		chromedp.WaitEnabled(chromedp.ID("keys-cad")),
		chromedp.Click(chromedp.ID("keys-cad")))
}
