package session

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// termUI is a real consent UI that the customer answers on its terminal.
type termUI struct {
	*consent.UI
	keys *io.PipeWriter
	mu   sync.Mutex
	out  strings.Builder
}

func newTermUI(t *testing.T) *termUI {
	t.Helper()
	r, w := io.Pipe()
	u := &termUI{keys: w}
	ui, err := consent.New(consent.Config{Lang: i18n.EN, Terminal: r, Out: writerFunc(func(b []byte) (int, error) {
		u.mu.Lock()
		defer u.mu.Unlock()
		return u.out.Write(b)
	})})
	if err != nil {
		t.Fatal(err)
	}
	u.UI = ui
	t.Cleanup(func() { ui.Close(); w.Close() })
	return u
}

func (u *termUI) text() string { u.mu.Lock(); defer u.mu.Unlock(); return u.out.String() }

// waitAsked waits for the n-th question and returns what the terminal shows.
func (u *termUI) waitAsked(t *testing.T, n int) string {
	t.Helper()
	waitUntil(t, "question "+string(rune('0'+n)), func() bool { return strings.Count(u.text(), "[y/N]") >= n })
	return u.text()
}

func (u *termUI) say(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(u.keys, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

// testRunner is the agent's session without a server: the test plays the
// server's messages and the loop's events.
func testRunner(t *testing.T, ui *termUI, fi *fakeInjector, features ...Feature) (*runner, context.Context) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := newRunner(Config{Consent: ui.UI, Features: features,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewInjector: func() (Injector, error) { return fi, nil }})
	t.Cleanup(func() { cancel(); s.wg.Wait() })
	return s, ctx
}

// nextAnswer is the next answer the session loop receives.
func (s *runner) nextAnswer(t *testing.T, what string) *answer {
	t.Helper()
	deadline := time.After(hang)
	for {
		select {
		case ev := <-s.events:
			if ev.answer != nil {
				return ev.answer
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (s *runner) receive(ctx context.Context, t *testing.T, body any) {
	t.Helper()
	if _, err := s.handleMessage(ctx, &protocol.Message{Body: body}, nil); err != nil {
		t.Fatal(err)
	}
}

var move = protocol.InputEvent{Kind: protocol.InputMove, X: 0.5, Y: 0.5}

// A control request already on the customer's screen when the technician puts
// the session on hold is withdrawn, and an Allow that crosses the hold grants
// nothing.
func TestHoldWithdrawsPendingRequest(t *testing.T) {
	ui := newTermUI(t)
	fi := &fakeInjector{}
	s, ctx := testRunner(t, ui, fi)
	s.setGrants(protocol.Permissions{View: true}, "")

	// The customer allows control just as the hold starts: their answer is
	// on its way to the session loop when the hold arrives.
	s.receive(ctx, t, &protocol.PermissionRequest{Permission: protocol.PermissionControl})
	ui.waitAsked(t, 1)
	ui.say(t, "y")
	crossed := s.nextAnswer(t, "the customer's Allow")
	s.receive(ctx, t, &protocol.SessionHold{On: true})
	if _, err := s.handle(ctx, event{answer: crossed}, nil); err != nil {
		t.Fatal(err)
	}
	if p := s.grants.get(); p.Control {
		t.Fatalf("an Allow that arrived during hold granted %+v", p)
	}
	s.grants.inject(move)
	if n, _ := fi.count(); n != 0 {
		t.Fatal("input was injected during hold")
	}

	// On hold, a request for control is not even shown.
	s.receive(ctx, t, &protocol.PermissionRequest{Permission: protocol.PermissionControl})
	if _, asked := s.asking[protocol.PermissionControl]; asked {
		t.Fatal("the customer is asked for control during hold")
	}

	// After the hold, a request shown when a new hold starts is withdrawn at once.
	s.receive(ctx, t, &protocol.SessionHold{On: false})
	s.receive(ctx, t, &protocol.PermissionRequest{Permission: protocol.PermissionControl})
	ui.waitAsked(t, 2)
	s.receive(ctx, t, &protocol.SessionHold{On: true})
	a := s.nextAnswer(t, "the control request withdrawn by the hold")
	if a.allow || a.err == nil {
		t.Fatalf("the pending request ended with %+v, want withdrawn", a)
	}
	if _, err := s.handle(ctx, event{answer: a}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ui.text(), "withdrawn") {
		t.Errorf("the customer's terminal does not say the request was withdrawn:\n%s", ui.text())
	}
	if p := s.grants.get(); p.Control || !p.View {
		t.Fatalf("grants after the hold: %+v", p)
	}
}

// grantsFeature records the grants the session hands it.
type grantsFeature struct {
	mu   sync.Mutex
	last protocol.Permissions
}

func (*grantsFeature) Handles(string) bool                { return false }
func (*grantsFeature) Attach(*webrtc.DataChannel)         {}
func (f *grantsFeature) SetGrants(p protocol.Permissions) { f.mu.Lock(); f.last = p; f.mu.Unlock() }
func (f *grantsFeature) get() protocol.Permissions        { f.mu.Lock(); defer f.mu.Unlock(); return f.last }

// When the session passes to another technician, nothing the customer allowed
// the first one carries over: every grant is dropped, the customer is told who
// is connecting now and asked again.
func TestTransferDropsGrantsAndAsksAgain(t *testing.T) {
	ui := newTermUI(t)
	fi := &fakeInjector{}
	f := &grantsFeature{}
	s, ctx := testRunner(t, ui, fi, f)
	ui.SetInfo(consent.Info{TechnicianName: "Alice Durand", OrgName: "Acme Support"})
	all := protocol.Permissions{View: true, Control: true}
	s.setGrants(all, "")
	s.grants.inject(move)
	// A question for the first technician is still on the screen.
	s.receive(ctx, t, &protocol.PermissionRequest{Permission: protocol.PermissionClipboard})
	ui.waitAsked(t, 1)

	// The first technician's peer-to-peer connection: what the customer
	// grants Claire must never reach it.
	old := &fakePeer{}
	s.peer = old
	s.receive(ctx, t, &protocol.AgentWelcome{TechnicianName: "Claire Martin", OrgName: "Helpdesk Inc"})
	if !old.closed.Load() || s.peer != nil {
		t.Fatal("after the transfer the first technician's connection is still open: the customer's next grants would reach it")
	}
	if p := s.grants.get(); p != (protocol.Permissions{}) {
		t.Fatalf("after the transfer the new technician holds %+v", p)
	}
	if p := f.get(); p != (protocol.Permissions{}) {
		t.Fatalf("after the transfer the features still allow %+v", p)
	}
	if _, releases := fi.count(); releases == 0 {
		t.Error("the transfer did not release keys and buttons held down")
	}
	s.grants.inject(move)
	if n, _ := fi.count(); n != 1 {
		t.Fatalf("%d events injected, want only the one before the transfer", n)
	}
	// The old question is withdrawn, and the customer is asked about the new technician.
	if a := s.nextAnswer(t, "the first technician's question withdrawn"); a.perm != protocol.PermissionClipboard || a.err == nil {
		t.Fatalf("the first technician's question ended with %+v", a)
	}
	out := ui.waitAsked(t, 2)
	q := out[strings.LastIndex(out[:strings.LastIndex(out, "[y/N]")], "[y/N]"):]
	if !strings.Contains(q, "Claire Martin") || !strings.Contains(q, "Helpdesk Inc") || !strings.Contains(q, "view your screen") {
		t.Fatalf("the new question does not name who is connecting now:\n%s", q)
	}
	if !strings.Contains(q, "Be careful") {
		t.Errorf("the question about a new technician comes without the warning:\n%s", q)
	}
	ui.say(t, "y")
	a := s.nextAnswer(t, "the customer's answer about the new technician")
	if _, err := s.handle(ctx, event{answer: a}, nil); err != nil {
		t.Fatal(err)
	}
	if p := s.grants.get(); p != (protocol.Permissions{View: true}) {
		t.Fatalf("after allowing viewing again: %+v", p)
	}
}

// drawing is a Feature that holds input back while it is on (the overlay
// showing the technician's drawing).
type drawing struct{ on atomic.Bool }

func (*drawing) Handles(string) bool            { return false }
func (*drawing) Attach(*webrtc.DataChannel)     {}
func (*drawing) SetGrants(protocol.Permissions) {}
func (d *drawing) HoldsInput() bool             { return d.on.Load() }

// While the technician's drawing or laser is on the customer's screen, no input
// is injected under it, even with control granted, and the refusal is audited.
func TestInputRefusedWhileDrawing(t *testing.T) {
	ui := newTermUI(t)
	fi := &fakeInjector{}
	d := &drawing{}
	s, _ := testRunner(t, ui, fi, d)
	var audits []protocol.Audit
	var mu sync.Mutex
	s.grants.refused = func(a protocol.Audit) { mu.Lock(); audits = append(audits, a); mu.Unlock() }
	s.setGrants(protocol.Permissions{View: true, Control: true}, "")

	d.on.Store(true)
	s.grants.inject(move)
	if n, _ := fi.count(); n != 0 {
		t.Fatal("input was injected under the technician's drawing")
	}
	mu.Lock()
	if len(audits) != 1 || audits[0].Event != protocol.AuditRefused || !strings.Contains(audits[0].Detail, "drawing") {
		t.Errorf("refusal audited as %+v", audits)
	}
	mu.Unlock()

	d.on.Store(false)
	s.grants.inject(move)
	if n, _ := fi.count(); n != 1 {
		t.Fatalf("%d events injected once the drawing is erased, want 1", n)
	}
}

// namedFeature records who the session says is connecting (the badge).
type namedFeature struct {
	grantsFeature
	org, tech, server string
}

func (f *namedFeature) SetNames(org, tech, server string) {
	f.mu.Lock()
	f.org, f.tech, f.server = org, tech, server
	f.mu.Unlock()
}

// The customer sees where the technician really comes from: the host name of
// the server the agent connects to (its configuration, not a name an
// administrator typed), on the consent page and on the badge.
func TestConsentPageShowsServerHost(t *testing.T) {
	ui := newTermUI(t)
	f := &namedFeature{}
	s, ctx := testRunner(t, ui, &fakeInjector{}, f)
	s.cfg.Server = "https://support.acme.com:8443/lifeline"
	go func() { _ = ui.Run(ctx) }()
	s.receive(ctx, t, &protocol.AgentWelcome{TechnicianName: "Claire Martin", OrgName: "Acme Support"})

	page := get(t, ui.URL())
	if !strings.Contains(page, "support.acme.com") {
		t.Errorf("the consent page does not show the server's host:\n%s", page)
	}
	if strings.Contains(page, "8443") || strings.Contains(page, "/lifeline") {
		t.Errorf("the consent page shows more than the host name")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.server != "support.acme.com" || f.tech != "Claire Martin" || f.org != "Acme Support" {
		t.Errorf("the badge was told %q, %q, %q", f.org, f.tech, f.server)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// handTo hands the session to the technician w names and has the customer
// allow viewing (the n-th question on their terminal).
func handTo(ctx context.Context, t *testing.T, s *runner, ui *termUI, w *protocol.AgentWelcome, n int) {
	t.Helper()
	s.receive(ctx, t, w)
	ui.waitAsked(t, n)
	ui.say(t, "y")
	if _, err := s.handle(ctx, event{answer: s.nextAnswer(t, "the customer's answer")}, nil); err != nil {
		t.Fatal(err)
	}
	if p := s.grants.get(); !p.View {
		t.Fatalf("after allowing viewing: %+v", p)
	}
}

// The server sends the welcome again when what the technician's group denies
// changes: the same technician is still there, so the customer keeps what
// they allowed, less what the group now denies, and is not asked again. (The
// agent used to take every welcome for a transfer: a change of group
// settings made every customer of the technician allow everything again.)
func TestPermissionsChangeKeepsTheCustomersGrants(t *testing.T) {
	ui := newTermUI(t)
	f := &grantsFeature{}
	s, ctx := testRunner(t, ui, &fakeInjector{}, f)
	claire := protocol.AgentWelcome{TechnicianID: "claire", TechnicianName: "Claire Martin", OrgName: "Acme Support"}
	handTo(ctx, t, s, ui, &claire, 1)
	s.setGrants(protocol.Permissions{View: true, Control: true, Clipboard: true}, "")

	again := claire
	again.Denied = []string{protocol.DeniedControl}
	s.receive(ctx, t, &again)
	want := protocol.Permissions{View: true, Clipboard: true}
	if p := s.grants.get(); p != want {
		t.Fatalf("after the group stopped allowing control the customer allows %+v, want %+v", p, want)
	}
	if p := f.get(); p != want {
		t.Fatalf("the features allow %+v, want %+v", p, want)
	}
	if len(s.asking) != 0 {
		t.Fatalf("the customer is asked again (%v) by the same technician", s.asking)
	}
	// What the group denies now holds: control is refused without asking.
	s.receive(ctx, t, &protocol.PermissionRequest{Permission: protocol.PermissionControl})
	if len(s.asking) != 0 {
		t.Fatal("the customer is asked for control the group no longer allows")
	}
}

// A session handed to another technician while the agent was away (its
// socket lost) asks the customer again when the agent is back, even when the
// new technician has the same name as the one the customer allowed: the
// grants are for an account, not for a name.
func TestTransferWhileAwayToANamesakeAsksAgain(t *testing.T) {
	ui := newTermUI(t)
	f := &grantsFeature{}
	s, ctx := testRunner(t, ui, &fakeInjector{}, f)
	claire := protocol.AgentWelcome{TechnicianID: "claire", TechnicianName: "Claire Martin", OrgName: "Acme Support"}
	handTo(ctx, t, s, ui, &claire, 1)

	// The agent is back on a new socket; the session is another Claire Martin's.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for {
			if _, _, err := ws.Read(r.Context()); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	dctx, cancel := context.WithTimeout(ctx, hang)
	defer cancel()
	ws, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	namesake := claire
	namesake.TechnicianID = "claire.martin2"
	s.rejoined(ctx, ctx, &rejoin{ws: ws, server: srv.URL, welcome: &namesake})
	if p := s.grants.get(); p != (protocol.Permissions{}) {
		t.Fatalf("another technician of the same name holds %+v", p)
	}
	if p := f.get(); p != (protocol.Permissions{}) {
		t.Fatalf("the features still allow %+v", p)
	}
	if _, ok := s.asking[protocol.PermissionView]; !ok {
		t.Fatal("the customer is not asked again about the new technician")
	}
}
