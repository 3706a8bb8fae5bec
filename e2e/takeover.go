package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// consoleWatch records what the page (and every frame in it) writes with
// console.error, for ConsoleErrors.
const consoleWatch = `window.__errors = [];
{ const err = console.error.bind(console);
  console.error = (...a) => { window.__errors.push(a.map((x) => x instanceof Error ? x.name + ": " + x.message : String(x)).join(" ")); err(...a); }; }`

// WatchConsoleErrors records the console errors of the pages the tab loads
// from now on (frames included), for ConsoleErrors.
func (tc *Technician) WatchConsoleErrors(t testing.TB) {
	t.Helper()
	if _, err := chromedp.Call(tc.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: consoleWatch}); err != nil {
		t.Fatal(err)
	}
}

// ConsoleErrors returns the console errors the workspace page (not its
// frames) recorded since it loaded.
func (tc *Technician) ConsoleErrors(t testing.TB) []string {
	t.Helper()
	return get(t, tc.ctx, "read console errors", chromedp.Evaluate[[]string](`window.__errors || []`))
}

// SID is the session of the workspace open in the tab.
func (tc *Technician) SID(t testing.TB) string {
	t.Helper()
	return get(t, tc.ctx, "read the session ID", chromedp.Evaluate[string](`document.getElementById("workspace")?.dataset.sid ?? ""`))
}

// Elsewhere is the notice a workspace shows while another console of the
// same technician holds the session ("" when there is none).
func (tc *Technician) Elsewhere(t testing.TB) string {
	t.Helper()
	return get(t, tc.ctx, "read the other-tab notice", chromedp.Evaluate[string](`(() => { const e = document.getElementById("elsewhere"); return e && !e.hidden ? e.textContent : ""; })()`))
}

// TakeBack clicks the workspace's button that takes the session back from
// another console.
func (tc *Technician) TakeBack(t testing.TB) {
	t.Helper()
	run(t, tc.ctx, "take the session back", click("take-over"))
}

// TabElsewhere is the other-console notice in the queue's workspace tab of sid.
func (tc *Technician) TabElsewhere(t testing.TB, sid string) string {
	t.Helper()
	return tc.inFrame(t, sid, `[(() => { const e = d.getElementById("elsewhere"); return e && !e.hidden ? e.textContent : ""; })(), "", ""]`)[0]
}

// TabStatus is the status line of the queue's workspace tab of sid.
func (tc *Technician) TabStatus(t testing.TB, sid string) string {
	t.Helper()
	return tc.inFrame(t, sid, `[d.getElementById("status")?.textContent ?? "", "", ""]`)[0]
}

// TabTakeOver clicks "Use it here" in the queue's workspace tab of sid.
func (tc *Technician) TabTakeOver(t testing.TB, sid string) {
	t.Helper()
	waitFor(t, "the Use it here button", func() bool {
		return tc.inFrame(t, sid, `[(() => { const b = d.getElementById("take-over"); if (!b || b.offsetParent === null) return "no"; b.click(); return "yes"; })(), "", ""]`)[0] == "yes"
	})
}

// hasAny reports whether one of lines contains sub.
func hasAny(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}
