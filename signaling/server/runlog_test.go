package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// logLines is a log as "kind|from|author|by|text" lines.
func logLines(es []protocol.LogEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, strings.Join([]string{e.Kind, e.From, e.Author, e.By, e.Text}, "|"))
	}
	return out
}

// openLog opens session sid on console c and returns the log it replays.
func openLog(t *testing.T, c *st.Conn, sid string) *protocol.LogEntries {
	t.Helper()
	c.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	return readLog(t, c, nil)
}

// readLog reads the pages of a log replayed to console c; each refusal
// read meanwhile goes to refused.
func readLog(t *testing.T, c *st.Conn, refused func(*protocol.Error)) *protocol.LogEntries {
	t.Helper()
	var l protocol.LogEntries
	for {
		m, err := c.Read(20 * time.Second)
		if err != nil {
			t.Fatalf("waiting for the log (%d entries so far): %v", len(l.Entries), err)
		}
		switch p := m.Body.(type) {
		case *protocol.Error:
			if refused == nil {
				t.Fatalf("error while waiting for the log: %+v", p)
			}
			refused(p)
		case *protocol.LogEntries:
			if p.Offset != len(l.Entries) {
				t.Fatalf("a page at %d after %d entries", p.Offset, len(l.Entries))
			}
			l.Entries = append(l.Entries, p.Entries...)
			l.Full = p.Full
			if !p.More {
				return &l
			}
		}
	}
}

// appendLog has console c add an entry to session sid's running log.
func appendLog(c *st.Conn, sid, kind, from, text string) string {
	return c.Send(protocol.TypeLogAppend, sid, protocol.LogAppend{ID: fmt.Sprintf("%s-%d", kind, len(text)), Kind: kind, From: from, Text: text, At: 1_700_000_000_000})
}

// waitLog opens session sid on fresh consoles of tech until the log it
// replays is want.
func waitLog(t *testing.T, tech *st.Tech, sid string, want []string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c := tech.Dial(t, "/ws/console")
		c.Expect(protocol.TypeConsoleWelcome)
		got := logLines(openLog(t, c, sid).Entries)
		c.Close()
		if strings.Join(got, "\n") == strings.Join(want, "\n") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log never became\n%s\nit is\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
		}
	}
}

// TestRunningLogReachesTransferReceiver: the running log is kept by the
// server while the session runs. A reloaded console, and the technician a
// session is offered to, get all of it; after she accepts she gets what was
// added meanwhile and she alone writes; names come from the server, never
// from the console; at the end the whole log is in the session's history
// without any console uploading it.
func TestRunningLogReachesTransferReceiver(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.CreateTechnician(t, "claire", "Claire Martin", "claire's password", "")
	admin.CreateTechnician(t, "bob", "Bob", "bob's password", "")
	claire := st.LogInAs(t, n, "claire", "claire's password")
	bob := st.LogInAs(t, n, "bob", "bob's password")
	queueOf(t, claire)

	sid, token, _ := admin.NewSession(t, "Marie Dupont")
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc"})
	agent.Expect(protocol.TypeAgentWelcome)
	ac := admin.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	if l := openLog(t, ac, sid); len(l.Entries) != 0 {
		t.Fatalf("a new session's log: %+v", l)
	}
	ac.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	appendLog(ac, sid, protocol.LogMessage, protocol.FromTechnician, "Bonjour <b>Marie</b>")
	waitLog(t, admin, sid, []string{"message|technician|Administrator|admin|Bonjour <b>Marie</b>"})
	// The customer's words come from the agent.
	agent.Send(protocol.TypeLogAppend, sid, protocol.LogAppend{ID: "a1", Kind: protocol.LogMessage, From: protocol.FromCustomer, Text: "My printer is stuck", At: 1_700_000_000_000})
	waitLog(t, admin, sid, []string{"message|technician|Administrator|admin|Bonjour <b>Marie</b>", "message|customer|Marie Dupont||My printer is stuck"})
	appendLog(ac, sid, protocol.LogEvent, "", "Viewing allowed")
	// A console cannot name the author itself.
	ac.SendRaw([]byte(`{"v":1,"type":"log.append","id":"forged","sid":"` + sid + `","payload":{"id":"x","kind":"message","from":"technician","author":"Bob","text":"hi","at":1}}`))
	if e := ac.Expect(protocol.TypeError); e.ID != "forged" {
		t.Fatalf("an entry with its own author was not refused: %+v", e)
	}
	want := []string{
		"message|technician|Administrator|admin|Bonjour <b>Marie</b>",
		"message|customer|Marie Dupont||My printer is stuck",
		"event||||Viewing allowed",
	}

	// A reload: a new socket opening the session gets the log, in order.
	reload := admin.Dial(t, "/ws/console")
	reload.Expect(protocol.TypeConsoleWelcome)
	if got := logLines(openLog(t, reload, sid).Entries); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after a reload the log is\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Another technician's console hears nothing of it.
	bc := bob.Dial(t, "/ws/console")
	bc.Expect(protocol.TypeConsoleWelcome)
	bc.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	if e := bc.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeNotFound {
		t.Fatalf("bob opening another's session: %+v", e)
	}

	// Offered to Claire: she reads the log, and may not write to it yet.
	ac.Send(protocol.TypeSessionTransfer, sid, protocol.SessionTransfer{To: "claire"})
	for ac.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState).State != "outgoing" {
	}
	cc := claire.Dial(t, "/ws/console")
	cc.Expect(protocol.TypeConsoleWelcome)
	if got := logLines(openLog(t, cc, sid).Entries); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the transfer's receiver sees\n%s", strings.Join(got, "\n"))
	}
	appendLog(cc, sid, protocol.LogEvent, "", "Claire was here")
	if e := cc.Expect(protocol.TypeError).Body.(*protocol.Error); !strings.Contains(e.Message, "accept the transfer first") {
		t.Fatalf("the receiver wrote before accepting: %+v", e)
	}
	appendLog(ac, sid, protocol.LogMessage, protocol.FromTechnician, "Claire will take over")
	want = append(want, "message|technician|Administrator|admin|Claire will take over")
	// log.append has no acknowledgement: wait until the entry is kept before
	// Claire accepts, or her replay may be read before it is.
	waitLog(t, admin, sid, want)

	// She accepts: her console gets the log as it is now.
	cc.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	if got := logLines(readLog(t, cc, nil).Entries); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after accepting, the receiver sees\n%s", strings.Join(got, "\n"))
	}
	appendLog(cc, sid, protocol.LogMessage, protocol.FromTechnician, "Hello, I am Claire")
	want = append(want, "message|technician|Claire Martin|claire|Hello, I am Claire")
	appendLog(ac, sid, protocol.LogEvent, "", "the sender writes after the transfer")
	if e := ac.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeNotFound {
		t.Fatalf("the sender wrote after the transfer: %+v", e)
	}

	// She ends; no console uploads anything, the history has it all.
	cc.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	agent.Expect(protocol.TypeSessionEnd)
	code, body := claire.Get(t, "/console/sessions/"+sid+"/log")
	var stored store.SessionLog
	if code != http.StatusOK || json.Unmarshal([]byte(body), &stored) != nil {
		t.Fatalf("stored log: %d %s", code, body)
	}
	if got := logLines(stored.Entries); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the history keeps\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// sessionWithLog starts a node, has the admin create a session for Marie
// Dupont, whose agent joins, and opens it on a console of the admin's that
// has read its (empty) log.
func sessionWithLog(t *testing.T) (admin *st.Tech, sid string, agent, console *st.Conn) {
	t.Helper()
	n := st.StartNode(t, natstest.Server(t), "node")
	admin = st.LogIn(t, n)
	sid, token, _ := admin.NewSession(t, "Marie Dupont")
	agent = st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc"})
	agent.Expect(protocol.TypeAgentWelcome)
	console = admin.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	openLog(t, console, sid)
	return admin, sid, agent, console
}

// TestRunningLogIsBounded: a console cannot grow a session's log without
// bound. Past its bound the server refuses further entries with a clear
// error, the log ends with one marker saying so, and it still fits the
// session history at the end.
func TestRunningLogIsBounded(t *testing.T) {
	admin, sid, agent, ac := sessionWithLog(t)

	// Bad entries are refused one by one, and change nothing.
	for _, bad := range []protocol.LogAppend{
		{ID: "a", Kind: protocol.LogEvent, Text: "  ", At: 1},
		{ID: "b", Kind: protocol.LogFull, Text: "the log is full", At: 1},
		{ID: "c", Kind: protocol.LogMessage, From: "admin", Text: "hi", At: 1},
		{ID: "d", Kind: protocol.LogEvent, Text: strings.Repeat("x", protocol.MaxLogText+1), At: 1},
	} {
		id := ac.Send(protocol.TypeLogAppend, sid, bad)
		if e := ac.Expect(protocol.TypeError); e.ID != id || e.Body.(*protocol.Error).Code != protocol.CodeBadMessage {
			t.Fatalf("entry %+v: %+v", bad, e.Body)
		}
	}

	big := strings.Repeat("é", protocol.MaxLogText/2) // 12 KiB of text
	const sent = 120                                  // 1.4 MiB: over the bound
	for i := range sent {
		ac.Send(protocol.TypeLogAppend, sid, protocol.LogAppend{ID: fmt.Sprint(i), Kind: protocol.LogEvent, Text: big, At: 1_700_000_000_000 + int64(i)})
	}
	ac.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	refusals := 0
	l := readLog(t, ac, func(e *protocol.Error) {
		if e.Code != protocol.CodeTooLarge || !strings.Contains(e.Message, "log is full") {
			t.Fatalf("refusal: %+v", e)
		}
		refusals++
	})
	kept := len(l.Entries) - 1
	if !l.Full || kept < 1 || l.Entries[kept].Kind != protocol.LogFull || kept+refusals != sent {
		t.Fatalf("%d entries sent: %d kept, %d refused, full %v, last entry %+v", sent, kept, refusals, l.Full, l.Entries[len(l.Entries)-1])
	}
	size := 0
	for i, e := range l.Entries[:kept] {
		if e.ID != fmt.Sprint(i) || e.Text != big {
			t.Fatalf("entry %d is %q", i, e.ID)
		}
		size += len(e.Text)
	}
	if size > store.MaxLogSize {
		t.Fatalf("%d bytes of text kept, over the stored log's %d", size, store.MaxLogSize)
	}

	ac.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	agent.Expect(protocol.TypeSessionEnd)
	code, body := admin.Get(t, "/console/sessions/"+sid+"/log")
	var stored store.SessionLog
	if code != http.StatusOK || json.Unmarshal([]byte(body), &stored) != nil || len(stored.Entries) != kept+1 {
		t.Fatalf("stored log: %d, %d entries (want %d)\n%.300s", code, len(stored.Entries), kept+1, body)
	}
}

// TestConsoleCannotWriteInTheCustomersName: the running log's authors come
// from who sends an entry. A console writes only its own technician's
// messages (one claiming to be the customer's is refused); the customer's
// words come from the session's agent, which cannot claim to be the
// technician.
func TestConsoleCannotWriteInTheCustomersName(t *testing.T) {
	admin, sid, agent, ac := sessionWithLog(t)
	ac.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})

	forged := appendLog(ac, sid, protocol.LogMessage, protocol.FromCustomer, "Please take control, I allow everything")
	if m := ac.Expect(protocol.TypeError); m.ID != forged || m.Body.(*protocol.Error).Code != protocol.CodeForbidden {
		t.Fatalf("a console's entry in the customer's name: %+v, want refused (forbidden)", m)
	}
	appendLog(ac, sid, protocol.LogMessage, protocol.FromTechnician, "Bonjour Marie")
	waitLog(t, admin, sid, []string{"message|technician|Administrator|admin|Bonjour Marie"})
	// The agent speaks for the customer, whatever it claims.
	agent.Send(protocol.TypeLogAppend, sid, protocol.LogAppend{ID: "a1", Kind: protocol.LogMessage, From: protocol.FromTechnician, Text: "My printer is stuck", At: 1_700_000_000_000})
	waitLog(t, admin, sid, []string{
		"message|technician|Administrator|admin|Bonjour Marie",
		"message|customer|Marie Dupont||My printer is stuck",
	})
}

// TestTerminalTranscriptOnlyFromTheAgent: the agent writes what its
// terminals showed into the running log (kind terminal, no author); a
// console cannot forge a transcript, whatever it claims.
func TestTerminalTranscriptOnlyFromTheAgent(t *testing.T) {
	admin, sid, agent, ac := sessionWithLog(t)
	ac.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})

	agent.Send(protocol.TypePermissionUpdate, sid, protocol.PermissionUpdate{Permissions: protocol.Permissions{Terminal: true}})
	forged := appendLog(ac, sid, protocol.LogTerminal, "", "$ rm -rf ~ (never typed)")
	if m := ac.Expect(protocol.TypeError); m.ID != forged || m.Body.(*protocol.Error).Code != protocol.CodeForbidden {
		t.Fatalf("a console's transcript: %+v, want refused (forbidden)", m)
	}
	agent.Send(protocol.TypeLogAppend, sid, protocol.LogAppend{ID: "term-a-1", Kind: protocol.LogTerminal, Text: "$ echo lifeline-42\nlifeline-42\n", At: 1_700_000_000_000})
	waitLog(t, admin, sid, []string{"terminal||||$ echo lifeline-42\nlifeline-42\n"})
}

// TestAgentCannotActForTechnicianWithoutGrant: the agent's reports of what
// the technician did in a terminal or the system information (a transcript,
// a terminal opened, a process ended) are written in the technician's name,
// so the server takes them only in a session whose customer granted
// terminals (system information): a hostile customer's program cannot fake
// them. Once granted, they are kept.
func TestAgentCannotActForTechnicianWithoutGrant(t *testing.T) {
	admin, sid, agent, _ := sessionWithLog(t)
	refused := func(what, id string) {
		t.Helper()
		m := agent.Expect(protocol.TypeError)
		if m.ID != id || m.Body.(*protocol.Error).Code != protocol.CodeForbidden {
			t.Fatalf("%s without the customer's grant: %+v %+v, want refused (forbidden)", what, m, m.Body)
		}
	}
	refused("a transcript", agent.Send(protocol.TypeLogAppend, sid, protocol.LogAppend{ID: "term-a-1", Kind: protocol.LogTerminal, Text: "$ rm -rf ~ (never typed)", At: 1_700_000_000_000}))
	refused("a terminal opened", agent.Send(protocol.TypeAudit, "", protocol.Audit{Event: protocol.AuditTerminalOpened, Detail: "terminal a (/bin/sh)"}))
	refused("a process ended", agent.Send(protocol.TypeAudit, "", protocol.Audit{Event: protocol.AuditProcessEnded, Detail: "firefox (4242)"}))
	refused("files changed", agent.Send(protocol.TypeAudit, "", protocol.Audit{Event: protocol.AuditFileChanged, Detail: "moved to the trash: /home/marie/thesis.odt"}))
	refused("a service stopped", agent.Send(protocol.TypeAudit, "", protocol.Audit{Event: protocol.AuditServiceChanged, Detail: "stop service cups"}))
	// Only the terminal granted: system information still refused.
	agent.Send(protocol.TypePermissionUpdate, sid, protocol.PermissionUpdate{Permissions: protocol.Permissions{Terminal: true}})
	refused("a process ended with only the terminal granted", agent.Send(protocol.TypeAudit, "", protocol.Audit{Event: protocol.AuditProcessEnded, Detail: "firefox (4242)"}))
	refused("a service stopped with only the terminal granted", agent.Send(protocol.TypeAudit, "", protocol.Audit{Event: protocol.AuditServiceChanged, Detail: "stop service cups"}))
	agent.Send(protocol.TypeAudit, "", protocol.Audit{Event: protocol.AuditTerminalOpened, Detail: "terminal a (/bin/sh)"})
	agent.Send(protocol.TypeLogAppend, sid, protocol.LogAppend{ID: "term-a-2", Kind: protocol.LogTerminal, Text: "$ echo lifeline-42\nlifeline-42\n", At: 1_700_000_000_000})
	agent.SendRaw([]byte(`{"v":1,"type":"no.such.type","id":"last"}`))
	if m := agent.Expect(protocol.TypeError); m.ID != "last" {
		t.Fatalf("with the grant, a report was refused: %+v %+v", m, m.Body)
	}
	waitLog(t, admin, sid, []string{"terminal||||$ echo lifeline-42\nlifeline-42\n"})
}
