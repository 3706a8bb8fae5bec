// Package xvfb starts a private Xvfb X server for tests and demos that need a real X11 display.
package xvfb

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// StartTimeout bounds how long Launch waits for Xvfb to accept connections.
const StartTimeout = 20 * time.Second

// stopTimeout bounds how long Close waits for Xvfb to exit after SIGTERM
// before it sends SIGKILL.
const stopTimeout = 5 * time.Second

// Server is one running Xvfb. Close stops it.
type Server struct {
	display string
	pid     int
	stop    func()
	once    sync.Once
}

// Display returns the display name (":N"), ready for DISPLAY.
func (s *Server) Display() string { return s.display }

// Pid returns the process id of the Xvfb process.
func (s *Server) Pid() int { return s.pid }

// Close stops Xvfb with SIGTERM (SIGKILL after 5 s), which removes its
// socket, and waits for it to exit. It is safe to call more than once.
func (s *Server) Close() error {
	s.once.Do(s.stop)
	return nil
}

// Launch starts Xvfb with one width×height×24 screen on a free display number.
// It returns ErrNotInstalled when there is no Xvfb on PATH. The caller sets
// DISPLAY to Display() and calls Close when done.
//
// N is drawn at random from :100–:999, skipping numbers whose lock file
// /tmp/.X<N>-lock exists (left by X servers started without -displayfd). If
// another server holds N, Xvfb fails to bind its socket and exits, and Launch
// tries another number, so parallel processes do not collide. Xvfb reports N on -displayfd once it
// listens, and Launch then checks that the display completes an X11
// connection handshake on /tmp/.X11-unix/X<N>. Xvfb runs in its own process
// group with -nolisten tcp and -noreset (it keeps its state when the last
// client disconnects).
func Launch(width, height int) (*Server, error) {
	return LaunchScreens(image.Pt(width, height))
}

// LaunchScreens is Launch with one X screen of each size (":N.0", ":N.1"...),
// as on a computer with one X screen per monitor.
func LaunchScreens(sizes ...image.Point) (*Server, error) { return launch(sizes, nil) }

// LaunchXinerama is LaunchScreens with the screens joined by Xinerama
// (+xinerama): clients see one screen whose heads are the monitors. Xvfb
// places every head at 0,0.
func LaunchXinerama(sizes ...image.Point) (*Server, error) {
	return launch(sizes, []string{"+xinerama"})
}

func launch(sizes []image.Point, extra []string) (*Server, error) {
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		return nil, ErrNotInstalled
	}
	if len(sizes) == 0 {
		return nil, fmt.Errorf("xvfb: no screen")
	}
	for _, sz := range sizes {
		if sz.X <= 0 || sz.Y <= 0 {
			return nil, fmt.Errorf("xvfb: bad screen size %dx%d", sz.X, sz.Y)
		}
	}
	var lastErr error
	for range maxAttempts {
		n := firstDisplay + rand.IntN(numDisplays)
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue // taken (or stale: Xvfb would check, but another number is cheaper)
		}
		srv, err := start(bin, n, sizes, extra)
		if err == nil {
			return srv, nil
		}
		lastErr = err
		if !errors.Is(err, errDisplayTaken) {
			break
		}
	}
	if lastErr == nil {
		lastErr = errors.New("every display number tried is taken")
	}
	return nil, fmt.Errorf("xvfb: could not start: %w", lastErr)
}

// Start starts Xvfb with one width×height×24 screen on a free display number and
// returns the display name (":N"), ready for DISPLAY. It calls t.Skip when Xvfb
// is not installed and t.Fatal when it does not come up; t.Cleanup stops it.
// See Launch for how the display is chosen. The caller sets DISPLAY, e.g. with
// t.Setenv.
func Start(t testing.TB, width, height int) string {
	t.Helper()
	return StartScreens(t, image.Pt(width, height))
}

// StartScreens is Start with one X screen of each size (see LaunchScreens).
func StartScreens(t testing.TB, sizes ...image.Point) string {
	t.Helper()
	return startWith(t, LaunchScreens, sizes)
}

// StartXinerama is Start with one Xinerama head of each size (see
// LaunchXinerama).
func StartXinerama(t testing.TB, sizes ...image.Point) string {
	t.Helper()
	return startWith(t, LaunchXinerama, sizes)
}

func startWith(t testing.TB, launch func(...image.Point) (*Server, error), sizes []image.Point) string {
	t.Helper()
	srv, err := launch(sizes...)
	if errors.Is(err, ErrNotInstalled) {
		t.Skip("Xvfb is not installed (apt-get install xvfb); skipping a test that needs an X11 display")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	t.Logf("xvfb: %s %v pid %d", srv.Display(), sizes, srv.Pid())
	return srv.Display()
}

// Display numbers are drawn from [firstDisplay, firstDisplay+numDisplays),
// away from the :0 of a real session and the :99 of xvfb-run.
const (
	firstDisplay = 100
	numDisplays  = 900
	maxAttempts  = 20
)

// start runs Xvfb on display n. Xvfb writes n to -displayfd once it listens;
// if the display is taken it exits and the pipe reads EOF.
func start(bin string, n int, sizes []image.Point, extra []string) (*Server, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()

	var out lockedBuffer
	display := fmt.Sprintf(":%d", n)
	args := []string{display, "-displayfd", "3"} // the first entry of ExtraFiles is fd 3
	for i, sz := range sizes {
		args = append(args, "-screen", strconv.Itoa(i), fmt.Sprintf("%dx%dx24", sz.X, sz.Y))
	}
	args = append(args, extra...)
	cmd := exec.Command(bin, append(args, "-nolisten", "tcp", "-noreset")...)
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stdout = &out
	cmd.Stderr = &out
	// Its own process group, so a ^C on the caller does not race its cleanup.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	w.Close() // only Xvfb holds the write end now: EOF when it exits

	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	numCh := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		numCh <- strings.TrimSpace(line)
	}()
	select {
	case num := <-numCh:
		if num == "" {
			<-exited
			return nil, fmt.Errorf("%w: Xvfb %s exited: %s", errDisplayTaken, display, out.String())
		}
		if num != strconv.Itoa(n) {
			stop()
			return nil, fmt.Errorf("Xvfb reported display %q, want %d", num, n)
		}
	case <-time.After(StartTimeout):
		stop()
		return nil, fmt.Errorf("Xvfb %s not ready after %v: %s", display, StartTimeout, out.String())
	}

	socket := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
	deadline := time.Now().Add(StartTimeout)
	for {
		err := handshake(socket, time.Second)
		if err == nil {
			break
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("Xvfb %s exited before accepting connections: %s", display, out.String())
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("Xvfb %s does not accept connections: %v: %s", display, err, out.String())
		}
		time.Sleep(20 * time.Millisecond) // poll interval between connection attempts
	}
	return &Server{display: display, pid: cmd.Process.Pid, stop: stop}, nil
}

// handshake opens the X server's unix socket and completes the X11 connection
// setup without authentication, which is what Xvfb without -auth accepts.
func handshake(socket string, timeout time.Duration) error {
	c, err := net.DialTimeout("unix", socket, timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	// Byte order 'l' (little endian), pad, protocol 11.0, no auth name or data.
	req := []byte{'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if _, err := c.Write(req); err != nil {
		return err
	}
	var reply [8]byte
	if _, err := readFull(c, reply[:]); err != nil {
		return err
	}
	if reply[0] != 1 {
		return errors.New("x11 setup refused")
	}
	return nil
}

func readFull(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := c.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// lockedBuffer collects Xvfb's output; exec copies into it from its own goroutine.
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
