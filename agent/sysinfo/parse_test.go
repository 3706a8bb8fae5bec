package sysinfo

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func fixture(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseMeminfo(t *testing.T) {
	total, avail, err := parseMeminfo(fixture(t, "proc", "meminfo"))
	if err != nil || total != 16303412<<10 || avail != 9876540<<10 {
		t.Errorf("got %d, %d, %v", total, avail, err)
	}
	if _, _, err := parseMeminfo([]byte("MemFree: 12 kB\n")); !errors.Is(err, ErrBadProc) {
		t.Errorf("meminfo without MemTotal: %v", err)
	}
}

func TestParseLoadavgAndUptime(t *testing.T) {
	l, err := parseLoadavg(fixture(t, "proc", "loadavg"))
	if err != nil || l != [3]float64{0.52, 0.58, 0.59} {
		t.Errorf("load %v %v", l, err)
	}
	up, err := parseUptime(fixture(t, "proc", "uptime"))
	if err != nil || up != 93784 {
		t.Errorf("uptime %d %v", up, err)
	}
	for _, bad := range []string{"", "x y", "-3 1"} {
		if _, err := parseUptime([]byte(bad)); !errors.Is(err, ErrBadProc) {
			t.Errorf("uptime %q: %v", bad, err)
		}
	}
	if _, err := parseLoadavg([]byte("1 2")); !errors.Is(err, ErrBadProc) {
		t.Errorf("short loadavg: %v", err)
	}
}

func TestParseCPUInfoAndOSRelease(t *testing.T) {
	model, cores := parseCPUInfo(fixture(t, "proc", "cpuinfo"))
	if model != "Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz" || cores != 2 {
		t.Errorf("cpu %q × %d", model, cores)
	}
	if os := parseOSRelease(fixture(t, "etc", "os-release")); os != "Debian GNU/Linux 12 (bookworm)" {
		t.Errorf("os %q", os)
	}
	if os := parseOSRelease([]byte("NAME=Fedora\nVERSION='40 (Workstation)'\n")); os != "Fedora 40 (Workstation)" {
		t.Errorf("os without PRETTY_NAME: %q", os)
	}
}

// A process's name may hold spaces and parentheses: it runs to the last ")".
func TestParseStat(t *testing.T) {
	s, err := parseStat(fixture(t, "proc", "42", "stat"))
	if err != nil || s.PID != 42 || s.Name != "Web Content (1)" || s.Ticks != 325 || s.RSS != 51200 {
		t.Errorf("got %+v %v", s, err)
	}
	for _, bad := range []string{"", "42 (x", "x (y) S 1", "42 (x) S 1 2 3"} {
		if _, err := parseStat([]byte(bad)); !errors.Is(err, ErrBadProc) {
			t.Errorf("stat %q: %v", bad, err)
		}
	}
	if uid, err := parseStatusUID(fixture(t, "proc", "42", "status")); err != nil || uid != "1000" {
		t.Errorf("uid %q %v", uid, err)
	}
}

// Only disk file systems are listed, each mount point once, escapes undone.
func TestParseMounts(t *testing.T) {
	ms := parseMounts(fixture(t, "proc", "self", "mounts"))
	want := []mount{{"/dev/nvme0n1p2", "/", "ext4"}, {"/dev/nvme0n1p1", "/boot/efi", "vfat"}, {"/dev/sdb1", "/media/marie/My Disk", "exfat"}}
	if len(ms) != len(want) {
		t.Fatalf("got %+v", ms)
	}
	for i := range want {
		if ms[i] != want[i] {
			t.Errorf("mount %d: %+v, want %+v", i, ms[i], want[i])
		}
	}
}
