package e2e

import (
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

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
