package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// AddScript has the administrator add a script to the library through the
// admin page's form: its language, text, one attached file, the groups that
// may run it and those that run it at the start of each session.
func AddScript(t testing.TB, admin *st.Tech, name, lang, text, fileName string, file []byte, groups, atStart []string) {
	t.Helper()
	code, page := admin.AddScript(t, url.Values{"name": {name}, "lang": {lang}, "text": {text},
		"description": {"added by the test"}, "groups": groups, "atStart": atStart}, fileName, file)
	if code != http.StatusOK || !strings.Contains(page, "Script saved.") {
		t.Fatalf("adding the script: %d %.500s", code, page)
	}
}

// AskScripts opens the Scripts panel and clicks "Ask to run commands".
func (tc *Technician) AskScripts(t testing.TB) {
	t.Helper()
	tc.OpenPanel(t, "scripts")
	run(t, tc.ctx, "ask to run commands", chromedp.WaitEnabled(chromedp.ID("script-ask")), click("script-ask"))
}

// RunScript clicks Run on the library's script named name, once the
// customer allows it.
func (tc *Technician) RunScript(t testing.TB, name string) {
	t.Helper()
	tc.OpenPanel(t, "scripts")
	sel := `#script-list button[aria-label="Run ` + name + `"]`
	run(t, tc.ctx, "run the script", chromedp.WaitEnabled(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

// ScriptResult returns the Scripts panel's state ("running", "exit",
// "error" or ""), exit code, status line and output.
func (tc *Technician) ScriptResult(t testing.TB) (state, code, status, output string) {
	t.Helper()
	r := get(t, tc.ctx, "read the script's result", chromedp.Evaluate[[]string](`(() => {
		const s = document.getElementById("script-status"), o = document.getElementById("script-output");
		return [s?.dataset.state ?? "", s?.dataset.code ?? "", s?.textContent ?? "", o?.textContent ?? ""];
	})()`))
	return r[0], r[1], r[2], r[3]
}
