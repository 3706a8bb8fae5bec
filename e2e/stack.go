package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"image"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

// Screen size of the customer's Xvfb desktop.
const (
	ScreenW = 1280
	ScreenH = 720
)

// Timeout bounds every wait in these tests: a hang guard, not a speed check.
const Timeout = 30 * time.Second

// AdminPassword is the technician's password in the test stack.
const AdminPassword = "e2e-password-1"

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// Binaries builds signaling and the agent once per test process and returns the
// directory holding signaling and agents/lifeline-agent-linux-amd64.
func Binaries(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "lifeline-e2e-bin")
		if buildErr != nil {
			return
		}
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		// The agent is built as customers download it (agent/build/build.sh,
		// the same script as go tool task build), so every e2e test runs
		// the portable binary TestLinuxAgentIsPortable checks.
		for _, b := range []struct {
			pkg  string
			args []string
		}{
			{"./signaling", []string{"go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(binDir, "signaling"), "./signaling"}},
			{"./agent", []string{"sh", filepath.Join("agent", "build", "build.sh"), filepath.Join(binDir, "agents", "lifeline-agent-linux-amd64")}},
		} {
			cmd := exec.Command(b.args[0], b.args[1:]...)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("build %s: %v\n%s", b.pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

// Stack is one running Lifeline: a customer desktop, a signaling server and a
// browser for the technician and the customer.
type Stack struct {
	URL     string
	Display string
	bin     string
	browser context.Context
	firefox *firefox // started by the first TechnicianIn(Firefox)
	logs    *lockedBuffer
	client  *http.Client // downloads: trusts Options.TestCA
	// AgentEnv is added to the environment of the agents RunAgent starts
	// (PATH with a fake xdg-open, for example); later entries win.
	AgentEnv []string
	// AgentArgs are added to the command line of the agents RunAgent starts
	// (e.g. --server to reach one node directly).
	AgentArgs []string
	// AgentCommand, if set, builds the agent's command instead of exec.Command
	// (to run it in a network namespace, for example).
	AgentCommand func(name string, args ...string) *exec.Cmd
	// PageURL, if set, turns the address of the agent's local page into one
	// the browser can reach.
	PageURL func(t testing.TB, u string) string

	sigArgs []string // the signaling command line (the data directory stays)
	sigStop func()   // stops the running signaling process and waits for it
	sigKill func()   // kills it at once
	sigPid  int      // the running signaling process
}

// Signaling is one running signaling process.
type Signaling struct {
	// URL is the public URL it announced.
	URL  string
	Logs *lockedBuffer
	cmd  *exec.Cmd
	done chan struct{}
}

// testPeers are the addresses the stack's peers have on this machine
// (loopback, and the TEST-NET veth pairs of the NAT tests): the embedded TURN
// server may relay to them, private or its own as they are.
const testPeers = "127.0.0.0/8,198.51.100.0/24,203.0.113.0/24"

// StartSignaling starts a signaling process with the stack's defaults (fresh
// data, embedded NATS, TURN on a free port) changed by args, and stops it
// when the test ends.
func (s *Stack) StartSignaling(t testing.TB, args ...string) *Signaling {
	t.Helper()
	g := &Signaling{Logs: &lockedBuffer{}, done: make(chan struct{})}
	args = append([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--agent-dir", filepath.Join(s.bin, "agents"), "--org", "Acme IT",
		"--turn-listen", "127.0.0.1:0", "--turn-allow-peer", testPeers, "--insecure-http"}, args...)
	g.cmd = exec.Command(filepath.Join(s.bin, "signaling"), args...)
	g.cmd.Env = append(os.Environ(), "LIFELINE_ADMIN_PASSWORD="+AdminPassword)
	g.cmd.Stderr = g.Logs
	out, _ := g.cmd.StdoutPipe()
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Lifeline is listening on "); ok {
				urlc <- u
			}
		}
		_ = g.cmd.Wait()
		close(g.done)
	}()
	t.Cleanup(func() {
		_ = g.cmd.Process.Signal(os.Interrupt)
		select {
		case <-g.done:
		case <-time.After(10 * time.Second):
			_ = g.cmd.Process.Kill()
			<-g.done
		}
		if t.Failed() {
			t.Logf("signaling %s log:\n%s", g.URL, g.Logs.String())
		}
	})
	select {
	case g.URL = <-urlc:
	case <-g.done:
		t.Fatalf("signaling exited:\n%s", g.Logs.String())
	case <-time.After(Timeout):
		t.Fatalf("signaling did not start:\n%s", g.Logs.String())
	}
	return g
}

// Kill ends the process at once, as a crashed machine would.
func (g *Signaling) Kill(t testing.TB) {
	t.Helper()
	_ = g.cmd.Process.Kill()
	<-g.done
}

// Options change how Start runs the stack.
type Options struct {
	// SignalingArgs are added to the signaling command line; later flags win
	// (e.g. "--addr", "10.1.2.3:0" or TURN settings).
	SignalingArgs []string
	// Width and Height are the customer desktop's size; 0 means ScreenW×ScreenH.
	// Helpers that take screen coordinates assume ScreenW×ScreenH.
	Width, Height int
	// ExtraScreens are more X screens on the customer's display, of these
	// sizes, after the first ScreenW×ScreenH one (":N.1", ":N.2"...).
	ExtraScreens []image.Point
	// TestCA, if set, is the authority of the server's certificate
	// (NewTestCert): the browser and the test's downloads accept it (the
	// agent must be given it itself, SSL_CERT_FILE in AgentEnv).
	TestCA string
	// FakeMedia gives Chromium fake capture devices, granted without asking:
	// a screen for getDisplayMedia, a camera, and a microphone playing a beep.
	FakeMedia bool
	// FakeCamera, if set, is a Y4M video that Chromium's fake camera plays
	// (WritePattern); it implies FakeMedia.
	FakeCamera string
}

// Start brings up Xvfb, the signaling server (embedded NATS, fresh data) and Chromium.
func Start(t testing.TB) *Stack {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith is Start with options.
func StartWith(t testing.TB, o Options) *Stack {
	t.Helper()
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium is not installed (go tool task deps installs it)")
	}
	s := &Stack{bin: Binaries(t), logs: &lockedBuffer{}, client: http.DefaultClient}
	if o.TestCA != "" {
		s.client = caClient(t, o.TestCA)
	}
	w, h := o.Width, o.Height
	if w == 0 || h == 0 {
		w, h = ScreenW, ScreenH
	}
	s.Display = xvfb.StartScreens(t, append([]image.Point{image.Pt(w, h)}, o.ExtraScreens...)...)

	s.sigArgs = append([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--agent-dir", filepath.Join(s.bin, "agents"), "--org", "Acme IT",
		"--turn-listen", "127.0.0.1:0", "--turn-allow-peer", testPeers, "--insecure-http"}, o.SignalingArgs...)
	s.URL = s.startSignaling(t, s.sigArgs)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath()),
		chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 800),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		// Host candidates as plain addresses: this sandbox has no multicast DNS.
		chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns"),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		// The console needs a secure context (WebCrypto: the technician's
		// key, console-web/static/identity.js). Deployments serve it over
		// HTTPS or on loopback; tests behind a namespace use plain HTTP on
		// a TEST-NET address, which the browser is told to treat as secure.
		chromedp.Flag("unsafely-treat-insecure-origin-as-secure", s.URL),
	)
	if o.FakeMedia || o.FakeCamera != "" {
		opts = append(opts,
			chromedp.Flag("use-fake-ui-for-media-stream", true),
			chromedp.Flag("use-fake-device-for-media-stream", true),
			chromedp.Flag("auto-select-desktop-capture-source", "Entire screen"))
	}
	if o.FakeCamera != "" {
		opts = append(opts, chromedp.Flag("use-file-for-fake-video-capture", o.FakeCamera))
	}
	if o.TestCA != "" {
		// The test's own authority is not in Chromium's store.
		opts = append(opts, chromedp.Flag("ignore-certificate-errors", true))
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { bcancel(); acancel() })
	s.browser = bctx
	return s
}

// startSignaling runs the signaling binary with args and returns its URL.
func (s *Stack) startSignaling(t testing.TB, args []string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(s.bin, "signaling"), args...)
	cmd.Env = append(os.Environ(), "LIFELINE_ADMIN_PASSWORD="+AdminPassword)
	cmd.Stderr = s.logs
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	s.sigPid = cmd.Process.Pid
	s.sigKill = func() { _ = cmd.Process.Kill() }
	s.sigStop = func() {
		once.Do(func() {
			// SIGTERM, as a service manager restarting it would.
			_ = cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(Timeout):
				_ = cmd.Process.Kill()
				<-done
			}
		})
	}
	stop := s.sigStop
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("signaling log:\n%s", s.logs.String())
		}
	})
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Lifeline is listening on "); ok {
				urlc <- u
			}
		}
	}()
	select {
	case u := <-urlc:
		return u
	case <-time.After(Timeout):
		t.Fatalf("signaling did not start:\n%s", s.logs.String())
	}
	return ""
}

// SignalingPid is the process id of the stack's running signaling server
// (a new one after RestartSignaling), to read its memory from /proc.
func (s *Stack) SignalingPid() int { return s.sigPid }

// KillSignaling kills the stack's signaling process at once, as a crashed
// machine would.
func (s *Stack) KillSignaling(t testing.TB) {
	t.Helper()
	s.sigKill()
	s.sigStop()
}

// RestartSignaling stops the signaling process (SIGTERM), runs whileDown, and
// starts it again on the same address with the same data, as an upgrade or a
// crash-and-restart would. Sessions live in JetStream; the browser and the
// agents reconnect by themselves.
func (s *Stack) RestartSignaling(t testing.TB, whileDown func()) {
	t.Helper()
	s.sigStop()
	if whileDown != nil {
		whileDown()
	}
	args := append(append([]string{}, s.sigArgs...), "--addr", strings.TrimPrefix(s.URL, "http://"))
	if u := s.startSignaling(t, args); u != s.URL {
		t.Fatalf("signaling came back on %s, not %s", u, s.URL)
	}
}

func chromiumPath() string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "chromium"
}

// tab opens a new browser tab.
func (s *Stack) tab(t testing.TB, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser, opts...)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	// Every page records the Content-Security-Policy violations it sees, for
	// CSPViolations.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch + problemWatch}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

const cspWatch = `window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber));`

// problemWatch records what a page reports as going wrong (console.warn,
// console.error, uncaught errors and rejections) for PageProblems.
const problemWatch = `
window.__problems = [];
for (const level of ["warn", "error"]) {
  const log = console[level].bind(console);
  console[level] = (...args) => { window.__problems.push(level + ": " + args.map(String).join(" ")); log(...args); };
}
window.addEventListener("error", (e) => window.__problems.push("uncaught: " + e.message));
window.addEventListener("unhandledrejection", (e) => window.__problems.push("unhandled rejection: " + e.reason));`

// PageProblems returns the warnings and errors the console's page has
// reported since it loaded (see problemWatch).
func (tc *Technician) PageProblems(t testing.TB) []string {
	t.Helper()
	return evalJS[[]string](t, tc.p, "read the page's problems", `window.__problems ?? ["no problem watch on this page"]`)
}

// cspViolations returns the violations the page in ctx has seen since it loaded.
func cspViolations(t testing.TB, ctx context.Context) []string {
	t.Helper()
	return get(t, ctx, "read CSP violations", chromedp.Evaluate[[]string](`window.__csp || []`))
}

// click clicks the element with id once it is visible and has held its
// place for 100 ms. Pages grow as news arrives (a chat line above the
// customer's files panel moves its Accept button down), and a click aimed at
// where a button was lands beside it; Playwright waits for the same
// ("stable") before it clicks.
func click(id string) chromedp.Action[chromedp.Void] {
	return clickSteady("#" + id)
}

// clickSteady is click for a CSS selector.
func clickSteady(css string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		var v chromedp.Void
		if _, err := chromedp.WaitVisible(chromedp.CSS(css))(ctx, t); err != nil {
			return v, err
		}
		if _, err := chromedp.Evaluate[bool](fmt.Sprintf(steadyJS, strconv.Quote(css)), chromedp.EvalAwaitPromise)(ctx, t); err != nil {
			return v, fmt.Errorf("waiting for %s to hold still: %w", css, err)
		}
		return chromedp.Click(chromedp.CSS(css))(ctx, t)
	}
}

// steadyJS resolves once the element's box is the same in three looks 50 ms
// apart (or after 5 s: a box that keeps moving gets the click anyway).
const steadyJS = `(async (sel) => {
  let last = "", same = 0;
  for (let i = 0; i < 100 && same < 2; i++) {
    const e = document.querySelector(sel);
    const r = e ? e.getBoundingClientRect() : null;
    const k = r ? [r.x, r.y, r.width, r.height].join() : "";
    same = k && k === last ? same + 1 : 0;
    last = k;
    await new Promise((res) => setTimeout(res, 50));
  }
  return true;
})(%s)`

// run runs chromedp steps with the hang guard, failing the test with what.
func run(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := ctxErr(ctx); err != nil {
		t.Fatalf("%s: %v", what, err) // errChromiumOnly, for a technician in Firefox
	}
	tctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one chromedp action that returns a value, with the hang guard.
func get[T any](t testing.TB, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	if err := ctxErr(ctx); err != nil {
		t.Fatalf("%s: %v", what, err) // errChromiumOnly, for a technician in Firefox
	}
	tctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// caClient is an HTTP client that trusts the authority in caFile.
func caClient(t testing.TB, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", caFile)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
}

// download fetches url into a new executable file in dir.
func download(t testing.TB, url, dir string) string {
	t.Helper()
	return downloadWith(t, http.DefaultClient, url, dir)
}

// downloadWith is download with client.
func downloadWith(t testing.TB, client *http.Client, url, dir string) string {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download %s: %s", url, resp.Status)
	}
	_, params, _ := strings.Cut(resp.Header.Get("Content-Disposition"), "filename=")
	name := strings.Trim(params, `"`)
	if name == "" || strings.ContainsAny(name, `/\`) {
		t.Fatalf("download %s: bad file name %q", url, name)
	}
	p := filepath.Join(dir, name)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// lockedBuffer collects a process's output for waiting and for failure logs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WaitFor polls cond until it holds or the hang guard (Timeout) fails t.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitFor(t, what, cond)
}

// waitFor polls cond until it holds or the hang guard ends the test.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// shot saves a screenshot of a tab as name.png in $LIFELINE_E2E_SHOTS, when set,
// so a person can look at what the test saw.
func shot(t testing.TB, ctx context.Context, name string) {
	dir := os.Getenv("LIFELINE_E2E_SHOTS")
	if dir == "" {
		return
	}
	tctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	png, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

// Shot saves a screenshot of the console (see shot).
func (tc *Technician) Shot(t testing.TB, name string) { savePNG(t, tc.p, name) }

// Shot saves a screenshot of the customer's page (see shot).
func (c *Customer) Shot(t testing.TB, name string) { shot(t, c.ctx, name) }

// ctxErr is why ctx can no longer run browser steps (errChromiumOnly for a
// technician in Firefox), or nil.
func ctxErr(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return context.Cause(ctx)
}
