package sysinfo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// fakeRun stands for systemctl and journalctl (the OS boundary): it keeps
// each command line and answers from a table keyed by the program's name.
type fakeRun struct {
	mu    sync.Mutex
	calls [][]string
	out   map[string]string
	err   map[string]error
}

func (f *fakeRun) run(_ context.Context, name string, args ...string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, append([]string{name}, args...))
	return []byte(f.out[name]), f.err[name]
}

func (f *fakeRun) last() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return nil
	}
	return f.calls[len(f.calls)-1]
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// inventoryRig is a linuxInventory over fixture files and a fake runner.
func inventoryRig(t *testing.T, admin bool) (*SysInfo, *linuxInventory, *fakeRun, *audits) {
	t.Helper()
	root := t.TempDir()
	var status strings.Builder
	for i := range 1200 {
		fmt.Fprintf(&status, "Package: pkg%04d\nStatus: install ok installed\nVersion: 1.%d\nDescription: package number %d\n more text\n\n", i, i, i)
	}
	status.WriteString("Package: gone\nStatus: deinstall ok config-files\nVersion: 9\n\n")
	writeFile(t, filepath.Join(root, "dpkg", "status"), status.String())
	writeFile(t, filepath.Join(root, "proc", "modules"), "snd_hda_intel 61440 3 - Live 0x0000000000000000\nsnd 131072 12 snd_hda_intel,snd_pcm, Live 0x0000000000000000\n")
	user, system := filepath.Join(root, "user", "autostart"), filepath.Join(root, "xdg", "autostart")
	writeFile(t, filepath.Join(system, "updater.desktop"), "[Desktop Entry]\nName=System updater\nExec=/usr/bin/updater --tray\n")
	writeFile(t, filepath.Join(system, "tracker.desktop"), "[Desktop Entry]\nName=Tracker\nExec=tracker daemon\n")
	// The user's entry of the same file name turns the system's off.
	writeFile(t, filepath.Join(user, "tracker.desktop"), "[Desktop Entry]\nName=Tracker\nExec=tracker daemon\nHidden=true\n")
	units := filepath.Join(root, "user", "systemd", "user")
	writeFile(t, filepath.Join(units, "default.target.wants", "syncthing.service"), "")
	f := &fakeRun{out: map[string]string{}, err: map[string]error{}}
	inv := &linuxInventory{proc: filepath.Join(root, "proc"), dpkg: filepath.Join(root, "dpkg", "status"),
		autostart: []string{user, system}, userUnits: []string{units},
		run: f.run, admin: func() bool { return admin }}
	au := &audits{}
	s := newWith(Config{Logger: slog.Default()}, newSource(), inv)
	s.SetAudit(au.add)
	s.SetGrants(protocol.Permissions{SysInfo: true})
	return s, inv, f, au
}

// Applications are read from dpkg's status file (installed ones only),
// sorted by name and paged by the agent; the filter looks at every field.
func TestApplicationsPagedAndFiltered(t *testing.T) {
	s, _, _, _ := inventoryRig(t, false)
	r := ask(t, s, protocol.SysInfoRequest{ID: "1", Op: protocol.SysInfoApplications})
	if r.Error != "" || r.Entries == nil {
		t.Fatalf("reply %+v", r)
	}
	e := r.Entries
	if e.Total != 1200 || e.Pages != 3 || len(e.List) != protocol.MaxEntryPage || e.List[0].Name != "pkg0000" || e.List[0].Version != "1.0" || e.List[0].Detail != "package number 0" {
		t.Fatalf("first page: total %d, pages %d, %d listed, first %+v", e.Total, e.Pages, len(e.List), e.List[0])
	}
	r = ask(t, s, protocol.SysInfoRequest{ID: "2", Op: protocol.SysInfoApplications, Page: 2, Desc: true})
	if n := len(r.Entries.List); n != 200 || r.Entries.List[n-1].Name != "pkg0000" {
		t.Errorf("last page, descending: %d, last %+v", n, r.Entries.List[n-1])
	}
	r = ask(t, s, protocol.SysInfoRequest{ID: "3", Op: protocol.SysInfoApplications, Filter: "NUMBER 1199"})
	if r.Entries.Total != 1 || r.Entries.List[0].Name != "pkg1199" {
		t.Errorf("filtered: %+v", r.Entries)
	}
}

// Startup items: XDG autostart entries (the user's hides the system's of
// the same name, Hidden=true turns it off) and systemd user units.
func TestStartupItems(t *testing.T) {
	s, _, _, _ := inventoryRig(t, false)
	r := ask(t, s, protocol.SysInfoRequest{ID: "1", Op: protocol.SysInfoStartup})
	if r.Error != "" || r.Entries == nil {
		t.Fatalf("reply %+v", r)
	}
	var got []string
	for _, e := range r.Entries.List {
		got = append(got, e.Name+"="+e.State)
	}
	if want := "syncthing.service=enabled,System updater=enabled,Tracker=disabled"; strings.Join(got, ",") != want {
		t.Errorf("startup items %s, want %s", strings.Join(got, ","), want)
	}
	if d := r.Entries.List[1].Detail; d != "/usr/bin/updater --tray" {
		t.Errorf("command %q", d)
	}
}

// Drivers are the kernel's modules; without /proc/modules the technician
// is told why.
func TestDriversFromProcModules(t *testing.T) {
	s, inv, _, _ := inventoryRig(t, false)
	r := ask(t, s, protocol.SysInfoRequest{ID: "1", Op: protocol.SysInfoDrivers})
	if r.Error != "" || r.Entries.Total != 2 || r.Entries.List[1].Name != "snd_hda_intel" || r.Entries.List[0].Detail != "131072 bytes, used by snd_hda_intel, snd_pcm" {
		t.Fatalf("reply %+v", r.Entries)
	}
	inv.proc = t.TempDir()
	if r := ask(t, s, protocol.SysInfoRequest{ID: "2", Op: protocol.SysInfoDrivers}); r.Error != ErrNoModules.Error() {
		t.Errorf("without /proc/modules: %q", r.Error)
	}
}

// Services come from systemctl; with no systemd the technician is told so.
func TestServicesListed(t *testing.T) {
	s, _, f, _ := inventoryRig(t, false)
	f.out["systemctl"] = "cups.service loaded active running CUPS Scheduler\nssh.service loaded inactive dead OpenBSD Secure Shell server\n"
	r := ask(t, s, protocol.SysInfoRequest{ID: "1", Op: protocol.SysInfoServices})
	if r.Error != "" || r.Entries.Total != 2 || r.Entries.List[0] != (protocol.Entry{Name: "cups", State: "active (running)", Detail: "CUPS Scheduler"}) || r.Entries.Elevated {
		t.Fatalf("reply %+v", r.Entries)
	}
	f.err["systemctl"] = errors.New("System has not been booted with systemd as init system (PID 1). Can't operate.")
	if r := ask(t, s, protocol.SysInfoRequest{ID: "2", Op: protocol.SysInfoServices}); r.Error != ErrNoServices.Error() {
		t.Errorf("without systemd: %q", r.Error)
	}
}

// Starting, stopping or restarting a service needs administrator rights:
// without them the technician is told so, nothing runs, and the refusal is
// audited; with them systemctl runs with the name after "--" and the action
// is audited.
func TestServiceActionNeedsAdministrator(t *testing.T) {
	s, _, f, au := inventoryRig(t, false)
	r := ask(t, s, protocol.SysInfoRequest{ID: "1", Op: protocol.SysInfoService, Name: "cups", Action: protocol.ServiceRestart})
	if r.Error != ErrNeedsAdmin.Error() || r.Done || f.last() != nil {
		t.Fatalf("not elevated: %+v, ran %v", r, f.last())
	}
	if !au.has(protocol.AuditRefused, "restart service cups: not running as administrator") {
		t.Errorf("refusal not audited: %+v", au.got)
	}

	s, _, f, au = inventoryRig(t, true)
	f.out["systemctl"] = "cups.service loaded active running CUPS Scheduler\n"
	r = ask(t, s, protocol.SysInfoRequest{ID: "2", Op: protocol.SysInfoService, Name: "cups", Action: protocol.ServiceRestart})
	if !r.Done || r.Error != "" {
		t.Fatalf("elevated: %+v", r)
	}
	if got := strings.Join(f.last(), " "); got != "systemctl restart --no-ask-password -- cups.service" {
		t.Errorf("ran %q", got)
	}
	if !au.has(protocol.AuditServiceChanged, "restart service cups") {
		t.Errorf("not audited: %+v", au.got)
	}
	f.err["systemctl"] = errors.New("Failed to restart nope.service: Unit nope.service not found.")
	if r := ask(t, s, protocol.SysInfoRequest{ID: "3", Op: protocol.SysInfoService, Name: "nope", Action: protocol.ServiceStop}); r.Error != ErrNoServices.Error() {
		t.Errorf("no services listed: %q", r.Error)
	}
}

// A service action runs only on a service listed now: a plain name that
// is no listed service (poweroff, which systemd would read as a unit) is
// refused without running anything but the list.
func TestServiceActionOnlyOnListedServices(t *testing.T) {
	s, _, f, _ := inventoryRig(t, true)
	f.out["systemctl"] = "cups.service loaded active running CUPS Scheduler\n"
	for _, name := range []string{"poweroff", "ssh", "nope.service"} {
		r := ask(t, s, protocol.SysInfoRequest{ID: "1", Op: protocol.SysInfoService, Name: name, Action: protocol.ServiceStart})
		if r.Error != ErrNoService.Error() || r.Done {
			t.Errorf("%s: %+v, want %q", name, r, ErrNoService)
		}
		if got := f.last(); len(got) < 2 || got[1] != "list-units" {
			t.Errorf("%s: ran %q", name, got)
		}
	}
	r := ask(t, s, protocol.SysInfoRequest{ID: "2", Op: protocol.SysInfoService, Name: "cups.service", Action: protocol.ServiceStop})
	if got := strings.Join(f.last(), " "); !r.Done || got != "systemctl stop --no-ask-password -- cups.service" {
		t.Errorf("a listed service: %+v, ran %q", r, got)
	}
}

// The event log is read newest first from the journal, its level passed as
// journalctl's priority, bounded, then filtered by text and paged.
func TestEventLogFromTheJournal(t *testing.T) {
	s, _, f, _ := inventoryRig(t, false)
	f.out["journalctl"] = `{"__REALTIME_TIMESTAMP":"1765100000000000","PRIORITY":"3","SYSLOG_IDENTIFIER":"kernel","MESSAGE":"disk error on sda"}
{"__REALTIME_TIMESTAMP":"1765000000000000","PRIORITY":"4","_SYSTEMD_UNIT":"cups.service","MESSAGE":[112,97,112,101,114,255]}
not json
`
	r := ask(t, s, protocol.SysInfoRequest{ID: "1", Op: protocol.SysInfoEvents, Level: protocol.LevelWarning})
	if r.Error != "" || r.Entries.Total != 2 {
		t.Fatalf("reply %+v", r)
	}
	if got := strings.Join(f.last(), " "); got != fmt.Sprintf("journalctl -o json --reverse --no-pager -n %d -p 4", protocol.MaxEvents) {
		t.Errorf("ran %q", got)
	}
	first, second := r.Entries.List[0], r.Entries.List[1]
	if first.Time != 1765100000000 || first.State != "error" || first.Source != "kernel" || first.Detail != "disk error on sda" {
		t.Errorf("newest %+v", first)
	}
	if second.Source != "cups.service" || second.State != "warning" || second.Detail != "paper\uFFFD" {
		t.Errorf("second %+v (bytes not UTF-8 shown replaced)", second)
	}
	r = ask(t, s, protocol.SysInfoRequest{ID: "2", Op: protocol.SysInfoEvents, Filter: "paper"})
	if r.Entries.Total != 1 || r.Entries.List[0].Source != "cups.service" {
		t.Errorf("filtered %+v", r.Entries)
	}
}

// Without the customer's grant every inventory tab and the service action
// are refused at the agent, and audited.
func TestInventoryRefusedWithoutGrant(t *testing.T) {
	s, _, f, au := inventoryRig(t, true)
	s.SetGrants(protocol.Permissions{})
	for _, op := range []string{protocol.SysInfoServices, protocol.SysInfoApplications, protocol.SysInfoStartup, protocol.SysInfoDrivers, protocol.SysInfoEvents, protocol.SysInfoService} {
		r := ask(t, s, protocol.SysInfoRequest{ID: op, Op: op, Name: "cups", Action: protocol.ServiceStop})
		if r.Error != ErrNotGranted.Error() || r.Entries != nil || r.Done {
			t.Errorf("%s: %+v", op, r)
		}
		if !au.has(protocol.AuditRefused, "("+op+")") {
			t.Errorf("%s: refusal not audited", op)
		}
	}
	if f.last() != nil {
		t.Errorf("ran %v", f.last())
	}
}
