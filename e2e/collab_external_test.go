package e2e

import (
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// The lead, an internal colleague and an external collaborator on one
// customer, each in a real Chromium: each sees the customer's screen; the
// external, let in by a link with the screen only, is named as external to
// the customer, and the file channel their console opens without files is
// closed by the agent (audited); the customer removes the helpers and the
// external's console says they are no longer in the session.
func TestExternalCollaboratorWithLeadAndColleague(t *testing.T) {
	stack := Start(t)
	node := st.Node{URL: stack.URL}
	admin := st.LogInAs(t, node, "admin", AdminPassword)
	admin.CreateTechnician(t, "claire", "Claire Martin", "claire-password-1", "")
	winAt := twtest.Options{X: 200, Y: 120, W: 600, H: 400}
	twtest.Start(t, stack.Display, winAt)
	red := [2]int{winAt.X + winAt.W/4, winAt.Y + winAt.H/4}

	lead := stack.Technician(t)
	inv := lead.NewSession(t, "Marie Dupont")
	sid := Eval[string](t, lead, "the session's ID", `document.getElementById("workspace").dataset.sid`)
	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.Allow(t)
	lead.WaitQuadrants(t, winAt)

	// Claire, an internal colleague with the screen.
	claire := stack.TechnicianAs(t, "claire", "claire-password-1")
	claire.OpenQueue(t)
	lead.InviteColleague(t, "claire", "Printer driver", "view")
	claire.WaitQueueState(t, sid, "invitation")
	claire.QueueAction(t, sid, "q-join")
	if q := customer.WaitAsked(t); !strings.Contains(q, "Claire Martin") {
		t.Fatalf("the customer is asked %q", q)
	}
	customer.Allow(t)
	waitFor(t, "Claire's workspace with the customer's screen", func() bool {
		_, pc, frames := claire.TabState(t, sid)
		return pc == "connected" && frames > 0
	})
	waitFor(t, "the red quadrant in Claire's video", func() bool {
		return near(claire.TabPixel(t, sid, red[0], red[1]), [3]int{255, 0, 0}, 40)
	})

	// Victor, external, the screen only, by a link.
	ext := lead.InviteExternal(t, "Victor from the printer vendor", "view")
	if !strings.Contains(ext.Link, "/x/") || len(ext.PIN) != 6 {
		t.Fatalf("the external invitation: %+v", ext)
	}
	Eval[bool](t, lead, "show the invitation made", `(document.getElementById("ext-invitation").scrollIntoView({block: "center"}), true)`)
	lead.Shot(t, "collab-external-invitation")
	victor := stack.External(t, ext.Link, "Victor Vendor")
	if q := customer.WaitAsked(t); !strings.Contains(q, "Victor Vendor (external)") {
		t.Fatalf("the customer is asked %q, want a question naming Victor as external", q)
	}
	customer.Allow(t)
	victor.WaitQuadrants(t, winAt)
	waitFor(t, "the customer's page names Victor as external", func() bool {
		return strings.Contains(customer.Shown(t, "helpers"), "Victor Vendor (external)")
	})
	waitFor(t, "the lead sees Victor as external", func() bool {
		return strings.Contains(lead.TeamText(t), "Victor Vendor") && strings.Contains(lead.TeamText(t), "external")
	})
	if n := Eval[int](t, victor, "file tools in the external's console", `document.querySelectorAll('#rail-files, #end-session, #hold-session, a[href="/console"]').length`); n != 0 {
		t.Errorf("the external's console shows %d tools it was not granted", n)
	}
	victor.Shot(t, "collab-external-console")

	// Without files, a file channel from his console is closed by the agent.
	id := Eval[string](t, victor, "the external's ID", `document.getElementById("workspace").dataset.tech`)
	Eval[bool](t, victor, "open a file channel", `(window.__dc = lifeline.pc.createDataChannel("file"), true)`)
	waitFor(t, "the external's file channel closed by the agent", func() bool {
		return Eval[string](t, victor, "the file channel's state", `window.__dc.readyState`) == "closed"
	})
	waitFor(t, "the refusal in the audit trail", func() bool {
		return containsDetail(auditOf(t, admin, "type=agent.refused&session="+sid), "channel file of colleague "+id+": not granted files")
	})
	if !containsDetail(auditOf(t, admin, "session="+sid), "Victor Vendor (external, invited by Administrator)") {
		t.Error("Victor's arrival is not audited as external")
	}

	// The customer asks the helpers to leave: Victor's console says so.
	customer.RemoveHelpers(t)
	waitFor(t, "the external's console says he is out", func() bool {
		return strings.Contains(Eval[string](t, victor, "the external's page", `document.body.innerText`), "no longer in the session")
	})
	lead.WaitQuadrants(t, winAt)
}
