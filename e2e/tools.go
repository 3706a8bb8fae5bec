package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// AskSystemInfo clicks "Ask to see system information".
func (tc *Technician) AskSystemInfo(t testing.TB) {
	t.Helper()
	run(t, tc.ctx, "ask for system information", chromedp.WaitEnabled(chromedp.ID("sys-ask")), click("sys-ask"))
}

// DashboardHostname waits for the dashboard and returns the host name it shows.
func (tc *Technician) DashboardHostname(t testing.TB) string {
	t.Helper()
	var host string
	waitFor(t, "the dashboard's host name", func() bool {
		host = get(t, tc.ctx, "read the host name", chromedp.Evaluate[string](`document.getElementById("sys-hostname")?.textContent ?? ""`))
		return host != ""
	})
	return host
}

// ShowProcesses opens the Processes tab and filters it by text.
func (tc *Technician) ShowProcesses(t testing.TB, filter string) {
	t.Helper()
	run(t, tc.ctx, "show the processes", click("sys-tab-processes"),
		chromedp.SendKeys(chromedp.ID("sys-filter"), filter))
}

// ProcessRow returns the text of the process table's row for pid, or "".
func (tc *Technician) ProcessRow(t testing.TB, pid string) string {
	t.Helper()
	return get(t, tc.ctx, "read a process row", chromedp.Evaluate[string](
		`document.querySelector('#sys-processes tr[data-pid="`+pid+`"]')?.textContent ?? ""`))
}

// EndProcess clicks End process on pid's row (the confirmation is accepted
// as every dialog of the technician's tab is).
func (tc *Technician) EndProcess(t testing.TB, pid string) {
	t.Helper()
	run(t, tc.ctx, "end a process", chromedp.Click(chromedp.CSS(`#sys-processes button[data-pid="`+pid+`"]`)))
}

// SystemNote returns the system information panel's note.
func (tc *Technician) SystemNote(t testing.TB) string {
	t.Helper()
	return get(t, tc.ctx, "read the note", chromedp.Evaluate[string](`document.getElementById("sys-note")?.textContent ?? ""`))
}

// AskTerminal clicks "Ask to run commands".
func (tc *Technician) AskTerminal(t testing.TB) {
	t.Helper()
	run(t, tc.ctx, "ask for terminals", chromedp.WaitEnabled(chromedp.ID("term-ask")), click("term-ask"))
}

// NewTerminal clicks "New terminal" once the customer allows it.
func (tc *Technician) NewTerminal(t testing.TB) {
	t.Helper()
	run(t, tc.ctx, "open a terminal", chromedp.WaitEnabled(chromedp.ID("term-new")), click("term-new"),
		chromedp.WaitReady(chromedp.CSS(`.term-view:not([hidden]) .xterm-helper-textarea`)))
}

// TypeInTerminal types keys into the terminal shown, as the technician does
// (real key events into xterm.js).
func (tc *Technician) TypeInTerminal(t testing.TB, keys string) {
	t.Helper()
	run(t, tc.ctx, "type in the terminal", chromedp.SendKeys(chromedp.CSS(`.term-view:not([hidden]) .xterm-helper-textarea`), keys, chromedp.NodeReady))
}

// TerminalText returns the whole buffer of the terminal emulator shown.
func (tc *Technician) TerminalText(t testing.TB) string {
	t.Helper()
	return get(t, tc.ctx, "read the terminal", chromedp.Evaluate[string](
		`document.querySelector(".term-view:not([hidden])")?.lifelineText?.() ?? ""`))
}

// WaitTerminal waits until the terminal's buffer satisfies cond.
func (tc *Technician) WaitTerminal(t testing.TB, what string, cond func(string) bool) string {
	t.Helper()
	var text string
	waitFor(t, what, func() bool { text = tc.TerminalText(t); return cond(text) })
	return text
}

// terminalLine returns the first line of text that starts with prefix.
func terminalLine(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// CloseTerminals clicks "Close terminals" on the customer's page.
func (c *Customer) CloseTerminals(t testing.TB) {
	t.Helper()
	run(t, c.ctx, "close the terminals", chromedp.WaitVisible(chromedp.ID("terminal-close")), click("terminal-close"))
}

// TerminalNotice returns what the customer's page says of open terminals
// ("" while it says nothing).
func (c *Customer) TerminalNotice(t testing.TB) string {
	t.Helper()
	return get(t, c.ctx, "read the terminal notice", chromedp.Evaluate[string](
		`(() => { const p = document.getElementById("panel-terminal"); return p && !p.hidden ? document.getElementById("terminal-open").textContent : ""; })()`))
}
