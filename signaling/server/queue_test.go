package server_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/console-web/queue"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// The server is the authority on the queue: start, hold and resume; transfer
// only to an available technician, with a comment, cancelled by the sender or
// accepted by the receiver, who then owns the session and the customer is told.
func TestQueueTransferAndHold(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	// Claire's group lets her view but not control, nor transfer.
	admin.PutGroup(t, "helpdesk", "start_sessions", "invite_link", "view", "files")
	admin.CreateTechnician(t, "claire", "Claire Martin", "claire's password", "helpdesk")
	claire := st.LogInAs(t, n, "claire", "claire's password")

	sid, token, _ := admin.NewSession(t, "Marie Dupont")
	ac := admin.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	cc := claire.Dial(t, "/ws/console")
	cc.Expect(protocol.TypeConsoleWelcome)
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc"})
	if w := agent.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome); w.Secret == "" {
		t.Fatal("the agent got no secret to resume with")
	}
	expect := func(c *st.Conn, want string) *protocol.SessionState {
		t.Helper()
		for range 10 {
			if s := c.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); s.State == want {
				return s
			}
		}
		t.Fatalf("no state %s", want)
		return nil
	}
	refused := func(c *st.Conn, says string) {
		t.Helper()
		if e := c.Expect(protocol.TypeError).Body.(*protocol.Error); !strings.Contains(e.Message, says) {
			t.Fatalf("error %q, want it to say %q", e.Message, says)
		}
	}
	expect(ac, "waiting")
	// Hold before start is not a transition the machine allows.
	ac.Send(protocol.TypeSessionHold, sid, protocol.SessionHold{On: true})
	refused(ac, "not allowed")
	ac.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	expect(ac, "active")
	if w := agent.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome); w.Waiting {
		t.Fatalf("the customer's agent was not told the session was picked up: %+v", w)
	}

	transfer := protocol.SessionTransfer{To: "claire", Comment: "Printer driver, she prefers French"}
	// Claire has no console open: nobody to transfer to.
	ac.Send(protocol.TypeSessionTransfer, sid, transfer)
	refused(ac, "not available")
	queueOf(t, claire) // her queue page is open: online
	setStatus(t, claire, `{"status":"away"}`)
	ac.Send(protocol.TypeSessionTransfer, sid, transfer)
	refused(ac, "not available")
	setStatus(t, claire, `{"status":"online"}`)

	ac.Send(protocol.TypeSessionTransfer, sid, transfer)
	if s := expect(ac, "outgoing"); s.Transfer == nil || s.Transfer.ToName != "Claire Martin" {
		t.Fatalf("sender sees %+v", s)
	}
	if s := expect(cc, "outgoing"); s.Transfer == nil || s.Transfer.Comment != transfer.Comment {
		t.Fatalf("receiver sees %+v", s)
	}
	if it := find(t, queueOf(t, claire), sid); it.State != "incoming" || it.Comment != transfer.Comment || it.TransferFrom != "Administrator" {
		t.Fatalf("claire's queue: %+v", it)
	}
	if it := find(t, queueOf(t, admin), sid); it.State != "outgoing" || it.TransferTo != "Claire Martin" {
		t.Fatalf("admin's queue: %+v", it)
	}
	// Until she accepts, Claire can look but not act.
	cc.Send(protocol.TypeSessionHold, sid, protocol.SessionHold{On: true})
	refused(cc, "accept the transfer first")

	// The sender takes it back.
	ac.Send(protocol.TypeSessionTransfer, sid, protocol.SessionTransfer{Cancel: true})
	expect(ac, "active")
	if s := expect(cc, "active"); s.Transfer != nil {
		t.Fatalf("claire still sees a transfer: %+v", s)
	}
	cc.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	refused(cc, "no such session")

	// Offered again, and accepted: Claire owns it, the customer is told.
	ac.Send(protocol.TypeSessionTransfer, sid, transfer)
	expect(cc, "outgoing")
	cc.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	if s := expect(cc, "active"); s.TechnicianID != "claire" || s.Transfer != nil {
		t.Fatalf("after accept: %+v", s)
	}
	if s := expect(ac, "active"); s.TechnicianID != "claire" {
		t.Fatalf("the sender was not told: %+v", s)
	}
	if w := agent.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome); w.TechnicianName != "Claire Martin" || !slices.Contains(w.Denied, protocol.DeniedControl) {
		t.Fatalf("the customer's agent was told %+v", w)
	}
	ac.Send(protocol.TypeSessionHold, sid, protocol.SessionHold{On: true})
	refused(ac, "no such session")

	// Hold ends remote control on the agent's side; resume.
	cc.Send(protocol.TypeSessionHold, sid, protocol.SessionHold{On: true})
	expect(cc, "on_hold")
	if h := agent.Expect(protocol.TypeSessionHold).Body.(*protocol.SessionHold); !h.On {
		t.Fatal("the agent was not told about the hold")
	}
	if it := find(t, queueOf(t, claire), sid); it.State != "on_hold" || !it.Mine {
		t.Fatalf("claire's queue after hold: %+v", it)
	}
	cc.Send(protocol.TypeSessionHold, sid, protocol.SessionHold{On: false})
	expect(cc, "active")
	if h := agent.Expect(protocol.TypeSessionHold).Body.(*protocol.SessionHold); h.On {
		t.Fatal("the agent was not told about the resume")
	}
	// Her group does not allow transfers; nobody may send a comment too long.
	cc.Send(protocol.TypeSessionTransfer, sid, protocol.SessionTransfer{To: "admin"})
	refused(cc, "does not allow transferring")
	ac.Send(protocol.TypeSessionTransfer, sid, protocol.SessionTransfer{To: "claire", Comment: strings.Repeat("x", protocol.MaxTransferComment+1)})
	refused(ac, "comment")
}

func queueOf(t *testing.T, tc *st.Tech) queue.View {
	t.Helper()
	code, body := tc.Get(t, "/console/queue.json")
	var v queue.View
	if code != http.StatusOK || json.Unmarshal([]byte(body), &v) != nil {
		t.Fatalf("queue.json: %d %s", code, body)
	}
	return v
}

func find(t *testing.T, v queue.View, sid string) queue.Item {
	t.Helper()
	for _, it := range v.Sessions {
		if it.ID == sid {
			return it
		}
	}
	t.Fatalf("session %s not in the queue %+v", sid, v.Sessions)
	return queue.Item{}
}

func setStatus(t *testing.T, tc *st.Tech, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, tc.Base+"/console/status", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", tc.CSRF)
	resp, err := tc.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if b := st.ReadAll(t, resp); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %s: %d %s", body, resp.StatusCode, b)
	}
}

// A technician working on as many sessions as the busy threshold shows busy,
// and nobody can transfer to them.
func TestBusyTechnicianTakesNoTransfer(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) { c.BusyAt = 1 })
	admin := st.LogIn(t, n)
	admin.CreateTechnician(t, "claire", "Claire Martin", "claire's password", "")
	claire := st.LogInAs(t, n, "claire", "claire's password")
	queueOf(t, claire)
	ac := admin.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	cc := claire.Dial(t, "/ws/console")
	cc.Expect(protocol.TypeConsoleWelcome)
	started := func(tc *st.Tech, c *st.Conn, name string) string {
		t.Helper()
		sid, token, _ := tc.NewSession(t, name)
		agent := st.Dial(t, n.URL+"/ws/agent", nil)
		agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token})
		agent.Expect(protocol.TypeAgentWelcome)
		c.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
		for c.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState).State != "active" {
		}
		return sid
	}
	started(claire, cc, "Paul")
	if me := queueOf(t, claire).Me; me.Status != "busy" {
		t.Fatalf("claire with one session: %+v", me)
	}
	if v := queueOf(t, admin); len(v.Techs) != 1 || v.Techs[0].Status != "busy" {
		t.Fatalf("admin sees %+v", v.Techs)
	}
	sid := started(admin, ac, "Marie")
	ac.Send(protocol.TypeSessionTransfer, sid, protocol.SessionTransfer{To: "claire"})
	if e := ac.Expect(protocol.TypeError).Body.(*protocol.Error); !strings.Contains(e.Message, "not available") {
		t.Fatalf("transfer to a busy technician: %+v", e)
	}
}

// Time limits are settings: a waiting session nobody starts times out (the
// agent is told), and a customer who stays away shows Offline, then comes back.
func TestTimeLimits(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) {
		c.Timeouts = &session.Timeouts{Waiting: time.Second, Offline: time.Second}
	})
	admin := st.LogIn(t, n)
	ac := admin.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	expect := func(sid, want string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			if m := ac.Expect(protocol.TypeSessionState); m.SID == sid && m.Body.(*protocol.SessionState).State == want {
				return
			}
		}
		t.Fatalf("%s never %s", sid, want)
	}

	waiting, token, _ := admin.NewSession(t, "Nobody starts me")
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token})
	agent.Expect(protocol.TypeAgentWelcome)
	expect(waiting, "timed_out")
	agent.Expect(protocol.TypeSessionEnd)

	away, token, _ := admin.NewSession(t, "Goes away")
	agent = st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token})
	secret := agent.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome).Secret
	ac.Send(protocol.TypeSessionStart, away, protocol.SessionStart{})
	expect(away, "active")
	agent.Close()
	expect(away, "reconnecting")
	expect(away, "offline")
	agent = st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{SID: away, Secret: secret})
	if w := agent.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome); !w.Resumed || w.Secret != "" {
		t.Fatalf("resume welcome %+v", w)
	}
	expect(away, "active")
}

// An agent that noticed a cut before the server did comes back on a new
// socket; when the server finally drops the old one, the session stays with
// the new one instead of showing Reconnecting.
func TestOldSocketClosingLate(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	ac := admin.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	sid, token, _ := admin.NewSession(t, "Marie")
	old := st.Dial(t, n.URL+"/ws/agent", nil)
	old.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token})
	secret := old.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome).Secret
	ac.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	fresh := st.Dial(t, n.URL+"/ws/agent", nil)
	fresh.Send(protocol.TypeAgentHello, "", protocol.AgentHello{SID: sid, Secret: secret})
	fresh.Expect(protocol.TypeAgentWelcome)
	old.Close()
	// Ask for the state after the old socket's goodbye has been handled.
	fresh.Send(protocol.TypePermissionUpdate, "", protocol.PermissionUpdate{Permissions: protocol.Permissions{View: true}})
	for {
		s := ac.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState)
		if s.State == "reconnecting" || !s.AgentConnected {
			t.Fatalf("the old socket's close took the session away: %+v", s)
		}
		if s.Permissions.View {
			break
		}
	}
	ac.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	if s := ac.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); s.State != "active" || !s.AgentConnected {
		t.Fatalf("after the old socket closed: %+v", s)
	}
}

// With "see other technicians' queues" a technician's queue lists everyone's
// sessions, theirs marked mine, the others read only: their console cannot
// open, hold or end a session that is not theirs. Without it, only their own.
func TestOtherTechniciansQueues(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	var most []string
	for _, p := range access.All {
		if p != access.OtherQueues {
			most = append(most, string(p))
		}
	}
	admin.PutGroup(t, "lead", append(most, string(access.OtherQueues))...)
	admin.PutGroup(t, "desk", most...)
	admin.CreateTechnician(t, "lea", "Léa", techPassword, "lead")
	admin.CreateTechnician(t, "dan", "Dan", techPassword, "desk")
	lea, dan := st.LogInAs(t, n, "lea", techPassword), st.LogInAs(t, n, "dan", techPassword)
	leaSID, _, _ := lea.NewSession(t, "Marie")
	danSID, _, _ := dan.NewSession(t, "Paul")

	v := queueOf(t, lea)
	if it := find(t, v, danSID); it.Mine || it.Technician != "Dan" || it.Customer != "Paul" {
		t.Errorf("Léa sees Dan's session as %+v", it)
	}
	if it := find(t, v, leaSID); !it.Mine {
		t.Errorf("Léa's own session is not marked mine: %+v", it)
	}
	for _, it := range queueOf(t, dan).Sessions {
		if it.ID != danSID {
			t.Errorf("Dan, without the permission, sees %+v", it)
		}
	}
	if _, page := lea.Get(t, "/console/queue"); !strings.Contains(page, `data-filter="mine"`) {
		t.Error("the queue page has no Mine filter")
	}

	// Seeing is all: Léa's console cannot act on Dan's session.
	before := find(t, queueOf(t, dan), danSID).State
	c := lea.Dial(t, "/ws/console")
	defer c.Close()
	c.Expect(protocol.TypeConsoleWelcome)
	for _, send := range []func() string{
		func() string { return c.Send(protocol.TypeSessionOpen, danSID, protocol.SessionOpen{}) },
		func() string { return c.Send(protocol.TypeSessionHold, danSID, protocol.SessionHold{On: true}) },
		func() string {
			return c.Send(protocol.TypeSessionEnd, danSID, protocol.SessionEnd{Reason: protocol.EndByTechnician})
		},
	} {
		send()
		e := c.Expect(protocol.TypeError).Body.(*protocol.Error)
		if e.Code != protocol.CodeNotFound {
			t.Errorf("acting on another's session: %+v, want not_found", e)
		}
	}
	if code, _ := lea.Get(t, "/console/sessions/"+danSID); code == http.StatusOK {
		t.Error("Léa opened Dan's workspace")
	}
	if it := find(t, queueOf(t, dan), danSID); it.State != before {
		t.Errorf("Dan's session after Léa's attempts: %+v", it)
	}
}
