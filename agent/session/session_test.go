package session

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

const hang = 15 * time.Second

// fakePeer stands in for the WebRTC peer (the OS edge: screen capture).
type fakePeer struct {
	cfg    peer.Config
	mu     sync.Mutex
	video  []bool
	closed atomic.Bool
}

func (p *fakePeer) Answer(context.Context, webrtc.SessionDescription) (webrtc.SessionDescription, error) {
	return webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: "v=0 fake"}, nil
}
func (p *fakePeer) AddCandidate(webrtc.ICECandidateInit) error { return nil }
func (p *fakePeer) SetVideo(on bool)                           { p.mu.Lock(); p.video = append(p.video, on); p.mu.Unlock() }
func (p *fakePeer) Close() error                               { p.closed.Store(true); return nil }
func (p *fakePeer) lastVideo() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.video) == 0 {
		return !p.cfg.VideoOff
	}
	return p.video[len(p.video)-1]
}

// fakeInjector records what would be injected (the OS edge: robotgo).
type fakeInjector struct {
	mu       sync.Mutex
	events   []protocol.InputEvent
	releases int
}

func (f *fakeInjector) Inject(ev protocol.InputEvent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, ev)
	return nil
}
func (f *fakeInjector) ReleaseAll() error { f.mu.Lock(); f.releases++; f.mu.Unlock(); return nil }
func (f *fakeInjector) Close() error      { return nil }
func (f *fakeInjector) count() (int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events), f.releases
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The agent enforces the customer's answers whatever the console sends:
// no input without a control grant, no screen without a view grant.
func TestAgentEnforcesTheCustomersGrants(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	tech := st.LogIn(t, node)
	sid, token, _ := tech.NewSession(t, "Marie")
	console := tech.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)

	// The customer answers on the terminal.
	ui, term := terminalConsent(t)
	terminal, answer := term.in, term.answer

	fp := &fakePeer{}
	fi := &fakeInjector{}
	done := runAgent(t, ui, Config{
		Server: node.URL, Code: token, Consent: ui,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewPeer:     func(c peer.Config) (Peer, error) { fp.cfg = c; return fp, nil },
		NewInjector: func() (Injector, error) { return fi, nil },
	})
	console.Expect(protocol.TypeSessionState) // the agent joined

	// The console connects before anything is allowed: the peer starts without video.
	console.Send(protocol.TypeOffer, sid, protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0"}})
	console.Expect(protocol.TypeAnswer)
	if !fp.cfg.VideoOff {
		t.Fatal("the peer started with video on before the customer allowed viewing")
	}
	move := protocol.InputEvent{Kind: protocol.InputMove, X: 0.5, Y: 0.5}
	fp.cfg.OnInput(move)
	if n, _ := fi.count(); n != 0 {
		t.Fatal("input was injected before any grant")
	}

	// A control request before viewing is refused without asking.
	console.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionControl})
	if u := console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate); u.Refused != protocol.PermissionControl || u.Permissions.Control {
		t.Fatalf("control before view: %+v", u)
	}

	answer(1, "y") // allow viewing
	if u := console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate); !u.Permissions.View {
		t.Fatalf("after allowing view: %+v", u)
	}
	waitUntil(t, "video on", fp.lastVideo)
	fp.cfg.OnInput(move)
	if n, _ := fi.count(); n != 0 {
		t.Fatal("input was injected with only a view grant")
	}

	console.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionControl})
	answer(2, "n") // refuse control
	if u := console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate); u.Permissions.Control || u.Refused != protocol.PermissionControl {
		t.Fatalf("after refusing control: %+v", u)
	}
	fp.cfg.OnInput(move)
	if n, _ := fi.count(); n != 0 {
		t.Fatal("input was injected after control was refused")
	}

	console.Send(protocol.TypePermissionRequest, sid, protocol.PermissionRequest{Permission: protocol.PermissionControl})
	answer(3, "y") // allow control
	if u := console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate); !u.Permissions.Control {
		t.Fatalf("after allowing control: %+v", u)
	}
	fp.cfg.OnInput(move)
	if n, _ := fi.count(); n != 1 {
		t.Fatalf("%d events injected with a control grant, want 1", n)
	}

	// "stop" on the terminal revokes control: held input is released, nothing more lands.
	if _, err := io.WriteString(terminal, "stop\n"); err != nil {
		t.Fatal(err)
	}
	if u := console.Expect(protocol.TypePermissionUpdate).Body.(*protocol.PermissionUpdate); u.Permissions.Control || !u.Permissions.View {
		t.Fatalf("after stop: %+v", u)
	}
	if _, releases := fi.count(); releases == 0 {
		t.Fatal("revoking control did not release held keys and buttons")
	}
	fp.cfg.OnInput(move)
	if n, _ := fi.count(); n != 1 {
		t.Fatal("input was injected after control was revoked")
	}

	// The technician ends the session: Run returns nil.
	console.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		done <- nil
	case <-time.After(hang):
		t.Fatal("Run did not end with the session")
	}
}

func TestRunRefusesABadCode(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	ui, err := consent.New(consent.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ui.Close()
	err = Run(context.Background(), Config{Server: node.URL, Code: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Consent: ui,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if !errors.Is(err, ErrInvalidCode) {
		t.Fatalf("Run = %v, want ErrInvalidCode", err)
	}
	err = Run(context.Background(), Config{Server: "ftp://nowhere", Code: "x", Consent: ui})
	if !errors.Is(err, ErrBadServer) {
		t.Fatalf("Run with a bad server = %v, want ErrBadServer", err)
	}
}

// customerTerminal is the customer's terminal for consent questions: what
// the agent asks, and what the customer types.
type customerTerminal struct {
	t   *testing.T
	in  *io.PipeWriter
	mu  sync.Mutex
	out strings.Builder
}

// terminalConsent returns a consent UI answered on a terminal the test types into.
func terminalConsent(t *testing.T) (*consent.UI, *customerTerminal) {
	t.Helper()
	answers, in := io.Pipe()
	t.Cleanup(func() { in.Close() })
	c := &customerTerminal{t: t, in: in}
	ui, err := consent.New(consent.Config{Lang: i18n.EN, Terminal: answers, Out: writerFunc(func(b []byte) (int, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.out.Write(b)
	})})
	if err != nil {
		t.Fatal(err)
	}
	return ui, c
}

// asked is how many questions the customer was asked so far.
func (c *customerTerminal) asked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Count(c.out.String(), "[y/N]")
}

// answer waits for question n and answers it with a ("y", "n").
func (c *customerTerminal) answer(n int, a string) {
	c.t.Helper()
	waitUntil(c.t, "question "+a, func() bool { return c.asked() >= n })
	if _, err := io.WriteString(c.in, a+"\n"); err != nil {
		c.t.Fatal(err)
	}
}

// runAgent runs the agent (Run with cfg) and its consent UI ui until the
// test ends, then checks that Run returned. Run's result comes on the
// channel; a test that takes it puts one back for the check.
func runAgent(t *testing.T, ui *consent.UI, cfg Config) chan error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _ = ui.Run(ctx) }()
	go func() { done <- Run(ctx, cfg) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(hang):
			t.Error("Run did not return")
		}
		ui.Close()
	})
	return done
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
