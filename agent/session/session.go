// Package session runs the customer's side of a support session: it joins through
// signaling, asks the customer's consent, streams the screen while viewing is
// allowed, and injects input only while control is allowed. The grants live here,
// in the agent, and nothing from the server or the console can bypass them.
package session

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/input"
	"github.com/lifeline-support/lifeline/agent/pagepeer"
	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/agent/proxy"
	"github.com/lifeline-support/lifeline/agent/screen"
	"github.com/lifeline-support/lifeline/shared/identity"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Version is the agent's version, reported to the server.
var Version = "dev"

// Config is what the agent needs to join a session.
type Config struct {
	// Server is the signaling base URL (http or https).
	Server string
	// Code is the invitation token, or PIN a 6-digit code; one must be set.
	Code, PIN string
	Logger    *slog.Logger
	// Consent is the customer's UI; the session asks it and updates it.
	Consent *consent.UI
	// Changes, if set, tells the peer when something was drawn on the screen
	// (from screen.WatchDamage), so that a still screen is not captured again.
	Changes peer.ChangesFunc
	// NewPeer and NewInjector build the WebRTC peer and the input injector; nil
	// means the real ones (X11 capture, robotgo). Tests replace them at the OS edge.
	NewPeer     func(peer.Config) (Peer, error)
	NewInjector func() (Injector, error)
	// Features serve the data channels beyond input and pointer.
	Features []Feature
	// DeviceKey is this machine's device key (see LoadDeviceKey); may be empty.
	DeviceKey string
	// Proxy is the customer's HTTP proxy (agent/proxy): the signaling socket
	// and TURN over TCP/TLS go through it. nil connects directly.
	Proxy *proxy.Dialer
	// ProxyRetry is how long the agent waits before it tries again a proxy
	// that refused it (default 5 s).
	ProxyRetry time.Duration
	// PingInterval is how often the agent checks its signaling socket; one that
	// does not answer within the interval is dropped and redialled (default 5 s).
	PingInterval time.Duration
	// MaxBackoff caps the wait between reconnection attempts (default 3 s).
	MaxBackoff time.Duration
	// Monitors lists the customer's monitors for the technician to pick
	// from; nil means the X display's (agent/screen).
	Monitors func() ([]protocol.Monitor, error)
	// SurveyWait bounds how long the agent stays once the session ended,
	// for the customer's survey (default DefaultSurveyWait).
	SurveyWait time.Duration
	// Identity, from the download's stamp, makes the agent verify every
	// offer (shared/identity) and prove its own answers; nil verifies
	// nothing (an agent run by hand without a stamp).
	Identity *Identity
	// Enroll sets the computer up for unattended access when the customer
	// agrees to the technician's request; nil refuses every request.
	Enroll Enroller
	// Unattended, set in a session opened on an unattended computer, is its
	// policy: the grants gate answers by it (askCustomer).
	Unattended *Policy
	// Reboot restarts the computer once the customer agreed (reboot.go);
	// nil refuses every restart.
	Reboot Rebooter
	// Resume, set in the program a restart's autostart entry started,
	// resumes that session instead of joining with Code or PIN.
	Resume *Resume
	// Launcher installs the "Get help" launcher once the customer agreed
	// (launcher.go); nil refuses every offer.
	Launcher Launcher
}

// Identity is what the download was stamped with to check the technician's
// connection and prove the agent's.
type Identity struct {
	// Verifier holds the organisation's keys; an offer must carry a proof
	// they verify, from the technician the session belongs to.
	Verifier *identity.Verifier
	// Key signs the agent's answers; nil Key signs nothing. It is made
	// when the agent starts and never leaves it: its public half goes in
	// each hello, and the server certifies it for the session joined
	// (AgentWelcome.IdentityCert). A download carries no key.
	Key *ecdsa.PrivateKey
}

// Peer is the part of *peer.Peer the session uses.
type Peer interface {
	// Answer answers an offer; called again on the same peer it renegotiates
	// (an ICE restart).
	Answer(context.Context, webrtc.SessionDescription) (webrtc.SessionDescription, error)
	AddCandidate(webrtc.ICECandidateInit) error
	SetVideo(on bool)
	Close() error
}

// Feature is an agent component that serves data channels of its own (chat,
// files, clipboard). The session hands it each channel it claims and tells it
// what the customer allows.
type Feature interface {
	// Handles reports whether the feature serves the data channel with label.
	Handles(label string) bool
	// Attach takes a newly opened channel; it must only attach handlers and return.
	Attach(dc *webrtc.DataChannel)
	// SetGrants tells the feature what the customer allows now.
	SetGrants(protocol.Permissions)
}

// HelperFeature is a Feature that also serves a colleague's channels: the
// session hands it one only when the lead granted the colleague what it
// carries (files, clipboard, drawing, chat with the customer) and their group
// allows it. allowed is asked again on every message, from pion's callbacks:
// once it says no (the grant taken back live, the colleague gone) the message
// is dropped. A colleague's channel never becomes the one the feature sends
// the customer's side on: that stays the lead's. name is the colleague's,
// as the customer knows them (their lines are shown under it).
type HelperFeature interface {
	AttachHelper(dc *webrtc.DataChannel, name string, allowed func() bool)
}

// PeerWatcher is a Feature that shows whether the technician's connection is
// there (the on-screen indicator).
type PeerWatcher interface {
	SetPeerLost(lost bool)
}

// HoldWatcher is a Feature that shows whether the technician put the session
// on hold (the on-screen indicator): nothing of the screen is sent meanwhile.
type HoldWatcher interface {
	SetHold(on bool)
}

// Ender is a Feature with something to finish itself when the session ends
// (files: the transfers in flight, whose partial downloads it removes), so
// that a normal end leaves nothing for the agent's supervisor, whose clean-up
// is for a worker that could not do it. Run calls SessionEnded once as it
// ends, before it closes the technician's connection.
type Ender interface {
	SessionEnded()
}

// BulkSender is a Feature that sends bulk data on the technician's
// connection (files): it takes only the share of the connection's bandwidth
// estimate the session gives it for each connection (see RatedPeer), so
// that the screen and the input keep the rest.
type BulkSender interface {
	SetBulkRate(rate func() int)
}

// RatedPeer is a Peer that estimates its bandwidth: BulkRate is the rate,
// in bits per second, bulk data may take now (0: no limit).
type RatedPeer interface {
	BulkRate() int
}

// Auditor is a Feature that reports events for the organisation's audit trail
// (files that crossed, messages refused). The session gives it the reporter.
type Auditor interface {
	SetAudit(report func(protocol.Audit))
}

// LogWriter is a Feature whose customer's chat messages go to the session's
// running log on the server: the customer's words reach it from the agent,
// never from a console. The session gives it the writer.
type LogWriter interface {
	SetLogWriter(write func(protocol.LogAppend))
}

// Named is a Feature that shows who is connecting (the on-screen indicator):
// the names come from the server's welcome, the server's host name from the
// agent's configuration.
type Named interface {
	SetNames(org, technician, server string)
}

// HelperNamer is a Feature that names the technician's colleagues in the
// session too (the on-screen indicator's badge).
type HelperNamer interface {
	SetHelpers(names []string)
}

// OrgPrivacy is a Feature told the programs whose windows the organisation
// keeps private by default (from the server's welcome): agent/privacy.
type OrgPrivacy interface {
	SetOrgPrograms(names []string)
}

// InputGuard is a Feature that holds the technician's input back while it is
// in use: nothing is injected under a drawing or the laser on the customer's
// screen, whatever the console sends.
type InputGuard interface {
	// HoldsInput reports whether input must be refused now. It must not block.
	HoldsInput() bool
}

// InputFilter is a Feature that refuses some of the technician's input by
// where it is aimed: the customer's private windows take no clicks or keys
// from the technician (agent/privacy).
type InputFilter interface {
	// RefusesInput reports whether ev must be refused; area is the monitor
	// positions are fractions of (nil: the whole screen). It is asked with
	// the grants' lock held, for every event control lets through.
	RefusesInput(ev protocol.InputEvent, area *protocol.Monitor) bool
}

// Masker is a Feature that paints over what the technician must not see in
// every captured frame before it is encoded (agent/privacy).
type Masker interface {
	// MaskScreen paints a frame of X screen n (0 on other systems), bounds
	// in that screen's coordinates, and reports whether what it painted
	// differs from what it painted in the screen's last frame.
	MaskScreen(n int, pix []byte, stride int, bounds image.Rectangle) (changed bool)
}

// MaskChanges is a Masker whose choices change apart from the screen (the
// customer hides a window): Changes receives then, so that a still screen
// is captured and masked anew at once.
type MaskChanges interface {
	Changes() <-chan struct{}
}

// PageRelay is a Feature that carries the negotiation of the customer's
// page as a second peer (agent/pagepeer): the technician's screen shown to
// the customer, and voice. The session gives it the way to the technician
// and the session's ICE servers, and hands it what the technician sends,
// once the technician's group allows it (see pageAllowed).
type PageRelay interface {
	SetPageSender(send func(protocol.PageSignal))
	SetICEServers([]webrtc.ICEServer)
	FromTechnician(protocol.PageSignal)
	// SetAllowed says what the technician's group allows: the page offers
	// the customer only what is (a call), and passes nothing else on; what
	// is no longer allowed stops.
	SetAllowed(screen, voice bool)
	// Reset ends what the page has with the technicians (a screen shown, a
	// call): the technician changed to tech, the lead passed, or the
	// session went on hold (why: a protocol.Reset* reason); their consoles
	// are told.
	Reset(tech, why string)
	// SetColleagues says who else is in the session and what each may do
	// with the page: a colleague gone or no longer allowed loses their
	// connection with it at once.
	SetColleagues(map[string]pagepeer.Allowed)
}

// Injector is the part of *input.Robot the session uses.
type Injector interface {
	Inject(protocol.InputEvent) error
	ReleaseAll() error
	Close() error
}

// grants is what the customer allows right now, and the injector that acts on it.
// One lock covers both, so once control is revoked no later input is injected.
type grants struct {
	mu       sync.Mutex
	p        protocol.Permissions
	robot    Injector
	newRobot func() (Injector, error)
	dropped  int
	// guards hold input back while they are in use (the drawing); held
	// counts the events they refused.
	guards []InputGuard
	held   int
	// filters refuse input aimed at the customer's private windows;
	// private counts the events they refused.
	filters []InputFilter
	private int
	log     *slog.Logger
	// refused reports input dropped for lack of a grant (the first, then every
	// hundredth); it must not block.
	refused func(protocol.Audit)
	monitor *protocol.Monitor // the streamed monitor input positions refer to
	// controller names the colleague with remote control ("": the
	// session's technician; nobody: no one); only their input goes
	// through, and other counts what the others sent meanwhile.
	controller string
	other      int
}

// setController gives remote control to colleague id ("": the session's
// technician); what the one before held down is released, and the count of
// input refused to the others starts again (the first refusal after each
// hand-over is logged and audited).
func (g *grants) setController(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.controller == id {
		return
	}
	if g.robot != nil {
		_ = g.robot.ReleaseAll()
	}
	g.controller, g.other = id, 0
}

// controllerIs reports whether colleague id ("": the session's technician)
// has remote control.
func (g *grants) controllerIs(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.controller == id
}

// monitorSetter is implemented by injectors that map positions to a monitor.
type monitorSetter interface{ SetMonitor(protocol.Monitor) }

// setMonitor makes input positions refer to monitor m, now and for an
// injector created later.
func (g *grants) setMonitor(m protocol.Monitor) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.monitor = &m
	if ms, ok := g.robot.(monitorSetter); ok {
		ms.SetMonitor(m)
	}
}

func (g *grants) get() protocol.Permissions { g.mu.Lock(); defer g.mu.Unlock(); return g.p }

// set records new grants; losing control releases every key and button held down.
func (g *grants) set(p protocol.Permissions) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.p.Control && !p.Control && g.robot != nil {
		_ = g.robot.ReleaseAll()
	}
	g.p = p
}

// inject applies one input event of the session's technician (see injectFrom).
func (g *grants) inject(ev protocol.InputEvent) { g.injectFrom("", ev) }

// injectFrom applies one input event from technician from ("": the
// session's own, otherwise a colleague) if, and only if, they have remote
// control, control is granted and no guard holds input back.
func (g *grants) injectFrom(from string, ev protocol.InputEvent) {
	var report func(protocol.Audit)
	var rep protocol.Audit
	g.mu.Lock()
	defer func() {
		g.mu.Unlock()
		if report != nil {
			report(rep) // outside the lock: it writes to the network
		}
	}()
	switch {
	case !g.p.Control:
		report, rep = g.refusal(&g.dropped, ev, "input without a control grant dropped", "input without control")
		return
	case g.controller != from:
		report, rep = g.refusal(&g.other, ev, "input from a technician without remote control dropped", "input from a technician who does not have remote control")
		return
	case g.guarded():
		report, rep = g.refusal(&g.held, ev, "input while the technician draws on the screen dropped", "input while drawing on the screen")
		return
	case g.filtered(ev):
		report, rep = g.refusal(&g.private, ev, "input aimed at a private window dropped", "input aimed at a window the customer keeps private")
		return
	}
	if g.robot == nil {
		r, err := g.newRobot()
		if err != nil {
			g.log.Error("input injection unavailable", "err", err)
			return
		}
		g.robot = r
		if ms, ok := r.(monitorSetter); ok && g.monitor != nil {
			ms.SetMonitor(*g.monitor)
		}
	}
	if err := g.robot.Inject(ev); err != nil {
		g.log.Warn("input refused", "kind", ev.Kind, "err", err)
	}
}

// refusal counts one event refused for a reason in *n. The first and every
// hundredth are logged (msg) and come back with their audit entry (detail,
// the event's kind and the count) for the caller to report outside the
// lock; the others come back with a nil report. g.mu must be held.
func (g *grants) refusal(n *int, ev protocol.InputEvent, msg, detail string) (func(protocol.Audit), protocol.Audit) {
	*n++
	if *n != 1 && *n%100 != 0 {
		return nil, protocol.Audit{}
	}
	g.log.Warn(msg, "kind", ev.Kind, "dropped", *n)
	return g.refused, protocol.Audit{Event: protocol.AuditRefused, Detail: fmt.Sprintf("%s (%s), %d dropped", detail, ev.Kind, *n)}
}

// release releases every key and button held down, keeping the grants.
func (g *grants) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.robot != nil {
		_ = g.robot.ReleaseAll()
	}
}

// guarded reports whether a guard holds input back now. g.mu must be held.
func (g *grants) guarded() bool {
	for _, gd := range g.guards {
		if gd.HoldsInput() {
			return true
		}
	}
	return false
}

// maskFunc paints every Masker's part of a captured frame, or is nil without
// any (the peer then skips the call).
func (s *runner) maskFunc() peer.MaskFunc {
	if len(s.maskers) == 0 {
		return nil
	}
	return func(screen int, pix []byte, stride int, bounds image.Rectangle) (changed bool) {
		for _, m := range s.maskers {
			changed = m.MaskScreen(screen, pix, stride, bounds) || changed
		}
		return changed
	}
}

// filtered reports whether a filter refuses ev. g.mu must be held.
func (g *grants) filtered(ev protocol.InputEvent) bool {
	for _, f := range g.filters {
		if f.RefusesInput(ev, g.monitor) {
			return true
		}
	}
	return false
}

// close releases held input and closes the injector.
func (g *grants) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.p = protocol.Permissions{}
	if g.robot != nil {
		_ = g.robot.ReleaseAll()
		_ = g.robot.Close()
		g.robot = nil
	}
}

// event is anything the session loop reacts to.
type event struct {
	msg     *protocol.Message     // from signaling
	readErr error                 // signaling socket closed
	ws      *websocket.Conn       // the socket msg or readErr came from
	rejoin  *rejoin               // reconnected (or refused) after a lost socket
	answer  *answer               // the customer answered a request
	action  consent.Action        // the customer acted on their own
	survey  *consent.SurveySubmit // the customer's survey answers
	// callback is the message the customer leaves instead of waiting
	// longer for a technician (callback.go).
	callback *string
	pcState  webrtc.PeerConnectionState
	pcGen    int // which peer the state belongs to
	// helper names the colleague whose connection pcState (or
	// helperChannel) is ("": the session's technician's).
	helper string
	// helperChannel is a data channel a colleague's console opened.
	helperChannel *webrtc.DataChannel
}

type rejoin struct {
	ws      *websocket.Conn
	server  string // the signaling URL that answered
	welcome *protocol.AgentWelcome
	err     error // the server refused to resume: the session is over
}

type answer struct {
	perm  protocol.Permission
	seq   uint64 // which question this answers (runner.asking)
	allow bool
	err   error
}

// Run joins the session and runs it until it ends. It returns nil when the
// customer or the technician ended it, ErrInvalidCode and friends when the server
// refused the code, and ErrConnectionLost when signaling went away.
func Run(ctx context.Context, cfg Config) error {
	s := newRunner(cfg)
	defer s.grabber.Close()
	return s.run(ctx)
}

// newRunner fills in cfg's defaults and wires the grants gate, before any
// connection.
func newRunner(cfg Config) *runner {
	s := &runner{cfg: cfg, log: cfg.Logger, events: make(chan event, 64),
		asking: map[protocol.Permission]question{}, denied: map[string]bool{}, helpers: map[string]*helper{}, approved: map[string]bool{}, sentAway: map[string]bool{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.cfg.NewPeer == nil {
		s.cfg.NewPeer = func(c peer.Config) (Peer, error) { return peer.New(c) }
	}
	if s.cfg.NewInjector == nil {
		s.cfg.NewInjector = func() (Injector, error) { return input.New(input.Config{Logger: s.log}) }
	}
	if s.cfg.PingInterval <= 0 {
		s.cfg.PingInterval = 5 * time.Second
	}
	if s.cfg.MaxBackoff <= 0 {
		s.cfg.MaxBackoff = 3 * time.Second
	}
	if s.cfg.Proxy == nil {
		s.cfg.Proxy, _ = proxy.New(proxy.Settings{URL: "direct"})
	}
	if s.cfg.SurveyWait <= 0 {
		s.cfg.SurveyWait = DefaultSurveyWait
	}
	if s.cfg.ProxyRetry <= 0 {
		s.cfg.ProxyRetry = 5 * time.Second
	}
	if s.cfg.Monitors == nil {
		s.cfg.Monitors = screen.Monitors
	}
	s.grants.newRobot, s.grants.log, s.grants.refused = s.cfg.NewInjector, s.log, s.report
	for _, f := range s.cfg.Features {
		if gd, ok := f.(InputGuard); ok {
			s.grants.guards = append(s.grants.guards, gd)
		}
		if fl, ok := f.(InputFilter); ok {
			s.grants.filters = append(s.grants.filters, fl)
		}
		if m, ok := f.(Masker); ok {
			s.maskers = append(s.maskers, m)
		}
	}
	return s
}

type runner struct {
	cfg    Config
	log    *slog.Logger
	wsMu   sync.Mutex
	ws     *websocket.Conn // nil while reconnecting; guarded by wsMu
	sid    string
	secret string // proves to the server that this agent is the session's
	// servers are the signaling URLs to resume through, the one in use first.
	servers []string
	hold    bool
	// waiting is set while no technician has picked the session up: the
	// customer waits in the queue.
	waiting bool
	events  chan event
	grants  grants
	// maskNews passes the maskers' news of changed choices to every
	// connection's capture (changesFunc).
	maskNews fanout
	// maskers paint over private windows in every captured frame.
	maskers []Masker
	// grabber captures monitors on X screens other than the first.
	grabber screen.Grabber
	peer    Peer
	gen     int // generation of peer, to ignore states of closed peers
	// peerLost is set while the technician's connection is lost (ICE
	// disconnected, failed or closed) and until a connection is up again.
	peerLost bool
	// asking holds the questions on the customer's screen (or waiting for
	// it), by permission; an answer to any other question grants nothing.
	asking map[protocol.Permission]question
	askSeq uint64
	// techID names the account of the technician the customer's grants are
	// for (see sameTechnician), and techName the name the customer was shown
	// for them: a verified offer's certificate must carry both.
	techID, techName string
	// orgName is the organisation the customer was shown.
	orgName string
	// denied is what the technician's group does not allow (from the server).
	denied map[string]bool
	wg     sync.WaitGroup
	nextID atomic.Int64 // send runs on the loop and on the peer's goroutine
	// agentCert certifies Identity.Key for this session: the last welcome's
	// IdentityCert (a welcome relayed on a transfer carries none and keeps
	// it).
	agentCert atomic.Pointer[string]
	// finished runs the features' SessionEnded once.
	finished sync.Once
	// survey is the customer's survey in flight (survey.go).
	survey surveyState
	// callbackID is the ID of the session.callback sent, until the server
	// answers it (callback.go).
	callbackID string
	// collab is who else is in the session and who has control, as the
	// server last said; helpers are the colleagues' connections, helperGen
	// the generation of the newest.
	collab    protocol.Collaboration
	helpers   map[string]*helper
	helperGen int
	// approved holds the customer's answers about group leads who watch.
	approved map[string]bool
	// sentAway are the colleagues the customer asked to leave, refused
	// until the server no longer names them.
	sentAway map[string]bool
	// helperGate is what each colleague may use, for the features' callbacks
	// to check on every message.
	helperGate helperGate
	// enrollWindow is the window the customer agreed to for unattended
	// access, until the server enrolls the computer.
	enrollWindow atomic.Pointer[protocol.Hours]
	// launcherChannel is the channel of the launcher the customer agreed
	// to, until the server says it is recorded (launcher.go).
	launcherChannel atomic.Pointer[string]
	// restarting is set once the computer's restart runs (reboot.go).
	restarting bool
	// rebootWait is how long the server waits for the computer after the
	// restart asked last (reboot.go).
	rebootWait time.Duration
}

// finish lets the features that end something themselves (Ender) do it,
// once: before the customer's page hears the end, so that what they say of
// it (a partial file removed) is on the page, and at the latest as run
// returns.
func (s *runner) finish() {
	s.finished.Do(func() {
		for _, f := range s.cfg.Features {
			if e, ok := f.(Ender); ok {
				e.SessionEnded()
			}
		}
	})
}

// ended tells the customer's page the session ended, after finish.
func (s *runner) ended(why string) {
	s.finish()
	s.cfg.Consent.Ended(why)
}

func (s *runner) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	// The socket's reader has its own context: cancelling a read closes the
	// socket, and the goodbye must still go out when ctx ends.
	readCtx, stopReading := context.WithCancel(context.Background())
	defer func() {
		cancel()
		// First, so that what the customer reads is that the session ended,
		// not that the connection closing with it was lost.
		s.finish()
		s.closePeer()
		s.closeHelpers()
		s.grants.close()
		if ws := s.conn(); ws != nil {
			_ = ws.Close(websocket.StatusNormalClosure, "bye")
		}
		stopReading()
		s.wg.Wait()
	}()

	hello := protocol.AgentHello{Code: s.cfg.Code, PIN: s.cfg.PIN}
	if r := s.cfg.Resume; r != nil {
		hello = protocol.AgentHello{SID: r.SID, Secret: r.Secret, Reboot: true, Decline: r.Decline}
	}
	ws, welcome, err := s.firstJoin(ctx, hello)
	if err != nil {
		return err
	}
	s.setServers(s.cfg.Server, welcome.Servers)
	s.setConn(ws)
	s.sid, s.secret = welcome.SID, welcome.Secret
	s.log = s.log.With("sid", s.sid)
	ui := s.cfg.Consent
	s.welcomed(welcome)
	for _, d := range welcome.Denied {
		s.denied[d] = true
	}
	s.pageDenied()
	if welcome.Resumed {
		// Run again after a crash into the session this computer had joined:
		// nothing is allowed until the customer answers again.
		s.log.Info("session resumed by a new program")
	}
	if welcome.OnHold {
		s.setHold(true)
	}
	for _, f := range s.cfg.Features {
		if a, ok := f.(Auditor); ok {
			a.SetAudit(s.report)
		}
		if l, ok := f.(LogWriter); ok {
			l.SetLogWriter(func(a protocol.LogAppend) { s.send(protocol.TypeLogAppend, a) })
		}
		if r, ok := f.(PageRelay); ok {
			r.Reset(s.techID, "")
			r.SetICEServers(welcome.ICEServers)
			r.SetPageSender(func(p protocol.PageSignal) { s.send(protocol.TypePageSignal, p) })
		}
	}
	iceServers := welcome.ICEServers

	s.goRead(readCtx, ws)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case a := <-ui.Actions():
				s.post(ctx, event{action: a})
			case sub := <-ui.Surveys():
				s.post(ctx, event{survey: &sub})
			case m := <-ui.Callbacks():
				s.post(ctx, event{callback: &m})
			case <-ctx.Done():
				return
			}
		}
	}()
	// The first question comes at once: may this technician see the screen?
	s.ask(ctx, protocol.PermissionView, "")

	for {
		select {
		case <-ctx.Done():
			// The customer closed the agent: tell the technician.
			s.send(protocol.TypeSessionEnd, protocol.SessionEnd{Reason: protocol.EndByCustomer})
			s.ended(consent.ReasonByCustomer)
			return nil
		case ev := <-s.events:
			if ev.rejoin != nil {
				if ev.rejoin.err != nil {
					s.ended(consent.ReasonConnectionLost)
					return fmt.Errorf("%w: %v", ErrConnectionLost, ev.rejoin.err)
				}
				s.rejoined(ctx, readCtx, ev.rejoin)
				continue
			}
			if ev.ws != nil && ev.ws != s.conn() {
				continue // from a socket already replaced
			}
			if ev.readErr != nil && s.leftMessage(ev.readErr) {
				return nil
			}
			if ev.readErr != nil {
				// Signaling went away (network, server restart): the peer-to-peer
				// connection may well be alive. Reconnect and resume.
				s.log.Warn("signaling connection lost; reconnecting", "err", ev.readErr)
				s.setConn(nil)
				ui.SetReconnecting(true)
				s.goReconnect(ctx)
				continue
			}
			done, err := s.handle(ctx, ev, iceServers)
			if done && err == nil {
				s.awaitSurvey(ctx)
			}
			if done || err != nil {
				return err
			}
		}
	}
}

// handle reacts to one event; done means the session is over.
func (s *runner) handle(ctx context.Context, ev event, ice []webrtc.ICEServer) (done bool, err error) {
	switch {
	case ev.answer != nil:
		a := ev.answer
		if q, ok := s.asking[a.perm]; !ok || q.seq != a.seq {
			// A question withdrawn (hold, transfer) whose answer crossed it.
			s.log.Info("answer to a withdrawn question ignored", "permission", a.perm, "allow", a.allow)
			return false, nil
		}
		delete(s.asking, a.perm)
		if a.err != nil {
			return false, nil
		}
		if id, ok := strings.CutPrefix(string(a.perm), watchPrefix); ok {
			s.watchAnswered(ctx, id, a.allow)
			return false, nil
		}
		if a.perm == protocol.PermissionReboot {
			if s.rebootAnswered(a.allow) {
				return true, ErrRestarting
			}
			return false, nil
		}
		p := s.grants.get()
		switch {
		case a.perm == protocol.PermissionView:
			p.View = a.allow
		case a.perm == protocol.PermissionControl && p.View && !s.hold:
			p.Control = a.allow
		case a.perm == protocol.PermissionClipboard:
			p.Clipboard = a.allow
		case a.perm == protocol.PermissionTerminal:
			p.Terminal = a.allow
		case a.perm == protocol.PermissionSysInfo:
			p.SysInfo = a.allow
		case a.perm == protocol.PermissionFileManager:
			p.FileManager = a.allow
		}
		s.setGrants(p, refused(a))
		s.log.Info("customer answered", "permission", a.perm, "allow", a.allow)

	case ev.action != "":
		switch ev.action {
		case consent.ActionRevokeControl:
			p := s.grants.get()
			p.Control = false
			s.setGrants(p, "")
			s.log.Info("customer revoked control")
		case consent.ActionRevokeView:
			p := s.grants.get()
			p.View, p.Control = false, false
			s.setGrants(p, "")
			s.log.Info("customer stopped sharing the screen")
		case consent.ActionRevokeClipboard:
			p := s.grants.get()
			p.Clipboard = false
			s.setGrants(p, "")
			s.log.Info("customer stopped clipboard sharing")
		case consent.ActionRevokeTerminal:
			p := s.grants.get()
			p.Terminal = false
			s.setGrants(p, "")
			s.log.Info("customer closed the terminals")
		case consent.ActionRevokeSysInfo:
			p := s.grants.get()
			p.SysInfo = false
			s.setGrants(p, "")
			s.log.Info("customer stopped the system information")
		case consent.ActionRemoveHelpers:
			s.removeHelpers(ctx)
		case consent.ActionRevokeFileManager:
			p := s.grants.get()
			p.FileManager = false
			s.setGrants(p, "")
			s.log.Info("customer stopped the file manager")
		case consent.ActionEnd:
			s.send(protocol.TypeSessionEnd, protocol.SessionEnd{Reason: protocol.EndByCustomer})
			s.ended(consent.ReasonByCustomer)
			s.log.Info("customer ended the session")
			return true, nil
		}

	case ev.helperChannel != nil:
		s.helperChannel(ev.helper, ev.helperChannel)
	case ev.helper != "":
		s.helperState(ev.helper, ev.pcGen, ev.pcState)

	case ev.pcGen != 0:
		if ev.pcGen == s.gen {
			switch ev.pcState {
			case webrtc.PeerConnectionStateDisconnected, webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
				s.setPeerLost(true)
			case webrtc.PeerConnectionStateConnected:
				s.setPeerLost(false)
			}
		}
		if ev.pcGen == s.gen && (ev.pcState == webrtc.PeerConnectionStateFailed || ev.pcState == webrtc.PeerConnectionStateClosed) {
			s.log.Info("peer connection ended", "state", ev.pcState)
			s.closePeer()
		}

	case ev.survey != nil:
		s.submitSurvey(*ev.survey)

	case ev.callback != nil:
		s.leaveMessage(*ev.callback)

	case ev.msg != nil:
		return s.handleMessage(ctx, ev.msg, ice)
	}
	return false, nil
}

func (s *runner) handleMessage(ctx context.Context, m *protocol.Message, ice []webrtc.ICEServer) (bool, error) {
	switch body := m.Body.(type) {
	case *protocol.PermissionRequest:
		p := s.grants.get()
		switch {
		case s.denied[string(body.Permission)]:
			// The technician's organisation does not allow it: the customer
			// is not even asked.
			s.log.Warn("permission not allowed for this technician; refused", "permission", body.Permission)
			s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: "request for " + string(body.Permission) + ", not allowed for this technician"})
			s.setGrants(p, body.Permission)
		case body.Permission == protocol.PermissionView && p.View,
			body.Permission == protocol.PermissionControl && p.Control,
			body.Permission == protocol.PermissionClipboard && p.Clipboard,
			body.Permission == protocol.PermissionTerminal && p.Terminal,
			body.Permission == protocol.PermissionSysInfo && p.SysInfo,
			body.Permission == protocol.PermissionFileManager && p.FileManager:
			s.setGrants(p, "") // already allowed: just confirm
		case body.Permission == protocol.PermissionControl && !p.View:
			s.log.Warn("control requested without viewing; refused")
			s.setGrants(p, protocol.PermissionControl)
		case body.Permission == protocol.PermissionControl && s.hold:
			s.log.Warn("control requested during hold; refused")
			s.setGrants(p, protocol.PermissionControl)
		case body.Permission == protocol.PermissionReboot:
			s.askReboot(ctx, s.colleagueAsking(body), time.Duration(body.RebootWait)*time.Second)
		default:
			s.ask(ctx, body.Permission, s.colleagueAsking(body))
		}
	case *protocol.Offer:
		if body.Peer != "" {
			s.helperOffer(ctx, body, ice)
			return false, nil
		}
		if err := s.verify(body); err != nil {
			s.refuseUnverified("offer refused", err)
			return false, nil
		}
		if body.Restart && s.peer != nil {
			// An ICE restart: same connection, new paths.
			actx, cancel := context.WithTimeout(ctx, 15*time.Second)
			ans, err := s.peer.Answer(actx, body.SessionDescription)
			cancel()
			if err != nil {
				s.log.Warn("ICE restart failed", "err", err)
				return false, nil
			}
			s.log.Info("ICE restart answered")
			s.sendAnswer(body.SDP, ans, "")
			return false, nil
		}
		// The connection carries chat and files from the start; the screen
		// goes only while viewing is allowed (SetVideo).
		s.closePeer()
		if err := s.startPeer(ctx, body.SessionDescription, ice); err != nil {
			s.log.Error("start peer", "err", err)
		}
	case *protocol.Candidate:
		if body.Peer != "" {
			s.helperCandidate(body)
		} else if s.peer != nil {
			if err := s.peer.AddCandidate(body.ICECandidateInit); err != nil {
				s.log.Warn("candidate", "err", err)
			}
		}
	case *protocol.PageSignal:
		s.pageSignal(body)
	case *protocol.Collaboration:
		s.setCollaboration(ctx, body)
	case *protocol.SessionHold:
		s.setHold(body.On)
	case *protocol.AgentWelcome:
		// The session was transferred, or what the technician's group
		// denies changed.
		s.welcomedAgain(ctx, body)
	case *protocol.SessionEnd:
		s.ended(consent.ReasonByTechnician)
		s.log.Info("technician ended the session")
		return true, nil
	case *protocol.UnattendedAsk:
		s.askUnattended(ctx, body)
	case *protocol.UnattendedEnrolled:
		s.enrolled(body)
	case *protocol.LauncherOffer:
		s.offerLauncher(ctx, body)
	case *protocol.LauncherInstalled:
		s.installLauncher(body)
	case *protocol.SurveyShow:
		s.cfg.Consent.ShowSurvey()
	case *protocol.SurveySaved:
		s.surveyAnswered(m.ID, nil)
	case *protocol.Error:
		if s.surveyAnswered(m.ID, body) || s.messageRefused(m.ID, body) {
			return false, nil
		}
		s.log.Warn("server refused a message", "code", body.Code, "message", body.Message)
	}
	return false, nil
}

// setGrants records new grants, applies them, and tells the customer and the
// technician. Losing control releases every key and button held down.
func (s *runner) setGrants(p protocol.Permissions, refused protocol.Permission) {
	if !p.View {
		p.Control = false
	}
	s.grants.set(p)
	if s.peer != nil {
		s.peer.SetVideo(s.videoOn())
	}
	s.helpersVideo()
	for _, f := range s.cfg.Features {
		f.SetGrants(p)
	}
	s.cfg.Consent.SetState(p, !s.waiting)
	s.send(protocol.TypePermissionUpdate, protocol.PermissionUpdate{Permissions: p, Refused: refused})
}

// setPeerLost records that the technician's connection is lost, or up again.
// While it is lost nothing is sent, keys and buttons the technician held are
// released, and the customer's page and indicator say the technician is
// gone rather than viewing.
func (s *runner) setPeerLost(lost bool) {
	if s.peerLost == lost {
		return
	}
	s.peerLost = lost
	if lost {
		s.grants.release()
	}
	if s.peer != nil {
		s.peer.SetVideo(s.videoOn())
	}
	s.cfg.Consent.SetPeerLost(lost)
	for _, f := range s.cfg.Features {
		if w, ok := f.(PeerWatcher); ok {
			w.SetPeerLost(lost)
		}
	}
	s.log.Info("technician's connection", "lost", lost)
}

func refused(a *answer) protocol.Permission {
	if a.allow {
		return ""
	}
	return a.perm
}

// question is one request on (or waiting for) the customer's screen.
type question struct {
	seq      uint64
	withdraw context.CancelFunc
}

// ask shows a request to the customer unless the same one is already showing;
// colleague names the technician's colleague who asks ("": the technician).
func (s *runner) ask(ctx context.Context, perm protocol.Permission, colleague string) {
	if _, ok := s.asking[perm]; ok {
		return
	}
	s.askSeq++
	seq := s.askSeq
	actx, withdraw := context.WithCancel(ctx)
	s.asking[perm] = question{seq: seq, withdraw: withdraw}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer withdraw()
		allow, err := s.askCustomer(actx, perm, colleague)
		s.post(ctx, event{answer: &answer{perm: perm, seq: seq, allow: allow, err: err}})
	}()
}

// withdraw takes the questions for perms (all of them if none is named) off
// the customer's screen; answers that crossed them grant nothing.
func (s *runner) withdraw(perms ...protocol.Permission) {
	for perm, q := range s.asking {
		if len(perms) == 0 || slices.Contains(perms, perm) {
			q.withdraw()
			delete(s.asking, perm)
		}
	}
}

// welcomed takes the first welcome: the technician the session belongs to,
// shown to the customer, who has allowed nothing yet.
func (s *runner) welcomed(w *protocol.AgentWelcome) {
	s.checkWelcome(w)
	s.techID = w.TechnicianID
	s.waiting = w.Waiting
	s.setWaitLimit(w)
	s.introduce(w)
	s.cfg.Consent.SetState(protocol.Permissions{}, !s.waiting)
	s.collab = protocol.Collaboration{}
	if w.Collaboration != nil {
		s.collab = *w.Collaboration // nobody watches a session before it starts
	}
	s.showHelpers()
}

// checkWelcome refuses, when the download carries the organisation's keys,
// a welcome that names no technician account: no offer can verify against
// it (see verify); the customer is told and the refusal audited. A session
// still waiting may name none: a customer who asked for help on a channel
// waits for the first technician to take it, and the welcome that comes
// then names them (offers before it are refused all the same).
//
// It also keeps the certificate of the agent's key that w carries.
func (s *runner) checkWelcome(w *protocol.AgentWelcome) {
	if w.IdentityCert != "" {
		s.agentCert.Store(&w.IdentityCert)
	}
	if s.verifying() && w.TechnicianID == "" && !w.Waiting {
		s.refuseUnverified("welcome refused", ErrNoTechnician)
	}
}

// introduce shows the customer who is connecting, as w names them, and the
// host name of the server the agent was configured with, on their page and
// on the screen (Named features).
func (s *runner) introduce(w *protocol.AgentWelcome) {
	s.techName, s.orgName = w.TechnicianName, w.OrgName
	host := serverHost(s.cfg.Server)
	s.cfg.Consent.SetInfo(consent.Info{TechnicianName: w.TechnicianName, OrgName: w.OrgName, CustomerName: w.CustomerName, Server: host})
	s.cfg.Consent.SetSurvey(w.Survey)
	for _, f := range s.cfg.Features {
		if n, ok := f.(Named); ok {
			n.SetNames(w.OrgName, w.TechnicianName, host)
		}
		if o, ok := f.(OrgPrivacy); ok {
			o.SetOrgPrograms(w.PrivatePrograms)
		}
	}
}

// serverHost is the host name of the server URL, without port or path.
func serverHost(server string) string {
	u, err := url.Parse(server)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// newTechnician hands the session to the technician w names (a transfer, or
// another technician found on resuming): nothing the customer allowed the
// previous one carries over. Every grant and question is dropped, the
// customer sees who is connecting now and is asked again, from viewing.
func (s *runner) newTechnician(ctx context.Context, w *protocol.AgentWelcome) {
	s.techID = w.TechnicianID
	s.withdraw()
	// The first technician's connection goes too: every peer feeds the same
	// grants, so what the customer now allows must reach the new one only.
	s.closePeer()
	s.setGrants(protocol.Permissions{}, "")
	s.introduce(w)
	s.pageReset(protocol.ResetTechnician)
	s.cfg.Consent.SetLeadPassed("")
	s.log.Info("another technician took the session; the customer is asked again", "technician", w.TechnicianName)
	s.ask(ctx, protocol.PermissionView, "")
}

// requeued takes the session back to the queue (its lead's console gone
// past the grace with no colleague to take it over): whatever the customer
// allowed was for a technician who is gone, so every grant and question
// goes, the lead's connection closes, and the customer's page says they
// wait for a technician, whom they are asked about again.
func (s *runner) requeued(w *protocol.AgentWelcome) {
	s.techID = w.TechnicianID
	s.withdraw()
	s.closePeer()
	s.setGrants(protocol.Permissions{}, "")
	s.introduce(w)
	s.pageReset(protocol.ResetTechnician) // whoever comes next is another technician
	s.cfg.Consent.SetLeadPassed("")
	s.log.Info("the session is back in the queue: its technician is gone")
}

// leadPassed hands the session to the colleague w names, whom the customer
// let in to see the screen: the former lead's connection closes (what they
// held down is let go) and the customer is told who leads now. The customer
// let the new lead watch, nothing more: of what they allowed only viewing
// stays; remote control, the clipboard, terminals, the system information
// and the file manager go, and questions asked in the former lead's name
// are withdrawn, so the new lead must ask again and the customer answers
// knowing who asks.
func (s *runner) leadPassed(w *protocol.AgentWelcome) {
	s.techID = w.TechnicianID
	if q := s.techQuestions(); len(q) > 0 {
		s.withdraw(q...) // none named would withdraw them all
	}
	s.closePeer()
	s.introduce(w)
	s.pageReset(protocol.ResetLead)
	s.cfg.Consent.SetLeadPassed(w.TechnicianName)
	s.setGrants(protocol.Permissions{View: s.grants.get().View}, "")
	s.log.Info("the lead passed to a colleague the customer let in; only viewing stays, the rest is asked again", "technician", w.TechnicianName)
}

// techQuestions are the questions showing that the technician asked, not
// those about colleagues who want to see the screen.
func (s *runner) techQuestions() []protocol.Permission {
	var out []protocol.Permission
	for perm := range s.asking {
		if !strings.HasPrefix(string(perm), watchPrefix) {
			out = append(out, perm)
		}
	}
	return out
}

func (s *runner) startPeer(ctx context.Context, offer webrtc.SessionDescription, ice []webrtc.ICEServer) error {
	s.gen++
	gen := s.gen
	mons, err := s.cfg.Monitors()
	if err != nil {
		s.log.Warn("cannot list monitors; streaming the whole screen", "err", err)
	}
	if len(mons) > 0 {
		s.grants.setMonitor(mons[0]) // a new connection starts on the first
	}
	p, err := s.cfg.NewPeer(peer.Config{
		Monitors:      mons,
		Grab:          s.grabber.Grab,
		Changes:       s.changesFunc(),
		Mask:          s.maskFunc(),
		OnMonitor:     s.grants.setMonitor,
		ICEServers:    ice,
		Proxy:         s.cfg.Proxy,
		Logger:        s.log,
		VideoOff:      !s.grants.get().View || s.hold,
		OnDataChannel: s.attachChannel,
		OnInput:       s.grants.inject,
		OnCandidate: func(c webrtc.ICECandidateInit) {
			s.send(protocol.TypeCandidate, protocol.Candidate{ICECandidateInit: c})
		},
		OnState: func(st webrtc.PeerConnectionState) {
			s.post(ctx, event{pcState: st, pcGen: gen})
		},
		OnPath: func(path protocol.Path) { s.send(protocol.TypePath, path) },
	})
	if err != nil {
		return err
	}
	s.peer = p
	if r, ok := p.(RatedPeer); ok {
		for _, f := range s.cfg.Features {
			if b, ok := f.(BulkSender); ok {
				b.SetBulkRate(r.BulkRate)
			}
		}
	}
	actx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ans, err := p.Answer(actx, offer)
	if err != nil {
		s.closePeer()
		return err
	}
	s.sendAnswer(offer.SDP, ans, "")
	return nil
}

// verifying reports whether the download carries the organisation's keys,
// so that every offer must prove its technician's identity.
func (s *runner) verifying() bool {
	return s.cfg.Identity != nil && s.cfg.Identity.Verifier != nil
}

// verify checks the offer's proof of identity when the download carries the
// organisation's keys: the certificate, the signature of the fingerprint in
// the SDP as received, the session, the time, and that it is the technician
// the session belongs to, under the name the customer was shown (the server
// chooses both; the certificate is the organisation's word).
func (s *runner) verify(o *protocol.Offer) error {
	return s.verifyAs(o, s.techID, s.techName)
}

// refuseUnverified refuses what (an offer, a welcome) because the
// technician's identity did not verify: no peer connection, nothing
// streamed; the customer is told and the refusal audited.
func (s *runner) refuseUnverified(what string, err error) {
	s.log.Warn("connection refused: the technician's identity did not verify", "what", what, "err", err)
	s.cfg.Consent.SetUnverified(true)
	s.report(protocol.Audit{Event: protocol.AuditIdentityRefused, Detail: what + ": " + err.Error()})
}

// sendAnswer sends the answer to offerSDP, for the connection of colleague
// helper ("": the session's technician's), with the agent's proof of its
// fingerprint when the download carries a key, and shows the customer the
// verification code of the technician's connection.
func (s *runner) sendAnswer(offerSDP string, ans webrtc.SessionDescription, helper string) {
	a := protocol.Answer{SessionDescription: ans, Peer: helper}
	if id, cert := s.cfg.Identity, s.agentCert.Load(); id != nil && id.Key != nil && cert != nil {
		p, err := identity.NewProof(id.Key, *cert, identity.KindAgent, s.sid, ans.SDP, time.Now())
		if err != nil {
			s.log.Warn("cannot sign the answer", "err", err)
		} else {
			a.Identity = &p
		}
	}
	offerFP, err1 := identity.SDPFingerprint(offerSDP)
	answerFP, err2 := identity.SDPFingerprint(ans.SDP)
	if err1 == nil && err2 == nil && helper == "" {
		if s.cfg.Identity != nil {
			s.cfg.Consent.SetUnverified(false)
		}
		s.cfg.Consent.SetCode(identity.Code(offerFP, answerFP))
	}
	s.send(protocol.TypeAnswer, a)
}

// channelNeeds names what a data channel needs the technician to be allowed
// (AgentWelcome.Denied), or "" for channels every technician may open.
func channelNeeds(label string) string {
	switch {
	case label == protocol.ChannelFileManager:
		return protocol.DeniedFileManager
	case strings.HasPrefix(label, protocol.ChannelFilePrefix):
		return protocol.DeniedFiles
	case label == protocol.ChannelClipboard:
		return protocol.DeniedClipboard
	case label == protocol.ChannelDraw:
		return protocol.DeniedDrawing
	case label == protocol.ChannelRecording:
		return protocol.DeniedRecording
	case label == protocol.ChannelInput || label == protocol.ChannelPointer:
		return protocol.DeniedControl
	case label == protocol.ChannelChat:
		return protocol.DeniedChat
	case strings.HasPrefix(label, protocol.ChannelTerminalPrefix):
		return protocol.DeniedTerminal
	case label == protocol.ChannelSysInfo:
		return protocol.DeniedSysInfo
	case strings.HasPrefix(label, protocol.ChannelScriptPrefix):
		return protocol.DeniedScripts
	}
	return ""
}

// channelGrant reports whether the customer's grants p let a data channel
// open at all: a terminal, the system information or the file manager
// channel needs its own grant; the others carry nothing their grant does not allow (each feature
// checks it on every message).
func channelGrant(label string, p protocol.Permissions) bool {
	switch {
	case strings.HasPrefix(label, protocol.ChannelTerminalPrefix), strings.HasPrefix(label, protocol.ChannelScriptPrefix):
		// A script runs commands: the terminal's grant.
		return p.Terminal
	case label == protocol.ChannelSysInfo:
		return p.SysInfo
	case label == protocol.ChannelFileManager:
		return p.FileManager
	}
	return true
}

// attachChannel hands a data channel to the feature that serves it.
func (s *runner) attachChannel(dc *webrtc.DataChannel) {
	// Input channels are opened by every console and carry nothing without the
	// control grant; the others are refused outright when not allowed.
	if need := channelNeeds(dc.Label()); need != "" && need != protocol.DeniedControl && s.denied[need] {
		s.log.Warn("data channel not allowed for this technician; closing it", "label", dc.Label())
		s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: "channel " + dc.Label() + ", not allowed for this technician"})
		_ = dc.Close()
		return
	}
	if !channelGrant(dc.Label(), s.grants.get()) {
		s.log.Warn("data channel not granted by the customer; closing it", "label", dc.Label())
		s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: "channel " + dc.Label() + ", not granted by the customer"})
		_ = dc.Close()
		return
	}
	for _, f := range s.cfg.Features {
		if f.Handles(dc.Label()) {
			f.Attach(dc)
			return
		}
	}
	s.log.Warn("no feature for data channel; closing it", "label", dc.Label())
	_ = dc.Close()
}

func (s *runner) closePeer() {
	if s.peer != nil {
		_ = s.peer.Close()
		s.peer = nil
		// What the connection's console held down is let go: a new
		// connection (another tab took the session over) starts clean.
		s.grants.release()
	}
}

// report sends an event for the audit trail to the server; it never blocks
// the caller for long (send has its own timeout).
func (s *runner) report(a protocol.Audit) {
	if len(a.Name) > protocol.MaxAuditName {
		a.Name = strings.ToValidUTF8(a.Name[:protocol.MaxAuditName], "")
	}
	if len(a.Detail) > protocol.MaxAuditDetail {
		a.Detail = strings.ToValidUTF8(a.Detail[:protocol.MaxAuditDetail], "")
	}
	s.send(protocol.TypeAudit, a)
}

// post hands an event to the session loop.
func (s *runner) post(ctx context.Context, ev event) {
	select {
	case s.events <- ev:
	case <-ctx.Done():
	}
}

// send writes one message to signaling; failures show up on the read side.
func (s *runner) send(t protocol.Type, payload any) {
	if _, ok := s.sendID(t, payload); !ok && s.conn() == nil {
		s.log.Info("not connected; not sent", "type", t)
	}
}

func (s *runner) conn() *websocket.Conn { s.wsMu.Lock(); defer s.wsMu.Unlock(); return s.ws }

func (s *runner) setConn(ws *websocket.Conn) { s.wsMu.Lock(); s.ws = ws; s.wsMu.Unlock() }

// videoOn reports whether the screen goes to the technician now: viewing is
// allowed, the technician's connection is there and the session is not on
// hold.
func (s *runner) videoOn() bool {
	return s.grants.get().View && !s.peerLost && !s.hold
}

// setHold applies the technician's hold: remote control ends at once, the
// screen is no longer sent (the technician's picture freezes), and the
// customer's page and badge say they are on hold; the viewing grant and chat
// stay as they were, and the screen goes again when the hold ends.
func (s *runner) setHold(on bool) {
	s.hold = on
	s.cfg.Consent.SetHold(on)
	if s.peer != nil {
		s.peer.SetVideo(s.videoOn())
	}
	s.helpersVideo()
	if on {
		s.pageReset(protocol.ResetHold)
	}
	for _, f := range s.cfg.Features {
		if w, ok := f.(HoldWatcher); ok {
			w.SetHold(on)
		}
	}
	if on {
		s.withdraw(protocol.PermissionControl)
		p := s.grants.get()
		if p.Control {
			p.Control = false
			s.setGrants(p, "")
		}
	}
	s.log.Info("hold", "on", on)
}

// rejoined takes the new socket after a reconnection and tells the server what
// the customer allows (the technician's console may have missed changes).
func (s *runner) rejoined(ctx, readCtx context.Context, r *rejoin) {
	s.setServers(r.server, r.welcome.Servers)
	s.setConn(r.ws)
	s.goRead(readCtx, r.ws)
	s.cfg.Consent.SetReconnecting(false)
	s.welcomedAgain(ctx, r.welcome)
	s.log.Info("signaling connection back; session resumed")
}

// welcomedAgain takes a welcome after the first: on resuming, after a
// transfer, or when what the technician's group denies changed. What the
// group denies applies from now on. For the same technician the customer
// keeps what they allowed (less what is denied now) and the server hears it
// again; for another one (the session changed hands) every grant is
// dropped and the customer is asked again. The welcome also says whether
// the session is on hold now (a transfer accepted during a hold ends it) and
// whether it still waits for a technician to pick it up.
func (s *runner) welcomedAgain(ctx context.Context, w *protocol.AgentWelcome) {
	s.checkWelcome(w)
	s.applyDenied(w.Denied)
	// The lead passed to a colleague the customer let in, under the name
	// the customer was shown: viewing stays with the session (the rest is
	// asked again, leadPassed), and the former lead, a colleague now, is not
	// asked about again.
	me, helping := s.collab.Member(w.TechnicianID)
	passed := !s.sameTechnician(w) && helping && s.approved[w.TechnicianID] && me.Name == w.TechnicianName
	if _, stays := w.Collaboration.Member(s.techID); passed && stays {
		s.approved[s.techID] = true
	}
	s.setCollaboration(ctx, w.Collaboration)
	requeued := w.Waiting && !s.waiting
	s.waiting = w.Waiting
	s.setWaitLimit(w)
	if w.OnHold != s.hold {
		s.setHold(w.OnHold)
	}
	if requeued {
		s.requeued(w)
		return
	}
	if passed {
		s.leadPassed(w)
		return
	}
	if !s.sameTechnician(w) {
		s.newTechnician(ctx, w)
		return
	}
	s.introduce(w)
	s.setGrants(s.grants.get(), "")
}

// sameTechnician reports whether w names the technician the customer's
// grants are for: the same account under the same name the customer
// allowed (two technicians may share a name, and a renamed account is not
// who the customer said yes to). A server that names no account (before
// protocol.AgentWelcome had TechnicianID) gets the safe answer: another
// technician.
func (s *runner) sameTechnician(w *protocol.AgentWelcome) bool {
	return w.TechnicianID != "" && w.TechnicianID == s.techID && w.TechnicianName == s.techName
}

// applyDenied takes a new list of what the technician's group denies (after a
// transfer or a reconnection) and withdraws any grant it now forbids.
func (s *runner) applyDenied(denied []string) {
	s.denied = map[string]bool{}
	for _, d := range denied {
		s.denied[d] = true
	}
	s.pageDenied()
	p := s.grants.get()
	q := p
	if s.denied[protocol.DeniedView] {
		q.View = false
	}
	if s.denied[protocol.DeniedControl] {
		q.Control = false
	}
	if s.denied[protocol.DeniedClipboard] {
		q.Clipboard = false
	}
	if s.denied[protocol.DeniedTerminal] {
		q.Terminal = false
	}
	if s.denied[protocol.DeniedSysInfo] {
		q.SysInfo = false
	}
	if s.denied[protocol.DeniedFileManager] {
		q.FileManager = false
	}
	if q != p {
		s.setGrants(q, "")
	}
}

// setServers records the URL in use and the others the server named, in
// that order, without duplicates or URLs the agent cannot dial.
func (s *runner) setServers(current string, others []string) {
	s.servers = []string{current}
	for _, u := range others {
		if _, err := wsURL(u); err == nil && !slices.Contains(s.servers, u) && len(s.servers) < maxServers {
			s.servers = append(s.servers, u)
		}
	}
}

// maxServers bounds the URLs the agent keeps from a welcome.
const maxServers = 16

// goReconnect dials signaling again with backoff until it resumes the session,
// the server refuses (session over), or ctx ends. Attempts go round the
// servers, the one in use first: a node that died is replaced by another.
func (s *runner) goReconnect(ctx context.Context) {
	servers := s.servers
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		delay := 250 * time.Millisecond
		for attempt := 1; ; attempt++ {
			server := servers[(attempt-1)%len(servers)]
			ws, w, err := s.join(ctx, server, protocol.AgentHello{SID: s.sid, Secret: s.secret})
			if err == nil {
				if server != s.cfg.Server {
					s.log.Info("resumed through another signaling server", "server", server)
				}
				s.post(ctx, event{rejoin: &rejoin{ws: ws, server: server, welcome: w}})
				return
			}
			if !errors.Is(err, ErrUnreachable) && !errors.Is(err, ErrServer) {
				s.post(ctx, event{rejoin: &rejoin{err: err}})
				return
			}
			s.log.Info("reconnect failed; retrying", "attempt", attempt, "in", delay, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay + time.Duration(rand.Int64N(int64(delay/2)+1))):
			}
			delay = min(delay*2, s.cfg.MaxBackoff)
		}
	}()
}

// join dials signaling and says hello; it returns the socket and the welcome,
// or why not.
func (s *runner) join(ctx context.Context, server string, hello protocol.AgentHello) (*websocket.Conn, *protocol.AgentWelcome, error) {
	u, err := wsURL(server)
	if err != nil {
		return nil, nil, err
	}
	limit := 20 * time.Second
	if hello.SID != "" {
		// Resuming: short attempts, so one lost in a dead network does not
		// delay the next one after the network is back.
		limit = 5 * time.Second
	}
	dctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	// Through the customer's proxy (CONNECT) when one serves the server,
	// for ws: as for wss:; never Go's own environment proxy, which knows
	// neither --proxy nor the customer's proxy password.
	client := &http.Client{Transport: &http.Transport{DialContext: s.cfg.Proxy.DialContext, TLSHandshakeTimeout: 10 * time.Second}}
	ws, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	ws.SetReadLimit(protocol.MaxMessageSize)
	host, _ := os.Hostname()
	hello.Hostname, hello.OS, hello.Version, hello.DeviceKey = host, runtime.GOOS, Version, s.cfg.DeviceKey
	if id := s.cfg.Identity; id != nil && id.Key != nil {
		hello.IdentityKey, _ = identity.EncodeKey(&id.Key.PublicKey)
	}
	b, err := protocol.Encode(protocol.TypeAgentHello, fmt.Sprint(s.nextID.Add(1)), "", hello)
	if err == nil {
		err = ws.Write(dctx, websocket.MessageText, b)
	}
	if err != nil {
		ws.CloseNow()
		return nil, nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	for {
		_, data, err := ws.Read(dctx)
		if err != nil {
			ws.CloseNow()
			return nil, nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
		}
		m, err := protocol.Decode(data)
		if err != nil {
			s.log.Warn("bad message from server", "err", err)
			continue
		}
		switch body := m.Body.(type) {
		case *protocol.AgentWelcome:
			return ws, body, nil
		case *protocol.Error:
			ws.CloseNow()
			return nil, nil, refusal(body)
		}
		// The server sends the welcome first; say so if it did not.
		s.log.Warn("message before the welcome skipped", "type", m.Type)
	}
}

// firstJoin joins the session through the customer's proxy as long as it
// is the proxy that stands in the way: it asks the customer for the
// proxy's user name and password when the proxy wants them, and says on the
// page and in the log when the proxy refuses or cannot be reached, trying
// again until it lets the agent through or the customer ends.
func (s *runner) firstJoin(ctx context.Context, hello protocol.AgentHello) (*websocket.Conn, *protocol.AgentWelcome, error) {
	ui := s.cfg.Consent
	for {
		ws, w, err := s.join(ctx, s.cfg.Server, hello)
		if err == nil {
			ui.SetProblem("", "")
			return ws, w, nil
		}
		name := s.proxyName()
		switch {
		case errors.Is(err, proxy.ErrAuthRequired), errors.Is(err, proxy.ErrBadCredentials):
			s.log.Warn("the proxy asks for a user name and password; asking the customer", "proxy", name, "err", err)
			ui.SetProblem("", "")
			login, aerr := ui.AskProxyLogin(ctx, name, errors.Is(err, proxy.ErrBadCredentials))
			if aerr != nil {
				return nil, nil, err
			}
			s.cfg.Proxy.SetCredentials(login.User, login.Password)
		case errors.Is(err, proxy.ErrRefused), errors.Is(err, proxy.ErrUnreachable):
			s.log.Warn("the proxy does not let the agent reach the support server; trying again", "proxy", name, "err", err)
			key := consent.ProblemProxyRefused
			if errors.Is(err, proxy.ErrUnreachable) {
				key = consent.ProblemProxyUnreachable
			}
			ui.SetProblem(key, name)
			select {
			case <-ctx.Done():
				return nil, nil, err
			case a := <-ui.Actions():
				if a == consent.ActionEnd {
					return nil, nil, err
				}
			case <-time.After(s.cfg.ProxyRetry):
			}
		default:
			return nil, nil, err
		}
	}
}

// proxyName is the address of the proxy that serves the support server, as
// the customer knows it.
func (s *runner) proxyName() string {
	u, err := url.Parse(s.cfg.Server)
	if err != nil {
		return ""
	}
	host := u.Host
	if u.Port() == "" {
		port := "443"
		if u.Scheme == "http" {
			port = "80"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	p, err := s.cfg.Proxy.For(host)
	if err != nil || p == nil {
		return ""
	}
	return p.Host
}

// goRead feeds the messages of ws to the loop, and pings the server so that a
// silent network cut is noticed within two ping intervals.
func (s *runner) goRead(ctx context.Context, ws *websocket.Conn) {
	s.wg.Add(2)
	rctx, stop := context.WithCancel(ctx)
	go func() {
		defer s.wg.Done()
		defer stop()
		for {
			_, data, err := ws.Read(rctx)
			if err != nil {
				if ctx.Err() == nil {
					s.post(ctx, event{readErr: err, ws: ws})
				}
				return
			}
			m, err := protocol.Decode(data)
			if err != nil {
				s.log.Warn("bad message from server", "err", err)
				continue
			}
			s.post(ctx, event{msg: &m, ws: ws})
		}
	}()
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.cfg.PingInterval)
		defer t.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-t.C:
				pctx, cancel := context.WithTimeout(rctx, s.cfg.PingInterval)
				err := ws.Ping(pctx)
				cancel()
				if err != nil && rctx.Err() == nil {
					s.log.Warn("signaling does not answer; dropping the socket", "err", err)
					ws.CloseNow()
					return
				}
			}
		}
	}()
}

// wsURL is the agent's signaling socket on server.
func wsURL(server string) (string, error) { return WSURL(server, "/ws/agent") }

// WSURL is the WebSocket URL of endpoint (such as /ws/device) on the
// signaling server at base URL server (http or https).
func WSURL(server, endpoint string) (string, error) {
	u, err := url.Parse(server)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%w: %q", ErrBadServer, server)
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("%w: %q", ErrBadServer, server)
	}
	u.Path = strings.TrimRight(u.Path, "/") + endpoint
	return u.String(), nil
}

// refusal turns the server's error reply to hello into a sentinel error.
func refusal(e *protocol.Error) error {
	var base error
	switch e.Code {
	case protocol.CodeInvalidCode:
		base = ErrInvalidCode
	case protocol.CodeExpired:
		base = ErrExpired
	case protocol.CodeUsed:
		base = ErrUsed
	case protocol.CodeRateLimited:
		base = ErrRateLimited
	case protocol.CodeInternal:
		base = ErrServer
	default:
		base = errors.New("the server refused the connection")
	}
	return fmt.Errorf("%w (%s)", base, e.Message)
}

// changesFunc is cfg.Changes (news that something was drawn), also told
// when a MaskChanges masker's choices change: a window hidden, or shown
// again, on a still screen is captured and masked anew at once, not at the
// next drawing. Without cfg.Changes every frame is captured anyway.
//
// Each connection (the lead's, each colleague's) hears every change: the
// masker's one channel is fanned out, so that no connection misses one
// another took.
func (s *runner) changesFunc() peer.ChangesFunc {
	var chosen <-chan struct{} // the first MaskChanges' (there is one: agent/privacy)
	for _, m := range s.maskers {
		if mc, ok := m.(MaskChanges); ok && chosen == nil {
			chosen = mc.Changes()
		}
	}
	if s.cfg.Changes == nil || chosen == nil {
		return s.cfg.Changes
	}
	s.maskNews.start(chosen)
	return func() (<-chan struct{}, func()) {
		chosen, unsubscribe := s.maskNews.subscribe()
		drawn, stopDrawn := s.cfg.Changes()
		stop := func() { unsubscribe(); stopDrawn() }
		out := make(chan struct{}, 1)
		done := make(chan struct{})
		var wg sync.WaitGroup
		tell := func() {
			select {
			case out <- struct{}{}:
			default:
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case _, ok := <-drawn:
					if !ok { // the news stopped: so do these (every frame is captured)
						close(out)
						return
					}
					tell()
				case <-chosen:
					tell()
				case <-done:
					return
				}
			}
		}()
		return out, func() { close(done); wg.Wait(); stop() }
	}
}

// fanout passes each signal of one channel to every subscriber (dropped for
// a subscriber that has one pending already).
type fanout struct {
	once sync.Once
	mu   sync.Mutex
	subs map[chan struct{}]bool
}

// start reads in from now on (once; later calls do nothing).
func (f *fanout) start(in <-chan struct{}) {
	f.once.Do(func() {
		go func() {
			for range in {
				f.mu.Lock()
				for c := range f.subs {
					select {
					case c <- struct{}{}:
					default:
					}
				}
				f.mu.Unlock()
			}
		}()
	})
}

func (f *fanout) subscribe() (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[chan struct{}]bool{}
	}
	f.subs[c] = true
	f.mu.Unlock()
	return c, func() {
		f.mu.Lock()
		delete(f.subs, c)
		f.mu.Unlock()
	}
}
