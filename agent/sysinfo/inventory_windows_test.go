package sysinfo

import (
	"log/slog"
	"testing"

	"golang.org/x/sys/windows/registry"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// On Windows the inventory tabs read the service control manager (services
// and drivers), the Uninstall keys and the Run keys; the event log says it
// is not read yet. Run under Wine by e2e/wine's
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
	if r := ask(t, s, protocol.SysInfoRequest{ID: "e", Op: protocol.SysInfoEvents}); r.Error != ErrUnavailable.Error() {
		t.Errorf("events: %+v", r)
	}
}
