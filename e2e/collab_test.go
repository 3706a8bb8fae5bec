package e2e

import (
	"fmt"
	"image"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// A technician invites a colleague into a running session, granting her
// the screen only: Claire sees the invitation in her queue, with its
// comment, and joins; the customer is asked, by name, before she sees
// anything; then she sees the customer's screen on her own connection, and
// the customer's page names her. What she was not granted (the clipboard)
// the agent refuses her. Control stays with the lead until handed over,
// which needs the lead to grant it first (live): Claire's input goes
// nowhere before, the lead's goes nowhere after, and the customer is told
// who is in control. Each sees the other's pointer with their name. The lead
// removes her; invited again, she is refused by the customer (never sees
// the screen, and is told); she joins again and closes her tab (the session
// stays with the lead); she joins a last time and the lead ends the
// session: she hears it ended.
func TestColleagueJoinsSeesAndTakesControlWhenHandedOver(t *testing.T) {
	stack := Start(t)
	st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword).
		CreateTechnician(t, "claire", "Claire Martin", "claire-password-1", "")
	winAt := twtest.Options{X: 200, Y: 120, W: 600, H: 400}
	win := twtest.Start(t, stack.Display, winAt)
	cx, cy := win.Center()

	// The lead works on Marie's session, in control.
	lead := stack.Technician(t)
	inv := lead.NewSession(t, "Marie Dupont")
	sid := Eval[string](t, lead, "the session's ID", `document.getElementById("workspace").dataset.sid`)
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	lead.WaitQuadrants(t, winAt)
	lead.RequestControl(t)
	customer.WaitAsked(t)
	customer.Allow(t)
	lead.WaitStatus(t, "Connected to Marie Dupont — in control")

	claire := stack.TechnicianAs(t, "claire", "claire-password-1")
	claire.OpenQueue(t)
	join := func(comment string, grant ...string) {
		t.Helper()
		lead.InviteColleague(t, "claire", comment, grant...)
		if it := claire.WaitQueueState(t, sid, "invitation"); it.Comment != comment {
			t.Fatalf("Claire's queue shows the invitation as %+v, want the comment %q", it, comment)
		}
		claire.QueueAction(t, sid, "q-join")
		if q := customer.WaitAsked(t); !strings.Contains(q, "Administrator") || !strings.Contains(q, "wants Claire Martin to help too") {
			t.Fatalf("the customer is asked %q, want a question naming the lead and Claire", q)
		}
		customer.Allow(t)
		waitFor(t, "Claire's workspace with the customer's screen", func() bool {
			_, pc, frames := claire.TabState(t, sid)
			return pc == "connected" && frames > 0
		})
	}

	// 1. Claire joins and sees the screen: the red quadrant, on her own connection.
	join("Printer driver, needs a second pair of eyes", "view")
	waitFor(t, "the red quadrant in Claire's video", func() bool {
		return near(claire.TabPixel(t, sid, winAt.X+winAt.W/4, winAt.Y+winAt.H/4), [3]int{255, 0, 0}, 40)
	})
	waitFor(t, "Claire's status", func() bool {
		return claire.TabStatus(t, sid) == "Helping Administrator with Marie Dupont — view only"
	})
	waitFor(t, "the customer's page naming Claire", func() bool {
		return strings.Contains(customer.PageText(t), "Claire Martin")
	})
	waitFor(t, "Claire in the lead's Colleagues panel", func() bool { return strings.Contains(lead.TeamText(t), "Claire Martin") })
	// Each sees the other's pointer, with their name, where it points.
	lead.Hover(t, image.Pt(cx, cy))
	want := fmt.Sprintf("Administrator|%d|%d", cx, cy)
	waitFor(t, "the lead's pointer in Claire's tab", func() bool { return near2(claire.TabPeerPointer(t, sid, "admin"), want) })
	claire.TabHover(t, sid, winAt.X+50, winAt.Y+40)
	want = fmt.Sprintf("Claire Martin|%d|%d", winAt.X+50, winAt.Y+40)
	waitFor(t, "Claire's pointer on the lead's console", func() bool { return near2(lead.PeerPointer(t, "claire"), want) })
	// She follows the chat: the customer's words and the lead's reach her log.
	customer.WaitChatReady(t)
	customer.Chat(t, "Can you both see my printer?")
	lead.Chat(t, "Yes, Claire is here to help")
	waitFor(t, "the chat in Claire's log", func() bool {
		text := tabText(t, claire, sid, `d.getElementById("session-log")?.textContent ?? ""`)
		return strings.Contains(text, "Can you both see my printer?") && strings.Contains(text, "Yes, Claire is here to help")
	})
	// The technicians talk among themselves: the lead reads it, marked as
	// such; the customer's page never shows it.
	tabText(t, claire, sid, `(d.getElementById("collab-chat-text").value = "Old driver, check the version", d.querySelector("form.collab-chat").requestSubmit(), "")`)
	if line := lead.WaitLog(t, "Old driver, check the version"); !strings.Contains(line, "(technicians only)") {
		t.Errorf("the lead's log shows %q, want it marked for technicians only", line)
	}
	if strings.Contains(customer.PageText(t), "Old driver") {
		t.Fatal("the technicians' own message reached the customer's page")
	}

	// 2. Control is the lead's: Claire's console sends nothing, and input
	// forged on her data channel is dropped by the agent.
	mark := win.Mark(t)
	claire.TabForgeInput(t, sid, cx, cy)
	customer.WaitLog(t, "input from a technician without remote control dropped")
	if got := twtest.Filter(win.Events(t)[mark:], "button_press"); len(got) != 0 {
		t.Fatalf("Claire's input arrived while the lead had control: %+v", got)
	}

	// A hostile colleague's console opens a clipboard channel on its
	// connection: the agent closes it (she was not granted the clipboard)
	// and says why.
	inTab[bool](t, claire, sid, "open a clipboard channel", `(w.__hostile = w.lifeline.pc.createDataChannel("clipboard"), true)`)
	waitFor(t, "the colleague's clipboard channel closed by the agent", func() bool {
		return inTab[string](t, claire, sid, "the channel's state", `w.__hostile.readyState`) == "closed"
	})
	customer.WaitLog(t, `why="not granted clipboard"`)

	// 3. Not granted control, Claire cannot be handed it: the lead has no
	// button for it until she grants it, live.
	lead.OpenPanel(t, "team")
	if n := Eval[int](t, lead, "control buttons for Claire", `document.querySelectorAll('#collab-list li[data-tech="claire"] button[data-action="control"]').length`); n != 0 {
		t.Fatalf("the lead may hand control to Claire, not granted it (%d buttons)", n)
	}
	lead.TeamGrant(t, "claire", "control", true)
	// The lead hands control over: the customer is told Claire is in
	// control, her click lands, and the lead's own input goes nowhere.
	lead.TeamAction(t, "claire", "control")
	waitFor(t, "Claire in control", func() bool {
		return claire.TabStatus(t, sid) == "Helping Administrator with Marie Dupont — you have control"
	})
	lead.WaitStatus(t, "Connected to Marie Dupont — Claire Martin has control")
	waitFor(t, "the customer told Claire is in control", func() bool { return customer.Shown(t, "controller") == "Claire Martin" })
	lead.Shot(t, "collab-lead-two-technicians")
	claire.Shot(t, "collab-colleague-in-control")
	get(t, customer.ctx, "show who is connected", chromedp.Evaluate[bool](`(document.getElementById("helpers-row").scrollIntoView({block: "center"}), true)`))
	customer.Shot(t, "collab-customer-two-technicians")
	mark = win.Mark(t)
	claire.TabClick(t, sid, cx, cy)
	win.WaitFor(t, mark, "Claire's click on the test window", func(evs []twtest.Event) bool {
		return len(twtest.Filter(evs, "button_press")) > 0
	})
	mark = win.Mark(t)
	lead.ForgeInput(t, cx, cy)
	waitFor(t, "the lead's forged input dropped", func() bool {
		return customer.LogCount("input from a technician without remote control dropped") >= 2
	})
	if got := twtest.Filter(win.Events(t)[mark:], "button_press"); len(got) != 0 {
		t.Fatalf("the lead's input arrived while Claire had control: %+v", got)
	}

	// 4. The lead removes Claire: her tab closes, control is the lead's again,
	// and the customer's page no longer names her.
	lead.TeamAction(t, "claire", "remove")
	waitFor(t, "Claire's tab closed", func() bool { return len(claire.Tabs(t)) == 0 })
	lead.WaitStatus(t, "Connected to Marie Dupont — in control")
	waitFor(t, "the customer's page without Claire", func() bool {
		return !strings.Contains(customer.PageText(t), "Claire Martin")
	})

	// 5. Invited again, Claire is refused by the customer: she never sees
	// the screen, her tab closes and her queue says why.
	lead.InviteColleague(t, "claire", "Refused")
	claire.WaitQueueState(t, sid, "invitation")
	claire.QueueAction(t, sid, "q-join")
	if q := customer.WaitAsked(t); !strings.Contains(q, "wants Claire Martin to help too") {
		t.Fatalf("the customer is asked %q", q)
	}
	waitFor(t, "Claire's connection", func() bool {
		_, pc, frames := claire.TabState(t, sid)
		return pc == "connected" && frames > 0
	})
	if got := claire.TabPixel(t, sid, winAt.X+winAt.W/4, winAt.Y+winAt.H/4); !near(got, [3]int{0, 0, 0}, 16) {
		t.Fatalf("before the customer answered Claire sees %v, want black", got)
	}
	customer.Deny(t)
	waitFor(t, "Claire's tab closed", func() bool { return len(claire.Tabs(t)) == 0 })
	waitFor(t, "Claire told why", func() bool {
		return claire.QueueNotice(t) == "Marie Dupont did not let you see their screen, or asked you to leave their session."
	})
	waitFor(t, "Claire gone from the lead's panel", func() bool { return !strings.Contains(lead.TeamText(t), "Claire Martin") })
	lead.WaitStatus(t, "Connected to Marie Dupont — in control")

	// 6. Claire joins again and closes her tab: she leaves, the session stays
	// with the lead.
	join("Once more")
	claire.CloseTab(t, sid)
	waitFor(t, "Claire gone from the lead's panel", func() bool { return !strings.Contains(lead.TeamText(t), "Claire Martin") })
	lead.WaitStatus(t, "Connected to Marie Dupont — in control")

	// 7. She joins a last time; the lead ends the session: she hears it.
	join("Last time")
	lead.End(t)
	waitFor(t, "Claire told the session ended", func() bool {
		state, _, _ := claire.TabState(t, sid)
		return state == "closed_by_technician"
	})
	if code, out, _ := customer.WaitExit(t); code != 0 || !strings.Contains(out, "The support session has ended") {
		t.Fatalf("agent exited with %d:\n%s", code, out)
	}
}

// tabText is expr (a string) read in tech's workspace tab of sid.
func tabText(t testing.TB, tech *Technician, sid, expr string) string {
	t.Helper()
	return tech.inFrame(t, sid, "["+expr+`, "", ""]`)[0]
}

// An administrator (a lead of every group) watches a technician's session
// from the queue: the customer is asked first, by name, and the watcher's
// screen stays black until they allow it; the technician sees who watches,
// and cannot hand them control. The customer asks them to leave: the
// session goes on with the technician.
func TestGroupLeadWatchesAfterTheCustomerAllows(t *testing.T) {
	stack := Start(t)
	st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword).
		CreateTechnician(t, "claire", "Claire Martin", "claire-password-1", "")
	winAt := twtest.Options{X: 200, Y: 120, W: 600, H: 400}
	twtest.Start(t, stack.Display, winAt)
	red := [2]int{winAt.X + winAt.W/4, winAt.Y + winAt.H/4}

	claire := stack.TechnicianAs(t, "claire", "claire-password-1")
	inv := claire.NewSession(t, "Marie Dupont")
	sid := Eval[string](t, claire, "the session's ID", `document.getElementById("workspace").dataset.sid`)
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	claire.WaitQuadrants(t, winAt)

	admin := stack.Technician(t)
	admin.OpenQueue(t)
	waitFor(t, "the session offered to watch", func() bool {
		it, ok := admin.QueueItem(t, sid)
		return ok && it.Watch
	})
	admin.QueueAction(t, sid, "q-watch")

	// The customer is asked, by name; until they answer, the watcher sees nothing.
	if q := customer.WaitAsked(t); !strings.Contains(q, "Administrator") || !strings.Contains(q, "watch your screen too") {
		t.Fatalf("the customer is asked %q, want a question naming the Administrator who wants to watch", q)
	}
	waitFor(t, "the watcher's connection", func() bool {
		_, pc, frames := admin.TabState(t, sid)
		return pc == "connected" && frames > 0
	})
	if got := admin.TabPixel(t, sid, red[0], red[1]); !near(got, [3]int{0, 0, 0}, 16) {
		t.Fatalf("before the customer allowed it the watcher sees %v, want black", got)
	}
	waitFor(t, "the technician told who watches", func() bool {
		text := claire.TeamText(t)
		return strings.Contains(text, "Administrator") && strings.Contains(text, "watching")
	})
	customer.Allow(t)
	waitFor(t, "the red quadrant in the watcher's video", func() bool {
		return near(admin.TabPixel(t, sid, red[0], red[1]), [3]int{255, 0, 0}, 40)
	})
	waitFor(t, "the watcher's status", func() bool {
		return admin.TabStatus(t, sid) == "Watching Claire Martin with Marie Dupont — view only"
	})
	if got := customer.Shown(t, "helpers"); got != "Administrator" {
		t.Errorf("the customer's page names %q as helping too, want Administrator", got)
	}
	// View only: the technician has no button to hand the watcher control.
	claire.OpenPanel(t, "team")
	if n := Eval[int](t, claire, "control buttons for the watcher", `document.querySelectorAll('#collab-list li[data-tech="admin"] button[data-action="control"]').length`); n != 0 {
		t.Errorf("the technician may hand the watcher control (%d buttons)", n)
	}
	claire.Shot(t, "collab-lead-watched")

	// The customer asks the colleagues to leave: the watcher's tab closes,
	// the session goes on with Claire.
	customer.RemoveHelpers(t)
	waitFor(t, "the watcher's tab closed", func() bool { return len(admin.Tabs(t)) == 0 })
	waitFor(t, "the technician told the watcher left", func() bool { return !strings.Contains(claire.TeamText(t), "watching") })
	waitFor(t, "the customer's page without the watcher", func() bool { return customer.Shown(t, "helpers") == "" })
	claire.WaitQuadrants(t, winAt)
}

// near2 reports whether pointer readings "name|x|y" got and want name the
// same technician at most 3 pixels apart (the console's scaling rounds).
func near2(got, want string) bool {
	g, w := strings.Split(got, "|"), strings.Split(want, "|")
	if len(g) != 3 || len(w) != 3 || g[0] != w[0] {
		return false
	}
	for i := 1; i < 3; i++ {
		a, errA := strconv.Atoi(g[i])
		b, errB := strconv.Atoi(w[i])
		if errA != nil || errB != nil || a-b > 3 || b-a > 3 {
			return false
		}
	}
	return true
}
