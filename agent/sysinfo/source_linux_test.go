package sysinfo

import (
	"testing"
)

func fixtureSource() *procSource {
	return &procSource{proc: "testdata/proc", sys: "testdata/sys", etc: "testdata/etc", users: map[string]string{}}
}

// The dashboard and the process list read from a fixture /proc, /sys and /etc.
func TestFixtureDashboardAndProcesses(t *testing.T) {
	src := fixtureSource()
	d, err := src.dashboard()
	if err != nil {
		t.Fatal(err)
	}
	if d.OS != "Debian GNU/Linux 12 (bookworm)" || d.Kernel != "6.1.0-28-amd64" || d.UptimeSec != 93784 || d.Cores != 2 || d.MemAvail != 9876540<<10 {
		t.Errorf("dashboard %+v", d)
	}
	if len(d.Batteries) != 1 || d.Batteries[0].Percent != 87 || d.Batteries[0].Status != "Discharging" {
		t.Errorf("batteries %+v", d.Batteries)
	}
	ps, err := src.processes()
	if err != nil || len(ps) != 2 {
		t.Fatalf("processes %+v %v", ps, err)
	}
	byPID := map[int]sample{}
	for _, p := range ps {
		byPID[p.PID] = p
	}
	if p := byPID[1234]; p.Name != "sleep" || p.User != "root" || p.ticks != 1 {
		t.Errorf("process 1234: %+v", p)
	}
	if p := byPID[42]; p.Name != "Web Content (1)" || p.ticks != 325 {
		t.Errorf("process 42: %+v", p)
	}
}
