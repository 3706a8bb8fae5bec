package e2e

import (
	"debug/elf"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The libraries every X11 desktop has: the Linux agent offered for download
// may need these from the customer's machine and nothing else (libvpx and
// the rest are linked in).
var desktopLibraries = map[string]bool{
	"libc.so.6":       true,
	"libm.so.6":       true,
	"libpthread.so.0": true,
	"libdl.so.2":      true,
	"libX11.so.6":     true,
	"libXext.so.6":    true,
	"libXtst.so.6":    true,
	"libxcb.so.1":     true,
	"libXau.so.6":     true,
	"libXdmcp.so.6":   true,
}

// maxGlibc is the newest glibc symbol version the agent may use: Debian 11
// and Ubuntu 20.04 ship glibc 2.31.
const maxGlibc = "GLIBC_2.31"

// The agent that customers download (the very binary these e2e tests run)
// starts on any Linux X11 desktop: it needs only the desktop's own libraries
// and no glibc symbol newer than 2.31. It used to need libvpx.so.7 (Debian 12
// and Ubuntu 22.04 only) and glibc 2.34.
func TestLinuxAgentIsPortable(t *testing.T) {
	path := filepath.Join(Binaries(t), "agents", "lifeline-agent-linux-amd64")
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		t.Fatalf("agent is for %v, want x86-64", f.Machine)
	}
	interp := false
	for _, p := range f.Progs {
		interp = interp || p.Type == elf.PT_INTERP
	}
	if !interp {
		t.Log("agent is statically linked")
		return
	}

	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	for _, lib := range libs {
		if !desktopLibraries[lib] {
			t.Errorf("agent needs %s, which a stock X11 desktop may lack: link it in", lib)
		}
	}

	// The loader refuses a binary whose version needs name a glibc it
	// lacks, even if no symbol uses that version: check both.
	needs, err := f.DynamicVersionNeeds()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range needs {
		for _, d := range n.Needs {
			if newerGlibc(d.Dep) {
				t.Errorf("agent needs %s from %s; the newest allowed is %s", d.Dep, n.Name, maxGlibc)
			}
		}
	}
	syms, err := f.ImportedSymbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if newerGlibc(s.Version) {
			t.Errorf("agent uses %s@%s (%s); the newest allowed is %s", s.Name, s.Version, s.Library, maxGlibc)
		}
	}
}

// newerGlibc reports whether version is a glibc symbol version newer than
// maxGlibc: "GLIBC_2.34" is, "GLIBC_2.2.5" is not. GLIBC_PRIVATE counts
// as newer: it is glibc's internal interface and changes with every release.
func newerGlibc(version string) bool {
	if version == "GLIBC_PRIVATE" {
		return true
	}
	v, ok := strings.CutPrefix(version, "GLIBC_")
	if !ok {
		return false
	}
	return compareVersions(v, strings.TrimPrefix(maxGlibc, "GLIBC_")) > 0
}

// compareVersions compares dotted numeric versions: -1, 0 or +1.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
