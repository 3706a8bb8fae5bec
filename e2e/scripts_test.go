package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// The administrator adds a script with an attached file to the library;
// the technician asks to run commands, the customer allows it, and one
// click runs the script: its output (the attachment read beside it) shows
// live, then its exit code; both are in the session's log, the run and the
// exit code in the audit trail.
func TestScriptWithAttachmentRunsAndIsLogged(t *testing.T) {
	stack := Start(t)
	admin := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword)
	AddScript(t, admin, "Printer check", protocol.ScriptBash,
		"echo \"checking $(cat 'printer list.txt')\"\necho from-stderr >&2\nexit 7\n",
		"printer list.txt", []byte("laser-42"), []string{"default"}, nil)

	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont")
	sid := tech.SessionID(t)

	tech.AskScripts(t)
	if q := customer.WaitAsked(t); !strings.Contains(q, "run commands on this computer, in a terminal or as scripts") {
		t.Fatalf("the customer is asked %q, want the commands question naming scripts", q)
	}
	customer.Allow(t)
	tech.RunScript(t, "Printer check")
	var state, code, status, output string
	waitFor(t, "the script's exit code in the panel", func() bool {
		state, code, status, output = tech.ScriptResult(t)
		return state == "exit"
	})
	if code != "7" || !strings.Contains(status, "exit code 7") {
		t.Errorf("the panel says %q (code %q), want exit code 7", status, code)
	}
	if !strings.Contains(output, "checking laser-42") || !strings.Contains(output, "from-stderr") {
		t.Errorf("the panel shows %q, want the attachment's text and stderr", output)
	}
	tech.Shot(t, "console-scripts")

	// The session's log is kept at its end.
	tech.End(t)
	customer.WaitEnded(t)
	var log string
	waitFor(t, "the output and exit code in the session's log", func() bool {
		_, log = admin.Get(t, "/console/sessions/"+sid+"/log")
		return strings.Contains(log, "checking laser-42") && strings.Contains(log, "Printer check") &&
			strings.Contains(log, "ended with exit code 7.")
	})
	if strings.Contains(log, "ended with exit code") && !strings.Contains(log, "checking laser-42") {
		t.Errorf("the log lacks the output:\n%.3000s", log)
	}
	waitFor(t, "the run and its exit code in the audit trail", func() bool {
		return containsDetail(auditOf(t, admin, "type=script.run&session="+sid), "printer list.txt") &&
			containsDetail(auditOf(t, admin, "type=script.ended&session="+sid), "exit code 7")
	})
}

// A hostile console sends a script without the customer's grant to run
// commands: the agent closes the channel, runs nothing, and the refusal is
// in the audit trail.
func TestHostileScriptWithoutGrantRefused(t *testing.T) {
	stack := Start(t)
	node := st.Node{URL: stack.URL}
	hostile := st.LogInAs(t, node, "admin", AdminPassword)
	sid, token, _ := hostile.NewSession(t, "Marie Dupont")
	customer := stack.Customer(t, Invitation{Link: stack.URL + "/s/" + token})
	customer.OpenPage(t)
	customer.Allow(t) // viewing only

	marker := filepath.Join(t.TempDir(), "pwned")
	_, _, dcs := rawConsolePeer(t, hostile, sid, protocol.ChannelScriptPrefix+"x")
	ch := dcs[protocol.ChannelScriptPrefix+"x"]
	req, _ := json.Marshal(protocol.ScriptRun{Name: "x", Lang: protocol.ScriptSh, Text: "touch '" + marker + "'\n"})
	_ = ch.Send(req)
	_ = ch.SendText(`{"type":"run"}`)
	waitFor(t, "the agent's refusal in the audit trail", func() bool {
		return containsDetail(auditOf(t, hostile, "type=agent.refused&session="+sid), "channel script:x, not granted by the customer")
	})
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a script ran without the customer's grant")
	}
	if len(auditOf(t, hostile, "type=script.run&session="+sid)) != 0 {
		t.Error("a script run is in the audit trail")
	}
}

// The administrator has the technician's group run a script at the start of
// each session: once the customer allows commands it runs by itself, and
// the panel shows its output and exit code.
func TestGroupScriptRunsAtSessionStart(t *testing.T) {
	stack := Start(t)
	admin := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword)
	AddScript(t, admin, "Inventory", protocol.ScriptSh, "echo \"inventory of $(cat asset.txt)\"\n",
		"asset.txt", []byte("PC-0042"), []string{"default"}, []string{"default"})

	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont")
	tech.AskScripts(t)
	customer.WaitAsked(t)
	customer.Allow(t)
	var state, code, output string
	waitFor(t, "the start script's exit code in the panel", func() bool {
		state, code, _, output = tech.ScriptResult(t)
		return state == "exit"
	})
	if code != "0" || !strings.Contains(output, "inventory of PC-0042") {
		t.Errorf("the start script ended with code %q, output %q", code, output)
	}
}
