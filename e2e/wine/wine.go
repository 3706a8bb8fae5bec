// Package wine runs Windows programs under Wine for tests: each test gets a
// fresh prefix with the shim Debian's Wine 8 needs to run Go programs.
//
// Go ≥ 1.22 programs draw their randomness from ProcessPrng in
// bcryptprimitives.dll, which Wine 8 lacks ("fatal error:
// bcryptprimitives.dll not found"). The prefix gets a tiny DLL of our own
// that implements it with RtlGenRandom (advapi32's SystemFunction036). It is
// test-only: nothing here is ever shipped.
package wine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// BootTimeout bounds the creation of a prefix (wineboot), which takes tens of
// seconds on a busy 2-core machine.
const BootTimeout = 3 * time.Minute

// prngSource is the bcryptprimitives.dll shim: ProcessPrng over RtlGenRandom,
// which takes at most a ULONG at a time.
const prngSource = `#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
`

// Prefix is one Wine prefix: a fake C: drive and registry of its own, with
// its own wineserver.
type Prefix struct {
	// Dir is the prefix (WINEPREFIX).
	Dir    string
	wine   string
	server string // wineserver
	env    []string
	logs   *lockedBuffer
}

// Command returns the command that runs the Windows program exe with args in
// the prefix. Add DISPLAY to its Env for a program that uses the screen.
func (p *Prefix) Command(ctx context.Context, exe string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, p.wine, append([]string{exe}, args...)...)
	cmd.Env = append([]string(nil), p.env...)
	return cmd
}

// Env is the environment Wine needs to run programs in this prefix
// (WINEPREFIX and friends), without DISPLAY.
func (p *Prefix) Env() []string { return append([]string(nil), p.env...) }

// Wine is the path of the wine64 loader: run a Windows program as
// Wine() exe args..., with Env().
func (p *Prefix) Wine() string { return p.wine }

// NewPrefix creates a fresh prefix for the test, installs the ProcessPrng
// shim into its system32 and stops its wineserver when the test ends. It
// skips the test when Wine or mingw is missing.
func NewPrefix(t testing.TB) *Prefix {
	t.Helper()
	wine, server, gcc, err := tools()
	if err != nil {
		t.Skip(err)
	}
	p := &Prefix{Dir: t.TempDir(), wine: wine, server: server, logs: &lockedBuffer{}}
	// No DISPLAY: wineboot runs headless. WINEDLLOVERRIDES keeps it from
	// offering to install Mono and Gecko.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") {
			p.env = append(p.env, kv)
		}
	}
	p.env = append(p.env, "WINEPREFIX="+p.Dir, "WINEARCH=win64", "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=")
	t.Cleanup(func() {
		// wineserver -k ends every Wine process of this prefix and
		// returns once they are gone.
		p.stop()
		if t.Failed() {
			t.Logf("wine logs:\n%s", p.logs.String())
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), BootTimeout)
	defer cancel()
	boot := exec.CommandContext(ctx, wine, "wineboot", "--init")
	boot.Env = p.env
	boot.Stdout, boot.Stderr = p.logs, p.logs
	if err := boot.Run(); err != nil {
		t.Fatalf("wineboot: %v\n%s", err, p.logs.String())
	}
	// Debian's Wine 8 makes prefixes that say they are Windows 7; the agent
	// needs 10 (tests of older versions set theirs with SetVersion).
	p.SetVersion(t, "win10")
	system32 := filepath.Join(p.Dir, "drive_c", "windows", "system32")
	if _, err := os.Stat(system32); err != nil {
		t.Fatalf("wineboot made no system32: %v\n%s", err, p.logs.String())
	}
	src := filepath.Join(t.TempDir(), "prng.c")
	if err := os.WriteFile(src, []byte(prngSource), 0o644); err != nil {
		t.Fatal(err)
	}
	// Go loads bcryptprimitives.dll from system32 only, not from beside the
	// program.
	out, err := exec.Command(gcc, "-shared", "-O2", "-o", filepath.Join(system32, "bcryptprimitives.dll"), src, "-ladvapi32").CombinedOutput()
	if err != nil {
		t.Fatalf("build the ProcessPrng shim: %v\n%s", err, out)
	}
	return p
}

// stop ends every Wine process of the prefix (wineserver -k returns once
// they are gone).
func (p *Prefix) stop() {
	kill := exec.Command(p.server, "-k")
	kill.Env = p.env
	_ = kill.Run()
}

// UseXinerama makes Wine list the monitors from the X display's Xinerama
// heads instead of RandR (Xvfb offers RandR with one output only; see
// xvfb.StartXinerama), and ends the prefix's programs so that the next one
// starts with it.
func (p *Prefix) UseXinerama(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), BootTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.wine, "reg", "add", `HKCU\Software\Wine\X11 Driver`, "/v", "UseXRandR", "/t", "REG_SZ", "/d", "N", "/f")
	cmd.Env = p.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("reg add UseXRandR: %v\n%s", err, out)
	}
	p.stop()
}

// SetVersion sets the Windows version the prefix reports (winecfg -v:
// "win10", "win7", ...).
func (p *Prefix) SetVersion(t testing.TB, version string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), BootTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.wine, "winecfg", "-v", version)
	cmd.Env = p.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("winecfg -v %s: %v\n%s", version, err, out)
	}
}

// tools finds the wine64 loader, its wineserver and the mingw C compiler.
// Debian's wine64 package puts the first two in /usr/lib/wine, off PATH.
func tools() (wine, server, gcc string, err error) {
	find := func(name string) string {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		if p := filepath.Join("/usr/lib/wine", name); isExecutable(p) {
			return p
		}
		return ""
	}
	wine, server = find("wine64"), find("wineserver")
	gcc, _ = exec.LookPath("x86_64-w64-mingw32-gcc")
	if wine == "" || server == "" || gcc == "" {
		return "", "", "", fmt.Errorf("%w (wine64 %q, wineserver %q, mingw gcc %q)", ErrNotInstalled, wine, server, gcc)
	}
	return wine, server, gcc, nil
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
