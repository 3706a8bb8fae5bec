//go:build linux

package unattended

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/agent/desktopentry"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// Install leaves a key readable by the user only, the settings, the program
// and a user unit that runs it with --unattended; Uninstall removes them all.
func TestInstallAndUninstall(t *testing.T) {
	place := Place{Config: filepath.Join(t.TempDir(), "my config"), Menu: filepath.Join(t.TempDir(), "apps")}
	exe := filepath.Join(t.TempDir(), "downloaded agent")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := place.Install(Settings{Server: "http://x"}, exe); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("Install before a key: %v, want ErrNotInstalled", err)
	}
	pub, err := place.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{Server: "https://support.example", DeviceID: "d1", Window: protocol.Hours{Zone: "Europe/Paris", Days: []time.Weekday{time.Monday}, From: "08:00", To: "18:00"}}
	if err := place.Install(want, exe); err != nil {
		t.Fatal(err)
	}
	key, err := place.Key()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := protocol.ParseDeviceKey(pub); !got.Equal(key.Public()) {
		t.Error("the key read back is not the one made")
	}
	dir, _ := place.Dir()
	if fi, err := os.Stat(filepath.Join(dir, "key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v", fi, err)
	}
	if got, err := place.Settings(); err != nil || got.DeviceID != want.DeviceID || got.Window.From != "08:00" {
		t.Errorf("settings %+v, %v", got, err)
	}
	unit, _ := place.Unit()
	cmd, err := ExecStart(unit)
	prog, _ := place.Program()
	if err != nil || !slices.Equal(cmd, []string{prog, "--unattended"}) {
		t.Fatalf("ExecStart %q, %v; want %q --unattended", cmd, err, prog)
	}
	if b, _ := os.ReadFile(prog); string(b) != "#!/bin/sh\n" {
		t.Error("the program was not copied")
	}
	entry, _ := place.MenuEntry()
	if cmd, err := desktopentry.ReadExec(entry); err != nil || !slices.Equal(cmd, []string{prog, PageFlag}) {
		t.Fatalf("menu entry Exec %q, %v; want %q %s", cmd, err, prog, PageFlag)
	}

	if err := place.Uninstall(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{unit, dir, entry} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind (%v)", p, err)
		}
	}
	if _, err := place.Settings(); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("settings after Uninstall: %v", err)
	}
}

// enroll has the node's administrator ask for unattended access in a live
// session and the agent agree with place's new key; it returns the device
// ID.
func enroll(t *testing.T, n st.Node, place Place) string {
	t.Helper()
	tc := st.LogIn(t, n)
	console := tc.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	sid, token, _ := tc.NewSession(t, "Marie")
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "pc-1", OS: "linux"})
	agent.Expect(protocol.TypeAgentWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	agent.Expect(protocol.TypeAgentWelcome)
	console.Send(protocol.TypeUnattendedAsk, sid, protocol.UnattendedAsk{})
	agent.Expect(protocol.TypeUnattendedAsk)
	pub, err := place.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	agent.Send(protocol.TypeUnattendedAnswer, sid, protocol.UnattendedAnswer{Allow: true, Key: pub})
	return agent.Expect(protocol.TypeUnattendedEnrolled).Body.(*protocol.UnattendedEnrolled).DeviceID
}

// The device stays connected across a signaling node's restart (it dials
// again with backoff), runs the sessions it is asked for, and stops for
// good once the customer revokes access from the computer.
func TestDeviceReconnectsAndStopsWhenRevoked(t *testing.T) {
	natsURL := natstest.Server(t)
	a := st.StartNode(t, natsURL, "node-a")
	place := Place{Config: t.TempDir()}
	id := enroll(t, a, place)
	key, err := place.Key()
	if err != nil {
		t.Fatal(err)
	}
	sts := Settings{Server: a.URL, DeviceID: id}
	if err := place.Install(sts, os.Args[0]); err != nil {
		t.Fatal(err)
	}
	connects := make(chan protocol.DeviceConnect, 4)
	d := &Device{Settings: sts, Key: key, MaxBackoff: 200 * time.Millisecond,
		Connect: func(_ context.Context, c protocol.DeviceConnect) { connects <- c }}
	done := make(chan error, 1)
	go func() { done <- d.Run(context.Background()) }()

	online := func() {
		t.Helper()
		admin := st.LogIn(t, a)
		deadline := time.Now().Add(10 * time.Second)
		for {
			if code, page := admin.Get(t, "/console/computers"); code == 200 && strings.Contains(page, "Online") {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the device is not online")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	online()
	a.Stop()
	addr := strings.TrimPrefix(a.URL, "http://")
	a = st.StartNode(t, natsURL, "node-a", func(c *server.Config) { c.Addr = addr })
	online()

	// A technician connects: the device is asked to join a session (once
	// it is back: until then the page says it is offline).
	admin := st.LogIn(t, a)
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _ := admin.Post(t, "/console/computers/"+id+"/connect", nil)
		if code == 200 {
			break
		}
		if code != 409 || time.Now().After(deadline) {
			t.Fatalf("connect: %d", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	select {
	case c := <-connects:
		if c.Code == "" || c.Policy != protocol.PolicyNotify {
			t.Fatalf("connect %+v", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the device was not asked to connect")
	}

	told, err := Revoke(context.Background(), place, nil)
	if err != nil || !told {
		t.Fatalf("Revoke: told %v, %v", told, err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrRevoked) {
			t.Fatalf("Run: %v, want ErrRevoked", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the device kept running once revoked")
	}
}

// Review item 9: a session asked for while another runs waits its turn,
// and the window is checked again when its turn comes: one that closed
// meanwhile refuses it.
func TestDeviceChecksTheWindowAgainAfterWaiting(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	place := Place{Config: t.TempDir()}
	id := enroll(t, n, place)
	key, err := place.Key()
	if err != nil {
		t.Fatal(err)
	}
	// The window is the two hours around now, every day (the clock is the
	// real one, the server checks the device's hello against it), until
	// the clock jumps three hours ahead.
	var mu sync.Mutex
	var ahead time.Duration
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(ahead) }
	start := time.Now().UTC()
	window := protocol.Hours{Zone: "UTC", Days: []time.Weekday{0, 1, 2, 3, 4, 5, 6},
		From: start.Add(-time.Hour).Format("15:04"), To: start.Add(time.Hour).Format("15:04")}
	sts := Settings{Server: n.URL, DeviceID: id, Window: window}
	connects := make(chan protocol.DeviceConnect, 4)
	release := make(chan struct{})
	logs := &queuedLog{queued: make(chan struct{}, 4), refused: make(chan struct{}, 4)}
	d := &Device{Settings: sts, Key: key, MaxBackoff: 200 * time.Millisecond, Now: clock, Logger: slog.New(logs),
		Connect: func(_ context.Context, c protocol.DeviceConnect) { connects <- c; <-release }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})

	admin := st.LogIn(t, n)
	connect := func() {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			code, _ := admin.Post(t, "/console/computers/"+id+"/connect", nil)
			if code == 200 {
				return
			}
			if code != 409 || time.Now().After(deadline) {
				t.Fatalf("connect: %d", code)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	connect()
	select {
	case <-connects: // the first session runs, and holds the device
	case <-time.After(10 * time.Second):
		t.Fatal("the device was not asked to connect")
	}
	connect()
	select {
	case <-logs.queued: // the second waits its turn
	case <-time.After(10 * time.Second):
		t.Fatal("the second session did not wait its turn")
	}
	mu.Lock()
	ahead = 3 * time.Hour // the window closes
	mu.Unlock()
	close(release)
	select {
	case c := <-connects:
		t.Fatalf("a session ran after the window closed: %+v", c)
	case <-logs.refused:
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting session was neither run nor refused")
	}
}

// queuedLog notes the device's "waits its turn" and "outside the window"
// records.
type queuedLog struct{ queued, refused chan struct{} }

func (l *queuedLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *queuedLog) Handle(_ context.Context, r slog.Record) error {
	switch {
	case strings.Contains(r.Message, "waits its turn"):
		l.queued <- struct{}{}
	case strings.Contains(r.Message, "outside the window"):
		l.refused <- struct{}{}
	}
	return nil
}
func (l *queuedLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *queuedLog) WithGroup(string) slog.Handler      { return l }
