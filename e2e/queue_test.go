package e2e

import (
	"strings"
	"testing"

	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// A technician works three sessions in three tabs of the queue, all alive;
// puts one on hold and resumes it; transfers one with a comment to a
// colleague (in a browser of her own), who accepts it; offers another one and
// takes it back before she accepts. A note written in one session shows in
// the next session with the same computer.
func TestQueueTabsHoldAndTransfer(t *testing.T) {
	stack := Start(t)
	st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword).
		CreateTechnician(t, "claire", "Claire Martin", "claire-password-1", "")
	tech := stack.Technician(t)
	tech.OpenQueue(t)
	claire := stack.TechnicianAs(t, "claire", "claire-password-1")
	claire.OpenQueue(t)

	names := []string{"Ada Lovelace", "Alan Turing", "Grace Hopper"}
	var sids []string
	var customers []*Customer
	for _, name := range names {
		sid, inv := tech.QueueNewSession(t, name)
		c := stack.Customer(t, inv)
		c.OpenPage(t)
		c.Allow(t)
		tech.WaitQueueState(t, sid, "active") // opening its tab started it
		sids, customers = append(sids, sid), append(customers, c)
	}
	if tabs := tech.Tabs(t); len(tabs) != 3 {
		t.Fatalf("tabs %v, want three", tabs)
	}

	// Every tab is alive while another is in front: connected, frames decoded,
	// and chat arrives with an unread badge.
	for _, sid := range sids {
		waitFor(t, "every workspace connected with video", func() bool {
			st, pc, frames := tech.TabState(t, sid)
			return st == "active" && pc == "connected" && frames > 0
		})
	}
	tech.ShowTab(t, sids[2])
	customers[0].WaitChatReady(t)
	customers[0].Chat(t, "Are you still there?")
	waitFor(t, "the unread badge on the first tab", func() bool { return tech.Unread(t, sids[0]) == 1 })
	tech.ShowTab(t, sids[0])
	if n := tech.Unread(t, sids[0]); n != 0 {
		t.Fatalf("badge %d after opening the tab", n)
	}

	// Hold and resume the first session.
	tech.QueueAction(t, sids[0], "q-hold")
	tech.WaitQueueState(t, sids[0], "on_hold")
	waitFor(t, "the customer told they are on hold", func() bool {
		return strings.Contains(customers[0].PageText(t), "On hold")
	})
	tech.QueueAction(t, sids[0], "q-resume")
	tech.WaitQueueState(t, sids[0], "active")
	waitFor(t, "the customer back from hold", func() bool {
		return !strings.Contains(customers[0].PageText(t), "On hold")
	})

	// Transfer the second, on hold, with a comment; Claire accepts and, once
	// the customer allows her, gets the screen. Accepting ends the hold: the
	// customer's page no longer says On hold (defect 3 of issue 18: it did).
	tech.QueueAction(t, sids[1], "q-hold")
	tech.WaitQueueState(t, sids[1], "on_hold")
	waitFor(t, "the second customer told they are on hold", func() bool {
		return strings.Contains(customers[1].PageText(t), "On hold")
	})
	tech.Transfer(t, sids[1], "claire", "Printer driver; prefers French")
	tech.WaitQueueState(t, sids[1], "outgoing")
	if it := claire.WaitQueueState(t, sids[1], "incoming"); it.Comment != "Printer driver; prefers French" {
		t.Fatalf("claire sees %+v", it)
	}
	claire.QueueAction(t, sids[1], "q-accept")
	claire.WaitQueueState(t, sids[1], "active")
	// Nothing the customer allowed the first technician carries over: they
	// are asked again, about Claire.
	if q := customers[1].WaitAsked(t); !strings.Contains(q, "Claire Martin") {
		t.Fatalf("after the transfer the customer is asked %q, want it to name Claire", q)
	}
	customers[1].Allow(t)
	waitFor(t, "Claire's workspace with video", func() bool {
		st, pc, frames := claire.TabState(t, sids[1])
		return st == "active" && pc == "connected" && frames > 0
	})
	// The sender, an administrator who sees every queue, now sees it as
	// Claire's, with no action to take on it but watching it (an
	// administrator leads every group).
	waitFor(t, "the session shown as Claire's in the sender's queue", func() bool {
		it, ok := tech.QueueItem(t, sids[1])
		return ok && !it.Mine && it.Technician == "Claire Martin" && it.State == "active"
	})
	if n := Eval[int](t, tech, "actions on Claire's session", `document.querySelectorAll('#queue-rows tr[data-sid="`+sids[1]+`"] button:not(.q-watch)').length`); n != 0 {
		t.Errorf("the sender has %d actions on a session that is now Claire's", n)
	}
	waitFor(t, "the sender's tab closed", func() bool { return len(tech.Tabs(t)) == 2 })
	waitFor(t, "the customer told who helps them now", func() bool {
		return strings.Contains(customers[1].PageText(t), "Claire Martin")
	})
	if text := customers[1].PageText(t); strings.Contains(text, "On hold") || !strings.Contains(text, "Your screen is being viewed") {
		t.Errorf("after the transfer was accepted the customer's page says:\n%s", text)
	}

	// Offer the third, then take it back before Claire accepts.
	tech.Transfer(t, sids[2], "claire", "Never mind")
	claire.WaitQueueState(t, sids[2], "incoming")
	tech.QueueAction(t, sids[2], "q-cancel")
	tech.WaitQueueState(t, sids[2], "active")
	waitFor(t, "the offer gone from Claire's queue", func() bool {
		it, ok := claire.QueueItem(t, sids[2])
		return !ok || (!it.Mine && it.State != "incoming") // her group may see others' queues
	})

	// The sessions still with the first technician are alive.
	for _, sid := range []string{sids[0], sids[2]} {
		_, _, before := tech.TabState(t, sid)
		tech.ShowTab(t, sid)
		waitFor(t, "frames still arriving", func() bool {
			st, pc, frames := tech.TabState(t, sid)
			return st == "active" && pc == "connected" && frames > before
		})
	}

	// Notes: written in the first session, shown in the next one with the
	// same computer (every agent here runs on the same machine).
	note := "Replaced the printer driver; a reboot is pending"
	tech.WriteNote(t, sids[0], note)
	tech.QueueAction(t, sids[0], "q-end")
	tech.WaitQueueState(t, sids[0], "closed_by_technician")
	next, inv := tech.QueueNewSession(t, "Ada Lovelace")
	c := stack.Customer(t, inv)
	c.OpenPage(t)
	c.Allow(t)
	tech.WaitQueueState(t, next, "active")
	waitFor(t, "the note in the next session's history", func() bool {
		return strings.Contains(tech.History(t, next), note)
	})
}
