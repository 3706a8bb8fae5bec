package e2e

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e/wine"
)

var (
	windowsOnce sync.Once
	windowsErr  error
)

// WindowsAgent cross-builds the Windows agent as go tool task build does
// (agent/build/build-windows.sh: mingw, the cached libvpx, the resource
// object) into the directory the stack's signaling serves downloads from,
// once per test process, and returns its path.
func WindowsAgent(t testing.TB) string {
	t.Helper()
	bin := Binaries(t)
	out := filepath.Join(bin, "agents", "lifeline-agent-windows-amd64.exe")
	windowsOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			windowsErr = err
			return
		}
		cmd := exec.Command("sh", filepath.Join("agent", "build", "build-windows.sh"), out)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			windowsErr = err
			t.Logf("build-windows.sh:\n%s", b)
		}
	})
	if windowsErr != nil {
		t.Fatalf("build the Windows agent: %v", windowsErr)
	}
	return out
}

// windowsUA is a Windows browser's User-Agent.
const windowsUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

var downloadHref = regexp.MustCompile(`id="download" href="([^"]+)"`)

// WindowsCustomer opens the invitation as a Windows browser would, downloads
// the program the page offers (it must be the .exe, saved as
// lifeline-support.exe) and runs it under Wine in prefix on the stack's
// display, as a double-click would; then it opens the agent's local page
// in the customer's browser tab.
func (s *Stack) WindowsCustomer(t testing.TB, inv Invitation, prefix *wine.Prefix) *Customer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, inv.Link, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", windowsUA)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := downloadHref.FindSubmatch(page)
	if m == nil || !strings.HasSuffix(string(m[1]), "/windows") {
		t.Fatalf("the join page offers a Windows browser no Windows download:\n%s", page)
	}
	href := string(m[1])
	if !strings.HasPrefix(href, "http") {
		href = s.URL + href
	}
	exe := download(t, href, t.TempDir())
	if filepath.Base(exe) != "lifeline-support.exe" {
		t.Fatalf("the download is saved as %q, want lifeline-support.exe", filepath.Base(exe))
	}
	// Under Wine: the Windows program is the wine64 loader's process.
	s.AgentCommand = func(name string, args ...string) *exec.Cmd {
		return exec.Command(prefix.Wine(), append([]string{name}, args...)...)
	}
	// The stack's own entries (a fake xdg-open's PATH, say) win over the
	// prefix's copy of this process's environment.
	s.AgentEnv = append(prefix.Env(), s.AgentEnv...)
	ctx := s.tab(t)
	c := s.RunAgent(t, ctx, exe)
	return c
}

// SecureDesktop stands for a Windows security prompt under Wine
// (e2e/securedesktop): from now until leave is called, the Windows agent
// in prefix cannot open the desktop that receives input, as a user's
// program cannot open Winlogon's while the lock screen or a UAC prompt is
// up on Windows, and GDI still reads the screen. No Windows program may be
// started in prefix meanwhile (it could not open its desktop).
func SecureDesktop(t testing.TB, prefix *wine.Prefix, display string) (leave func()) {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "securedesktop.exe")
	build := exec.Command("go", "build", "-o", exe, "github.com/lifeline-support/lifeline/e2e/securedesktop")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build e2e/securedesktop for Windows: %v\n%s", err, out)
	}
	cmd := exec.Command(prefix.Wine(), exe)
	cmd.Env = append(prefix.Env(), "DISPLAY="+display)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 2)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- strings.TrimSpace(sc.Text())
		}
		close(lines)
	}()
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-lines:
			if got != want {
				t.Fatalf("securedesktop said %q, want %s; stderr:\n%s", got, want, stderr.String())
			}
		case <-time.After(Timeout):
			t.Fatalf("securedesktop did not say %s; stderr:\n%s", want, stderr.String())
		}
	}
	var once sync.Once
	leave = func() {
		once.Do(func() {
			stdin.Close()
			expect("ALLOWED")
			if err := cmd.Wait(); err != nil {
				t.Errorf("securedesktop: %v\n%s", err, stderr.String())
			}
		})
	}
	t.Cleanup(func() {
		once.Do(func() { stdin.Close(); _ = cmd.Wait() })
	})
	expect("DENIED")
	return leave
}
