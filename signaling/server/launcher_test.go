package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// postLauncher posts a launcher's request to path as its program does.
func postLauncher(t *testing.T, base, path string, r protocol.LauncherRequest) (int, protocol.LauncherReply) {
	t.Helper()
	b, _ := json.Marshal(r)
	resp, err := http.Post(base+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reply protocol.LauncherReply
	_ = json.NewDecoder(resp.Body).Decode(&reply)
	return resp.StatusCode, reply
}

// The "Get help" launcher: offered only on a channel the technician's
// group serves; an answer nobody asked for records nothing; on the
// customer's yes the agent gets a random ID, which later asks for help on
// that channel only, as a channel request marked as the returning computer
// (who helped it last, and when); an unknown ID, or one removed, is refused
// and sent to the channel's page.
func TestLauncherOnlyLabelsItsComputersRequests(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.PutGroup(t, "others", "start_sessions", "invite_link")
	for _, c := range []url.Values{
		{"slug": {"desk"}, "name": {"Desk"}, "group": {"default"}},
		{"slug": {"elsewhere"}, "name": {"Elsewhere"}, "group": {"others"}},
	} {
		if code, body := admin.Post(t, "/admin/channels", c); code != http.StatusOK {
			t.Fatalf("channel %s: %d %s", c.Get("slug"), code, body)
		}
	}
	setStatus(t, admin, `{"status":"online"}`)
	ac := admin.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	sid, token, _ := admin.NewSession(t, "Marie")
	agent, m := hello(t, n.URL, protocol.AgentHello{Code: token, DeviceKey: marieKey, Hostname: "marie-pc", OS: "linux"})
	if m.Type != protocol.TypeAgentWelcome {
		t.Fatalf("join: %+v", m.Body)
	}

	// Not the technician's channel; an answer nobody asked for.
	id := ac.Send(protocol.TypeLauncherOffer, sid, protocol.LauncherOffer{Channel: "elsewhere"})
	if e := ac.Expect(protocol.TypeError); e.ID != id || e.Body.(*protocol.Error).Code != protocol.CodeForbidden {
		t.Fatalf("offer on another group's channel: %+v", e.Body)
	}
	agent.Send(protocol.TypeLauncherAnswer, "", protocol.LauncherAnswer{Allow: true})
	if e := agent.Expect(protocol.TypeError); e.Body.(*protocol.Error).Code != protocol.CodeForbidden {
		t.Fatalf("an answer to no offer: %+v", e.Body)
	}

	ac.Send(protocol.TypeLauncherOffer, sid, protocol.LauncherOffer{Channel: "desk"})
	if o := agent.Expect(protocol.TypeLauncherOffer).Body.(*protocol.LauncherOffer); o.Channel != "desk" || o.ChannelName != "Desk" {
		t.Fatalf("the agent was offered %+v", o)
	}
	agent.Send(protocol.TypeLauncherAnswer, "", protocol.LauncherAnswer{Allow: true})
	in := agent.Expect(protocol.TypeLauncherInstalled).Body.(*protocol.LauncherInstalled)
	if in.Channel != "desk" || !protocol.ValidLauncherID(in.ID) {
		t.Fatalf("installed %+v", in)
	}
	if a := ac.Expect(protocol.TypeLauncherAnswer).Body.(*protocol.LauncherAnswer); !a.Allow {
		t.Fatalf("the technician was told %+v", a)
	}

	// Its ID asks on its channel only; an invented one is refused.
	for _, c := range []struct {
		path string
		id   string
	}{{"/help/elsewhere/launcher", in.ID}, {"/help/desk/launcher", "aaaaaaaaaaaaaaaaaaaaaaaaaa"}} {
		if code, r := postLauncher(t, n.URL, c.path, protocol.LauncherRequest{ID: c.id}); code != http.StatusNotFound || !r.HelpPage || r.Code != "" {
			t.Errorf("%s with %s: %d %+v", c.path, c.id, code, r)
		}
	}
	code, r := postLauncher(t, n.URL, "/help/desk/launcher", protocol.LauncherRequest{ID: in.ID, Hostname: "marie-pc"})
	if code != http.StatusOK || r.Code == "" {
		t.Fatalf("the launcher's request: %d %+v", code, r)
	}
	again, w := hello(t, n.URL, protocol.AgentHello{Code: r.Code, DeviceKey: marieKey, Hostname: "marie-pc", OS: "linux"})
	if w.Type != protocol.TypeAgentWelcome {
		t.Fatalf("joining the request: %+v", w.Body)
	}
	defer again.Close()
	var it struct {
		ok  bool
		txt string
	}
	for _, s := range queueOf(t, admin).Sessions {
		if s.Returning != nil && s.Take {
			it.ok = s.Returning.Host == "marie-pc" && s.Returning.HelpedBy != "" && s.Returning.Helped > 0 && s.Channel == "Desk" && s.Customer == "Marie"
			it.txt = s.Returning.Host + " " + s.Returning.HelpedBy
		}
	}
	if !it.ok {
		t.Fatalf("no returning computer in the queue (%q): %+v", it.txt, queueOf(t, admin).Sessions)
	}

	// Removed: its requests are no longer the computer's.
	if code, _ := postLauncher(t, n.URL, "/help/desk/launcher/remove", protocol.LauncherRequest{ID: in.ID}); code != http.StatusNoContent {
		t.Fatalf("remove: %d", code)
	}
	if code, r := postLauncher(t, n.URL, "/help/desk/launcher", protocol.LauncherRequest{ID: in.ID}); code != http.StatusNotFound || !strings.Contains(r.Error, "not known") {
		t.Errorf("a removed launcher's request: %d %+v", code, r)
	}
	for _, typ := range []string{"launcher.offered", "launcher.installed", "launcher.request", "launcher.removed"} {
		if ev := auditEvents(t, admin, "type="+typ); len(ev) == 0 {
			t.Errorf("no %s in the audit trail", typ)
		}
	}
}
