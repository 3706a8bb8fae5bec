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

// Once the program has taken the session over from the customer's browser
// page, the page's socket speaks for nobody: its "end the session" is
// refused and the socket closed, and the program goes on.
func TestReplacedAgentSocketIsRefused(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	admin := st.LogIn(t, n)
	console := admin.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	sid, token, _ := admin.NewSession(t, "Marie")
	page := st.Dial(t, n.URL+"/ws/agent", nil)
	page.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, OS: "browser"})
	secret := page.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome).Secret
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	for console.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState).State != "active" {
	}
	page.Expect(protocol.TypeAgentWelcome)

	// The customer asks for the program and runs it.
	body, _ := json.Marshal(map[string]string{"sid": sid, "secret": secret})
	resp, err := http.Post(n.URL+"/s/"+token+"/browser/program", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ URL string }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the program's invitation: %d, %v", resp.StatusCode, err)
	}
	resp.Body.Close()
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
