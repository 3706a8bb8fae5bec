// Package sysinfo shows the technician the customer's machine, read only:
// a dashboard (system, CPU, memory, disks, network, user, battery) and the
// process list, sorted, filtered and paged by the agent, with one action:
// ending a process (SIGTERM). It serves the sysinfo data channel only while
// the customer allows system information, and re-checks that grant on every
// request. Linux reads /proc (source_linux.go); other systems answer that it
// is not available yet (source_other.go).
package sysinfo

import (
	"errors"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/requests"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// source reads the machine (per OS).
type source interface {
	dashboard() (protocol.Dashboard, error)
	// processes lists the running processes with their CPU time so far.
	processes() ([]sample, error)
	// name returns a process's name (ErrNoProcess when it is not running).
	name(pid int) (string, error)
	// kill asks a process to end.
	kill(pid int) error
	// ticksPerSecond is the unit of sample.ticks.
	ticksPerSecond() float64
}

// inventory reads the inventory tabs (per OS): each list whole, at most
// protocol.MaxEvents events, newest first.
type inventory interface {
	// elevated reports whether the agent runs with administrator rights.
	elevated() bool
	services() ([]protocol.Entry, error)
	// service starts, stops or restarts the service name.
	service(name, action string) error
	applications() ([]protocol.Entry, error)
	startup() ([]protocol.Entry, error)
	drivers() ([]protocol.Entry, error)
	// events reads the event log, newest first, down to level.
	events(level string) ([]protocol.Entry, error)
}

// sample is a process as read, with its CPU time so far.
type sample struct {
	protocol.Process
	ticks uint64
}

// requestQueue bounds the requests waiting on one channel.
const requestQueue = 8

// Config configures a SysInfo.
type Config struct {
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
}

// SysInfo serves the sysinfo channel (a session.Feature and Auditor).
// Methods are safe for concurrent use.
type SysInfo struct {
	log *slog.Logger
	src source
	inv inventory

	mu      sync.Mutex // guards granted and report
	granted bool
	report  func(protocol.Audit)

	readMu sync.Mutex // serialises reads of the machine; guards prev, prevAt
	prev   map[int]uint64
	prevAt time.Time
}

// New returns the feature.
func New(cfg Config) *SysInfo {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return newWith(cfg, newSource(), newInventory())
}

func newWith(cfg Config, src source, inv inventory) *SysInfo {
	return &SysInfo{log: cfg.Logger.With("component", "sysinfo"), src: src, inv: inv}
}

// Handles reports whether label is the sysinfo channel.
func (s *SysInfo) Handles(label string) bool { return label == protocol.ChannelSysInfo }

// SetGrants records whether the customer allows system information.
func (s *SysInfo) SetGrants(p protocol.Permissions) {
	s.mu.Lock()
	s.granted = p.SysInfo
	s.mu.Unlock()
}

// SetAudit gives the feature the audit reporter.
func (s *SysInfo) SetAudit(report func(protocol.Audit)) {
	s.mu.Lock()
	s.report = report
	s.mu.Unlock()
}

// Attach takes the sysinfo channel; requests are answered in order, on a
// goroutine of their own (reading /proc takes a few milliseconds).
func (s *SysInfo) Attach(dc *webrtc.DataChannel) {
	requests.Serve(dc, requestQueue, s.log, "sysinfo", func(b []byte) any { return s.Handle(b) })
}

// Handle answers one request. Without the customer's grant it answers
// nothing but the refusal, and audits it.
func (s *SysInfo) Handle(b []byte) protocol.SysInfoReply {
	req, err := protocol.DecodeSysInfoRequest(b)
	if err != nil {
		return protocol.SysInfoReply{ID: req.ID, Op: req.Op, Error: err.Error()}
	}
	s.mu.Lock()
	granted, report := s.granted, s.report
	s.mu.Unlock()
	if !granted {
		s.log.Warn("sysinfo request without the customer's grant refused", "op", req.Op)
		if report != nil {
			report(protocol.Audit{Event: protocol.AuditRefused, Detail: "system information (" + req.Op + ") without the customer's grant"})
		}
		return protocol.SysInfoReply{ID: req.ID, Op: req.Op, Error: ErrNotGranted.Error()}
	}
	out := protocol.SysInfoReply{ID: req.ID, Op: req.Op}
	switch req.Op {
	case protocol.SysInfoDashboard:
		d, err := s.src.dashboard()
		if err != nil {
			out.Error = say(err)
		} else {
			out.Dashboard = &d
		}
	case protocol.SysInfoProcesses:
		ps, err := s.list(req)
		if err != nil {
			out.Error = say(err)
		} else {
			out.Processes = &ps
		}
	case protocol.SysInfoKill:
		if err := s.end(req.PID, report); err != nil {
			out.Error = say(err)
		} else {
			out.Done = true
		}
	case protocol.SysInfoService:
		if err := s.serviceAction(req, report); err != nil {
			out.Error = say(err)
		} else {
			out.Done = true
		}
	default:
		list, err := s.inventoryList(req)
		if err != nil {
			out.Error = say(err)
		} else {
			es := pageEntries(list, req)
			es.Elevated = s.inv.elevated()
			out.Entries = &es
		}
	}
	return out
}

// inventoryList reads an inventory tab whole.
func (s *SysInfo) inventoryList(req protocol.SysInfoRequest) ([]protocol.Entry, error) {
	switch req.Op {
	case protocol.SysInfoServices:
		return s.inv.services()
	case protocol.SysInfoApplications:
		return s.inv.applications()
	case protocol.SysInfoStartup:
		return s.inv.startup()
	case protocol.SysInfoDrivers:
		return s.inv.drivers()
	case protocol.SysInfoEvents:
		return s.inv.events(req.Level)
	}
	return nil, ErrUnavailable
}

// pageEntries filters (on every text field), sorts (by name, but the event
// log keeps its newest-first order) and pages an inventory tab.
func pageEntries(all []protocol.Entry, req protocol.SysInfoRequest) protocol.Entries {
	f := strings.ToLower(strings.TrimSpace(req.Filter))
	list := make([]protocol.Entry, 0, len(all))
	for _, e := range all {
		if f == "" || strings.Contains(strings.ToLower(e.Name+"\x00"+e.Version+"\x00"+e.State+"\x00"+e.Source+"\x00"+e.Detail), f) {
			list = append(list, e)
		}
	}
	if req.Op != protocol.SysInfoEvents {
		slices.SortStableFunc(list, func(a, b protocol.Entry) int {
			c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
			if req.Desc {
				c = -c
			}
			return c
		})
	}
	out := protocol.Entries{Total: len(list), Page: req.Page,
		Pages: max(1, (len(list)+protocol.MaxEntryPage-1)/protocol.MaxEntryPage)}
	start := min(req.Page*protocol.MaxEntryPage, len(list))
	out.List = list[start:min(start+protocol.MaxEntryPage, len(list))]
	return out
}

// serviceAction starts, stops or restarts a service: only when the agent
// runs with administrator rights (else the technician is told so, and the
// refusal audited); done, it is audited.
func (s *SysInfo) serviceAction(req protocol.SysInfoRequest, report func(protocol.Audit)) error {
	audit := func(ev protocol.AuditEvent, detail string) {
		if report != nil {
			report(protocol.Audit{Event: ev, Detail: cutDetail(detail)})
		}
	}
	what := req.Action + " service " + req.Name
	if !s.inv.elevated() {
		s.log.Info("service action refused: not elevated", "action", req.Action, "name", req.Name)
		audit(protocol.AuditRefused, what+": not running as administrator")
		return ErrNeedsAdmin
	}
	if err := s.inv.service(req.Name, req.Action); err != nil {
		s.log.Warn("service action", "action", req.Action, "name", req.Name, "err", err)
		return err
	}
	s.log.Info("service action for the technician", "action", req.Action, "name", req.Name)
	audit(protocol.AuditServiceChanged, what)
	return nil
}

// cutDetail bounds an audit's detail to protocol.MaxAuditDetail bytes.
func cutDetail(s string) string {
	if len(s) <= protocol.MaxAuditDetail {
		return s
	}
	s = s[:protocol.MaxAuditDetail]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// say turns an error into the technician's sentence.
func say(err error) string {
	if errors.Is(err, ErrServiceFailed) {
		return err.Error() // with the service manager's own words
	}
	for _, e := range []error{ErrUnavailable, ErrNoProcess, ErrNotPermitted, ErrOwnProcess,
		ErrNeedsAdmin, ErrNoServices, ErrNoService, ErrNoApplications, ErrNoModules, ErrNoJournal} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return "could not read the system information: " + err.Error()
}

// list reads the processes, works out their CPU use since the last read, and
// returns the page asked for.
func (s *SysInfo) list(req protocol.SysInfoRequest) (protocol.Processes, error) {
	s.readMu.Lock()
	all, err := s.src.processes()
	now := time.Now()
	if err == nil {
		elapsed := now.Sub(s.prevAt).Seconds()
		next := make(map[int]uint64, len(all))
		for i := range all {
			p := &all[i]
			next[p.PID] = p.ticks
			if was, ok := s.prev[p.PID]; ok && elapsed > 0 && p.ticks >= was {
				p.CPU = float64(p.ticks-was) / s.src.ticksPerSecond() / elapsed * 100
			}
		}
		s.prev, s.prevAt = next, now
	}
	s.readMu.Unlock()
	if err != nil {
		return protocol.Processes{}, err
	}
	return page(all, req), nil
}

// page filters, sorts and pages the processes.
func page(all []sample, req protocol.SysInfoRequest) protocol.Processes {
	f := strings.ToLower(strings.TrimSpace(req.Filter))
	list := make([]protocol.Process, 0, len(all))
	for _, p := range all {
		if f == "" || strings.Contains(strings.ToLower(p.Name), f) || strings.Contains(strings.ToLower(p.User), f) || strconv.Itoa(p.PID) == f {
			list = append(list, p.Process)
		}
	}
	cmp := func(a, b protocol.Process) int {
		var c int
		switch req.Sort {
		case protocol.SortName:
			c = strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		case protocol.SortUser:
			c = strings.Compare(a.User, b.User)
		case protocol.SortCPU:
			c = compare(a.CPU, b.CPU)
		case protocol.SortMem:
			c = compare(a.Mem, b.Mem)
		}
		if c == 0 {
			c = a.PID - b.PID
		}
		if req.Desc {
			c = -c
		}
		return c
	}
	slices.SortFunc(list, cmp)
	out := protocol.Processes{Total: len(list), Page: req.Page,
		Pages: max(1, (len(list)+protocol.MaxProcessPage-1)/protocol.MaxProcessPage)}
	start := min(req.Page*protocol.MaxProcessPage, len(list))
	out.List = list[start:min(start+protocol.MaxProcessPage, len(list))]
	return out
}

func compare[T int | float64 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// end ends process pid, but never the agent itself, and audits it.
func (s *SysInfo) end(pid int, report func(protocol.Audit)) error {
	if pid == os.Getpid() {
		return ErrOwnProcess
	}
	name, err := s.src.name(pid)
	if err != nil {
		return err
	}
	if err := s.src.kill(pid); err != nil {
		s.log.Warn("end process", "pid", pid, "name", name, "err", err)
		return err
	}
	s.log.Info("process ended for the technician", "pid", pid, "name", name)
	if report != nil {
		report(protocol.Audit{Event: protocol.AuditProcessEnded, Detail: name + " (pid " + strconv.Itoa(pid) + ")"})
	}
	return nil
}
