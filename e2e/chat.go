package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// FakeOpener puts a fake xdg-open first on the PATH of the agents the stack
// starts from now on; it records each URL it is asked to open, one a line, and
// opens nothing. It returns a function that reads the URLs recorded so far.
func (s *Stack) FakeOpener(t testing.TB) func() []string {
	t.Helper()
	dir := t.TempDir()
	record := filepath.Join(dir, "opened.txt")
	script := "#!/bin/sh\nprintf '%s\\n' \"$1\" >> " + strconv.Quote(record) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	s.AgentEnv = append(s.AgentEnv, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return func() []string {
		b, _ := os.ReadFile(record)
		return strings.Fields(string(b))
	}
}

// SessionID is the ID of the session open in the workspace.
func (tc *Technician) SessionID(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the session ID", `document.getElementById("workspace").dataset.sid`)
}

// Chat types text in the chat box and presses Enter.
func (tc *Technician) Chat(t testing.TB, text string) {
	t.Helper()
	tc.OpenPanel(t, "chat")
	waitEnabled(t, tc.p, "#chat-send")
	typeInto(t, tc.p, "#chat-input", text+"\n")
}

// SendLink types url in the chat box and clicks Send as link.
func (tc *Technician) SendLink(t testing.TB, url string) {
	t.Helper()
	tc.OpenPanel(t, "chat")
	waitEnabled(t, tc.p, "#chat-send-link")
	typeInto(t, tc.p, "#chat-input", url)
	clickOn(t, tc.p, "#chat-send-link")
}

// ChatNote returns the note under the chat box (a refusal), or "".
func (tc *Technician) ChatNote(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the chat note", `(() => { const n = document.getElementById("chat-note"); return n.hidden ? "" : n.textContent; })()`)
}

// WaitLog waits until the workspace's session log shows text, and returns the log.
func (tc *Technician) WaitLog(t testing.TB, text string) string {
	t.Helper()
	return waitTextOn(t, tc.p, "session-log", text)
}

// LogMarkup counts the elements inside the session log's entries that came
// from text: any would mean a message was read as HTML.
func (tc *Technician) LogMarkup(t testing.TB) int {
	t.Helper()
	return evalJS[int](t, tc.p, "look for markup in the log", `document.querySelectorAll("#session-log span *, #session-log img, #session-log b").length`)
}

// StoredLog fetches the session log stored in the history, or "" if none yet.
func (tc *Technician) StoredLog(t testing.TB, sid string) string {
	t.Helper()
	js := fmt.Sprintf(`fetch("/console/sessions/%s/log", {cache: "no-store"}).then(r => r.ok ? r.text() : "")`, sid)
	return evalJS[string](t, tc.p, "fetch the stored log", js)
}

// WaitChatReady waits until the customer's chat panel is connected.
func (c *Customer) WaitChatReady(t testing.TB) {
	t.Helper()
	run(t, c.ctx, "see the chat connected", chromedp.WaitVisible(chromedp.ID("chat-input")), chromedp.WaitEnabled(chromedp.ID("chat-send")))
}

// Chat types text in the customer's chat box and presses Enter.
func (c *Customer) Chat(t testing.TB, text string) {
	t.Helper()
	run(t, c.ctx, "answer in the chat",
		chromedp.WaitEnabled(chromedp.ID("chat-send")),
		chromedp.SendKeys(chromedp.ID("chat-input"), text),
		chromedp.KeyEvent(kb.Enter))
}

// AllowLinks ticks "open the technician's links automatically".
func (c *Customer) AllowLinks(t testing.TB) {
	t.Helper()
	run(t, c.ctx, "allow links", click("chat-auto"))
	waitFor(t, "the links toggle", func() bool {
		return get(t, c.ctx, "read the links toggle", chromedp.Evaluate[bool](`document.getElementById("chat-auto").checked`))
	})
}

// WaitChat waits until the customer's chat shows text, and returns the chat log.
func (c *Customer) WaitChat(t testing.TB, text string) string {
	t.Helper()
	return waitText(t, c.ctx, "chat-log", text)
}

// ChatMarkup counts elements in the customer's chat that came from text.
func (c *Customer) ChatMarkup(t testing.TB) int {
	t.Helper()
	return get(t, c.ctx, "look for markup in the chat", chromedp.Evaluate[int](`document.querySelectorAll("#chat-log span *, #chat-log img, #chat-log b").length`))
}

// waitText waits until the element with id in the Chromium tab ctx shows
// text and returns its text.
func waitText(t testing.TB, ctx context.Context, id, text string) string {
	t.Helper()
	return waitTextOn(t, &chromiumPage{ctx: ctx}, id, text)
}

// waitTextOn waits until the element with id shows text and returns its text.
func waitTextOn(t testing.TB, p Page, id, text string) string {
	t.Helper()
	var got string
	deadline := time.Now().Add(Timeout)
	for {
		got = evalJS[string](t, p, "read #"+id, `document.getElementById(`+strconv.Quote(id)+`)?.textContent ?? ""`)
		if strings.Contains(got, text) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("#%s is %q, want it to contain %q", id, got, text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ClearChat empties the chat box.
func (tc *Technician) ClearChat(t testing.TB) {
	t.Helper()
	evalJS[string](t, tc.p, "clear the chat box", `document.getElementById("chat-input").value = ""`)
}

// LogLines returns the workspace's session log, one entry a line.
func (tc *Technician) LogLines(t testing.TB) []string {
	t.Helper()
	return evalJS[[]string](t, tc.p, "read the log's entries", `[...document.querySelectorAll("#session-log li")].map((li) => li.textContent)`)
}

// LogReplays counts the times the server's running log was replayed into
// the open workspace (when it opens the session, and again after signaling
// comes back).
func (tc *Technician) LogReplays(t testing.TB) int {
	t.Helper()
	return evalJS[int](t, tc.p, "count the log's replays", `Number(document.getElementById("session-log").dataset.replays || 0)`)
}

// Reload reloads the workspace's tab, as the technician's F5 would, and
// waits for the page.
func (tc *Technician) Reload(t testing.TB) {
	t.Helper()
	run(t, tc.ctx, "reload the workspace", chromedp.Reload(), chromedp.WaitReady(chromedp.ID("session-log")))
	tc.waitReady(t)
}
