package e2e

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// AddScript has the administrator add a script to the library through the
// admin page's form: its language, text, one attached file, and the groups
// that may run it.
func AddScript(t testing.TB, admin *st.Tech, name, lang, text, fileName string, file []byte, groups ...string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fields := map[string]string{"csrf": admin.CSRF, "name": name, "lang": lang, "text": text, "description": "added by the test"}
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for _, g := range groups {
		_ = w.WriteField("groups", g)
	}
	fw, err := w.CreateFormFile("files", fileName)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(file)
	_ = w.Close()
	resp, err := admin.Client.Post(admin.Base+"/admin/scripts", w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	page := st.ReadAll(t, resp)
	if resp.StatusCode != http.StatusOK || !bytes.Contains([]byte(page), []byte("Script saved.")) {
		t.Fatalf("adding the script: %d %.500s", resp.StatusCode, page)
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
