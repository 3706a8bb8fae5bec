package server_test

import (
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/access"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// Defects 3 and 17 of issue 18: the agent hears the session's real state,
// so the customer is never told "Technician connected" while waiting in the
// queue, nor "On hold" after a transfer accepted during a hold. Its welcome
// says whether the session waits to be picked up; picking it up welcomes it
// again; every later welcome (a transfer accepted, the group's permissions
// changed) says whether the session is on hold.
func TestAgentHearsWaitingAndHold(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.PutGroup(t, "helpdesk", permsBut()...)
	admin.CreateTechnician(t, "claire", "Claire Martin", techPassword, "helpdesk")
	claire := st.LogInAs(t, n, "claire", techPassword)

	sid, token, _ := admin.NewSession(t, "Marie Dupont")
	ac := admin.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	cc := claire.Dial(t, "/ws/console")
	cc.Expect(protocol.TypeConsoleWelcome)
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc"})
	if w := agent.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome); !w.Waiting || w.OnHold {
		t.Fatalf("first welcome %+v: want waiting to be picked up, not on hold", w)
	}
	welcome := func(what string) *protocol.AgentWelcome {
		t.Helper()
		for {
			m, err := agent.Read(10 * time.Second)
			if err != nil {
				t.Fatalf("agent: %v; want a welcome %s", err, what)
			}
			if w, ok := m.Body.(*protocol.AgentWelcome); ok {
				return w
			}
		}
	}
	hold := func(on bool) {
		t.Helper()
		for {
			m, err := agent.Read(10 * time.Second)
			if err != nil {
				t.Fatalf("agent: %v; want hold %v", err, on)
			}
			if h, ok := m.Body.(*protocol.SessionHold); ok && h.On == on {
				return
			}
		}
	}

	ac.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	if w := welcome("when the technician picks the session up"); w.Waiting || w.OnHold || w.TechnicianID != "admin" {
		t.Fatalf("welcome after the start %+v: want picked up by admin, not on hold", w)
	}

	// Hold, transfer, accept: the receiver's welcome ends the hold.
	ac.Send(protocol.TypeSessionHold, sid, protocol.SessionHold{On: true})
	hold(true)
	queueOf(t, claire) // her queue page is open: online
	ac.Send(protocol.TypeSessionTransfer, sid, protocol.SessionTransfer{To: "claire"})
	for cc.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState).State != "outgoing" {
	}
	cc.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	if w := welcome("when Claire accepts the transfer"); w.TechnicianID != "claire" || w.OnHold || w.Waiting {
		t.Fatalf("welcome after the transfer %+v: want Claire's, not on hold", w)
	}

	// Claire holds; her group's permissions change meanwhile: the welcome
	// that says so keeps the hold.
	cc.Send(protocol.TypeSessionHold, sid, protocol.SessionHold{On: true})
	hold(true)
	admin.PutGroup(t, "helpdesk", permsBut(access.Control)...)
	if w := welcome("when Claire's group changes"); !w.OnHold {
		t.Fatalf("welcome during the hold %+v: it would end the hold on the customer's side", w)
	}
}
