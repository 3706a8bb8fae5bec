package session

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// fakeLauncher records the launchers the session installed (the OS edge).
type fakeLauncher struct {
	mu  sync.Mutex
	got []LauncherSettings
}

func (f *fakeLauncher) Install(l LauncherSettings) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, l)
	return nil
}

func (f *fakeLauncher) installed() []LauncherSettings {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]LauncherSettings(nil), f.got...)
}

// The agent installs a "Get help" launcher only when the technician's group
// allows it and the customer said yes, for the channel they agreed to: an
// offer from a group that may not is refused without asking, and an
// installation nobody agreed to installs nothing.
func TestLauncherOnlyWithTheGrantAndTheCustomersYes(t *testing.T) {
	ui := newTermUI(t)
	s, ctx := testRunner(t, ui, &fakeInjector{})
	fl := &fakeLauncher{}
	s.cfg.Launcher, s.cfg.Server = fl, "https://help.example.com"
	claire := protocol.AgentWelcome{TechnicianID: "claire", TechnicianName: "Claire Martin", OrgName: "Acme Support", Denied: []string{protocol.DeniedLauncher}}
	handTo(ctx, t, s, ui, &claire, 1)

	s.receive(ctx, t, &protocol.LauncherOffer{Channel: "desk", ChannelName: "Desk"})
	s.receive(ctx, t, &protocol.LauncherInstalled{ID: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Channel: "desk"})
	settled(t, s, "refused without asking")
	if strings.Contains(ui.text(), "Get help") || len(fl.installed()) != 0 {
		t.Fatalf("without the grant: asked %q, installed %+v", ui.text(), fl.installed())
	}

	allowed := claire
	allowed.Denied = nil
	s.receive(ctx, t, &allowed)
	s.receive(ctx, t, &protocol.LauncherOffer{Channel: "desk", ChannelName: "Desk"})
	q := ui.waitAsked(t, 2)
	if !strings.Contains(q, "Claire Martin wants to add a “Get help from Acme Support” icon") {
		t.Fatalf("the customer was asked %q", q)
	}
	ui.say(t, "y")
	waitUntil(t, "the yes taken", func() bool { return s.launcherChannel.Load() != nil })
	s.receive(ctx, t, &protocol.LauncherInstalled{ID: "bbbbbbbbbbbbbbbbbbbbbbbbbb", Channel: "desk", ChannelName: "Desk"})
	waitUntil(t, "the launcher installed", func() bool { return len(fl.installed()) == 1 })
	if got := fl.installed()[0]; got != (LauncherSettings{Server: "https://help.example.com", ID: "bbbbbbbbbbbbbbbbbbbbbbbbbb", Channel: "desk", ChannelName: "Desk", Org: "Acme Support"}) {
		t.Fatalf("installed %+v", got)
	}
	// Once: the same message again installs nothing more.
	s.receive(ctx, t, &protocol.LauncherInstalled{ID: "cccccccccccccccccccccccccc", Channel: "desk"})
	settled(t, s, "nothing more installed")
	if n := len(fl.installed()); n != 1 {
		t.Fatalf("%d launchers installed", n)
	}
}

// settled waits, for at most hang, until nothing the session started
// still runs (a question left waiting for the customer fails the test).
func settled(t *testing.T, s *runner, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(hang):
		t.Fatalf("%s: the session still waits on something (a question to the customer?)", what)
	}
}
