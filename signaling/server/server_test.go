package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// The console on one node and the agent on another talk through NATS subjects.
func TestConsoleAndAgentOnDifferentNodes(t *testing.T) {
	natsURL := natstest.Server(t)
	a := st.StartNode(t, natsURL, "node-a")
	b := st.StartNode(t, natsURL, "node-b")

	tc := st.LogIn(t, a)
	sid, token, _ := tc.NewSession(t, "Marie Dupont")
	console := tc.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	if st := console.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); st.State != "connecting" || st.AgentConnected {
		t.Fatalf("before the agent: %+v", st)
	}

	agent := st.Dial(t, b.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc", OS: "linux"})
	w := agent.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome)
	if w.SID != sid || w.CustomerName != "Marie Dupont" || w.TechnicianName != "Administrator" || w.OrgName != "Acme IT" {
		t.Fatalf("welcome = %+v", w)
	}
	if st := console.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); st.State != "waiting" || !st.AgentConnected || st.Hostname != "marie-pc" {
		t.Fatalf("after the agent: %+v", st)
	}

	// Console (node A) → agent (node B).
	console.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionView})
	if got := agent.Expect(protocol.TypePermissionRequest); got.SID != sid || got.Body.(*protocol.PermissionRequest).Permission != "view" {
		t.Fatalf("agent got %+v", got)
	}
	// Agent (node B) → console (node A); the server sets the session ID itself.
	agent.Send(protocol.TypePermissionUpdate, "someone-elses-session", protocol.PermissionUpdate{Permissions: protocol.Permissions{View: true}})
	if got := console.Expect(protocol.TypePermissionUpdate); got.SID != sid || !got.Body.(*protocol.PermissionUpdate).Permissions.View {
		t.Fatalf("console got %+v", got)
	}
	if st := console.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); st.State != "waiting" || !st.Permissions.View {
		t.Fatalf("after view: %+v", st)
	}
	// The technician starts the session.
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	if st := console.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); st.State != "active" {
		t.Fatalf("after start: %+v", st)
	}
	console.Send(protocol.TypeOffer, sid, map[string]string{"type": "offer", "sdp": "v=0 fake"})
	agent.Expect(protocol.TypeOffer)
	agent.Send(protocol.TypeAnswer, "", map[string]string{"type": "answer", "sdp": "v=0 fake"})
	console.Expect(protocol.TypeAnswer)

	// The customer ends the session: the console hears it and the link is spent.
	agent.Send(protocol.TypeSessionEnd, "", protocol.SessionEnd{Reason: protocol.EndByCustomer})
	if got := console.Expect(protocol.TypeSessionEnd).Body.(*protocol.SessionEnd); got.Reason != protocol.EndByCustomer {
		t.Fatalf("end reason %q", got.Reason)
	}
	if st := console.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); st.State != "closed_by_customer" {
		t.Fatalf("after end: %+v", st)
	}
	resp, _ := http.Get(b.URL + "/s/" + token)
	if body := st.ReadAll(t, resp); resp.StatusCode != http.StatusGone || !strings.Contains(body, "already used") {
		t.Fatalf("used link: %d %s", resp.StatusCode, body)
	}
}

// Bad messages get an error reply and the connection stays usable.
func TestBadMessagesKeepTheConnection(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	tc := st.LogIn(t, n)
	sid, _, _ := tc.NewSession(t, "Bob")
	console := tc.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)

	for name, raw := range map[string]string{
		"not json":      `{"v":1,"type":`,
		"unknown type":  `{"v":1,"type":"launch.missiles","payload":{}}`,
		"bad version":   `{"v":99,"type":"session.open","sid":"x"}`,
		"unknown field": `{"v":1,"type":"permission.request","sid":"x","payload":{"permission":"view","sudo":true}}`,
		"oversized":     `{"v":1,"type":"rtc.offer","payload":{"type":"offer","sdp":"` + strings.Repeat("a", protocol.MaxMessageSize) + `"}}`,
	} {
		console.SendRaw([]byte(raw))
		e := console.Expect(protocol.TypeError).Body.(*protocol.Error)
		if e.Code == "" || e.Message == "" {
			t.Errorf("%s: empty error reply %+v", name, e)
		}
	}
	// Someone else's session ID is refused.
	console.Send(protocol.TypeSessionOpen, "aaaaaaaaaaaaaaaaaaaaaaaaaa", protocol.SessionOpen{})
	if e := console.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeNotFound {
		t.Fatalf("foreign session: %+v", e)
	}
	// And the socket still works.
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	if st := console.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); st.CustomerName != "Bob" {
		t.Fatalf("state %+v", st)
	}
	// An offer while the customer is not connected is refused with a reason.
	console.Send(protocol.TypeOffer, sid, map[string]string{"type": "offer", "sdp": "v=0"})
	if e := console.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeNotConnected {
		t.Fatalf("offer without agent: %+v", e)
	}
}

func TestAgentWithBadCodeOrPIN(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	for name, hello := range map[string]protocol.AgentHello{
		"unknown code": {Code: "aaaaaaaaaaaaaaaaaaaaaaaaaa"},
		"wrong pin":    {PIN: "000000"},
	} {
		agent := st.Dial(t, n.URL+"/ws/agent", nil)
		agent.Send(protocol.TypeAgentHello, "", hello)
		if e := agent.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeInvalidCode {
			t.Errorf("%s: %+v", name, e)
		}
	}
}

func TestAgentJoinsWithPINOnce(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	tc := st.LogIn(t, n)
	sid, _, pin := tc.NewSession(t, "Chloé")
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{PIN: pin})
	if w := agent.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome); w.SID != sid {
		t.Fatalf("welcome %+v", w)
	}
	again := st.Dial(t, n.URL+"/ws/agent", nil)
	again.Send(protocol.TypeAgentHello, "", protocol.AgentHello{PIN: pin})
	if e := again.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeInvalidCode {
		t.Fatalf("reused PIN: %+v", e)
	}
}

func TestPagesNeedALogin(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(n.URL + "/console/sessions/whatever")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("console without login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, wresp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(n.URL, "http")+"/ws/console", nil)
	if err == nil || wresp == nil || wresp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("console socket without login: %v %v", err, wresp)
	}
	resp, _ = http.PostForm(n.URL+"/login", url.Values{"username": {"admin"}, "password": {"wrong"}})
	if body := st.ReadAll(t, resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong username or password") {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
}

func TestJoinWithPINPage(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	tc := st.LogIn(t, n)
	_, _, pin := tc.NewSession(t, "Dana")
	wrong := "000000"
	if pin == wrong {
		wrong = "000001"
	}
	post := func(p string, lang string) (*http.Response, string) {
		req, _ := http.NewRequest("POST", n.URL+"/join", strings.NewReader(url.Values{"pin": {p}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", lang)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp, st.ReadAll(t, resp)
	}
	resp, body := post(wrong, "en")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "That code is not valid") {
		t.Fatalf("wrong PIN: %d", resp.StatusCode)
	}
	resp, body = post(wrong, "fr-FR,fr")
	if !strings.Contains(body, "Ce code n&#39;est pas valable") && !strings.Contains(body, "Ce code n'est pas valable") {
		t.Fatalf("French wrong PIN page: %s", body)
	}
	for range 3 {
		post(wrong, "en")
	}
	resp, body = post(pin, "en")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many wrong codes") {
		t.Fatalf("6th try: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}
