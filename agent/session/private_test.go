package session

import (
	"image"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/agent/privacy"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// oneWindow is the customer's desktop at the operating system's edge: one
// window, with the keyboard, at (100,100)-(300,200) of a 640x480 screen.
type oneWindow struct{}

func (oneWindow) Sync() (privacy.Layout, error) {
	return privacy.Layout{Screen: image.Rect(0, 0, 640, 480), Windows: []privacy.TopLevel{{
		ID: 7, Frame: 7, Title: "Passwords", Program: "keepassxc", Rect: image.Rect(100, 100, 300, 200), Occludes: true, Listed: true,
	}}}, nil
}
func (oneWindow) Focus() (uint64, error) { return 7, nil }
func (oneWindow) Close() error           { return nil }

// With control granted, the technician's clicks and keys aimed at a window
// the customer keeps private are refused in the session's one grants gate
// and audited; elsewhere, and once the window is no longer private, they
// are injected. Whatever the console sends.
func TestInputAimedAtAPrivateWindowRefused(t *testing.T) {
	ui := newTermUI(t)
	fi := &fakeInjector{}
	pv := privacy.New(privacy.Config{Desktop: oneWindow{}, Lang: i18n.EN})
	s, _ := testRunner(t, ui, fi, pv)
	var audits []protocol.Audit
	var mu sync.Mutex
	s.grants.refused = func(a protocol.Audit) { mu.Lock(); audits = append(audits, a); mu.Unlock() }
	s.setGrants(protocol.Permissions{View: true, Control: true}, "")
	if err := pv.SetPrivate(7, true); err != nil {
		t.Fatal(err)
	}

	on := protocol.InputEvent{Kind: protocol.InputButton, Down: true, X: 200.0 / 639, Y: 150.0 / 479}
	key := protocol.InputEvent{Kind: protocol.InputKey, Down: true, Code: "KeyA"}
	s.grants.inject(on)
	s.grants.inject(key)
	if n, _ := fi.count(); n != 0 {
		t.Fatalf("%d events injected into the private window", n)
	}
	mu.Lock()
	if len(audits) != 1 || audits[0].Event != protocol.AuditRefused || !strings.Contains(audits[0].Detail, "private") {
		t.Errorf("refusal audited as %+v", audits)
	}
	mu.Unlock()
	// Elsewhere the click goes; moves over it go (nothing is pressed).
	s.grants.inject(protocol.InputEvent{Kind: protocol.InputButton, Down: true, X: 0.9, Y: 0.9})
	s.grants.inject(protocol.InputEvent{Kind: protocol.InputMove, X: on.X, Y: on.Y})
	if n, _ := fi.count(); n != 2 {
		t.Fatalf("%d events injected, want the click elsewhere and the move", n)
	}
	if err := pv.SetPrivate(7, false); err != nil {
		t.Fatal(err)
	}
	s.grants.inject(on)
	s.grants.inject(key)
	if n, _ := fi.count(); n != 4 {
		t.Fatalf("%d events injected once the window is shown again, want 4", n)
	}
}

// The organisation's private programs in the server's welcome reach the
// private windows: the window is closed to the technician from the start.
func TestWelcomeCarriesTheOrganisationsPrivatePrograms(t *testing.T) {
	ui := newTermUI(t)
	fi := &fakeInjector{}
	pv := privacy.New(privacy.Config{Desktop: oneWindow{}, Lang: i18n.EN, Programs: []string{}})
	s, ctx := testRunner(t, ui, fi, pv)
	go func() { _ = ui.Run(ctx) }()
	s.receive(ctx, t, &protocol.AgentWelcome{TechnicianName: "Claire Martin", OrgName: "Acme Support", PrivatePrograms: []string{"keepassxc"}})
	s.setGrants(protocol.Permissions{View: true, Control: true}, "")
	s.grants.inject(protocol.InputEvent{Kind: protocol.InputButton, Down: true, X: 200.0 / 639, Y: 150.0 / 479})
	if n, _ := fi.count(); n != 0 {
		t.Fatal("a click reached a window of a program the organisation keeps private")
	}
}

// A window hidden on a still screen (nothing drawn, so not captured again)
// is captured and masked at once: the peer's news of drawing also tells of
// the customer's choices. Before, the window stayed in the stream until
// something was drawn or the still screen's periodic capture (3 s).
func TestHidingAWindowOnAStillScreenCapturesAnew(t *testing.T) {
	ui := newTermUI(t)
	pv := privacy.New(privacy.Config{Desktop: oneWindow{}, Lang: i18n.EN, Programs: []string{}})
	s, _ := testRunner(t, ui, &fakeInjector{}, pv)
	drawn := make(chan struct{}) // nothing is ever drawn
	stopped := false
	s.cfg.Changes = func() (<-chan struct{}, func()) { return drawn, func() { stopped = true } }
	changes, stop := s.changesFunc()()
	if err := pv.SetPrivate(7, true); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changes:
	case <-time.After(hang):
		t.Fatal("hiding a window on a still screen asked for no capture")
	}
	stop()
	if !stopped {
		t.Error("the news of drawing was not stopped with the peer's subscription")
	}
}

// Every connection's capture hears a changed choice: the lead's and each
// colleague's. Before, the masker's one channel went to whichever took it
// first, and the other connection kept showing a just-hidden window on a
// still screen until its periodic capture (3 s).
func TestHidingAWindowReachesEveryConnection(t *testing.T) {
	ui := newTermUI(t)
	pv := privacy.New(privacy.Config{Desktop: oneWindow{}, Lang: i18n.EN, Programs: []string{}})
	s, _ := testRunner(t, ui, &fakeInjector{}, pv)
	drawn := make(chan struct{}) // nothing is ever drawn
	s.cfg.Changes = func() (<-chan struct{}, func()) { return drawn, func() {} }
	lead, stopLead := s.changesFunc()()
	defer stopLead()
	colleague, stopColleague := s.changesFunc()()
	defer stopColleague()
	if err := pv.SetPrivate(7, true); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]<-chan struct{}{"lead": lead, "colleague": colleague} {
		select {
		case <-c:
		case <-time.After(hang):
			t.Fatalf("the %s's connection heard nothing of the hidden window", name)
		}
	}
}
