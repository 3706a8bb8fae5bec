package e2e

import (
	"context"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// AskFileManager clicks "Ask to manage files".
func (tc *Technician) AskFileManager(t testing.TB) {
	t.Helper()
	tc.OpenPanel(t, "fileman")
	waitEnabled(t, tc.p, "#fm-ask")
	clickOn(t, tc.p, "#fm-ask")
}

// FolderRows returns the names the file manager lists (as shown).
func (tc *Technician) FolderRows(t testing.TB) []string {
	t.Helper()
	return evalJS[[]string](t, tc.p, "read the file manager's rows", `window.lifelineFM?.rows ?? []`)
}

// WaitRow waits until the file manager lists name.
func (tc *Technician) WaitRow(t testing.TB, name string) {
	t.Helper()
	waitJS(t, tc.p, name+" listed", `(window.lifelineFM?.rows ?? []).includes(`+strconv.Quote(name)+`)`)
}

// Crumbs returns the file manager's breadcrumb trail, as shown.
func (tc *Technician) Crumbs(t testing.TB) []string {
	t.Helper()
	return evalJS[[]string](t, tc.p, "read the breadcrumbs", `[...document.querySelectorAll("#fm-crumbs button")].map((b) => b.textContent)`)
}

func rowCSS(name string) string { return `#fm-list tr[data-name=` + strconv.Quote(name) + `]` }

// SelectRow clicks the row of name.
func (tc *Technician) SelectRow(t testing.TB, name string) {
	t.Helper()
	clickOn(t, tc.p, rowCSS(name))
	waitJS(t, tc.p, name+" selected", `document.querySelector(`+strconv.Quote(rowCSS(name))+`)?.getAttribute("aria-selected") === "true"`)
}

// OpenFolder selects the folder name and presses Enter on it.
func (tc *Technician) OpenFolder(t testing.TB, name string) {
	t.Helper()
	tc.SelectRow(t, name)
	do(t, "press Enter on "+name, func(ctx context.Context) error { return tc.p.Type(ctx, "\n") })
}

// FileAction clicks the action button id (fm-rename, fm-copy, ...) and, for
// the actions that ask, types answer and presses Enter.
func (tc *Technician) FileAction(t testing.TB, id, answer string) {
	t.Helper()
	clickOn(t, tc.p, "#"+id)
	if answer == "" {
		return
	}
	waitVisible(t, tc.p, "#fm-form-input")
	waitJS(t, tc.p, "the form's field focused", `document.activeElement?.id === "fm-form-input"`)
	// The field's text is selected: typing replaces it.
	do(t, "answer "+id, func(ctx context.Context) error { return tc.p.Type(ctx, answer+"\n") })
}

// FileNote returns the file manager's note (its last error).
func (tc *Technician) FileNote(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the note", `document.getElementById("fm-note")?.textContent ?? ""`)
}

// UploadHere picks path in the file manager's Upload here.
func (tc *Technician) UploadHere(t testing.TB, path string) {
	t.Helper()
	do(t, "pick a file to upload", func(ctx context.Context) error { return tc.p.SetFiles(ctx, "#fm-upload-input", []string{path}) })
}

// FileManagerNotice returns what the customer's page says of the file
// manager ("" while it says nothing).
func (c *Customer) FileManagerNotice(t testing.TB) string {
	t.Helper()
	return get(t, c.ctx, "read the file manager notice", chromedp.Evaluate[string](
		`(() => { const p = document.getElementById("fm-on"); return p && !p.hidden ? p.textContent : ""; })()`))
}

// StopFileManager clicks "Stop file manager" on the customer's page.
func (c *Customer) StopFileManager(t testing.TB) {
	t.Helper()
	run(t, c.ctx, "stop the file manager", chromedp.WaitVisible(chromedp.ID("fm-stop")), click("fm-stop"))
}

// FileManagerState returns the console's file manager state line.
func (tc *Technician) FileManagerState(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the state", `document.getElementById("fm-state")?.textContent ?? ""`)
}
