package bench

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// Claire is the second technician the soak's sessions are transferred to.
const (
	soakColleague = "claire"
	soakPassword  = "claire-password-1"
	soakLine      = "Hello, I am looking at your printer"
	soakFileSize  = 64 << 10
	// soakKillFile is the file on its way when the agent is killed: big
	// enough to be still in flight, so its partial file must be cleaned.
	soakKillFile = 200 << 20
)

// BenchmarkSoak runs sessions one after another for LIFELINE_SOAK_DURATION
// (30 minutes by default) on one stack: each is created in the technician's
// console (real Chromium), joined by the real agent, its screen streamed to
// the console once the customer allows it, the technician takes control,
// chats a line, sends a small file, transfers the session to a colleague
// (a raw console client) who ends it. Six times per run the agent's worker
// is killed (SIGKILL) in the middle of a session, holding Ctrl with a file
// half sent, and the customer runs it again; six times signaling restarts
// in the middle of one. At the end it reports what is left: goroutines and
// memory of signaling, keys held on the display, partial files, sessions
// without their audit trail. Only BENCH=Soak runs it.
func BenchmarkSoak(b *testing.B) {
	if !soakChosen(flag.Lookup("test.bench").Value.String()) {
		b.Skip("the soak runs for 30 minutes: only when named (go tool task bench BENCH=Soak)")
	}
	duration, err := soakDuration()
	if err != nil {
		b.Fatal(err)
	}
	metrics := freeAddr(b)
	stack := e2e.StartWith(b, e2e.Options{SignalingArgs: []string{"--metrics-addr", metrics}})
	downloads := b.TempDir()
	stack.AgentEnv = append(stack.AgentEnv, "XDG_DOWNLOAD_DIR="+downloads)
	st.LogInAs(b, st.Node{URL: stack.URL}, "admin", e2e.AdminPassword).
		CreateTechnician(b, soakColleague, "Claire Martin", soakPassword, "")
	tech := stack.Technician(b)
	small, _ := e2e.MakeFile(b, "soak.txt", soakFileSize)
	big, _ := e2e.MakeFile(b, "big.bin", soakKillFile)
	baseKeys, baseButtons := e2e.HeldInput(b, stack.Display)

	every := faultEvery(duration)
	start := time.Now()
	nextKill, nextRestart := start.Add(every/3), start.Add(2*every/3)
	var (
		sids                   []string
		completed, stuck       int
		failures               []string
		kills, restarts        int
		procs                  []soakProcess
		longest                time.Duration
		loadStart, loadMaxSeen = loadAvg(), loadAvg()
	)
	for b.Loop() {
		for n := 0; time.Since(start) < duration; n++ {
			kill, restart := time.Now().After(nextKill), time.Now().After(nextRestart)
			if kill {
				nextKill, kills = nextKill.Add(every), kills+1
			}
			if restart {
				nextRestart, restarts = nextRestart.Add(every), restarts+1
			}
			began := time.Now()
			var sid string
			failure := soakRun(b, func(t *soakT) {
				sid = soakSession(t, b, stack, tech, soakStep{n: n, kill: kill, restart: restart, small: small, big: big, downloads: downloads})
			})
			longest = max(longest, time.Since(began))
			if sid != "" {
				sids = append(sids, sid)
			}
			if failure != "" {
				failures = append(failures, fmt.Sprintf("session %d (kill %v, restart %v): %s", n, kill, restart, failure))
				b.Logf("session %d failed: %s", n, failure)
			} else {
				completed++
			}
			// Whatever happened, the display holds nothing now.
			keys, buttons := e2e.HeldInput(b, stack.Display)
			if held := len(keys) - len(baseKeys) + popcount(buttons&^baseButtons); held > 0 {
				stuck += held
				b.Logf("session %d left %d keys or buttons held: keys %v, buttons 0x%x", n, held, keys, buttons)
			}
			clearDownloads(b, downloads)
			procs = observe(procs, soakSample{pid: stack.SignalingPid(), whole: !restart, heap: soakHeap(b, metrics), mem: soakRSS(b, stack), goroutines: soakGoroutines(b, metrics, 0), fds: soakFiles(b, stack)})
			loadMaxSeen = max(loadMaxSeen, loadAvg())
			b.Logf("session %d done in %v (agent killed %v, signaling restarted %v; %d completed, %d failed, %v of %v)", n, time.Since(began).Round(time.Second),
				kill, restart, completed, len(failures), time.Since(start).Round(time.Second), duration)
		}
	}
	b.ReportMetric(0, "ns/op")
	// The last process once the last session's connections have closed.
	if last := &procs[len(procs)-1]; last.sessions > 0 {
		last.gEnd, last.memEnd, last.heapEnd, last.fdEnd = soakGoroutines(b, metrics, last.gStart), soakRSS(b, stack), soakHeap(b, metrics), soakFiles(b, stack)
	}
	worst := worstProcess(procs)
	partial := partialFiles(b, downloads)
	holes := 0
	admin := st.LogInAs(b, st.Node{URL: stack.URL}, "admin", e2e.AdminPassword)
	for _, sid := range sids {
		if h := soakAuditHole(b, admin, sid); h != "" {
			holes++
			b.Logf("session %s: the audit trail lacks %s", sid, h)
		}
	}

	set := func(key string, v float64) { results.Set(key, v); b.ReportMetric(v, key) }
	set("soak_sessions_completed", float64(completed))
	set("soak_errors", float64(len(failures)))
	set("soak_heap_start_mb", worst.heapStart)
	set("soak_heap_end_mb", worst.heapEnd)
	set("soak_heap_growth_pct", worst.growth())
	set("soak_mem_start_mb", worst.memStart)
	set("soak_mem_end_mb", worst.memEnd)
	set("soak_goroutines_start", float64(worst.gStart))
	set("soak_goroutines_end", float64(worst.gEnd))
	set("soak_files_start", float64(worst.fdStart))
	set("soak_files_end", float64(worst.fdEnd))
	set("soak_stuck_keys", float64(stuck))
	set("soak_partial_files", float64(partial))
	set("soak_audit_holes", float64(holes))
	results.Note("Soak: %v run (LIFELINE_SOAK_DURATION; the issue's soak is 30 min), %d sessions (longest %v), %d agent kills and %d signaling restarts (one of each per %v); "+
		"load average %.1f at the start, %.1f at most, on %d CPUs shared with other work.",
		duration, len(sids), longest.Round(time.Second), kills, restarts, every, loadStart, loadMaxSeen, numCPU())
	var lines []string
	for _, p := range procs {
		if p.sessions > 0 { // a process the soak ended in before any whole session of its own has nothing to compare
			lines = append(lines, p.String())
		}
	}
	results.Note("Soak: signaling ran as %d processes (each restart starts a new one, so memory is compared within a process), after their first and last whole session: %s.", len(procs), strings.Join(lines, "; "))
	results.Note("Soak: in the process whose live heap grew most, %s; its resident memory went from %.1f to %.1f MB, its goroutines from %d to %d, its open files from %d to %d.",
		memVerdict(worst.heapStart, worst.heapEnd), worst.memStart, worst.memEnd, worst.gStart, worst.gEnd, worst.fdStart, worst.fdEnd)
	for i, f := range failures {
		if i == 5 {
			results.Note("Soak: %d more failed sessions, in the run's log", len(failures)-i)
			break
		}
		results.Note("Soak: failed %s", oneLine(f))
	}
}

// soakStep is what one soak session does beside the usual.
type soakStep struct {
	n             int
	kill, restart bool
	small, big    string
	downloads     string
}

// soakSession runs one whole session and returns its ID (once known).
func soakSession(t *soakT, b *testing.B, stack *e2e.Stack, tech *e2e.Technician, step soakStep) (sid string) {
	inv := tech.NewSession(t, fmt.Sprintf("Soak %d", step.n))
	sid = tech.SessionID(t)
	customer := stack.Customer(t, inv)
	endFirst(t, stack, sid, customer)
	snapshotOnFailure(t, tech, customer)
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	tech.WaitState(t, "active")
	tech.RequestControl(t)
	customer.Allow(t)
	tech.WaitStatus(t, "in control")

	if step.kill {
		// The worker dies holding Ctrl with a big file half received; the
		// customer runs the program again and allows it again.
		tech.SendFile(t, step.big)
		acceptFile(t, customer)
		e2e.WaitFor(t, "the partial file in Downloads", func() bool { return partialFiles(t, step.downloads) > 0 })
		e2e.Eval[bool](t, tech, "hold Ctrl", `(lifeline.input.input.send(JSON.stringify({k: "key", c: "ControlLeft", d: true})), true)`)
		e2e.WaitFor(t, "Ctrl held on the display", func() bool { keys, _ := e2e.HeldInput(t, stack.Display); return len(keys) > 0 })
		if err := syscall.Kill(customer.WorkerPid(t), syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		customer.WaitExit(t)
		tech.WaitState(t, "reconnecting")
		customer = customer.RunAgain(t)
		endFirst(t, stack, sid, customer)
		snapshotOnFailure(t, tech, customer)
		customer.OpenPage(t)
		customer.Allow(t)
		tech.WaitState(t, "active")
		tech.WaitFramesAfter(t, 0)
	}
	if step.restart {
		// The restart's new process belongs to the stack, not to this session.
		stack.RestartSignaling(b, nil)
		customer.WaitLog(t, "session resumed")
		tech.WaitJS(t, "the console to reconnect", `!!window.lifeline?.agentConnected && lifeline.state === "active"`)
		tech.WaitFramesAfter(t, tech.Frames(t))
	}

	customer.WaitChatReady(t)
	tech.Chat(t, soakLine)
	customer.WaitChat(t, soakLine)

	sent := len(tech.Files(t).Sent)
	tech.SendFile(t, step.small)
	acceptFile(t, customer)
	e2e.WaitFor(t, "the small file received", func() bool { return len(tech.Files(t).Sent) > sent })

	// Transfer to Claire (a console client of her own), who accepts and ends.
	node := st.Node{URL: stack.URL}
	admin := st.LogInAs(t, node, "admin", e2e.AdminPassword)
	claire := st.LogInAs(t, node, soakColleague, soakPassword)
	if code, body := claire.Get(t, "/console/queue.json"); code != http.StatusOK { // her queue open: online
		t.Fatalf("Claire's queue: %d %s", code, body)
	}
	ac, cc := admin.Dial(t, "/ws/console"), claire.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	cc.Expect(protocol.TypeConsoleWelcome)
	ac.Send(protocol.TypeSessionTransfer, sid, protocol.SessionTransfer{To: soakColleague, Comment: "Soak"})
	expectState(t, cc, sid, "outgoing")
	cc.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	expectState(t, cc, sid, "active")
	if q := customer.WaitAsked(t); !strings.Contains(q, "Claire Martin") {
		t.Fatalf("after the transfer the customer is asked %q", q)
	}
	cc.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	if code, stdout, _ := customer.WaitExit(t); code != 0 {
		t.Fatalf("the agent exited with %d after the session ended:\n%s", code, stdout)
	}
	return sid
}

// acceptFile clicks Accept on the customer's file offer and waits for the
// agent to take it (the offer gone from the panel), so that a click that did
// not reach the page fails here, by name, rather than as a file never
// received.
func acceptFile(t *soakT, customer *e2e.Customer) {
	customer.AcceptFile(t)
	e2e.WaitFor(t, "the customer's Accept taken (the offer gone from the page)", func() bool {
		return strings.HasPrefix(customer.OfferText(t), "hidden: ")
	})
}

// snapshotOnFailure logs where the technician's console and the customer's
// page stood when a session failed, before endFirst ends it (cleanups run
// last first); the agent's own log follows from the customer's cleanup.
func snapshotOnFailure(t *soakT, tech *e2e.Technician, customer *e2e.Customer) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		t.Logf("failed session, console: state %q, files %s, log %q", tech.State(t), tech.FilesDiagnostics(t), tech.LogText(t))
		t.Logf("failed session, customer's page: %q, files log %q, offer %q", customer.PageText(t), customer.FilesLog(t), customer.OfferText(t))
	})
}

// expectState reads c's messages until sid is in state.
func expectState(t *soakT, c *st.Conn, sid, state string) {
	for range 20 {
		m := c.Expect(protocol.TypeSessionState)
		if s := m.Body.(*protocol.SessionState); m.SID == sid && s.State == state {
			return
		}
	}
	t.Fatalf("session %s never %s", sid, state)
}

// endFirst makes a failed session end the way a technician ends it, and
// waits for the customer's agent to stop by itself, before the session's
// cleanups kill what is left of the agent: a SIGKILL of its whole process
// group (its supervisor too) would leave a download in flight behind, which
// no customer's crash can do.
func endFirst(t *soakT, stack *e2e.Stack, sid string, customer *e2e.Customer) {
	t.Cleanup(func() {
		if t.Failed() {
			endAsAdmin(t, stack, sid)
			customer.WaitExit(t)
		}
	})
}

// endAsAdmin ends a session a failed step left open, as an administrator.
func endAsAdmin(t *soakT, stack *e2e.Stack, sid string) {
	c := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", e2e.AdminPassword).Dial(t, "/ws/console")
	c.Expect(protocol.TypeConsoleWelcome)
	c.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	for deadline := time.Now().Add(e2e.Timeout); time.Now().Before(deadline); {
		m, err := c.Read(time.Until(deadline))
		if err != nil {
			return
		}
		if s, ok := m.Body.(*protocol.SessionState); ok && m.SID == sid && strings.HasPrefix(s.State, "closed") {
			return
		}
	}
}

// soakAuditHole says what the audit trail of sid lacks ("" for nothing).
func soakAuditHole(b *testing.B, admin *st.Tech, sid string) string {
	code, body := admin.Get(b, "/admin/audit?format=json&session="+sid)
	var events []struct {
		Type string `json:"type"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &events) != nil {
		return fmt.Sprintf("an export (%d %s)", code, oneLine(body))
	}
	types := make([]string, len(events))
	for i, e := range events {
		types[i] = e.Type
	}
	return auditHole(types)
}

// soakGoroutines reads signaling's goroutine count from its private pprof;
// at the end it waits up to e2e.Timeout for the count to come down to
// atMost (0: no wait), as the last session's connections close.
func soakGoroutines(b *testing.B, metrics string, atMost int) int {
	var n int
	for deadline := time.Now().Add(e2e.Timeout); ; time.Sleep(500 * time.Millisecond) {
		resp, err := http.Get("http://" + metrics + "/debug/pprof/goroutine?debug=1")
		if err != nil {
			b.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if n, err = goroutines(string(page)); err != nil {
			b.Fatal(err)
		}
		if atMost == 0 || n <= atMost || time.Now().After(deadline) {
			return n
		}
	}
}

// soakHeap reads signaling's live heap (MB) from its private pprof, after a
// garbage collection.
func soakHeap(b *testing.B, metrics string) float64 {
	resp, err := http.Get("http://" + metrics + "/debug/pprof/heap?debug=1&gc=1")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	mb, err := heapMB(string(page))
	if err != nil {
		b.Fatal(err)
	}
	return mb
}

func soakRSS(b *testing.B, stack *e2e.Stack) float64 {
	mb, err := rssMB(stack.SignalingPid())
	if err != nil {
		b.Fatal(err)
	}
	return mb
}

// soakFiles counts signaling's open file descriptors.
func soakFiles(b *testing.B, stack *e2e.Stack) int {
	n, err := openFiles(stack.SignalingPid())
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// partialFiles counts the partial downloads in dir.
func partialFiles(t testing.TB, dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".lifeline-part") {
			n++
		}
	}
	return n
}

// clearDownloads removes the finished files a session left (soak.txt and
// its renamed copies), and leaves partial ones to be counted.
func clearDownloads(b *testing.B, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lifeline-part") {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// freeAddr returns a loopback address with a free port, for a listener that
// must keep its address across restarts.
func freeAddr(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// loadAvg is the machine's 1-minute load average.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var l float64
	fmt.Sscan(string(b), &l)
	return l
}

func popcount(x uint16) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
