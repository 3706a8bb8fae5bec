package sysinfo

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

type audits struct {
	mu  sync.Mutex
	got []protocol.Audit
}

func (a *audits) add(x protocol.Audit) { a.mu.Lock(); a.got = append(a.got, x); a.mu.Unlock() }
func (a *audits) has(ev protocol.AuditEvent, detail string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, x := range a.got {
		if x.Event == ev && strings.Contains(x.Detail, detail) {
			return true
		}
	}
	return false
}

func ask(t *testing.T, s *SysInfo, req protocol.SysInfoRequest) protocol.SysInfoReply {
	t.Helper()
	b, _ := json.Marshal(req)
	return s.Handle(b)
}

// startSleep starts a process the test owns and returns it and a channel
// closed when it has ended.
func startSleep(t *testing.T) (*exec.Cmd, chan struct{}) {
	t.Helper()
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() { _ = cmd.Wait(); close(ended) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-ended })
	return cmd, ended
}

// The process list shows a process the test started, with its user; End
// process ends it, and it is audited.
func TestProcessesListAndEndARealProcess(t *testing.T) {
	cmd, ended := startSleep(t)
	var au audits
	s := New(Config{})
	s.SetAudit(au.add)
	s.SetGrants(protocol.Permissions{SysInfo: true})

	r := ask(t, s, protocol.SysInfoRequest{ID: "1", Op: protocol.SysInfoProcesses, Filter: fmt.Sprint(cmd.Process.Pid)})
	if r.Error != "" || r.Processes == nil || len(r.Processes.List) != 1 {
		t.Fatalf("reply %+v", r)
	}
	p := r.Processes.List[0]
	if p.Name != "sleep" || p.PID != cmd.Process.Pid || p.User == "" || p.Mem == 0 {
		t.Errorf("process %+v", p)
	}
	r = ask(t, s, protocol.SysInfoRequest{ID: "2", Op: protocol.SysInfoKill, PID: cmd.Process.Pid})
	if !r.Done || r.Error != "" {
		t.Fatalf("kill reply %+v", r)
	}
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the process did not end")
	}
	if !au.has(protocol.AuditProcessEnded, fmt.Sprintf("sleep (pid %d)", cmd.Process.Pid)) {
		t.Errorf("not audited: %+v", au.got)
	}
}

// Without the customer's grant nothing is read or ended; the refusal is
// audited.
func TestSysInfoWithoutGrantRefused(t *testing.T) {
	cmd, ended := startSleep(t)
	var au audits
	s := New(Config{})
	s.SetAudit(au.add)
	for _, req := range []protocol.SysInfoRequest{
		{Op: protocol.SysInfoDashboard}, {Op: protocol.SysInfoProcesses}, {Op: protocol.SysInfoKill, PID: cmd.Process.Pid},
	} {
		r := ask(t, s, req)
		if r.Error != ErrNotGranted.Error() || r.Dashboard != nil || r.Processes != nil || r.Done {
			t.Errorf("%s without grant: %+v", req.Op, r)
		}
	}
	if !au.has(protocol.AuditRefused, "system information (kill) without the customer's grant") {
		t.Errorf("not audited: %+v", au.got)
	}
	select {
	case <-ended:
		t.Fatal("the process was ended without the grant")
	default:
	}
}

// Bad PIDs are refused with a sentence: init, the agent itself, one that
// does not run, malformed ones.
func TestEndProcessRefusals(t *testing.T) {
	s := New(Config{})
	s.SetGrants(protocol.Permissions{SysInfo: true})
	for _, tc := range []struct {
		pid  int
		want string
	}{
		{1, "bad request"},
		{0, "bad request"},
		{-1, "bad request"},
		{os.Getpid(), ErrOwnProcess.Error()},
		{1<<22 - 1, ErrNoProcess.Error()},
	} {
		r := ask(t, s, protocol.SysInfoRequest{Op: protocol.SysInfoKill, PID: tc.pid})
		if r.Done || !strings.Contains(r.Error, tc.want) {
			t.Errorf("kill %d: %+v, want %q", tc.pid, r, tc.want)
		}
	}
	if r := s.Handle([]byte(`{"op":"kill","pid":"1; rm -rf /"}`)); r.Done || r.Error == "" {
		t.Errorf("a string PID: %+v", r)
	}
}

// The dashboard shows this machine's real host name.
func TestDashboardShowsThisMachine(t *testing.T) {
	s := New(Config{})
	s.SetGrants(protocol.Permissions{SysInfo: true})
	r := ask(t, s, protocol.SysInfoRequest{Op: protocol.SysInfoDashboard})
	host, _ := os.Hostname()
	if r.Dashboard == nil || r.Dashboard.Hostname != host || r.Dashboard.MemTotal == 0 || r.Dashboard.Cores == 0 || len(r.Dashboard.Networks) == 0 {
		t.Fatalf("dashboard %+v", r)
	}
}

// Long lists are paged, sorted and filtered by the agent.
func TestProcessPages(t *testing.T) {
	var all []sample
	for i := range 1200 {
		all = append(all, sample{Process: protocol.Process{PID: i + 2, Name: fmt.Sprintf("p%04d", i), Mem: uint64(i)}})
	}
	got := page(all, protocol.SysInfoRequest{Page: 2, Sort: protocol.SortMem, Desc: true})
	if got.Total != 1200 || got.Pages != 3 || len(got.List) != 1200-2*protocol.MaxProcessPage || got.List[0].Mem != uint64(1200-1-2*protocol.MaxProcessPage) {
		t.Errorf("page 2: total %d pages %d len %d first %+v", got.Total, got.Pages, len(got.List), got.List[0])
	}
	got = page(all, protocol.SysInfoRequest{Page: 9})
	if len(got.List) != 0 {
		t.Errorf("a page beyond the end has %d", len(got.List))
	}
	got = page(all, protocol.SysInfoRequest{Filter: "P011", Sort: protocol.SortName})
	if got.Total != 10 || got.List[0].Name != "p0110" {
		t.Errorf("filtered: %+v", got)
	}
}
