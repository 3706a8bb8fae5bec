package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// The administrator sets the programs every customer's agent hides from
// the technician by default: a list that is not one is refused with a
// sentence and changes nothing; a good one reaches each agent in its welcome.
func TestOrganisationsPrivateProgramsReachTheAgent(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	form := func(programs string) url.Values {
		return url.Values{"org": {"Acme IT"}, "loginHours": {"12"}, "maxSessions": {"0"}, "privatePrograms": {programs}}
	}
	for _, bad := range []string{"<script>alert(1)</script>", "keepass\u202exc", strings.Repeat("p,", 10) + strings.Repeat("x", 61)} {
		if code, body := admin.Post(t, "/admin/settings", form(bad)); code != http.StatusBadRequest || !strings.Contains(body, "at most 32 program names") {
			t.Errorf("programs %q: %d, want 400 with the rule", bad, code)
		}
	}
	if code, body := admin.Post(t, "/admin/settings", form("KeePassXC, acmevault")); code != http.StatusOK {
		t.Fatalf("settings: %d %.300s", code, body)
	}
	if _, page := admin.Get(t, "/admin"); !strings.Contains(page, `value="keepassxc, acmevault"`) {
		t.Error("the settings form does not show the programs as stored")
	}
	_, token, _ := admin.NewSession(t, "Marie Dupont")
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc", OS: "linux"})
	w := agent.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome)
	if !slices.Equal(w.PrivatePrograms, []string{"keepassxc", "acmevault"}) {
		t.Fatalf("welcome's private programs %q", w.PrivatePrograms)
	}
}
