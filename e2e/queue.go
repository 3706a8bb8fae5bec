package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// WaitFramesAfter waits until the workspace decodes more than n frames.
func (tc *Technician) WaitFramesAfter(t testing.TB, n int) int {
	t.Helper()
	var got int
	waitFor(t, "new video frames", func() bool {
		got = tc.Frames(t)
		return got > n
	})
	return got
}

// State is the session state the workspace knows (session.State values).
func (tc *Technician) State(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the state", `window.lifeline?.state ?? ""`)
}

// WaitState waits until the workspace shows the session in state.
func (tc *Technician) WaitState(t testing.TB, state string) {
	t.Helper()
	waitFor(t, "session state "+state, func() bool { return tc.State(t) == state })
}

// waitForLong is waitFor with a longer hang guard, for waits that include a
// deliberate outage (a cut link) on top of the usual time.
func waitForLong(t testing.TB, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tc *Technician) agentConnected(t testing.TB) bool {
	return evalJS[bool](t, tc.p, "agent connected", `!!window.lifeline?.agentConnected`)
}

func (tc *Technician) iceRestarts(t testing.TB) int {
	return int(evalJS[float64](t, tc.p, "ICE restarts", `window.lifeline?.iceRestarts ?? 0`))
}

// QueueItem is one session as the queue page shows it.
type QueueItem struct {
	ID         string `json:"id"`
	Customer   string `json:"customer"`
	State      string `json:"state"`
	Technician string `json:"technician"`
	Mine       bool   `json:"mine"`
	Comment    string `json:"comment"`
	// Watch: a group lead may watch the session (collaboration).
	Watch bool `json:"watch"`
	// Channel, Take, Callback, Email and Problem: a channel's session
	// (console-web/queue.Item).
	Channel  string `json:"channel"`
	Take     bool   `json:"take"`
	Callback bool   `json:"callback"`
	Email    string `json:"email"`
	Problem  string `json:"problem"`
	// Returning: the request came from a "Get help" launcher.
	Returning *struct {
		Host     string `json:"host"`
		HelpedBy string `json:"helpedBy"`
		Helped   int64  `json:"helped"`
	} `json:"returning"`
}

// OpenQueue opens the queue page (and with it, counts as online).
func (tc *Technician) OpenQueue(t testing.TB) {
	t.Helper()
	navigate(t, tc.p, tc.s.URL+"/console/queue")
	waitVisible(t, tc.p, "#queue-rows")
	waitFor(t, "the queue's first answer", func() bool {
		return evalJS[bool](t, tc.p, "queue loaded", `!!window.lifelineQueue?.view?.me?.id`)
	})
}

// QueueNewSession creates a session from the queue page; it opens in a tab.
// It returns the session ID and its invitation.
func (tc *Technician) QueueNewSession(t testing.TB, customer string) (string, Invitation) {
	t.Helper()
	n := len(tc.Tabs(t))
	run(t, tc.ctx, "create a session from the queue",
		chromedp.SendKeys(chromedp.ID("queue-customer"), customer),
		click("queue-create"))
	var tabs []string
	waitFor(t, "the new session's tab", func() bool {
		tabs = tc.Tabs(t)
		return len(tabs) > n
	})
	sid := tabs[len(tabs)-1]
	var inv []string
	waitFor(t, "the invitation in the tab", func() bool {
		inv = tc.inFrame(t, sid, `[d.getElementById("invite-link")?.value ?? "", d.getElementById("invite-pin")?.textContent ?? ""]`)
		return inv[0] != "" && inv[1] != ""
	})
	return sid, Invitation{Link: inv[0], PIN: strings.TrimSpace(inv[1])}
}

// inFrame evaluates expr in the workspace tab of sid, with w its window and d its document.
func (tc *Technician) inFrame(t testing.TB, sid, expr string) []string {
	t.Helper()
	return evalJS[[]string](t, tc.p, "read the workspace tab",
		`(() => { const f = lifelineQueue.frame(`+jsString(sid)+`); const w = f?.contentWindow, d = f?.contentDocument;
		if (!w || !d || d.readyState !== "complete") return ["", "", ""]; try { return (`+expr+`).map(String); } catch (e) { return ["", "", ""]; } })()`)
}

// TabState reports, for the workspace tab of sid: its session state, its
// WebRTC connection state and how many frames it decoded.
func (tc *Technician) TabState(t testing.TB, sid string) (state, pc string, frames int) {
	t.Helper()
	v := tc.inFrame(t, sid, `[w.lifeline?.state ?? "", w.lifeline?.pc?.connectionState ?? "", w.lifeline?.frames ?? 0]`)
	fmt.Sscan(v[2], &frames)
	return v[0], v[1], frames
}

// TabReceivedBytes is how many video bytes the workspace tab of sid has received.
func (tc *Technician) TabReceivedBytes(t testing.TB, sid string) float64 {
	t.Helper()
	return evalJS[float64](t, tc.p, "read the tab's received video bytes",
		fmt.Sprintf(videoBytesJS, "lifelineQueue.frame("+jsString(sid)+").contentWindow.lifeline.pc"))
}

// Tabs lists the session IDs with an open tab.
func (tc *Technician) Tabs(t testing.TB) []string {
	t.Helper()
	return evalJS[[]string](t, tc.p, "read the tabs", `lifelineQueue.tabs`)
}

// ShowTab brings the tab of sid (or "queue") to the front.
func (tc *Technician) ShowTab(t testing.TB, sid string) {
	t.Helper()
	sel := `#tabs [data-tab="` + sid + `"]`
	// The header's tab strip scrolls when it is full, as a technician would scroll it.
	waitVisible(t, tc.p, sel)
	evalJS[bool](t, tc.p, "scroll to the tab", `(() => { document.querySelector('`+sel+`').scrollIntoView({ block: "nearest", inline: "nearest" }); return true; })()`)
	clickOn(t, tc.p, sel)
}

// Unread is the unread chat badge of the tab of sid.
func (tc *Technician) Unread(t testing.TB, sid string) int {
	t.Helper()
	return int(evalJS[float64](t, tc.p, "unread", `lifelineQueue.unread(`+jsString(sid)+`)`))
}

// QueueItem returns the queue's row for sid, and whether there is one.
func (tc *Technician) QueueItem(t testing.TB, sid string) (QueueItem, bool) {
	t.Helper()
	items := evalJS[[]QueueItem](t, tc.p, "read the queue", `lifelineQueue.view.sessions`)
	for _, it := range items {
		if it.ID == sid {
			return it, true
		}
	}
	return QueueItem{}, false
}

// WaitQueueState waits until the queue shows sid in state ("" for: not shown).
func (tc *Technician) WaitQueueState(t testing.TB, sid, state string) QueueItem {
	t.Helper()
	var it QueueItem
	waitFor(t, "queue state "+state, func() bool {
		var ok bool
		it, ok = tc.QueueItem(t, sid)
		return (ok && it.State == state) || (!ok && state == "")
	})
	return it
}

// QueueAction clicks a row's action button (q-start, q-hold, q-resume,
// q-transfer, q-cancel, q-accept, q-end) on the queue tab.
func (tc *Technician) QueueAction(t testing.TB, sid, action string) {
	t.Helper()
	tc.ShowTab(t, "queue")
	sel := `#queue-rows tr[data-sid="` + sid + `"] button.` + action
	clickOn(t, tc.p, sel)
}

// Transfer offers sid to technician to with a comment, from the queue.
func (tc *Technician) Transfer(t testing.TB, sid, to, comment string) {
	t.Helper()
	tc.QueueAction(t, sid, "q-transfer")
	waitFor(t, to+" in the transfer list", func() bool {
		return evalJS[bool](t, tc.p, "transfer list",
			`[...document.querySelectorAll("#transfer-to option")].some(o => o.value === `+jsString(to)+`)`)
	})
	run(t, tc.ctx, "transfer",
		chromedp.SetValue(chromedp.ID("transfer-to"), to),
		chromedp.SendKeys(chromedp.ID("transfer-comment"), comment),
		click("transfer-send"))
}

// WriteNote types notes into the History & notes panel of the tab of sid and
// waits until they are saved.
func (tc *Technician) WriteNote(t testing.TB, sid, text string) {
	t.Helper()
	tc.inFrame(t, sid, `(() => { const a = d.getElementById("notes-text"); a.value = `+jsString(text)+`;
		a.dispatchEvent(new Event("input")); d.getElementById("notes-save").click(); return ["", "", ""]; })()`)
	waitFor(t, "the notes saved", func() bool {
		return tc.inFrame(t, sid, `[d.getElementById("notes-status")?.textContent ?? "", "", ""]`)[0] == "Saved"
	})
}

// History is the text of the History & notes list in the tab of sid.
func (tc *Technician) History(t testing.TB, sid string) string {
	t.Helper()
	return tc.inFrame(t, sid, `[d.getElementById("notes-history")?.textContent ?? "", "", ""]`)[0]
}

// ToggleHold clicks the workspace's Put on hold / Resume button.
func (tc *Technician) ToggleHold(t testing.TB) {
	t.Helper()
	tc.ClickTool(t, "hold-session")
}
