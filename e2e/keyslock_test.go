package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestNoKeyboardLockSaysUseTheKeysMenu (issue 20): a browser without the
// Keyboard Lock API (Firefox) cannot capture Esc, Alt+Tab or the Windows key
// in full screen. The console says so where the technician looks for it (the
// full-screen button, the Keys menu, and on the screen once in full screen),
// and the Keys menu offers those keys. Run in Chromium with
// navigator.keyboard deleted before the page loads; with the API there, none
// of it shows.
func TestNoKeyboardLockSaysUseTheKeysMenu(t *testing.T) {
	stack := Start(t)
	tech, _ := stack.InControl(t, "Ada Lovelace")
	const note = `(() => { const e = document.getElementById("keys-nolock"); return e && !e.hidden ? e.textContent : ""; })()`
	if got := Eval[string](t, tech, "the no-keyboard-lock note", note); got != "" {
		t.Fatalf("with the Keyboard Lock API the console says %q", got)
	}

	if _, err := chromedp.Call(tech.Page(), page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `delete Navigator.prototype.keyboard; delete navigator.keyboard;`,
	}); err != nil {
		t.Fatal(err)
	}
	tech.Reload(t)
	if Eval[bool](t, tech, "navigator.keyboard", `"keyboard" in navigator`) {
		t.Fatal("navigator.keyboard is still there")
	}
	tech.WaitStatus(t, "in control")
	const want = "cannot capture Esc, Alt+Tab"
	if got := Eval[string](t, tech, "the Keys menu's note", note); !strings.Contains(got, want) || !strings.Contains(got, "Keys menu") {
		t.Fatalf("the Keys menu says %q, want it to say the browser %s… and to use the Keys menu", got, want)
	}
	if got := Eval[string](t, tech, "full screen's title", `document.getElementById("view-full").title`); !strings.Contains(got, want) {
		t.Errorf("the full-screen button's title is %q", got)
	}
	keys := Eval[[]string](t, tech, "the Keys menu", `[...document.querySelectorAll("#keys-menu [data-keys]")].filter((b) => !b.disabled).map((b) => b.dataset.keys)`)
	for _, k := range []string{"Escape", "AltLeft+Tab", "MetaLeft", "AltLeft+F4"} {
		if !strings.Contains(strings.Join(keys, " ")+" ", k+" ") {
			t.Errorf("the Keys menu offers %v, not %s", keys, k)
		}
	}
	if Eval[bool](t, tech, "Ctrl+Alt+Del", `!document.getElementById("keys-cad") || document.getElementById("keys-cad").disabled`) {
		t.Error("no Ctrl+Alt+Del to send")
	}

	// In full screen the screen itself says it.
	run(t, tech.Page(), "full screen", click("view-full"))
	tech.WaitJS(t, "full screen", `document.fullscreenElement === document.getElementById("stage")`)
	tech.WaitJS(t, "the note on the full screen", `(() => { const e = document.getElementById("fullscreen-keys"); return !!e && !e.hidden && e.textContent.includes("`+want+`"); })()`)
}
