package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"

	"github.com/lifeline-support/lifeline/agent/indicator"
)

// Customer is a customer who opened an invitation and runs the agent.
type Customer struct {
	s       *Stack
	ctx     context.Context // the customer's local consent page
	cmd     *exec.Cmd
	bin     string // the agent program, to run it again
	Started time.Time
	out     *lockedBuffer
	errs    *lockedBuffer
	exited  chan struct{}
	exitErr error
}

// Customer opens the invitation link, downloads the agent the page offers, runs
// it on the customer's desktop and opens its local page.
func (s *Stack) Customer(t testing.TB, inv Invitation) *Customer {
	t.Helper()
	ctx := s.tab(t)
	run(t, ctx, "open the invitation", chromedp.Navigate(inv.Link))
	return s.download(t, ctx)
}

// CustomerWithPIN goes to the join page, types the PIN, then downloads and runs
// the agent the page offers.
func (s *Stack) CustomerWithPIN(t testing.TB, pin string) *Customer {
	t.Helper()
	ctx := s.tab(t)
	run(t, ctx, "type the PIN",
		chromedp.Navigate(s.URL+"/join"),
		chromedp.WaitVisible(chromedp.ID("pin")),
		chromedp.SendKeys(chromedp.ID("pin"), pin),
		click("pin-submit"),
	)
	return s.download(t, ctx)
}

// download takes the download the join page offers and runs it.
func (s *Stack) download(t testing.TB, ctx context.Context) *Customer {
	t.Helper()
	run(t, ctx, "see the download", chromedp.WaitVisible(chromedp.ID("download")))
	href := get(t, ctx, "read the download link", chromedp.AttributeValue(chromedp.ID("download"), "href")).Value
	if !strings.Contains(href, "/linux") {
		t.Fatalf("download link %q", href)
	}
	if !strings.HasPrefix(href, "http") {
		href = s.URL + href
	}
	bin := downloadWith(t, s.client, href, t.TempDir())
	return s.RunAgent(t, ctx, bin)
}

// RunAgent starts an agent binary, as a double-click would (no terminal, no
// arguments but --no-browser: the test opens the page itself), and opens its page.
func (s *Stack) RunAgent(t testing.TB, ctx context.Context, bin string, args ...string) *Customer {
	t.Helper()
	c := &Customer{s: s, ctx: ctx, bin: bin, out: &lockedBuffer{}, errs: &lockedBuffer{}, exited: make(chan struct{})}
	command := exec.Command
	if s.AgentCommand != nil {
		command = s.AgentCommand
	}
	c.cmd = command(bin, append(append([]string{"--no-browser", "-v"}, s.AgentArgs...), args...)...)
	c.cmd.Env = append(append(os.Environ(), "DISPLAY="+s.Display, "LANG=en_US.UTF-8"), s.AgentEnv...)
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.errs
	// A group of its own: the agent is a supervisor and a worker (and the
	// worker may run xclip), and cleanup must leave none of them behind.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Started = time.Now()
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.exitErr = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			<-c.exited
		}
		if t.Failed() {
			t.Logf("agent stdout:\n%s\nagent stderr:\n%s", c.out.String(), c.errs.String())
		}
	})
	return c
}

// RunAgain runs the customer's downloaded program again, as a customer does
// after it stopped, from the same browser tab.
func (c *Customer) RunAgain(t testing.TB) *Customer {
	t.Helper()
	return c.s.RunAgent(t, c.ctx, c.bin)
}

var pageURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/[A-Za-z0-9_-]+/`)

// Pid is the agent's process id.
func (c *Customer) Pid() int { return c.cmd.Process.Pid }

// WorkerPid is the process that runs the session: the agent's worker when it
// runs under a supervisor, else the agent itself.
func (c *Customer) WorkerPid(t testing.TB) int {
	t.Helper()
	pid := c.Pid()
	if child, ok := childOf(t, pid); ok {
		return child
	}
	if w, ok := sameProgram(t, pid); ok {
		return w
	}
	return pid
}

// sameProgram finds the worker of a supervisor that has no child process:
// under Wine the worker is started by Wine's own processes, not forked by
// the supervisor's, and its command line names the same program by its
// Windows path (Z:\tmp\...\lifeline-support.exe).
func sameProgram(t testing.TB, pid int) (int, bool) {
	t.Helper()
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatalf("the agent's command line: %v", err)
	}
	exe, _, _ := bytes.Cut(cmdline, []byte{0})
	windows := []byte("Z:" + strings.ReplaceAll(string(exe), "/", `\`))
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		other, err := strconv.Atoi(filepath.Base(d))
		if err != nil || other == pid {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if arg0, _, _ := bytes.Cut(b, []byte{0}); err == nil && bytes.Equal(arg0, windows) {
			return other, true
		}
	}
	return 0, false
}

// childOf returns a child process of pid, if it has one. Each thread lists
// the children it forked (/proc/PID/task/TID/children), and a Go program
// forks from whichever thread runs the goroutine: every thread is read, not
// only the main one.
func childOf(t testing.TB, pid int) (int, bool) {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	if err != nil || len(tasks) == 0 {
		t.Fatalf("the threads of process %d: %v", pid, err)
	}
	for _, task := range tasks {
		b, err := os.ReadFile(task)
		if err != nil {
			continue // the thread ended meanwhile
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			child, err := strconv.Atoi(f[0])
			if err != nil {
				t.Fatal(err)
			}
			return child, true
		}
	}
	return 0, false
}

// OpenPage opens the agent's local page once the agent prints its address.
func (c *Customer) OpenPage(t testing.TB) {
	t.Helper()
	var u string
	waitFor(t, "the agent's page address", func() bool {
		u = pageURL.FindString(c.out.String())
		return u != ""
	})
	if c.s.PageURL != nil {
		u = c.s.PageURL(t, u)
	}
	run(t, c.ctx, "open the agent's page", chromedp.Navigate(u))
}

// WaitAsked waits until the page asks something and returns the question.
func (c *Customer) WaitAsked(t testing.TB) string {
	t.Helper()
	run(t, c.ctx, "wait for a question", chromedp.WaitVisible(chromedp.ID("allow")))
	return get(t, c.ctx, "read the question", chromedp.Text(chromedp.ID("ask-text")))
}

// Allow answers the question on screen with Allow.
func (c *Customer) Allow(t testing.TB) {
	t.Helper()
	c.WaitAsked(t)
	run(t, c.ctx, "allow", click("allow"), chromedp.WaitNotVisible(chromedp.ID("allow")))
}

// ProxyLogin types the proxy's user name and password into the form the
// customer's page shows when the office proxy asks for them, and sends it.
func (c *Customer) ProxyLogin(t testing.TB, user, password string) {
	t.Helper()
	run(t, c.ctx, "see the proxy's login form",
		chromedp.WaitVisible(chromedp.ID("proxy-user")),
		chromedp.WaitEnabled(chromedp.ID("proxy-send")))
	get(t, c.ctx, "clear the user name", chromedp.Evaluate[string](`document.getElementById("proxy-user").value = ""`))
	run(t, c.ctx, "type the proxy's login",
		chromedp.SendKeys(chromedp.ID("proxy-user"), user),
		chromedp.SendKeys(chromedp.ID("proxy-pass"), password),
		click("proxy-send"),
	)
}

// PageText returns the visible text of the customer's page.
func (c *Customer) PageText(t testing.TB) string {
	t.Helper()
	return get(t, c.ctx, "read the page", chromedp.Text(chromedp.CSS("body")))
}

// StopControl clicks Stop control.
func (c *Customer) StopControl(t testing.TB) {
	t.Helper()
	run(t, c.ctx, "stop control", click("stop"))
}

// End clicks End session on the customer's page.
func (c *Customer) End(t testing.TB) {
	t.Helper()
	run(t, c.ctx, "end the session", click("end"))
}

// WaitEnded waits until the customer's page says the session is over.
func (c *Customer) WaitEnded(t testing.TB) string {
	t.Helper()
	run(t, c.ctx, "see the end", chromedp.WaitVisible(chromedp.ID("ended")))
	return get(t, c.ctx, "read the end", chromedp.Text(chromedp.ID("ended")))
}

// Close closes the agent as a customer closing its window would (SIGHUP).
func (c *Customer) Close(t testing.TB) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
}

// WaitLog waits until the agent's log contains text.
func (c *Customer) WaitLog(t testing.TB, text string) {
	t.Helper()
	waitFor(t, "agent log "+text, func() bool { return strings.Contains(c.errs.String(), text) })
}

// WaitExit waits for the agent to exit and returns its exit code and output.
func (c *Customer) WaitExit(t testing.TB) (code int, stdout, stderr string) {
	t.Helper()
	select {
	case <-c.exited:
	case <-time.After(Timeout):
		t.Fatal("the agent did not exit")
	}
	return c.cmd.ProcessState.ExitCode(), c.out.String(), c.errs.String()
}

// ClickScreen clicks the left button at (x, y) on the customer's desktop, as
// the customer's own mouse would (XTEST), not through the technician.
func (c *Customer) ClickScreen(t testing.TB, x, y int) {
	t.Helper()
	conn, err := xgb.NewConnDisplay(c.s.Display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := xtest.Init(conn); err != nil {
		t.Fatalf("XTEST: %v", err)
	}
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	xtest.FakeInput(conn, xproto.MotionNotify, 0, 0, root, int16(x), int16(y), 0)
	xtest.FakeInput(conn, xproto.ButtonPress, 1, 0, root, 0, 0, 0)
	if err := xtest.FakeInputChecked(conn, xproto.ButtonRelease, 1, 0, root, 0, 0, 0).Check(); err != nil {
		t.Fatal(err)
	}
}

// ClickBadge clicks the text of the on-screen badge (on top of everything,
// in the bottom right corner unless dragged), as the customer's own mouse
// would.
func (c *Customer) ClickBadge(t testing.TB) {
	t.Helper()
	badge := c.badge(t)
	c.ClickScreen(t, badge.Min.X+6, badge.Min.Y+badge.Dy()/2)
}

// badge is where the on-screen badge is: the top window, BadgeHeight high.
func (c *Customer) badge(t testing.TB) image.Rectangle {
	t.Helper()
	var badge image.Rectangle
	waitFor(t, "the badge on the screen", func() bool {
		badge = c.s.TopWindow(t)
		return badge.Dy() == indicator.BadgeHeight
	})
	return badge
}

// DragBadge drags the on-screen badge by (dx, dy) with the customer's own
// mouse (XTEST) and returns where it is then.
func (c *Customer) DragBadge(t testing.TB, dx, dy int) image.Rectangle {
	t.Helper()
	from := c.badge(t)
	conn, err := xgb.NewConnDisplay(c.s.Display)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := xtest.Init(conn); err != nil {
		t.Fatalf("XTEST: %v", err)
	}
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	px, py := from.Min.X+6, from.Min.Y+from.Dy()/2
	xtest.FakeInput(conn, xproto.MotionNotify, 0, 0, root, int16(px), int16(py), 0)
	xtest.FakeInput(conn, xproto.ButtonPress, 1, 0, root, 0, 0, 0)
	for i := 1; i <= 10; i++ {
		xtest.FakeInput(conn, xproto.MotionNotify, 0, 0, root, int16(px+dx*i/10), int16(py+dy*i/10), 0)
	}
	if err := xtest.FakeInputChecked(conn, xproto.ButtonRelease, 1, 0, root, 0, 0, 0).Check(); err != nil {
		t.Fatal(err)
	}
	want := from.Add(image.Pt(dx, dy))
	var now image.Rectangle
	for deadline := time.Now().Add(Timeout); now != want; time.Sleep(20 * time.Millisecond) {
		if now = c.s.TopWindow(t); time.Now().After(deadline) {
			t.Fatalf("the badge dragged from %v to %v is at %v", from, want, now)
		}
	}
	return now
}
