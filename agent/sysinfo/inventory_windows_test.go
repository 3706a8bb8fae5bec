package sysinfo

import (
	"log/slog"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// On Windows the inventory tabs read the service control manager (services
// and drivers), the Uninstall keys, the Run keys and the event log. Run under Wine by e2e/wine's
// TestWindowsUnitTestsUnderWine.
func TestWindowsInventory(t *testing.T) {
	const app = `Software\Microsoft\Windows\CurrentVersion\Uninstall\LifelineTestApp`
	k, _, err := registry.CreateKey(registry.CURRENT_USER, app, registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	_ = k.SetStringValue("DisplayName", "Lifeline test app")
	_ = k.SetStringValue("DisplayVersion", "4.2.1")
	_ = k.SetStringValue("Publisher", "Lifeline")
	k.Close()
	defer registry.DeleteKey(registry.CURRENT_USER, app)
	run, _, err := registry.CreateKey(registry.CURRENT_USER, `Software\Microsoft\Windows\CurrentVersion\Run`, registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	_ = run.SetStringValue("LifelineTestStartup", `"C:\Program Files\Test\tray.exe" --quiet`)
	defer run.DeleteValue("LifelineTestStartup")
	run.Close()

	s := newWith(Config{Logger: slog.Default()}, newSource(), newInventory())
	s.SetGrants(protocol.Permissions{SysInfo: true})
	find := func(op, filter string) []protocol.Entry {
		t.Helper()
		r := ask(t, s, protocol.SysInfoRequest{ID: op, Op: op, Filter: filter})
		if r.Error != "" || r.Entries == nil {
			t.Fatalf("%s: %+v", op, r)
		}
		t.Logf("%s: %d in all, %d with %q", op, r.Entries.Total, len(r.Entries.List), filter)
		return r.Entries.List
	}
	if l := find(protocol.SysInfoApplications, "lifeline test app"); len(l) != 1 || l[0].Version != "4.2.1" || l[0].Detail != "Lifeline" {
		t.Errorf("applications %+v", l)
	}
	if l := find(protocol.SysInfoStartup, "LifelineTestStartup"); len(l) != 1 || l[0].Detail != `"C:\Program Files\Test\tray.exe" --quiet` || l[0].Source[:4] != "HKCU" {
		t.Errorf("startup %+v", l)
	}
	if l := find(protocol.SysInfoServices, ""); len(l) == 0 || l[0].State == "" {
		t.Errorf("services %+v", l)
	}
	if l := find(protocol.SysInfoDrivers, ""); len(l) == 0 {
		t.Errorf("drivers %+v", l)
	}
	// The event log: an event of ours written to the Application log is
	// read back, newest first. Wine's wevtapi does not answer queries
	// (EvtQuery is a stub): the technician is told the log cannot be read.
	const text = "Lifeline test event 7f3a"
	if src, err := windows.RegisterEventSource(nil, windows.StringToUTF16Ptr("LifelineTest")); err == nil {
		p := windows.StringToUTF16Ptr(text)
		_ = windows.ReportEvent(src, windows.EVENTLOG_WARNING_TYPE, 0, 1, 0, 1, 0, &p, nil)
		_ = windows.DeregisterEventSource(src)
	}
	r := ask(t, s, protocol.SysInfoRequest{ID: "e", Op: protocol.SysInfoEvents, Level: protocol.LevelWarning})
	t.Logf("events: error %q, %+v", r.Error, r.Entries)
	if underWine() {
		_, err := readEventLogs("")
		t.Logf("under Wine the event log answers: %v", err)
		if r.Error != ErrNoJournal.Error() {
			t.Errorf("events under Wine: %+v", r)
		}
		return
	}
	if r.Error != "" || r.Entries == nil || r.Entries.Total == 0 {
		t.Fatalf("events: %+v", r)
	}
	for i, e := range r.Entries.List[1:] {
		if e.Time > r.Entries.List[i].Time {
			t.Fatalf("events not newest first: %+v then %+v", r.Entries.List[i], e)
		}
	}
	if l := find(protocol.SysInfoEvents, text); len(l) == 0 || l[0].State != "warning" || !strings.Contains(l[0].Detail, text) {
		t.Errorf("our event: %+v", l)
	}
}

// underWine reports whether the test runs under Wine (its ntdll exports
// wine_get_version).
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
