package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// node is one running signaling server.
type node struct{ url string }

// startNode runs a signaling node against natsURL and returns its base URL.
func startNode(t *testing.T, natsURL, name string) node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{
			Addr: "127.0.0.1:0", DataDir: t.TempDir(), NATSURL: natsURL, NodeName: name,
			OrgName: "Acme IT", AdminPassword: "correct horse", Out: pw,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: Run: %v", name, err)
		}
	})
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "Lifeline is listening on "); ok {
			go io.Copy(io.Discard, pr)
			return node{url: u}
		}
	}
	t.Fatalf("%s did not start", name)
	return node{}
}

// tech is a logged-in browser.
type tech struct {
	c    *http.Client
	base string
	csrf string
}

func logIn(t *testing.T, n node) *tech {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(n.url+"/login", url.Values{"username": {"admin"}, "password": {"correct horse"}})
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.Request.URL.Path != "/console" {
		t.Fatalf("login ended on %s: %s", resp.Request.URL, body)
	}
	return &tech{c: c, base: n.url, csrf: find(t, body, `name="csrf" value="([^"]+)"`)}
}

// newSession creates a session and returns its ID, link token and PIN.
func (tc *tech) newSession(t *testing.T, customer string) (sid, token, pin string) {
	t.Helper()
	resp, err := tc.c.PostForm(tc.base+"/console/sessions", url.Values{"customer": {customer}, "csrf": {tc.csrf}})
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	sid = strings.TrimPrefix(resp.Request.URL.Path, "/console/sessions/")
	link := find(t, body, `id="invite-link" readonly value="([^"]+)"`)
	token = link[strings.LastIndex(link, "/")+1:]
	return sid, token, find(t, body, `class="pin">(\d{6})<`)
}

func (tc *tech) dial(t *testing.T, path string) *wsConn {
	t.Helper()
	u, _ := url.Parse(tc.base)
	return dial(t, tc.base+path, tc.c.Jar.Cookies(u))
}

type wsConn struct {
	t  *testing.T
	ws *websocket.Conn
	id int
}

func dial(t *testing.T, httpURL string, cookies []*http.Cookie) *wsConn {
	t.Helper()
	h := http.Header{}
	for _, c := range cookies {
		h.Add("Cookie", c.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(httpURL, "http"), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		code := 0
		if resp != nil {
			code = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP %d)", httpURL, err, code)
	}
	ws.SetReadLimit(1 << 20)
	t.Cleanup(func() { ws.CloseNow() })
	return &wsConn{t: t, ws: ws}
}

func (w *wsConn) sendRaw(b []byte) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.ws.Write(ctx, websocket.MessageText, b); err != nil {
		w.t.Fatalf("write: %v", err)
	}
}

func (w *wsConn) send(typ protocol.Type, sid string, payload any) string {
	w.t.Helper()
	w.id++
	id := fmt.Sprint(w.id)
	b, err := protocol.Encode(typ, id, sid, payload)
	if err != nil {
		w.t.Fatal(err)
	}
	w.sendRaw(b)
	return id
}

// expect reads messages until one of type typ arrives, and returns it.
func (w *wsConn) expect(typ protocol.Type) protocol.Message {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, data, err := w.ws.Read(ctx)
		if err != nil {
			w.t.Fatalf("waiting for %s: %v", typ, err)
		}
		m, err := protocol.Decode(data)
		if err != nil {
			w.t.Fatalf("server sent an invalid message %s: %v", data, err)
		}
		if m.Type == typ {
			return m
		}
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func find(t *testing.T, body, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in page:\n%s", re, body)
	}
	return m[1]
}

// The console on one node and the agent on another talk through NATS subjects.
func TestConsoleAndAgentOnDifferentNodes(t *testing.T) {
	natsURL := natstest.Server(t)
	a := startNode(t, natsURL, "node-a")
	b := startNode(t, natsURL, "node-b")

	tc := logIn(t, a)
	sid, token, _ := tc.newSession(t, "Marie Dupont")
	console := tc.dial(t, "/ws/console")
	console.expect(protocol.TypeConsoleWelcome)
	console.send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	if st := console.expect(protocol.TypeSessionState).Body.(*protocol.SessionState); st.State != "connecting" || st.AgentConnected {
		t.Fatalf("before the agent: %+v", st)
	}

	agent := dial(t, b.url+"/ws/agent", nil)
	agent.send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc", OS: "linux"})
	w := agent.expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome)
	if w.SID != sid || w.CustomerName != "Marie Dupont" || w.TechnicianName != "Administrator" || w.OrgName != "Acme IT" {
		t.Fatalf("welcome = %+v", w)
	}
	if st := console.expect(protocol.TypeSessionState).Body.(*protocol.SessionState); st.State != "waiting" || !st.AgentConnected || st.Hostname != "marie-pc" {
		t.Fatalf("after the agent: %+v", st)
	}

	// Console (node A) → agent (node B).
	console.send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionView})
	if got := agent.expect(protocol.TypePermissionRequest); got.SID != sid || got.Body.(*protocol.PermissionRequest).Permission != "view" {
		t.Fatalf("agent got %+v", got)
	}
	// Agent (node B) → console (node A); the server sets the session ID itself.
	agent.send(protocol.TypePermissionUpdate, "someone-elses-session", protocol.PermissionUpdate{Permissions: protocol.Permissions{View: true}})
	if got := console.expect(protocol.TypePermissionUpdate); got.SID != sid || !got.Body.(*protocol.PermissionUpdate).Permissions.View {
		t.Fatalf("console got %+v", got)
	}
	if st := console.expect(protocol.TypeSessionState).Body.(*protocol.SessionState); st.State != "active" {
		t.Fatalf("after view: %+v", st)
	}
	console.send(protocol.TypeOffer, sid, map[string]string{"type": "offer", "sdp": "v=0 fake"})
	agent.expect(protocol.TypeOffer)
	agent.send(protocol.TypeAnswer, "", map[string]string{"type": "answer", "sdp": "v=0 fake"})
	console.expect(protocol.TypeAnswer)

	// The customer ends the session: the console hears it and the link is spent.
	agent.send(protocol.TypeSessionEnd, "", protocol.SessionEnd{Reason: protocol.EndByCustomer})
	if got := console.expect(protocol.TypeSessionEnd).Body.(*protocol.SessionEnd); got.Reason != protocol.EndByCustomer {
		t.Fatalf("end reason %q", got.Reason)
	}
	if st := console.expect(protocol.TypeSessionState).Body.(*protocol.SessionState); st.State != "closed_by_customer" {
		t.Fatalf("after end: %+v", st)
	}
	resp, _ := http.Get(b.url + "/s/" + token)
	if body := readAll(t, resp); resp.StatusCode != http.StatusGone || !strings.Contains(body, "already used") {
		t.Fatalf("used link: %d %s", resp.StatusCode, body)
	}
}

// Bad messages get an error reply and the connection stays usable.
func TestBadMessagesKeepTheConnection(t *testing.T) {
	n := startNode(t, natstest.Server(t), "node")
	tc := logIn(t, n)
	sid, _, _ := tc.newSession(t, "Bob")
	console := tc.dial(t, "/ws/console")
	console.expect(protocol.TypeConsoleWelcome)

	for name, raw := range map[string]string{
		"not json":      `{"v":1,"type":`,
		"unknown type":  `{"v":1,"type":"launch.missiles","payload":{}}`,
		"bad version":   `{"v":99,"type":"session.open","sid":"x"}`,
		"unknown field": `{"v":1,"type":"permission.request","sid":"x","payload":{"permission":"view","sudo":true}}`,
		"oversized":     `{"v":1,"type":"rtc.offer","payload":{"type":"offer","sdp":"` + strings.Repeat("a", protocol.MaxMessageSize) + `"}}`,
	} {
		console.sendRaw([]byte(raw))
		e := console.expect(protocol.TypeError).Body.(*protocol.Error)
		if e.Code == "" || e.Message == "" {
			t.Errorf("%s: empty error reply %+v", name, e)
		}
	}
	// Someone else's session ID is refused.
	console.send(protocol.TypeSessionOpen, "aaaaaaaaaaaaaaaaaaaaaaaaaa", protocol.SessionOpen{})
	if e := console.expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeNotFound {
		t.Fatalf("foreign session: %+v", e)
	}
	// And the socket still works.
	console.send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	if st := console.expect(protocol.TypeSessionState).Body.(*protocol.SessionState); st.CustomerName != "Bob" {
		t.Fatalf("state %+v", st)
	}
	// An offer while the customer is not connected is refused with a reason.
	console.send(protocol.TypeOffer, sid, map[string]string{"type": "offer", "sdp": "v=0"})
	if e := console.expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeNotConnected {
		t.Fatalf("offer without agent: %+v", e)
	}
}

func TestAgentWithBadCodeOrPIN(t *testing.T) {
	n := startNode(t, natstest.Server(t), "node")
	for name, hello := range map[string]protocol.AgentHello{
		"unknown code": {Code: "aaaaaaaaaaaaaaaaaaaaaaaaaa"},
		"wrong pin":    {PIN: "000000"},
	} {
		agent := dial(t, n.url+"/ws/agent", nil)
		agent.send(protocol.TypeAgentHello, "", hello)
		if e := agent.expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeInvalidCode {
			t.Errorf("%s: %+v", name, e)
		}
	}
}

func TestAgentJoinsWithPINOnce(t *testing.T) {
	n := startNode(t, natstest.Server(t), "node")
	tc := logIn(t, n)
	sid, _, pin := tc.newSession(t, "Chloé")
	agent := dial(t, n.url+"/ws/agent", nil)
	agent.send(protocol.TypeAgentHello, "", protocol.AgentHello{PIN: pin})
	if w := agent.expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome); w.SID != sid {
		t.Fatalf("welcome %+v", w)
	}
	again := dial(t, n.url+"/ws/agent", nil)
	again.send(protocol.TypeAgentHello, "", protocol.AgentHello{PIN: pin})
	if e := again.expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeInvalidCode {
		t.Fatalf("reused PIN: %+v", e)
	}
}

func TestPagesNeedALogin(t *testing.T) {
	n := startNode(t, natstest.Server(t), "node")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(n.url + "/console/sessions/whatever")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("console without login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, wresp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(n.url, "http")+"/ws/console", nil)
	if err == nil || wresp == nil || wresp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("console socket without login: %v %v", err, wresp)
	}
	resp, _ = http.PostForm(n.url+"/login", url.Values{"username": {"admin"}, "password": {"wrong"}})
	if body := readAll(t, resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong username or password") {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
}

func TestJoinWithPINPage(t *testing.T) {
	n := startNode(t, natstest.Server(t), "node")
	tc := logIn(t, n)
	_, _, pin := tc.newSession(t, "Dana")
	wrong := "000000"
	if pin == wrong {
		wrong = "000001"
	}
	post := func(p string, lang string) (*http.Response, string) {
		req, _ := http.NewRequest("POST", n.url+"/join", strings.NewReader(url.Values{"pin": {p}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", lang)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readAll(t, resp)
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
