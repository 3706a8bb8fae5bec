package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The technician and the customer talk from the first moment, before the screen
// is shared; what looks like HTML stays text on both sides; a link the customer
// lets open goes to their browser; the log is kept in the session history.
func TestChatLinksAndStoredLog(t *testing.T) {
	stack := Start(t)
	opened := stack.FakeOpener(t)
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Marie Dupont")
	sid := tech.SessionID(t)

	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.WaitAsked(t) // viewing not allowed yet: chat works anyway
	customer.WaitChatReady(t)

	// A message that looks like HTML arrives as text, on both sides.
	const html = `<b>hi</b><img src=x onerror=alert(1)>`
	tech.Chat(t, html)
	tech.WaitLog(t, "You "+html)
	customer.WaitChat(t, html)
	if n := customer.ChatMarkup(t); n != 0 {
		t.Fatalf("the customer's chat turned the message into %d elements", n)
	}
	customer.Chat(t, "Hello! <i>thanks</i>")
	tech.WaitLog(t, "Marie Dupont Hello! <i>thanks</i>")
	if n := tech.LogMarkup(t); n != 0 {
		t.Fatalf("the console's log turned a message into %d elements", n)
	}

	// Only web links can be sent.
	tech.SendLink(t, "javascript:alert(1)")
	if note := tech.ChatNote(t); !strings.Contains(note, "Only http") {
		t.Fatalf("a javascript: link was not refused: note %q", note)
	}
	tech.ClearChat(t)

	// Without the customer's leave, a link waits for a click.
	tech.SendLink(t, "https://example.com/first")
	tech.WaitLog(t, "The link https://example.com/first is shown to the customer")
	customer.WaitChat(t, "https://example.com/first")
	if got := opened(); len(got) != 0 {
		t.Fatalf("opened %q without the customer's leave", got)
	}

	// With it, the next link opens in their browser by itself.
	customer.AllowLinks(t)
	tech.WaitLog(t, "The customer lets links open automatically")
	tech.SendLink(t, "https://example.com/help?topic=printer")
	tech.WaitLog(t, "The customer opened the link https://example.com/help?topic=printer")
	if got := customer.WaitChat(t, "Link opened in your browser: https://example.com/help?topic=printer"); strings.Contains(got, "%!") {
		t.Errorf("the customer's chat shows a formatting error: %q", got)
	}
	waitFor(t, "the fake xdg-open to record the link", func() bool { return len(opened()) == 1 })
	if got := opened(); got[0] != "https://example.com/help?topic=printer" {
		t.Fatalf("xdg-open got %q", got)
	}

	customer.Allow(t)
	tech.WaitLog(t, "Viewing allowed")
	customer.Shot(t, "customer-chat")
	tech.Shot(t, "console-chat")

	// At the end, the log is stored in the session history.
	tech.End(t)
	tech.WaitLog(t, "Session log saved")
	var stored struct {
		SessionID string `json:"sessionId"`
		Entries   []struct {
			Kind, From, Author, Text string
		} `json:"entries"`
	}
	if err := json.Unmarshal([]byte(tech.StoredLog(t, sid)), &stored); err != nil {
		t.Fatalf("stored log: %v", err)
	}
	var lines []string
	for _, e := range stored.Entries {
		lines = append(lines, e.Kind+"|"+e.From+"|"+e.Author+"|"+e.Text)
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{
		"message|technician|Administrator|" + html,
		"message|customer|Marie Dupont|Hello! <i>thanks</i>",
		"message|technician|Administrator|https://example.com/help?topic=printer",
		"event|||The customer opened the link https://example.com/help?topic=printer",
		"event|||Viewing allowed",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("stored log lacks %q:\n%s", want, all)
		}
	}
	if stored.SessionID != sid {
		t.Errorf("stored for %q, want %q", stored.SessionID, sid)
	}
}

// TestRunningLogSurvivesReload: the technician chats and sends a file, then
// reloads the workspace's tab: the whole log is back, in order, as it was,
// and still only text.
func TestRunningLogSurvivesReload(t *testing.T) {
	tech, customer, _ := connectedForFiles(t)
	customer.WaitChatReady(t)
	tech.Chat(t, "Bonjour <b>Ada</b>")
	customer.WaitChat(t, "Bonjour <b>Ada</b>")
	customer.Chat(t, "My printer is stuck <img src=x onerror=alert(1)>")
	tech.WaitLog(t, "Ada My printer is stuck <img src=x onerror=alert(1)>")
	path, sum := MakeFile(t, "fix.sh", 4096)
	tech.SendFile(t, path)
	customer.AcceptFile(t)
	tech.WaitLog(t, "File sent: fix.sh, 4.1 kB, SHA-256 "+sum)
	tech.Chat(t, "Done: run fix.sh")
	tech.WaitLog(t, "Done: run fix.sh")
	before := tech.LogLines(t)

	tech.Reload(t)
	var after []string
	waitFor(t, "the log back after the reload", func() bool {
		after = tech.LogLines(t)
		return len(after) >= len(before)
	})
	if !slices.Equal(after[:len(before)], before) {
		t.Fatalf("after the reload the log is\n%s\nwant it to start with\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	if n := tech.LogMarkup(t); n != 0 {
		t.Fatalf("the replayed log turned a message into %d elements", n)
	}
}

// TestCustomerLineOnceAfterReconnect: a console still open when signaling
// comes back gets the server's running log again; the customer's message is
// in it once (the agent wrote it to the log; the console only showed it).
func TestCustomerLineOnceAfterReconnect(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	inv := tech.NewSession(t, "Ada")
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	customer.WaitChatReady(t)
	customer.Chat(t, "My printer is stuck")
	tech.WaitLog(t, "Ada My printer is stuck")
	replays := tech.LogReplays(t)

	stack.RestartSignaling(t, nil)
	waitFor(t, "the server's log replayed to the open console", func() bool { return tech.LogReplays(t) > replays })
	n := 0
	for _, l := range tech.LogLines(t) {
		if strings.Contains(l, "My printer is stuck") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the customer's message is in the log %d times:\n%s", n, strings.Join(tech.LogLines(t), "\n"))
	}
}

// TestRunningLogSurvivesCrashedTab (issue 21, item 5): the technician's
// browser dies (its renderer crashes: no page hide, no goodbye on any
// connection) in the middle of a session; the technician opens the session
// again in a new tab and the whole log is back: their messages, the
// customer's, the file sent, in order.
func TestRunningLogSurvivesCrashedTab(t *testing.T) {
	t.Setenv("XDG_DOWNLOAD_DIR", t.TempDir())
	stack := Start(t)
	// A browser context of its own: its renderer is not the customer page's.
	tech := stack.TechnicianAs(t, "admin", AdminPassword)
	customer := stack.Customer(t, tech.NewSession(t, "Ada"))
	sid := tech.SessionID(t)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	customer.WaitChatReady(t)
	tech.Chat(t, "Bonjour Ada")
	customer.WaitChat(t, "Bonjour Ada")
	customer.Chat(t, "My printer is stuck")
	tech.WaitLog(t, "Ada My printer is stuck")
	path, sum := MakeFile(t, "fix.sh", 4096)
	tech.SendFile(t, path)
	customer.AcceptFile(t)
	tech.WaitLog(t, "File sent: fix.sh, 4.1 kB, SHA-256 "+sum)
	tech.Chat(t, "Run fix.sh now")
	customer.WaitChat(t, "Run fix.sh now")
	before := tech.LogLines(t)

	cctx, cancel := context.WithTimeout(tech.ctx, 2*time.Second)
	_, _ = chromedp.Call(cctx, page.Crash, cdp.Empty{}) // answers with the crash, or not at all
	cancel()

	again := stack.TechnicianAs(t, "admin", AdminPassword)
	navigate(t, again.p, stack.URL+"/console/sessions/"+sid)
	again.waitReady(t)
	var after []string
	waitFor(t, "the log back in the new tab", func() bool {
		after = again.LogLines(t)
		return len(after) >= len(before)
	})
	if !slices.Equal(after[:len(before)], before) {
		t.Fatalf("after the crash the log is\n%s\nwant it to start with\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
}
