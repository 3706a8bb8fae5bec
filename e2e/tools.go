package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// AskSystemInfo clicks "Ask to see system information".
func (tc *Technician) AskSystemInfo(t testing.TB) {
	t.Helper()
	tc.OpenPanel(t, "sysinfo")
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
	tc.OpenPanel(t, "terminal")
	run(t, tc.ctx, "ask for terminals", chromedp.WaitEnabled(chromedp.ID("term-ask")), click("term-ask"))
}

// NewTerminal clicks "New terminal" once the customer allows it.
func (tc *Technician) NewTerminal(t testing.TB) {
	t.Helper()
	tc.OpenPanel(t, "terminal")
	run(t, tc.ctx, "open a terminal", chromedp.WaitEnabled(chromedp.ID("term-new")), click("term-new"),
		chromedp.WaitReady(chromedp.CSS(`.term-view:not([hidden]) .xterm-helper-textarea`)),
		chromedp.ScrollIntoView(chromedp.CSS(`.term-view:not([hidden])`)))
}

// TypeInTerminal types keys into the terminal shown, as the technician does:
// text as the browser inserts it into xterm.js's input, and each "\r" as a
// press of Enter. (chromedp.SendKeys sends a keyDown with text and a char
// event for each key, which xterm.js takes as two key presses.)
func (tc *Technician) TypeInTerminal(t testing.TB, keys string) {
	t.Helper()
	run(t, tc.ctx, "focus the terminal", chromedp.Focus(chromedp.CSS(`.term-view:not([hidden]) .xterm-helper-textarea`), chromedp.NodeReady))
	for i, part := range strings.Split(keys, "\r") {
		if i > 0 {
			for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
				if _, err := chromedp.Call(tc.ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{
					Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
				}); err != nil {
					t.Fatalf("press Enter in the terminal: %v", err)
				}
			}
		}
		if part != "" {
			if _, err := chromedp.Call(tc.ctx, input.InsertText, input.InsertTextParams{Text: part}); err != nil {
				t.Fatalf("type in the terminal: %v", err)
			}
		}
	}
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
	deadline := time.Now().Add(Timeout)
	for {
		text := tc.TerminalText(t)
		if cond(text) {
			return text
		}
		if time.Now().After(deadline) {
			tc.Shot(t, "console-terminal-timeout")
			t.Fatalf("timed out waiting for %s; the terminal shows:\n%s", what, strings.TrimRight(text, "\n "))
		}
		time.Sleep(50 * time.Millisecond)
	}
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

// SystemInfoNotice returns what the customer's page says of system
// information ("" while it says nothing).
func (c *Customer) SystemInfoNotice(t testing.TB) string {
	t.Helper()
	return get(t, c.ctx, "read the system information notice", chromedp.Evaluate[string](
		`(() => { const p = document.getElementById("sysinfo-on"); return p && !p.hidden ? p.textContent : ""; })()`))
}

// StopSystemInfo clicks "Stop system information" on the customer's page.
func (c *Customer) StopSystemInfo(t testing.TB) {
	t.Helper()
	run(t, c.ctx, "stop system information", chromedp.WaitVisible(chromedp.ID("sysinfo-stop")), click("sysinfo-stop"))
}

// SystemState returns the console's system information state line.
func (tc *Technician) SystemState(t testing.TB) string {
	t.Helper()
	return get(t, tc.ctx, "read the state", chromedp.Evaluate[string](`document.getElementById("sys-state")?.textContent ?? ""`))
}

// ShowSystemTab opens a tab of the system information panel (services,
// applications, startup, drivers, events) and filters it by text.
func (tc *Technician) ShowSystemTab(t testing.TB, tab, filter string) {
	t.Helper()
	run(t, tc.ctx, "show the "+tab+" tab", click("sys-tab-"+tab))
	if filter != "" {
		run(t, tc.ctx, "filter the "+tab+" tab", chromedp.SendKeys(chromedp.ID("sys-inv-filter"), filter))
	}
}

// SystemEntry returns the text of the shown inventory tab's row named
// name, cells apart by " | ", or "".
func (tc *Technician) SystemEntry(t testing.TB, name string) string {
	t.Helper()
	return get(t, tc.ctx, "read an inventory row", chromedp.Evaluate[string](
		`[...document.querySelectorAll('#sys-entries tbody tr')].filter((tr) => tr.dataset.name === `+strconv.Quote(name)+`).map((tr) => [...tr.cells].map((c) => c.textContent).join(" | "))[0] ?? ""`))
}

// ExportSystemReport clicks "Export the report".
func (tc *Technician) ExportSystemReport(t testing.TB) {
	t.Helper()
	run(t, tc.ctx, "export the report", chromedp.WaitEnabled(chromedp.ID("sys-export")), click("sys-export"))
}
