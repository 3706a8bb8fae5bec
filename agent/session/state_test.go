package session

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// holdFeature records whether the session told it of a hold (the badge).
type holdFeature struct {
	mu   sync.Mutex
	told []bool
}

func (*holdFeature) Handles(string) bool            { return false }
func (*holdFeature) Attach(*webrtc.DataChannel)     {}
func (*holdFeature) SetGrants(protocol.Permissions) {}
func (f *holdFeature) SetHold(on bool)              { f.mu.Lock(); f.told = append(f.told, on); f.mu.Unlock() }
func (f *holdFeature) held() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.told) > 0 && f.told[len(f.told)-1]
}

// pageStatus is the status the customer's page shows now.
func pageStatus(t *testing.T, ui *termUI) string {
	t.Helper()
	return Find(t, get(t, ui.URL()), `<body data-status="([a-z]+)"`)
}

// Find returns the first group of re in s, or fails.
func Find(t *testing.T, s, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%q not found in:\n%s", re, s)
	}
	return m[1]
}

// Defect 3 of issue 18: after hold → transfer → accept the customer's page
// still said "On hold", and during the hold the screen still went to the
// technician. On hold nothing is sent and the page and the badge say so; the
// welcome of the technician who accepts the transfer ends the hold
// everywhere; a welcome that says the session is still on hold keeps it.
func TestHoldEndsWhenTransferAccepted(t *testing.T) {
	ui := newTermUI(t)
	hf := &holdFeature{}
	s, ctx := testRunner(t, ui, &fakeInjector{}, hf)
	s.techID, s.techName = "alice", "Alice Durand" // as the first welcome named her
	go func() { _ = ui.Run(ctx) }()
	ui.SetInfo(consent.Info{TechnicianName: "Alice Durand", OrgName: "Acme Support"})
	fp := &fakePeer{}
	s.peer = fp
	s.setGrants(protocol.Permissions{View: true}, "")
	if !fp.lastVideo() {
		t.Fatal("viewing allowed but no video")
	}

	s.receive(ctx, t, &protocol.SessionHold{On: true})
	if fp.lastVideo() {
		t.Error("on hold the agent still sends the screen to the technician")
	}
	if !hf.held() {
		t.Error("the on-screen badge is not told of the hold")
	}
	if st := pageStatus(t, ui); st != "onhold" {
		t.Fatalf("on hold the customer's page shows %q", st)
	}
	// The same technician's welcome again (signaling came back, or the
	// group's settings changed) while on hold: still on hold.
	s.receive(ctx, t, &protocol.AgentWelcome{TechnicianID: "alice", TechnicianName: "Alice Durand", OrgName: "Acme Support", OnHold: true})
	if st := pageStatus(t, ui); st != "onhold" || fp.lastVideo() || !hf.held() {
		t.Fatalf("a welcome that says on hold ended the hold: page %q, video %v, badge held %v", st, fp.lastVideo(), hf.held())
	}

	// Claire accepts the transfer: the session is active again.
	s.receive(ctx, t, &protocol.AgentWelcome{TechnicianID: "claire", TechnicianName: "Claire Martin", OrgName: "Acme Support"})
	if st := pageStatus(t, ui); st == "onhold" {
		t.Fatal("after the transfer was accepted the customer's page still says On hold")
	}
	if hf.held() {
		t.Error("after the transfer was accepted the badge still says On hold")
	}
	ui.waitAsked(t, 1)
	ui.say(t, "y")
	if _, err := s.handle(ctx, event{answer: s.nextAnswer(t, "the customer's answer about Claire")}, nil); err != nil {
		t.Fatal(err)
	}
	if st := pageStatus(t, ui); st != "viewed" {
		t.Fatalf("Claire allowed to view; the page shows %q", st)
	}

	// Hold and resume with Claire: the screen goes again after the hold.
	fp = &fakePeer{}
	s.peer = fp
	s.receive(ctx, t, &protocol.SessionHold{On: true})
	s.receive(ctx, t, &protocol.SessionHold{On: false})
	if !fp.lastVideo() || hf.held() || !strings.Contains(pageStatus(t, ui), "viewed") {
		t.Fatalf("after resuming: video %v, badge held %v, page %q", fp.lastVideo(), hf.held(), pageStatus(t, ui))
	}
}

// Defect 17 of issue 18: a customer waiting in the queue was told
// "Technician connected" before anyone took the session. The page follows
// the real state: waiting in the queue until a technician picks the session
// up, then picked up, then viewed once the customer allows it.
func TestCustomerToldTheRealState(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	tech := st.LogIn(t, node)
	sid, token, _ := tech.NewSession(t, "Marie")
	console := tech.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)

	ui := newTermUI(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _ = ui.Run(ctx) }()
	go func() {
		done <- Run(ctx, Config{
			Server: node.URL, Code: token, Consent: ui.UI,
			Logger:      slog.New(slog.DiscardHandler),
			NewPeer:     func(c peer.Config) (Peer, error) { return &fakePeer{cfg: c}, nil },
			NewInjector: func() (Injector, error) { return &fakeInjector{}, nil },
		})
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(hang):
			t.Error("Run did not return")
		}
	}()

	// Joined (the customer is asked at once), but nobody picked it up yet.
	ui.waitAsked(t, 1)
	page := get(t, ui.URL())
	if status := Find(t, page, `<body data-status="([a-z]+)"`); status != "waiting" {
		t.Fatalf("in the queue the page shows status %q", status)
	}
	if !strings.Contains(page, "queue") || strings.Contains(page, "Technician connected") {
		t.Fatalf("in the queue the page says:\n%s", Find(t, page, `id="status-text">([^<]*)<`))
	}

	console.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	waitUntil(t, "the page to say a technician picked the session up", func() bool {
		return strings.Contains(get(t, ui.URL()), `<body data-status="connected"`)
	})
	if text := Find(t, get(t, ui.URL()), `id="status-text">([^<]*)<`); !strings.Contains(text, "picked up") {
		t.Fatalf("once picked up the page says %q", text)
	}
	ui.say(t, "y")
	waitUntil(t, "the page to say the screen is viewed", func() bool {
		return strings.Contains(get(t, ui.URL()), `<body data-status="viewed"`)
	})
}
