package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// browserSession has tc create a session that a customer's browser page
// joins, and tc's console start it. It returns the session, its invitation
// token, the page's secret, the console and the page.
func browserSession(t *testing.T, n st.Node, tc *st.Tech) (sid, token, secret string, console, page *st.Conn) {
	t.Helper()
	console = tc.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	sid, token, _ = tc.NewSession(t, "Marie")
	page = st.Dial(t, n.URL+"/ws/agent", nil)
	page.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, OS: "browser"})
	secret = page.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome).Secret
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	for console.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState).State != "active" {
	}
	page.Expect(protocol.TypeAgentWelcome)
	return sid, token, secret, console, page
}

// askProgram posts the page's "Download the program" and returns the
// answer's status, its body and its Retry-After.
func askProgram(t *testing.T, n st.Node, sid, token, secret string) (status int, body, retry string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"sid": sid, "secret": secret})
	resp, err := http.Post(n.URL+"/s/"+token+"/browser/program", "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, st.ReadAll(t, resp), resp.Header.Get("Retry-After")
}

// The page asking for the program again and again gets the same
// invitation, then, past the per-address limit, a 429 that says when to
// try again.
func TestProgramAskedAgainAndAgain(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	sid, token, secret, _, _ := browserSession(t, n, st.LogIn(t, n))
	status, first, _ := askProgram(t, n, sid, token, secret)
	if status != http.StatusOK {
		t.Fatalf("first ask: %d %s", status, first)
	}
	for {
		status, body, retry := askProgram(t, n, sid, token, secret)
		if status == http.StatusTooManyRequests {
			if retry == "" || !strings.Contains(body, "Try again in") {
				t.Errorf("refused with %q, Retry-After %q: want a sentence saying when", body, retry)
			}
			break
		}
		if status != http.StatusOK || body != first {
			t.Fatalf("asked again: %d %s, want the first answer %s", status, body, first)
		}
	}
}

// Once the program has taken the session over from the customer's browser
// page, the page's socket speaks for nobody: its "end the session" is
// refused and the socket closed, and the program goes on.
func TestReplacedAgentSocketIsRefused(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	sid, token, secret, console, page := browserSession(t, n, st.LogIn(t, n))

	// The customer asks for the program and runs it.
	status, body, _ := askProgram(t, n, sid, token, secret)
	var got struct{ URL string }
	if err := json.Unmarshal([]byte(body), &got); err != nil || status != http.StatusOK {
		t.Fatalf("the program's invitation: %d %s", status, body)
	}
	program := st.Dial(t, n.URL+"/ws/agent", nil)
	program.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: strings.TrimPrefix(got.URL, "/s/"), OS: "Linux"})
	program.Expect(protocol.TypeAgentWelcome)

	// The page, still connected, tries to end the session.
	if code := refusedWith(t, page, page.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByCustomer})); code != protocol.CodeForbidden {
		t.Errorf("the replaced page's end: %s, want forbidden", code)
	}
	for {
		if _, err := page.Read(10 * time.Second); err != nil {
			break // closed
		}
	}
	// The program still holds the session: its grants reach the technician.
	program.Send(protocol.TypePermissionUpdate, sid, protocol.PermissionUpdate{Permissions: protocol.Permissions{View: true}})
	for {
		m := console.Expect(protocol.TypePermissionUpdate)
		if m.Body.(*protocol.PermissionUpdate).Permissions.View {
			break
		}
	}
}
