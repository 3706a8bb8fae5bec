package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// The technician switches clipboard sharing on, the customer allows it, and text
// copied on one machine can be pasted on the other, both ways; too much text is
// not sent, and the customer can stop sharing.
func TestClipboardSyncBothWays(t *testing.T) {
	if _, err := exec.LookPath("xclip"); err != nil {
		t.Skip("xclip is not installed (go tool task deps installs it)")
	}
	stack := Start(t)
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Dupont")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont — view only")

	// Something the customer copied before sharing stays private.
	stack.CustomerCopies(t, "private before sharing")

	// The technician switches sharing on; the customer is asked and allows.
	tech.AllowClipboardAccess(t)
	tech.ShareClipboard(t)
	tech.WaitClipboardState(t, "Waiting for Marie Dupont to allow clipboard sharing")
	if q := customer.WaitAsked(t); !strings.Contains(q, "share the clipboard") {
		t.Fatalf("customer is asked %q, want the clipboard question", q)
	}
	customer.Allow(t)
	tech.WaitClipboardState(t, "Shared with Marie Dupont")
	customer.WaitLog(t, "clipboard sharing on")
	if page := customer.PageText(t); !strings.Contains(page, "Your clipboard is shared with the technician") {
		t.Errorf("the customer's page does not show that the clipboard is shared:\n%s", page)
	}
	customer.Shot(t, "customer-clipboard-shared")

	// Technician → customer: copy in the console, paste on the customer's desktop.
	const toCustomer = "Mot de passe Wi-Fi : «été-2026» ✓"
	tech.CopyText(t, toCustomer)
	waitFor(t, "the technician's text on the customer's X clipboard", func() bool { return stack.XClipboard(t) == toCustomer })
	waitFor(t, "the log line", func() bool { return strings.Contains(tech.SessionLog(t), "Clipboard sent (33 characters)") })

	// Customer → technician: copy on the desktop, paste in the technician's browser.
	const toTech = "Error 0x80070005: access denied\nline 2"
	stack.CustomerCopies(t, toTech)
	waitFor(t, "the customer's text in the console", func() bool { return tech.ClipboardPreview(t) == toTech })
	waitFor(t, "the customer's text on the technician's clipboard", func() bool { return tech.BrowserClipboard(t) == toTech })
	if log := tech.SessionLog(t); !strings.Contains(log, "Clipboard received (38 characters)") || strings.Contains(log, "private before sharing") {
		t.Errorf("session log:\n%s", log)
	}
	if tech.ClipboardPreview(t) == "private before sharing" {
		t.Error("what the customer copied before sharing was sent")
	}
	tech.Shot(t, "console-clipboard-received")

	// Over 1 MiB is not sent, with a clear note.
	tech.CopyText(t, strings.Repeat("x", 1<<20+1))
	tech.WaitClipboardState(t, "Clipboard text is too large to share (max 1 MiB)")
	if got := stack.XClipboard(t); got != toTech {
		t.Errorf("customer's clipboard has %d bytes after an oversize copy, want it unchanged", len(got))
	}

	// The customer stops sharing: the console says so and nothing crosses any more.
	customer.StopClipboard(t)
	tech.WaitClipboardState(t, "Marie Dupont stopped clipboard sharing")
	tech.WaitClipboardState(t, "Clipboard sharing is off")
	tech.CopyText(t, "after stop")
	stack.CustomerCopies(t, "customer after stop")
	customer.WaitLog(t, "clipboard sharing off")
	if got := stack.XClipboard(t); got != "customer after stop" {
		t.Errorf("customer's clipboard is %q after sharing stopped", got)
	}
	if got := tech.ClipboardPreview(t); got != toTech {
		t.Errorf("console preview is %q after sharing stopped", got)
	}
}
