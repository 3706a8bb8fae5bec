package e2e

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// The technician asks for system information; the customer is asked in plain
// words and allows it. The dashboard shows this machine's real host name,
// the process list a process the test started, and End process ends it.
func TestSystemInformationShowsAndEndsAProcess(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont")

	// A process of the customer's, with a name of its own.
	bin := filepath.Join(t.TempDir(), "e2e-sleeper")
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	proc := exec.Command(bin, "3600")
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() { _ = proc.Wait(); close(ended) }()
	t.Cleanup(func() { _ = proc.Process.Kill(); <-ended })
	pid := fmt.Sprint(proc.Process.Pid)

	tech.AskSystemInfo(t)
	if q := customer.WaitAsked(t); !strings.Contains(q, "see system information") {
		t.Fatalf("the customer is asked %q, want the system information question", q)
	}
	customer.Allow(t)
	host, _ := os.Hostname()
	if got := tech.DashboardHostname(t); got != host {
		t.Errorf("the dashboard shows host %q, want %q", got, host)
	}
	tech.Shot(t, "console-sysinfo-dashboard")

	tech.ShowProcesses(t, "e2e-sleeper")
	waitFor(t, "the test's process in the list", func() bool { return strings.Contains(tech.ProcessRow(t, pid), "e2e-sleeper") })
	tech.Shot(t, "console-sysinfo-processes")
	tech.EndProcess(t, pid)
	select {
	case <-ended:
	case <-time.After(Timeout):
		t.Fatal("End process did not end the process")
	}
	waitFor(t, "the note that it ended", func() bool { return strings.Contains(tech.SystemNote(t), "e2e-sleeper (PID "+pid+") ended") })
	waitFor(t, "the process gone from the list", func() bool { return tech.ProcessRow(t, pid) == "" })

	// The customer sees that system information is open to the technician,
	// and takes it back.
	waitFor(t, "the customer's notice", func() bool {
		return strings.Contains(customer.SystemInfoNotice(t), "may see system information")
	})
	customer.StopSystemInfo(t)
	waitFor(t, "the console told", func() bool {
		return strings.Contains(tech.SystemState(t), "has not allowed system information")
	})
}

// The technician asks to run commands; the customer allows it and sees that a
// terminal is open. In the console's terminal emulator a command's output
// shows, a full-screen program runs and quits, and at the end the whole
// transcript is in the session's log on the server.
func TestTerminalRunsCommandsAndKeepsTheTranscript(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont")
	sid := tech.SessionID(t)

	tech.AskTerminal(t)
	if q := customer.WaitAsked(t); !strings.Contains(q, "run commands") {
		t.Fatalf("the customer is asked %q, want the terminal question", q)
	}
	customer.Allow(t)
	tech.NewTerminal(t)
	waitFor(t, "the customer told a terminal is open", func() bool {
		return strings.Contains(customer.TerminalNotice(t), "1 terminal")
	})

	// The shell's prompt first: a shell may drop what is typed before it set
	// its terminal up, and a technician types once they see it.
	tech.WaitTerminal(t, "the shell's prompt", func(s string) bool { return strings.TrimSpace(s) != "" })
	// $RANDOM is bash's; under sh the line still ends "lifeline-42-".
	tech.TypeInTerminal(t, "echo lifeline-$((6*7))-$RANDOM\r")
	out := tech.WaitTerminal(t, "the command's output", func(s string) bool { return terminalLine(s, "lifeline-42-") != "" })
	line := terminalLine(out, "lifeline-42-")
	if !regexp.MustCompile(`^lifeline-42-\d*$`).MatchString(line) {
		t.Fatalf("the output line is %q", line)
	}

	// A full-screen program: less on the alternate screen, then q.
	tech.TypeInTerminal(t, "less /etc/os-release\r")
	tech.WaitTerminal(t, "less showing the file", func(s string) bool { return strings.Contains(s, "NAME=") && !strings.Contains(s, "lifeline-42-") })
	tech.Shot(t, "console-terminal-less")
	tech.TypeInTerminal(t, "q")
	tech.WaitTerminal(t, "the shell back after less", func(s string) bool { return strings.Contains(s, line) })
	tech.TypeInTerminal(t, "echo back-$((1+1))\r")
	tech.WaitTerminal(t, "the shell working after less", func(s string) bool { return terminalLine(s, "back-2") != "" })
	tech.Shot(t, "console-terminal")

	// The customer closes the terminals; then the session ends, and the
	// transcript is in its log on the server.
	customer.CloseTerminals(t)
	waitFor(t, "the customer's notice gone", func() bool { return customer.TerminalNotice(t) == "" })
	tech.End(t)
	customer.WaitEnded(t)
	admin := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword)
	var log string
	waitFor(t, "the transcript in the session's log", func() bool {
		_, log = admin.Get(t, "/console/sessions/"+sid+"/log")
		return strings.Contains(log, line) && strings.Contains(log, "back-2")
	})
	// What the technician typed is kept too, marked as typed, keys that
	// end no line included (less's q).
	if !regexp.MustCompile(`typed: q?echo back-\$\(\(1\+1\)\)`).MatchString(log) {
		t.Errorf("the transcript lacks the typed command:\n%.2000s", log)
	}
	if !strings.Contains(log, "NAME=") || strings.Contains(log, `\u001b`) {
		t.Errorf("the transcript lacks less's screen or keeps escape sequences:\n%.2000s", log)
	}
}

// A hostile console opens a terminal and the system information without the
// customer's grant: the agent closes both channels, runs nothing, and the
// refusals are in the audit trail. Once the customer allows terminals, the
// same client's terminal runs, so the refusal was the agent's.
func TestHostileTerminalWithoutGrantRefused(t *testing.T) {
	stack := Start(t)
	node := st.Node{URL: stack.URL}
	hostile := st.LogInAs(t, node, "admin", AdminPassword)
	sid, token, _ := hostile.NewSession(t, "Marie Dupont")
	customer := stack.Customer(t, Invitation{Link: stack.URL + "/s/" + token})
	customer.OpenPage(t)
	customer.Allow(t) // viewing only

	marker := filepath.Join(t.TempDir(), "pwned")
	ws, pc, dcs := rawConsolePeer(t, hostile, sid, protocol.ChannelTerminalPrefix+"x", protocol.ChannelSysInfo)
	term, sys := dcs[protocol.ChannelTerminalPrefix+"x"], dcs[protocol.ChannelSysInfo]
	_ = term.Send([]byte("touch " + marker + "\r"))
	_ = sys.SendText(`{"id":"1","op":"kill","pid":` + fmt.Sprint(customer.Pid()) + `}`)
	waitFor(t, "the agent's refusals in the audit trail", func() bool {
		refused := auditOf(t, hostile, "type=agent.refused&session="+sid)
		return containsDetail(refused, "channel terminal:x, not granted by the customer") &&
			containsDetail(refused, "channel sysinfo, not granted by the customer")
	})
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a command ran without the customer's grant")
	}

	// Positive control: the customer allows terminals; the same client runs
	// a command on a new terminal.
	ws.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionTerminal})
	if q := customer.WaitAsked(t); !strings.Contains(q, "run commands") {
		t.Fatalf("the customer is asked %q", q)
	}
	customer.Allow(t)
	waitFor(t, "the terminal grant", func() bool {
		return len(auditOf(t, hostile, "type=permission.granted&session="+sid)) == 2
	})
	granted, err := pc.CreateDataChannel(protocol.ChannelTerminalPrefix+"y", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The shell's first output (its prompt) says it reads: a shell may drop
	// what was typed before it set its terminal up.
	prompt := make(chan struct{})
	var once sync.Once
	granted.OnMessage(func(m webrtc.DataChannelMessage) {
		if !m.IsString {
			once.Do(func() { close(prompt) })
		}
	})
	select {
	case <-prompt:
	case <-time.After(Timeout):
		t.Fatal("the granted terminal showed nothing")
	}
	if err := granted.Send([]byte("touch " + marker + "\r")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the command run once granted", func() bool {
		_, err := os.Stat(marker)
		return err == nil
	})
	if !containsDetail(auditOf(t, hostile, "type=terminal.opened&session="+sid), "terminal y") {
		t.Error("the terminal's opening is not in the audit trail")
	}
}

// The inventory tabs show the customer's machine as it is: an installed
// package with its real version, a startup entry the test put in the
// customer's autostart folder, and services and drivers (or, where this
// machine has no systemd or no module list, the reason, in words). Export
// saves the whole report as a file, noted with its SHA-256 in the session's
// log on the server.
func TestSystemInformationInventoryAndExport(t *testing.T) {
	stack := Start(t)
	config := t.TempDir()
	desktop := "[Desktop Entry]\nType=Application\nName=E2E tray helper\nExec=\"/opt/e2e tray/helper\" --quiet\n"
	if err := os.MkdirAll(filepath.Join(config, "autostart"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(config, "autostart", "e2e-tray.desktop"), []byte(desktop), 0o644); err != nil {
		t.Fatal(err)
	}
	stack.AgentEnv = append(stack.AgentEnv, "XDG_CONFIG_HOME="+config)
	version, err := exec.Command("dpkg-query", "-W", "-f=${Version}", "dpkg").Output()
	if err != nil {
		t.Skipf("no dpkg here: %v", err)
	}
	tech := stack.Technician(t)
	customer := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont")
	sid := tech.SessionID(t)
	tech.AskSystemInfo(t)
	customer.WaitAsked(t)
	customer.Allow(t)
	host, _ := os.Hostname()
	if got := tech.DashboardHostname(t); got != host {
		t.Fatalf("the dashboard shows host %q, want %q", got, host)
	}

	tech.ShowSystemTab(t, "applications", "dpkg")
	waitFor(t, "dpkg in the applications", func() bool {
		return strings.HasPrefix(tech.SystemEntry(t, "dpkg"), "dpkg | "+string(version)+" | ")
	})
	tech.Shot(t, "console-sysinfo-applications")

	tech.ShowSystemTab(t, "startup", "")
	waitFor(t, "the test's autostart entry", func() bool {
		return tech.SystemEntry(t, "E2E tray helper") == `E2E tray helper | enabled | `+filepath.Join(config, "autostart", "e2e-tray.desktop")+` | "/opt/e2e tray/helper" --quiet`
	})

	_, systemd := os.Stat("/run/systemd/system")
	tech.ShowSystemTab(t, "services", "")
	waitFor(t, "the services or why not", func() bool {
		if systemd == nil {
			return tech.SystemEntry(t, "dbus") != ""
		}
		return strings.Contains(tech.SystemNote(t), "services cannot be listed on this computer")
	})
	_, modules := os.Stat("/proc/modules")
	tech.ShowSystemTab(t, "drivers", "")
	waitFor(t, "the drivers or why not", func() bool {
		if modules == nil {
			return evalJS[int](t, tech.p, "count drivers", `document.querySelectorAll("#sys-entries tbody tr").length`) > 0
		}
		return strings.Contains(tech.SystemNote(t), "drivers cannot be listed")
	})

	downloads := t.TempDir()
	tech.SaveDownloadsTo(t, downloads)
	tech.ExportSystemReport(t)
	path := WaitDownload(t, downloads, ".json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Dashboard    protocol.Dashboard `json:"dashboard"`
		Processes    []protocol.Process `json:"processes"`
		Applications []protocol.Entry   `json:"applications"`
		Startup      []protocol.Entry   `json:"startup"`
	}
	if err := json.Unmarshal(b, &report); err != nil {
		t.Fatalf("the report %s: %v", path, err)
	}
	if report.Dashboard.Hostname != host || len(report.Processes) == 0 || len(report.Applications) < 100 || !slices.ContainsFunc(report.Startup, func(e protocol.Entry) bool { return e.Name == "E2E tray helper" }) {
		t.Errorf("the report: host %q, %d processes, %d applications, startup %+v", report.Dashboard.Hostname, len(report.Processes), len(report.Applications), report.Startup)
	}
	sum := fmt.Sprintf("%x", sha256.Sum256(b))
	t.Logf("report %s: %d bytes, %d processes, %d applications", filepath.Base(path), len(b), len(report.Processes), len(report.Applications))
	waitFor(t, "the export noted", func() bool { return strings.Contains(tech.SystemNote(t), sum) })
	tech.End(t)
	customer.WaitEnded(t)
	admin := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword)
	waitFor(t, "the export in the session's log", func() bool {
		_, log := admin.Get(t, "/console/sessions/"+sid+"/log")
		return strings.Contains(log, "System information report saved: "+filepath.Base(path)) && strings.Contains(log, sum)
	})
}
