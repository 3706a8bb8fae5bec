package screen

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/agent/win32"
)

// The technician can pick the whole virtual screen or each monitor Windows
// lists (EnumDisplayMonitors): the whole first, then the monitors, the
// primary one first, measured in physical pixels (the process is per-monitor
// DPI aware). Under Wine (e2e/wine) LIFELINE_TEST_MONITORS names the X
// display's Xinerama heads ("800x600,640x480"); without it there is one
// monitor, and the whole screen alone is offered.
func TestMonitorsListsEachMonitor(t *testing.T) {
	mons, err := Monitors()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("monitors: %+v", mons)
	if !win32.PerMonitorDPIAware() {
		t.Error("the process is not per-monitor DPI aware after the monitors were listed")
	}
	v := win32.VirtualScreen()
	if mons[0].X != 0 || mons[0].Y != 0 || mons[0].W != int(v.Right-v.Left) || mons[0].H != int(v.Bottom-v.Top) {
		t.Errorf("the first choice %+v is not the whole virtual screen %+v", mons[0], v)
	}
	var want []string
	if heads := os.Getenv("LIFELINE_TEST_MONITORS"); heads != "" {
		want = strings.Split(heads, ",")
	}
	if len(want) < 2 {
		if len(mons) != 1 {
			t.Fatalf("one monitor, but %d choices: %+v", len(mons), mons)
		}
		return
	}
	if len(mons) != 1+len(want) {
		t.Fatalf("%d monitors, but %d choices: %+v", len(want), len(mons), mons)
	}
	for i, w := range want {
		m := mons[1+i]
		if got := fmt.Sprintf("%dx%d", m.W, m.H); got != w {
			t.Errorf("monitor %d is %s, want %s", i+1, got, w)
		}
		if m.Screen != 0 || m.X < 0 || m.Y < 0 || m.X+m.W > mons[0].W || m.Y+m.H > mons[0].H {
			t.Errorf("monitor %d %+v is not a part of the whole screen %+v", i+1, m, mons[0])
		}
	}
}
