package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// Device keys of two computers (see agent/session.LoadDeviceKey).
var (
	marieKey = strings.Repeat("m", 43)
	otherKey = strings.Repeat("o", 43)
)

// waitSessionState reads the console's session states until one of sid
// satisfies ok, and returns it.
func waitSessionState(t *testing.T, ac *st.Conn, sid, what string, ok func(*protocol.SessionState) bool) *protocol.SessionState {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		m := ac.Expect(protocol.TypeSessionState)
		if s := m.Body.(*protocol.SessionState); m.SID == sid && ok(s) {
			return s
		}
	}
	t.Fatalf("session %s never %s", sid, what)
	return nil
}

// hello sends an agent hello on a new socket and returns the socket and the
// server's answer: a welcome or an error.
func hello(t *testing.T, url string, h protocol.AgentHello) (*st.Conn, protocol.Message) {
	t.Helper()
	c := st.Dial(t, url+"/ws/agent", nil)
	c.Send(protocol.TypeAgentHello, "", h)
	for {
		m, err := c.Read(10 * time.Second)
		if err != nil {
			t.Fatalf("no answer to %+v: %v", h, err)
		}
		if m.Type == protocol.TypeAgentWelcome || m.Type == protocol.TypeError {
			return c, m
		}
	}
}

// Issue 21, item 2: after the customer's program crashed, running it again
// (the same invitation code) resumes the session on the computer that joined,
// which proves itself with its device key, not with the invitation: the
// session goes back to Active, the customer's grants start empty (they are
// asked again) and the crashed program's secret no longer resumes anything.
// Another computer with the same link, or one without a device key, is told
// the invitation was already used, and so is a second copy while the first
// runs. Once the reconnect window (--offline-after) has passed, the same
// computer is told it is too late.
func TestRerunFromAnotherComputerIsRefused(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	ac := admin.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	sid, token, _ := admin.NewSession(t, "Marie")

	first, m := hello(t, n.URL, protocol.AgentHello{Code: token, DeviceKey: marieKey, Hostname: "marie-pc", OS: "linux"})
	if m.Type != protocol.TypeAgentWelcome {
		t.Fatalf("first join: %+v", m.Body)
	}
	crashed := m.Body.(*protocol.AgentWelcome).Secret
	first.Send(protocol.TypePermissionUpdate, "", protocol.PermissionUpdate{Permissions: protocol.Permissions{View: true}})
	ac.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	before := waitSessionState(t, ac, sid, "active and viewed", func(s *protocol.SessionState) bool {
		return s.State == "active" && s.Permissions.View
	})

	first.Close() // the program is killed: its socket closes without a goodbye
	waitSessionState(t, ac, sid, "reconnecting", func(s *protocol.SessionState) bool { return s.State == "reconnecting" })

	for _, who := range []struct {
		name string
		key  string
	}{{"another computer", otherKey}, {"a program without a device key", ""}} {
		c, m := hello(t, n.URL, protocol.AgentHello{Code: token, DeviceKey: who.key, Hostname: "elsewhere"})
		if e, ok := m.Body.(*protocol.Error); !ok || e.Code != protocol.CodeUsed {
			t.Fatalf("%s with the same link got %s %+v, want %s", who.name, m.Type, m.Body, protocol.CodeUsed)
		}
		c.Close()
	}

	again, m := hello(t, n.URL, protocol.AgentHello{Code: token, DeviceKey: marieKey, Hostname: "marie-pc", OS: "linux"})
	w, ok := m.Body.(*protocol.AgentWelcome)
	if !ok {
		t.Fatalf("the same computer running the program again got %s %+v, want a welcome", m.Type, m.Body)
	}
	if !w.Resumed || w.SID != sid || w.Secret == "" || w.Secret == crashed {
		t.Fatalf("rerun welcome: resumed %v, sid %q (want %q), new secret %v", w.Resumed, w.SID, sid, w.Secret != "" && w.Secret != crashed)
	}
	after := waitSessionState(t, ac, sid, "active again", func(s *protocol.SessionState) bool {
		return s.State == "active" && s.AgentConnected
	})
	if after.Permissions != (protocol.Permissions{}) {
		t.Errorf("grants after the rerun %+v: a new program has none until the customer answers again", after.Permissions)
	}
	if after.AgentRun <= before.AgentRun {
		t.Errorf("agentRun %d after the rerun, %d before: the console cannot tell its peer connection is gone", after.AgentRun, before.AgentRun)
	}

	// A second copy while this one runs, and the crashed program's secret.
	c, m := hello(t, n.URL, protocol.AgentHello{Code: token, DeviceKey: marieKey})
	if e, ok := m.Body.(*protocol.Error); !ok || e.Code != protocol.CodeUsed {
		t.Fatalf("a second copy while the first runs got %s %+v", m.Type, m.Body)
	}
	c.Close()
	c, m = hello(t, n.URL, protocol.AgentHello{SID: sid, Secret: crashed})
	if m.Type != protocol.TypeError {
		t.Fatalf("the crashed program's secret still resumes: %+v", m.Body)
	}
	c.Close()
	again.Close()

	// Past the reconnect window.
	late := st.StartNode(t, natstest.Server(t), "late", func(c *server.Config) {
		c.Timeouts = &session.Timeouts{Offline: time.Second}
	})
	ladmin := st.LogIn(t, late)
	lc := ladmin.Dial(t, "/ws/console")
	lc.Expect(protocol.TypeConsoleWelcome)
	lsid, ltoken, _ := ladmin.NewSession(t, "Marie")
	c, m = hello(t, late.URL, protocol.AgentHello{Code: ltoken, DeviceKey: marieKey})
	if m.Type != protocol.TypeAgentWelcome {
		t.Fatalf("join: %+v", m.Body)
	}
	c.Close()
	waitSessionState(t, lc, lsid, "offline", func(s *protocol.SessionState) bool { return s.State == "offline" })
	c, m = hello(t, late.URL, protocol.AgentHello{Code: ltoken, DeviceKey: marieKey})
	if e, ok := m.Body.(*protocol.Error); !ok || e.Code != protocol.CodeExpired || !strings.Contains(e.Message, "too long") {
		t.Fatalf("the same computer after the reconnect window got %s %+v, want %s saying it waited too long", m.Type, m.Body, protocol.CodeExpired)
	}
	c.Close()
}
