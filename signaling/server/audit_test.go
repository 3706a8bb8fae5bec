package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// trailEvent is an audit event as stored, read without the audit package.
type trailEvent struct {
	Type      string `json:"type"`
	Actor     string `json:"actor"`
	SessionID string `json:"sessionId"`
	IP        string `json:"ip"`
	Detail    string `json:"detail"`
	Count     int    `json:"count"`
}

// readTrail returns every event in the audit stream, oldest first.
func readTrail(t *testing.T, natsURL string) []trailEvent {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	js, _ := jetstream.New(nc)
	s, err := js.Stream(ctx, "LIFELINE_AUDIT")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []trailEvent
	if info.State.Msgs == 0 {
		return nil
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for uint64(len(out)) < info.State.Msgs {
		m, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			t.Fatalf("read trail after %d of %d events: %v", len(out), info.State.Msgs, err)
		}
		var e trailEvent
		if err := json.Unmarshal(m.Data(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// TestAuditCoalescesRepeatedRefusals: logins refused by the rate limit write
// one event when the flood starts and one with the count, not one each.
func TestAuditCoalescesRepeatedRefusals(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	c := st.Anonymous(t, n).Client
	const failures, refused = 30, 40 // 30: auth's default limit per address
	for i := range failures + refused {
		resp, err := c.PostForm(n.URL+"/login", url.Values{"username": {"nobody"}, "password": {"wrong"}})
		if err != nil {
			t.Fatal(err)
		}
		st.ReadAll(t, resp)
		if i == failures+refused-1 && resp.StatusCode != 429 {
			t.Fatalf("attempt %d: HTTP %d, want 429", i+1, resp.StatusCode)
		}
	}
	n.Stop() // writes the counts still pending

	var got []trailEvent
	for _, e := range readTrail(t, natsURL) {
		if e.Type == "login.failed" && e.Detail == "rate limited" {
			got = append(got, e)
		}
	}
	if len(got) != 2 || got[0].Count > 1 || got[1].Count != refused-1 || got[1].IP != "127.0.0.1" || got[1].Actor != "nobody" {
		t.Fatalf("%d refusals made %d events, want the first and one counting the other %d: %+v", refused, len(got), refused-1, got[:min(len(got), 3)])
	}
}

// TestAgentAuditEventsCapped: an agent cannot pad the trail, not even by
// reconnecting: a session's reports stop at the cap, with one event saying so.
func TestAgentAuditEventsCapped(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	tc := st.LogIn(t, n)
	sid, token, _ := tc.NewSession(t, "Marie Dupont")

	const perConn = 700 // twice: past the cap of 500, each under the old per-connection 1000
	report := protocol.Audit{Event: protocol.AuditFileReceived, Name: "a.txt", Size: 1, SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
	flood := func(a *st.Conn) {
		for range perConn {
			a.Send(protocol.TypeAudit, "", report)
		}
		// The hub handles one socket's messages in order: the reply to a
		// bad message means every report before it was handled.
		a.SendRaw([]byte(`{"v":1,"type":"no.such.type","id":"last"}`))
		for {
			m := a.Expect(protocol.TypeError)
			if m.ID == "last" {
				return
			}
		}
	}
	a := st.Dial(t, n.URL+"/ws/agent", nil)
	a.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc", OS: "linux"})
	secret := a.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome).Secret
	flood(a)
	a.Close()
	b := st.Dial(t, n.URL+"/ws/agent", nil)
	b.Send(protocol.TypeAgentHello, "", protocol.AgentHello{SID: sid, Secret: secret, Hostname: "marie-pc", OS: "linux"})
	b.Expect(protocol.TypeAgentWelcome)
	flood(b)

	files, capped := 0, 0
	for _, e := range readTrail(t, natsURL) {
		switch {
		case e.SessionID != sid:
		case e.Type == "file.received":
			files++
		case e.Type == "audit.capped":
			capped++
		}
	}
	if files != 500 || capped != 1 {
		t.Fatalf("%d reports over two connections wrote %d file events and %d cap events; want 500 and 1", 2*perConn, files, capped)
	}
}

// TestNoActionWithoutAudit: when the audit trail cannot be written (here its
// stream is gone, as an external NATS account without the right limits
// would allow), a session is not created: the technician is told why, and
// nothing is left half done.
func TestNoActionWithoutAudit(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	tc := st.LogIn(t, n)

	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := js.DeleteStream(ctx, "LIFELINE_AUDIT"); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	code, body := tc.Post(t, "/console/sessions", url.Values{"customer": {"Marie Dupont"}})
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "audit trail") {
		t.Fatalf("create without an audit trail: HTTP %d (after %v)\n%.300s", code, time.Since(start), body)
	}
	_, list := tc.Get(t, "/console")
	if strings.Contains(list, "Marie Dupont") {
		t.Fatal("the session was created although its audit entry was not written")
	}
}

// TestAuditNamesRealActors plays a scripted session (raw console and agent
// sockets) and compares the whole trail, actor by actor: the technician's file
// send is theirs, control ended by a hold is the technician's doing,
// control.taken names who took control, and hold, resume and the transfer's
// offer, cancellation and acceptance are all recorded.
func TestAuditNamesRealActors(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	admin := st.LogIn(t, n)
	admin.CreateTechnician(t, "claire", "Claire Martin", "claire's password", "")
	claire := st.LogInAs(t, n, "claire", "claire's password")
	queueOf(t, claire) // her queue page is open: she is online

	sid, token, _ := admin.NewSession(t, "Marie Dupont")
	ac := admin.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	cc := claire.Dial(t, "/ws/console")
	cc.Expect(protocol.TypeConsoleWelcome)
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc"})
	agent.Expect(protocol.TypeAgentWelcome)
	state := func(c *st.Conn, want string) {
		t.Helper()
		for range 20 {
			if c.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState).State == want {
				return
			}
		}
		t.Fatalf("no state %s", want)
	}
	ac.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	state(ac, "active")
	grant := func(p protocol.Permissions) {
		t.Helper()
		agent.Send(protocol.TypePermissionUpdate, "", protocol.PermissionUpdate{Permissions: p})
	}
	ac.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionControl})
	agent.Expect(protocol.TypePermissionRequest)
	grant(protocol.Permissions{View: true, Control: true})
	ac.Expect(protocol.TypePermissionUpdate)
	sum := strings.Repeat("ab", 32)
	// The agent reports both files: the technician sent the first one.
	agent.Send(protocol.TypeAudit, "", protocol.Audit{Event: protocol.AuditFileSent, Name: "fix.sh", Size: 120, SHA256: sum})
	agent.Send(protocol.TypeAudit, "", protocol.Audit{Event: protocol.AuditFileReceived, Name: "log.txt", Size: 9, SHA256: sum})
	// Two sockets: let the agent's reports land before the console's hold.
	trail := func(atLeast int) []string {
		t.Helper()
		var got []string
		for deadline := time.Now().Add(15 * time.Second); ; {
			got = got[:0]
			for _, e := range readTrail(t, natsURL) {
				if e.SessionID != sid {
					continue
				}
				line := e.Type + " " + e.Actor
				if e.Detail != "" && e.Type != "session.created" && e.Type != "session.started" {
					line += " " + e.Detail
				}
				got = append(got, line)
			}
			if len(got) >= atLeast || time.Now().After(deadline) {
				return got
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	trail(8)
	// The hold ends control on the agent, which reports it.
	ac.Send(protocol.TypeSessionHold, sid, protocol.SessionHold{On: true})
	state(ac, "on_hold")
	agent.Expect(protocol.TypeSessionHold)
	grant(protocol.Permissions{View: true})
	ac.Expect(protocol.TypePermissionUpdate)
	ac.Send(protocol.TypeSessionHold, sid, protocol.SessionHold{On: false})
	state(ac, "active")
	// Offered to Claire, taken back, offered again and accepted.
	ac.Send(protocol.TypeSessionTransfer, sid, protocol.SessionTransfer{To: "claire", Comment: "printer"})
	state(cc, "outgoing")
	ac.Send(protocol.TypeSessionTransfer, sid, protocol.SessionTransfer{Cancel: true})
	state(cc, "active")
	ac.Send(protocol.TypeSessionTransfer, sid, protocol.SessionTransfer{To: "claire"})
	state(cc, "outgoing")
	cc.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	agent.Expect(protocol.TypeAgentWelcome)
	// The customer takes control back from Claire, then she ends.
	grant(protocol.Permissions{View: true, Control: true})
	cc.Expect(protocol.TypePermissionUpdate)
	grant(protocol.Permissions{View: true})
	cc.Expect(protocol.TypePermissionUpdate)
	trail(18) // the revocation is written after Claire hears of it
	cc.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	agent.Expect(protocol.TypeSessionEnd)

	want := []string{
		"session.created admin",
		"session.started customer",
		"permission.requested admin control",
		"permission.granted customer view",
		"permission.granted customer control",
		"control.taken admin",
		"file.sent admin",
		"file.received customer",
		"session.held admin",
		"permission.revoked admin control (on hold)",
		"session.resumed admin",
		"transfer.offered admin claire",
		"transfer.cancelled admin claire",
		"transfer.offered admin claire",
		"transfer.accepted claire admin",
		"permission.granted customer control",
		"control.taken claire",
		"permission.revoked customer control",
		"session.ended claire by technician",
	}
	got := trail(len(want))
	if !slices.Equal(got, want) {
		t.Fatalf("session trail:\n got %q\nwant %q", got, want)
	}
}

// TestConsoleAuditFloodKeepsAgentReports: a technician's console that floods
// the trail with its own reports (recordings started, which it may send)
// cannot use up the session's cap so that the agent's report of a file that
// crossed goes unrecorded: each side has its own cap.
func TestConsoleAuditFloodKeepsAgentReports(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	tc := st.LogIn(t, n)
	sid, token, _ := tc.NewSession(t, "Marie Dupont")
	a := st.Dial(t, n.URL+"/ws/agent", nil)
	a.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc", OS: "linux"})
	a.Expect(protocol.TypeAgentWelcome)

	c := tc.Dial(t, "/ws/console")
	c.Expect(protocol.TypeConsoleWelcome)
	for range 510 {
		c.Send(protocol.TypeAudit, sid, protocol.Audit{Event: protocol.AuditRecordingStarted})
	}
	// One socket's messages are handled in order: the reply to a bad
	// message means every report before it was handled.
	c.SendRaw([]byte(`{"v":1,"type":"no.such.type","id":"last","sid":"` + sid + `"}`))
	for c.Expect(protocol.TypeError).ID != "last" {
	}
	a.Send(protocol.TypeAudit, "", protocol.Audit{Event: protocol.AuditFileSent, Name: "invoice.exe", Size: 1, SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})
	a.SendRaw([]byte(`{"v":1,"type":"no.such.type","id":"last"}`))
	for a.Expect(protocol.TypeError).ID != "last" {
	}

	files := 0
	for _, e := range readTrail(t, natsURL) {
		if e.SessionID == sid && e.Type == "file.sent" {
			files++
		}
	}
	if files != 1 {
		t.Fatalf("after the console's 510 reports the agent's file report wrote %d events; want 1", files)
	}
}
