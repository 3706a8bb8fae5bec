package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// rebootingSession starts a session whose customer allowed viewing, has the
// technician ask for a restart, and the agent say it restarts: it returns
// the console, the session, the agent's socket and its secret.
func rebootingSession(t *testing.T, n st.Node, admin *st.Tech) (ac *st.Conn, sid string, agent *st.Conn, secret string, rebooting *protocol.SessionState) {
	t.Helper()
	ac = admin.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	sid, token, _ := admin.NewSession(t, "Marie")
	agent, m := hello(t, n.URL, protocol.AgentHello{Code: token, DeviceKey: marieKey, Hostname: "marie-pc", OS: "linux"})
	if m.Type != protocol.TypeAgentWelcome {
		t.Fatalf("join: %+v", m.Body)
	}
	secret = m.Body.(*protocol.AgentWelcome).Secret
	agent.Send(protocol.TypePermissionUpdate, "", protocol.PermissionUpdate{Permissions: protocol.Permissions{View: true}})
	ac.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	waitSessionState(t, ac, sid, "active and viewed", func(s *protocol.SessionState) bool { return s.State == "active" && s.Permissions.View })

	ac.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionReboot})
	r := agent.Expect(protocol.TypePermissionRequest).Body.(*protocol.PermissionRequest)
	if r.Permission != protocol.PermissionReboot {
		t.Fatalf("the agent was asked %+v", r)
	}
	agent.Send(protocol.TypeAgentRebooting, "", protocol.AgentRebooting{})
	rebooting = waitSessionState(t, ac, sid, "rebooting", func(s *protocol.SessionState) bool { return s.State == "rebooting" && s.AgentConnected })
	if r.RebootWait != rebooting.RebootWait || r.RebootWait == 0 {
		t.Fatalf("the agent was told a %ds wait, the server waits %ds: its entry must live as long", r.RebootWait, rebooting.RebootWait)
	}
	return ac, sid, agent, secret, rebooting
}

// Issue 15, reboot and reconnect: once the customer agreed, the session
// shows Rebooting (with how long it waits) and no grants; a second restart
// is refused meanwhile; the program's socket closing keeps it Rebooting.
// The program the autostart entry starts comes back with the session's
// secret, once: the session is Active again with no grants (the customer is
// asked again) and a new program's run, the entry's secret then resumes
// nothing, and neither does it for another session.
func TestRebootReconnectsOnceWithItsSecret(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	ac, sid, agent, secret, before := rebootingSession(t, n, admin)
	if before.RebootWait != int(session.DefaultRebooting/time.Second) || before.Permissions != (protocol.Permissions{}) {
		t.Fatalf("rebooting state %+v: want a %v wait and no grants", before, session.DefaultRebooting)
	}

	// A second restart while the first runs.
	id := ac.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionReboot})
	e := ac.Expect(protocol.TypeError)
	if e.ID != id || e.Body.(*protocol.Error).Code != protocol.CodeForbidden || !strings.Contains(e.Body.(*protocol.Error).Message, "restarting") {
		t.Fatalf("second restart: %+v", e.Body)
	}

	agent.Close() // the restart takes the program
	if s := waitSessionState(t, ac, sid, "gone", func(s *protocol.SessionState) bool { return !s.AgentConnected }); s.State != "rebooting" {
		t.Fatalf("the restarted program's socket closed: %s, want rebooting", s.State)
	}

	// The entry copied to another session: its secret proves nothing there.
	other, _, _ := admin.NewSession(t, "Someone else")
	c, m := hello(t, n.URL, protocol.AgentHello{SID: other, Secret: secret, Reboot: true})
	if m.Type != protocol.TypeError {
		t.Fatalf("the entry used for another session: %+v", m.Body)
	}
	c.Close()

	back, m := hello(t, n.URL, protocol.AgentHello{SID: sid, Secret: secret, Reboot: true, DeviceKey: marieKey, Hostname: "marie-pc", OS: "linux"})
	w, ok := m.Body.(*protocol.AgentWelcome)
	if !ok || !w.Resumed || w.Secret == "" || w.Secret == secret {
		t.Fatalf("back after the restart: %s %+v (want a welcome with a new secret)", m.Type, m.Body)
	}
	after := waitSessionState(t, ac, sid, "active again", func(s *protocol.SessionState) bool { return s.State == "active" && s.AgentConnected })
	if after.Permissions != (protocol.Permissions{}) || after.AgentRun <= before.AgentRun {
		t.Fatalf("after the restart %+v (before: run %d): want no grants and a new run", after, before.AgentRun)
	}
	back.Close()
	waitSessionState(t, ac, sid, "reconnecting", func(s *protocol.SessionState) bool { return s.State == "reconnecting" })

	// The entry used twice: its secret is spent; the new secret is no restart's.
	for _, h := range []protocol.AgentHello{{SID: sid, Secret: secret, Reboot: true}, {SID: sid, Secret: w.Secret, Reboot: true}} {
		c, m := hello(t, n.URL, h)
		if m.Type != protocol.TypeError {
			t.Fatalf("entry used again (%v): %+v", h.Secret == secret, m.Body)
		}
		c.Close()
	}
	events := auditEvents(t, admin, "session="+sid)
	for _, want := range []audit.Type{audit.SessionRebooting, audit.RebootBack} {
		if !hasEvent(events, want) {
			t.Errorf("audit has no %s: %+v", want, events)
		}
	}
}

func hasEvent(events []audit.Event, typ audit.Type) bool {
	for _, e := range events {
		if e.Type == typ {
			return true
		}
	}
	return false
}

// A computer that does not come back within the limit: the session times
// out, audited with the reason.
func TestRebootExpires(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) {
		c.Timeouts = &session.Timeouts{Rebooting: time.Second}
	})
	admin := st.LogIn(t, n)
	ac, sid, agent, secret, _ := rebootingSession(t, n, admin)
	agent.Close()
	waitSessionState(t, ac, sid, "timed out", func(s *protocol.SessionState) bool { return s.State == "timed_out" })
	var found bool
	for _, e := range auditEvents(t, admin, "session="+sid) {
		found = found || e.Type == audit.RebootExpired && strings.Contains(e.Detail, "did not come back within 1s")
	}
	if !found {
		t.Error("no audit entry says the computer did not come back")
	}
	c, m := hello(t, n.URL, protocol.AgentHello{SID: sid, Secret: secret, Reboot: true})
	if m.Type != protocol.TypeError {
		t.Fatalf("back after the limit: %+v", m.Body)
	}
	c.Close()
}

// The customer says No to reconnecting: the session ends as closed by the
// customer, the technician told.
func TestRebootDeclined(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	ac, sid, agent, secret, _ := rebootingSession(t, n, admin)
	agent.Close()
	c, m := hello(t, n.URL, protocol.AgentHello{SID: sid, Secret: secret, Reboot: true, Decline: true})
	if e, ok := m.Body.(*protocol.Error); !ok || !strings.Contains(e.Message, "chose not to reconnect") {
		t.Fatalf("declined: %+v", m.Body)
	}
	c.Close()
	waitSessionState(t, ac, sid, "closed by the customer", func(s *protocol.SessionState) bool { return s.State == "closed_by_customer" })
	if !hasEvent(auditEvents(t, admin, "session="+sid), audit.RebootDeclined) {
		t.Error("the decline is not audited")
	}
}

// A technician whose group does not allow restarts is refused by the
// server (audited), and the agent is told so in its welcome.
func TestRebootNeedsThePermission(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.PutGroup(t, "helpdesk", permsBut(access.Reboot)...)
	admin.CreateTechnician(t, "claire", "Claire Martin", techPassword, "helpdesk")
	claire := st.LogInAs(t, n, "claire", techPassword)
	cc := claire.Dial(t, "/ws/console")
	cc.Expect(protocol.TypeConsoleWelcome)
	sid, token, _ := claire.NewSession(t, "Marie")
	agent, m := hello(t, n.URL, protocol.AgentHello{Code: token, DeviceKey: marieKey})
	w, ok := m.Body.(*protocol.AgentWelcome)
	if !ok || !strings.Contains(strings.Join(w.Denied, ","), protocol.DeniedReboot) {
		t.Fatalf("welcome %+v: the agent must know restarts are denied", m.Body)
	}
	defer agent.Close()
	cc.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	waitSessionState(t, cc, sid, "active", func(s *protocol.SessionState) bool { return s.State == "active" })
	cc.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionReboot})
	if e := cc.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeForbidden {
		t.Fatalf("restart without the permission: %+v", e)
	}
	// A program that says it restarts anyway does not make the session Rebooting.
	agent.Send(protocol.TypeAgentRebooting, "", protocol.AgentRebooting{})
	if e := agent.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeForbidden {
		t.Fatalf("agent.rebooting without the permission: %+v", e)
	}
	if !hasEvent(auditEvents(t, admin, "session="+sid), audit.PermissionDenied) {
		t.Error("the refusal is not audited")
	}
}

// Review item 1: an unattended session may have nobody at the computer to
// agree to a restart, so the server refuses one with a sentence that says
// why, the console's state says the session is unattended (its button is
// greyed), and a program that says it restarts anyway does not make the
// session Rebooting.
func TestRebootRefusedInUnattendedSession(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	key, id := enrollDevice(t, n, admin, "pc-1")
	dev := st.Dial(t, n.URL+"/ws/device", nil)
	defer dev.Close()
	dev.Send(protocol.TypeDeviceHello, "", deviceHello(id, key))
	dev.Expect(protocol.TypeDeviceWelcome)
	ac := admin.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	if code, page := admin.Post(t, "/console/computers/"+id+"/connect", nil); code != 200 {
		t.Fatalf("connect: %d %s", code, page)
	}
	connect := dev.Expect(protocol.TypeDeviceConnect).Body.(*protocol.DeviceConnect)
	agent, m := hello(t, n.URL, protocol.AgentHello{Code: connect.Code, Hostname: "pc-1", OS: "linux"})
	defer agent.Close()
	w, ok := m.Body.(*protocol.AgentWelcome)
	if !ok {
		t.Fatalf("join: %+v", m.Body)
	}
	sid := w.SID
	ac.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	agent.Send(protocol.TypePermissionUpdate, "", protocol.PermissionUpdate{Permissions: protocol.Permissions{View: true}})
	ac.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	state := waitSessionState(t, ac, sid, "active and viewed", func(s *protocol.SessionState) bool { return s.State == "active" && s.Permissions.View })
	if !state.Unattended {
		t.Error("the console is not told the session is unattended")
	}
	ac.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionReboot})
	e := ac.Expect(protocol.TypeError).Body.(*protocol.Error)
	if e.Code != protocol.CodeForbidden || !strings.Contains(e.Message, "unattended") {
		t.Fatalf("restart in an unattended session: %+v", e)
	}
	agent.Send(protocol.TypeAgentRebooting, "", protocol.AgentRebooting{})
	if e := agent.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeForbidden {
		t.Fatalf("agent.rebooting in an unattended session: %+v", e)
	}
}

// Review item 4: while a session waits for its computer to restart, only
// the autostart entry's hello (Reboot set) brings it back, with a new
// secret; an ordinary resume with the old secret is refused and leaves the
// session Rebooting.
func TestRebootingRefusesAnOrdinaryResume(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	ac, sid, agent, secret, _ := rebootingSession(t, n, admin)
	agent.Close()
	waitSessionState(t, ac, sid, "gone", func(s *protocol.SessionState) bool { return !s.AgentConnected })

	c, m := hello(t, n.URL, protocol.AgentHello{SID: sid, Secret: secret, DeviceKey: marieKey})
	if e, ok := m.Body.(*protocol.Error); !ok || e.Code != protocol.CodeForbidden {
		t.Fatalf("ordinary resume while rebooting: %s %+v, want refused", m.Type, m.Body)
	}
	c.Close()

	back, m := hello(t, n.URL, protocol.AgentHello{SID: sid, Secret: secret, Reboot: true, DeviceKey: marieKey})
	defer back.Close()
	if w, ok := m.Body.(*protocol.AgentWelcome); !ok || !w.Resumed || w.Secret == secret {
		t.Fatalf("the entry after a refused resume: %s %+v", m.Type, m.Body)
	}
}
