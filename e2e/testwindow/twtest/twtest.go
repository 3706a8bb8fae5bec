// Package twtest builds and runs the testwindow program for tests and reads its event log.
package twtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Package is the import path of the testwindow command.
const Package = "github.com/lifeline-support/lifeline/e2e/testwindow"

// Timeout bounds how long Start and WaitFor wait.
const Timeout = 15 * time.Second

// Options place the window on the root window, in pixels.
type Options struct {
	X, Y, W, H int
}

// Event is one line of testwindow's log. See the testwindow command for the
// meaning of each field; fields that do not apply to an event are zero.
type Event struct {
	Event        string `json:"event"`
	Time         uint32 `json:"time"`
	X            int    `json:"x"`
	Y            int    `json:"y"`
	RootX        int    `json:"root_x"`
	RootY        int    `json:"root_y"`
	State        uint16 `json:"state"`
	Button       int    `json:"button"`
	Keycode      int    `json:"keycode"`
	Keysym       uint32 `json:"keysym"`
	KeysymName   string `json:"keysym_name"`
	Text         string `json:"text"`
	Mode         int    `json:"mode"`
	Detail       int    `json:"detail"`
	Request      int    `json:"request"`
	FirstKeycode int    `json:"first_keycode"`
	Count        int    `json:"count"`
	Window       uint32 `json:"window"`
	W            int    `json:"w"`
	H            int    `json:"h"`
}

// Window is a running testwindow.
type Window struct {
	Options
	// LogPath is the JSON-lines event log.
	LogPath string
	// ID is the X window id.
	ID uint32
}

// Build compiles testwindow into dir and returns the binary's path.
func Build(t testing.TB, dir string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("twtest: go tool not found: %v", err)
	}
	bin := filepath.Join(dir, "testwindow")
	out, err := exec.Command(goBin, "build", "-o", bin, Package).CombinedOutput()
	if err != nil {
		t.Fatalf("twtest: go build %s: %v\n%s", Package, err, out)
	}
	return bin
}

// Start builds testwindow into a temporary directory, runs it on display
// (":N"), waits until it prints READY and registers its shutdown with
// t.Cleanup.
func Start(t testing.TB, display string, opt Options) *Window {
	t.Helper()
	dir := t.TempDir()
	bin := Build(t, dir)
	w := &Window{Options: opt, LogPath: filepath.Join(dir, "events.jsonl")}
	cmd := exec.Command(bin, args(opt, w.LogPath)...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	start(t, w, cmd)
	return w
}

// Runner runs a Windows program: the path of the wine64 loader and the
// environment of a Wine prefix (see e2e/wine).
type Runner interface {
	Wine() string
	Env() []string
}

// StartWindows builds testwindow for Windows, runs it under Wine (wine's
// prefix) on display, waits until it prints READY and registers its
// shutdown with t.Cleanup. Its events are logged as the X window's: button
// numbers as X's, key presses with the text they typed (keycode is the
// virtual key and scan code, keysym the virtual key).
func StartWindows(t testing.TB, display string, wine Runner, opt Options) *Window {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "testwindow.exe")
	build := exec.Command("go", "build", "-o", bin, Package)
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("twtest: go build %s for Windows: %v\n%s", Package, err, out)
	}
	w := &Window{Options: opt, LogPath: filepath.Join(dir, "events.jsonl")}
	// The log path as Wine sees it: Z: is the Unix root.
	cmd := exec.Command(wine.Wine(), append([]string{bin}, args(opt, "Z:"+strings.ReplaceAll(w.LogPath, "/", `\`))...)...)
	cmd.Env = append(wine.Env(), "DISPLAY="+display)
	start(t, w, cmd)
	return w
}

func args(opt Options, log string) []string {
	return []string{"-x", strconv.Itoa(opt.X), "-y", strconv.Itoa(opt.Y),
		"-w", strconv.Itoa(opt.W), "-h", strconv.Itoa(opt.H), "-log", log}
}

// start runs cmd and waits for READY.
func start(t testing.TB, w *Window, cmd *exec.Cmd) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("twtest: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("twtest: start: %v", err)
	}
	exited := make(chan struct{})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ok := false
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "READY" && !ok {
				ok = true
				ready <- true
			}
		}
		if !ok {
			ready <- false
		}
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	select {
	case ok := <-ready:
		if !ok {
			<-exited
			t.Fatalf("twtest: testwindow exited before READY: %s", stderr.String())
		}
	case <-time.After(Timeout):
		t.Fatalf("twtest: no READY from testwindow after %v", Timeout)
	}
	for _, e := range w.Events(t) {
		if e.Event == "ready" {
			w.ID = e.Window
		}
	}
}

// Center returns the root-window pixel at the centre of the window.
func (w *Window) Center() (x, y int) { return w.X + w.W/2, w.Y + w.H/2 }

// Events reads every event logged so far.
func (w *Window) Events(t testing.TB) []Event {
	t.Helper()
	data, err := os.ReadFile(w.LogPath)
	if err != nil {
		t.Fatalf("twtest: %v", err)
	}
	var evs []Event
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e Event
		if err := json.Unmarshal(line, &e); err != nil {
			// A line being written right now; the next read sees it whole.
			break
		}
		evs = append(evs, e)
	}
	return evs
}

// Mark returns how many events were logged so far, for WaitFor.
func (w *Window) Mark(t testing.TB) int { return len(w.Events(t)) }

// WaitFor polls the log until cond holds for the events logged after mark
// and returns those events; it fails the test after Timeout.
func (w *Window) WaitFor(t testing.TB, mark int, what string, cond func([]Event) bool) []Event {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for {
		evs := w.Events(t)
		if mark < len(evs) {
			evs = evs[mark:]
		} else {
			evs = nil
		}
		if cond(evs) {
			return evs
		}
		if time.Now().After(deadline) {
			t.Fatalf("twtest: timed out waiting for %s; events since mark:\n%s", what, format(evs))
		}
		time.Sleep(10 * time.Millisecond) // poll interval
	}
}

// Typed returns the text of the key presses among evs.
func Typed(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		if e.Event == "key_press" {
			b.WriteString(e.Text)
		}
	}
	return b.String()
}

// Released reports whether every key and button pressed among evs is
// released again later in evs. A test that injects input should wait for it
// before its next step takes a Mark: a condition on the presses alone (such
// as Typed) can hold while the last releases are still on their way, and
// they would then be counted among the next step's events.
func Released(evs []Event) bool {
	keys, buttons := map[int]bool{}, map[int]bool{}
	for _, e := range evs {
		switch e.Event {
		case "key_press":
			keys[e.Keycode] = true
		case "key_release":
			delete(keys, e.Keycode)
		case "button_press":
			buttons[e.Button] = true
		case "button_release":
			delete(buttons, e.Button)
		}
	}
	return len(keys) == 0 && len(buttons) == 0
}

// Filter returns the events of the given kind.
func Filter(evs []Event, kind string) []Event {
	var out []Event
	for _, e := range evs {
		if e.Event == kind {
			out = append(out, e)
		}
	}
	return out
}

func format(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		j, _ := json.Marshal(e)
		fmt.Fprintf(&b, "  %s\n", j)
	}
	return b.String()
}
