package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/console-web/notes"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// permsBut lists every permission except those named.
func permsBut(off ...access.Perm) []string {
	var on []string
	for _, p := range access.All {
		if !slices.Contains(off, p) {
			on = append(on, string(p))
		}
	}
	return on
}

// liveSession has tc create a session, an agent join it with hello (its Code
// is filled in), and tc's console open and start it. It returns the session,
// the console and the agent.
func liveSession(t *testing.T, n st.Node, tc *st.Tech, hello protocol.AgentHello) (sid string, console, agent *st.Conn) {
	t.Helper()
	console = tc.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	sid, token, _ := tc.NewSession(t, "Marie")
	agent = st.Dial(t, n.URL+"/ws/agent", nil)
	hello.Code = token
	agent.Send(protocol.TypeAgentHello, "", hello)
	agent.Expect(protocol.TypeAgentWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	for {
		s := console.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState)
		if s.State == "active" {
			// The customer hears that a technician picked the session up.
			agent.Expect(protocol.TypeAgentWelcome)
			return sid, console, agent
		}
	}
}

// No PIN is ever created for a technician whose group does not allow PINs:
// the PIN bucket is never written (it used to be issued, then deleted).
func TestPINOnlyWhenAllowed(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	admin := st.LogIn(t, n)
	admin.PutGroup(t, "nopin", permsBut(access.InvitePIN)...)
	admin.CreateTechnician(t, "paul", "Paul", techPassword, "nopin")
	paul := st.LogInAs(t, n, "paul", techPassword)
	code, page := paul.Post(t, "/console/sessions", url.Values{"customer": {"Marie"}})
	if code != http.StatusOK || inviteToken(page) == "" {
		t.Fatalf("creating a session: %d", code)
	}
	if strings.Contains(page, `class="pin"`) {
		t.Error("the workspace shows a PIN")
	}
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, "KV_lifeline_pins")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.LastSeq != 0 {
		t.Errorf("the PIN bucket was written %d times for a technician who may not use PINs", info.State.LastSeq)
	}
	// The admin may: a PIN is issued.
	if _, _, pin := admin.NewSession(t, "Jean"); pin == "" {
		t.Error("no PIN for the admin")
	}
}

// Offer, candidate, hold and end from a technician whose account was
// disabled meanwhile never reach the agent: every console message is checked
// against the account as it is now.
func TestConsoleMessagesArePermissionChecked(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	msgs := []struct {
		typ     protocol.Type
		payload any
	}{
		{protocol.TypeOffer, protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0\r\n"}}},
		{protocol.TypeCandidate, protocol.Candidate{ICECandidateInit: webrtc.ICECandidateInit{Candidate: "candidate:1 1 udp 1 192.0.2.1 9 typ host"}}},
		{protocol.TypeSessionHold, protocol.SessionHold{On: true}},
		{protocol.TypeSessionEnd, protocol.SessionEnd{Reason: protocol.EndByTechnician}},
	}
	for i, m := range msgs {
		t.Run(string(m.typ), func(t *testing.T) {
			id := fmt.Sprintf("tech%d", i)
			admin.CreateTechnician(t, id, id, techPassword, "")
			tc := st.LogInAs(t, n, id, techPassword)
			sid, console, agent := liveSession(t, n, tc, protocol.AgentHello{})
			admin.Post(t, "/admin/technicians/"+id, url.Values{"action": {"disable"}})
			mid := console.Send(m.typ, sid, m.payload)
			// The console is refused, or its socket closed.
			for {
				got, err := console.Read(10 * time.Second)
				if errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("%s of a disabled technician: neither refused nor closed", m.typ)
				}
				if err != nil || (got.Type == protocol.TypeError && got.ID == mid) {
					break
				}
			}
			// The agent hears the session end (the technician's account is
			// gone), and nothing the console sent before that.
			for {
				got, err := agent.Read(10 * time.Second)
				if err != nil {
					t.Fatalf("agent: %v before the session ended", err)
				}
				if got.Type == m.typ && got.Type != protocol.TypeSessionEnd {
					t.Fatalf("the agent received %s from a disabled technician", m.typ)
				}
				if got.Type == protocol.TypeSessionEnd {
					break
				}
			}
			for _, e := range auditEvents(t, admin, "type=session.ended&session="+sid) {
				if e.Actor == id {
					t.Errorf("the disabled technician ended the session: %+v", e)
				}
			}
		})
	}
}

// A technician disabled, deleted or logged out everywhere loses their console
// sockets at once, and their live sessions end (the agent is told).
func TestRevokedTechnicianSocketsClose(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	for _, action := range []string{"disable", "delete", "logout"} {
		t.Run(action, func(t *testing.T) {
			id := "rev-" + action
			admin.CreateTechnician(t, id, id, techPassword, "")
			tc := st.LogInAs(t, n, id, techPassword)
			sid, console, agent := liveSession(t, n, tc, protocol.AgentHello{})
			if code, body := admin.Post(t, "/admin/technicians/"+id, url.Values{"action": {action}}); code != http.StatusOK {
				t.Fatalf("%s: %d %s", action, code, body)
			}
			for {
				if _, err := console.Read(10 * time.Second); errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("the console socket is still open 10 s after %s", action)
				} else if err != nil {
					break
				}
			}
			for {
				got, err := agent.Read(10 * time.Second)
				if err != nil {
					t.Fatalf("agent: %v, want session.end", err)
				}
				if got.Type == protocol.TypeSessionEnd {
					break
				}
			}
			ev := auditEvents(t, admin, "type=session.ended&session="+sid)
			if len(ev) != 1 || ev[0].Type != audit.SessionEnded {
				t.Errorf("audit of the end: %+v", ev)
			}
		})
	}
}

// A change to the technician's permissions reaches the agents of their live
// sessions at once: the agent is told again what is denied.
func TestPermissionChangeReachesLiveAgent(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.PutGroup(t, "helpdesk", permsBut()...)
	admin.PutGroup(t, "viewers", permsBut(access.Control, access.Files)...)
	admin.CreateTechnician(t, "carl", "Carl", techPassword, "helpdesk")
	carl := st.LogInAs(t, n, "carl", techPassword)
	_, _, agent := liveSession(t, n, carl, protocol.AgentHello{})
	denied := func(want ...string) {
		t.Helper()
		for {
			got, err := agent.Read(10 * time.Second)
			if err != nil {
				t.Fatalf("agent: %v; want to be told %v is denied", err, want)
			}
			if w, ok := got.Body.(*protocol.AgentWelcome); ok {
				if !slices.Equal(w.Denied, want) {
					t.Fatalf("agent told %v is denied, want %v", w.Denied, want)
				}
				return
			}
		}
	}
	// The group loses control.
	admin.PutGroup(t, "helpdesk", permsBut(access.Control)...)
	denied(protocol.DeniedControl)
	// The technician moves to another group.
	admin.Post(t, "/admin/technicians/carl", url.Values{"action": {"group"}, "group": {"viewers"}})
	denied(protocol.DeniedControl, protocol.DeniedFiles)
}

// The probe: a technician makes an agent claim another device's ID and reads
// the history: neither that device's notes nor its logs come back. And a
// technician who may not see others' queues does not see others' sessions in
// a device's history, even of the same device.
func TestDeviceHistoryRefusesForeignDevice(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.PutGroup(t, "own", permsBut(access.OtherQueues)...)
	admin.CreateTechnician(t, "alice", "Alice", techPassword, "own")
	admin.CreateTechnician(t, "mallory", "Mallory", techPassword, "") // sees every queue
	admin.CreateTechnician(t, "bob", "Bob", techPassword, "own")
	alice := st.LogInAs(t, n, "alice", techPassword)
	key := strings.Repeat("k", 43)
	sid, console, agent := liveSession(t, n, alice, protocol.AgentHello{DeviceID: "0123456789abcdef0123456789abcdef", DeviceKey: key})
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	device := console.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState).DeviceID
	if device == "" {
		t.Fatal("the device is not known")
	}
	if code, body := do(t, alice, "PUT", "/console/sessions/"+sid+"/notes", `{"text":"SECRET NOTE"}`, true); code != http.StatusNoContent {
		t.Fatalf("notes: %d %s", code, body)
	}
	console.Send(protocol.TypeLogAppend, sid, protocol.LogAppend{ID: "1", Kind: protocol.LogMessage, From: protocol.FromTechnician, Text: "SECRET LOG", At: 1})
	console.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	agent.Expect(protocol.TypeSessionEnd)
	if code, body := do(t, alice, "GET", "/console/sessions/"+sid+"/log", "", false); code != http.StatusOK || !strings.Contains(body, "SECRET LOG") {
		t.Fatalf("log: %d %s", code, body)
	}
	history := func(tc *st.Tech, hello protocol.AgentHello, own bool) notes.View {
		t.Helper()
		sid, _, _ := liveSession(t, n, tc, hello)
		code, body := do(t, tc, "GET", "/console/sessions/"+sid+"/notes", "", false)
		if code != http.StatusOK {
			t.Fatalf("history: %d %s", code, body)
		}
		if !own && strings.Contains(body, "SECRET") {
			t.Errorf("the history shows another technician's notes or log: %s", body)
		}
		var v notes.View
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	mallory := st.LogInAs(t, n, "mallory", techPassword)
	for _, claim := range []protocol.AgentHello{
		{DeviceID: device},
		{DeviceID: device, DeviceKey: strings.Repeat("m", 43)},
		{DeviceID: "0123456789abcdef0123456789abcdef"},
	} {
		if v := history(mallory, claim, false); len(v.History) != 0 {
			t.Errorf("claiming %+v lists %d earlier sessions", claim, len(v.History))
		}
	}
	// The same device, for a technician who only sees their own sessions.
	bob := st.LogInAs(t, n, "bob", techPassword)
	if v := history(bob, protocol.AgentHello{DeviceKey: key}, false); len(v.History) != 0 {
		t.Errorf("bob sees %d of alice's sessions", len(v.History))
	}
	// Alice, with the same device again, sees her own.
	if v := history(alice, protocol.AgentHello{DeviceKey: key}, true); len(v.History) != 1 || v.History[0].ID != sid {
		t.Errorf("alice's own history: %+v", v.History)
	}
}

// A console that works on a session without ever opening it (a raw client
// sends session.start and rtc.offer straight away) still loses it when its
// login ends: log-out-everywhere ends every session the console acted on.
func TestLogoutEndsSessionsTheConsoleNeverOpened(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.CreateTechnician(t, "raw", "Raw", techPassword, "")
	tc := st.LogInAs(t, n, "raw", techPassword)
	console := tc.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	sid, token, _ := tc.NewSession(t, "Marie")
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token})
	agent.Expect(protocol.TypeAgentWelcome)
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	for console.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState).State != "active" {
	}
	console.Send(protocol.TypeOffer, sid, protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0"}})
	agent.Expect(protocol.TypeOffer)

	if code, body := admin.Post(t, "/admin/technicians/raw", url.Values{"action": {"logout"}}); code != http.StatusOK {
		t.Fatalf("logout: %d %s", code, body)
	}
	for {
		got, err := agent.Read(10 * time.Second)
		if err != nil {
			t.Fatalf("agent: %v; want session.end once the console's login ended", err)
		}
		if got.Type == protocol.TypeSessionEnd {
			return
		}
	}
}
