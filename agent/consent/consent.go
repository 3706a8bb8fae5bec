// Package consent is the customer's side of consent: a local web page (and a terminal
// fallback) that shows who is connecting, asks for each permission, shows what is
// granted, and lets the customer stop control or end the session at any time.
package consent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Info names the people in the session, as shown to the customer.
type Info struct {
	TechnicianName, OrgName, CustomerName string
	// Server is the host name of the support server the agent connects to,
	// from the agent's own configuration: unlike the names above, nobody on
	// the server side chooses it.
	Server string
}

// Config configures a UI.
type Config struct {
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Lang is the initial language of the page and of the terminal (the agent passes
	// i18n.FromEnv()). The page can switch with ?lang=.
	Lang i18n.Lang
	// OpenBrowser runs the OS opener (xdg-open, open, rundll32) on the page URL when
	// Run starts. Best effort: a failure is logged.
	OpenBrowser bool
	// Terminal, if not nil, is read for answers to prompts and for the commands
	// "stop" and "end"/"fin". Reading starts with the first Ask.
	Terminal io.Reader
	// Out receives the page URL, terminal prompts and status lines; nil discards them.
	Out io.Writer
}

// Action is something the customer did on their own, delivered by UI.Actions.
type Action string

// Customer actions.
const (
	// ActionRevokeControl: the customer asked to stop remote control now.
	ActionRevokeControl Action = "revoke_control"
	// ActionEnd: the customer asked to end the session now.
	ActionEnd Action = "end"
	// ActionRevokeClipboard: the customer asked to stop sharing the clipboard now.
	ActionRevokeClipboard Action = "revoke_clipboard"
	// ActionRevokeView: the customer asked to stop sharing the screen now
	// (control ends with it), from the on-screen badge.
	ActionRevokeView Action = "revoke_view"
	// ActionRevokeTerminal: the customer closed the technician's terminals
	// and took the terminal grant back.
	ActionRevokeTerminal Action = "revoke_terminal"
	// ActionRevokeSysInfo: the customer took the system information grant back.
	ActionRevokeSysInfo Action = "revoke_sysinfo"
	// ActionRemoveHelpers: the customer asked the technician's colleagues
	// to leave; the session goes on with the technician.
	ActionRemoveHelpers Action = "remove_helpers"
	// ActionRevokeFileManager: the customer took the file manager grant back.
	ActionRevokeFileManager Action = "revoke_filemanager"
)

// Reasons for Ended: catalog keys translated into each viewer's language.
const (
	ReasonByCustomer     = "agent.ended.customer"
	ReasonByTechnician   = "agent.ended.technician"
	ReasonConnectionLost = "agent.ended.lost"
	// ReasonRestarting: the computer restarts, as the customer agreed; the
	// program comes back after they log in.
	ReasonRestarting = "agent.ended.restarting"
	// ReasonNotReconnected: after a restart, the customer chose not to
	// reconnect, or it was too late.
	ReasonNotReconnected = "agent.ended.notReconnected"
)

// status of the session as shown to the customer.
const (
	statusWaiting    = "waiting"
	statusConnected  = "connected"
	statusViewed     = "viewed"
	statusControlled = "controlled"
	statusEnded      = "ended"
	// statusOnHold: the technician put the session on hold.
	statusOnHold = "onhold"
	// statusReconnecting: the connections to the server and to the
	// technician are both coming back.
	statusReconnecting = "reconnecting"
	// statusPeerLost: the technician's connection is lost (nothing is shown
	// to anyone); they may come back.
	statusPeerLost = "peerlost"
	// statusUnverified: the agent refused a connection whose identity did
	// not verify (shared/identity); nothing was shared.
	statusUnverified = "unverified"
)

// actionBuffer is how many customer actions wait unread before new ones are dropped.
const actionBuffer = 16

// UI is the customer's consent page and terminal prompts. All methods are safe for
// concurrent use.
type UI struct {
	cfg Config
	log *slog.Logger
	out io.Writer
	lb  *Loopback
	srv *http.Server

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc

	askSlot   chan struct{} // one Ask shows at a time; the others wait their turn
	actions   chan Action
	closeOnce sync.Once
	termOnce  sync.Once
	running   sync.Once
	wg        sync.WaitGroup // the server goroutine

	panelsMu sync.Mutex
	panels   map[string]http.Handler // mounted feature panels, by name

	mu         sync.Mutex // guards the fields below
	closed     bool
	info       Info
	started    time.Time // when the session was joined (first SetInfo)
	perms      protocol.Permissions
	connected  bool
	hold       bool
	reconnect  bool
	peerLost   bool
	unverified bool     // a connection was refused: its identity did not verify
	code       string   // the verification code of the technician's connection
	helpers    []string // the names of the technician's colleagues in the session
	controller string   // the colleague in control; "" for the technician
	lead       string   // the colleague the lead passed to, "" when it did not pass
	ended      bool
	endReason  string
	pending    *request
	login      *login // the proxy's login form, while asked
	problemKey string // why the support server cannot be reached (SetProblem)
	problemArg string
	seq        int
	warnAgain  bool          // the technician changed: the next request warns again
	changed    chan struct{} // closed and replaced on every change
	lastStatus string        // last status printed to Out
	// The customer's survey (survey.go): the questions, whether the
	// technician sent them before the end, and surveySent or surveySkipped
	// once settled.
	survey      *protocol.SurveyForm
	surveyShown bool
	surveyDone  string
	surveys     chan SurveySubmit
	// The channel's waiting limit (wait.go): the limit, its timer while it
	// counts, whether it passed with the customer still waiting, whether
	// their message is on its way, why it could not be left (a catalog key),
	// and where it goes.
	waitLimit  time.Duration
	waitTimer  *time.Timer
	waitedLong bool
	leaving    bool
	waitFailed string
	callbacks  chan string
}

// request is one question to the customer. Its result fields are set once, under
// UI.mu, before done is closed.
type request struct {
	id         string
	perm       protocol.Permission
	who        string // who the question is about (or who asks), when not the technician
	first      bool
	onTerminal bool
	done       chan struct{}
	allow      bool
	err        error
}

// New creates the UI and listens on 127.0.0.1 on a random port at once, so URL is
// known before Run.
func New(cfg Config) (*UI, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if _, ok := i18n.Parse(string(cfg.Lang)); !ok {
		cfg.Lang = i18n.EN
	}
	lb, err := ListenLoopback()
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	u := &UI{
		cfg:       cfg,
		log:       cfg.Logger.With("component", "consent"),
		out:       cfg.Out,
		lb:        lb,
		askSlot:   make(chan struct{}, 1),
		actions:   make(chan Action, actionBuffer),
		changed:   make(chan struct{}),
		surveys:   make(chan SurveySubmit),
		callbacks: make(chan string),
	}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	u.srv = &http.Server{
		Handler:           u,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(u.log.Handler(), slog.LevelDebug),
	}
	u.lastStatus = u.statusLocked()
	return u, nil
}

// URL returns the page address, http://127.0.0.1:PORT/SECRET/. It is a credential:
// whoever has it can answer for the customer.
func (u *UI) URL() string { return u.lb.URL() }

// Run prints "Customer page: <URL>" to Out, opens the page if configured, and serves
// it until ctx ends or Close is called. When ctx ends, Run closes the UI as Close
// does. It returns nil after a normal stop.
func (u *UI) Run(ctx context.Context) error {
	first := false
	u.running.Do(func() { first = true })
	if !first {
		return ErrAlreadyRunning
	}
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return ErrClosed
	}
	fmt.Fprintln(u.out, i18n.T(u.cfg.Lang, "agent.page_url", u.lb.URL()))
	errc := make(chan error, 1)
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		errc <- u.srv.Serve(u.lb.Listener())
	}()
	u.mu.Unlock()
	u.log.Info("customer page ready", "addr", u.lb.Host())
	if u.cfg.OpenBrowser {
		u.openBrowser()
	}

	var err error
	select {
	case <-ctx.Done():
	case <-u.ctx.Done():
	case err = <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	}
	u.Close()
	return err
}

// Close withdraws any pending request (Ask returns ErrClosed), stops the page and
// waits for its goroutines. It is idempotent. The terminal reader cannot be
// interrupted: it exits at the next line or EOF of Config.Terminal, and ignores
// everything once the UI is closed. Actions is not closed.
func (u *UI) Close() error {
	u.closeOnce.Do(func() {
		u.mu.Lock()
		u.closed = true
		if u.pending != nil {
			u.resolveLocked(u.pending, false, ErrClosed, "")
		}
		u.settleLoginLocked(ErrClosed, ProxyLogin{})
		u.armWaitLocked() // closed: stops counting
		u.cancel()
		u.notifyLocked()
		u.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := u.srv.Shutdown(ctx); err != nil {
			u.log.Debug("customer page shutdown", "err", err)
			u.srv.Close()
		}
		u.lb.Listener().Close() // in case Run never served it
	})
	u.wg.Wait()
	return nil
}

// SetInfo sets the names shown to the customer. When they name another
// technician than before, the next request carries the first one's warning
// again.
func (u *UI) SetInfo(info Info) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.started.IsZero() && (info.TechnicianName != u.info.TechnicianName || info.OrgName != u.info.OrgName) {
		u.warnAgain = true
	}
	u.info = info
	if u.started.IsZero() {
		u.started = time.Now()
	}
	u.notifyLocked()
}

// SetState updates the indicator: what is granted now, and whether a technician
// picked the session up (false: the customer waits in the queue). Control shows
// as "being controlled" (red). After Ended it is ignored.
func (u *UI) SetState(p protocol.Permissions, connected bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.ended || u.closed {
		return
	}
	was := u.connected
	u.perms, u.connected = p, connected
	if was != connected {
		u.armWaitLocked()
	}
	u.notifyLocked()
}

// SetHold shows (or clears) that the technician put the session on hold.
func (u *UI) SetHold(on bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.hold = on
	u.notifyLocked()
}

// SetReconnecting shows (or clears) that the connection to the server is
// being restored.
func (u *UI) SetReconnecting(on bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.reconnect = on
	u.notifyLocked()
}

// SetPeerLost shows (or clears) that the technician's connection is lost:
// the page stops saying the screen is viewed while nobody is there.
func (u *UI) SetPeerLost(lost bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.peerLost = lost
	u.notifyLocked()
}

// SetUnverified shows (or clears) that the agent refused the technician's
// connection because its identity did not verify: "it may have been
// tampered with. Nothing was shared."
func (u *UI) SetUnverified(on bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.unverified = on
	if on {
		u.code = ""
	}
	u.notifyLocked()
}

// SetHelpers shows the names of the technician's colleagues connected to the
// session too, and which of them (by name; "" for the technician) has remote
// control when control is allowed.
func (u *UI) SetHelpers(names []string, controller string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.helpers, u.controller = slices.Clone(names), controller
	u.notifyLocked()
}

// SetLeadPassed tells the customer that the lead of the session passed to
// the colleague name ("<name> now leads the session"), who is asked again for
// anything beyond seeing the screen; "" clears it.
func (u *UI) SetLeadPassed(name string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if name != "" && name != u.lead {
		u.println(i18n.T(u.cfg.Lang, "agent.lead.passed", name))
	}
	u.lead = name
	u.notifyLocked()
}

// SetCode shows the verification code of the technician's connection
// (identity.Code), which the technician's console shows too; "" hides it.
func (u *UI) SetCode(code string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if code != u.code && code != "" {
		u.println(i18n.T(u.cfg.Lang, "agent.code.label") + ": " + code)
	}
	u.code = code
	u.notifyLocked()
}

// Actions delivers the customer's own actions (ActionRevokeControl, ActionEnd). It is
// buffered and never closed; actions beyond the buffer are dropped with a warning, so
// the page and terminal never wait for the reader.
func (u *UI) Actions() <-chan Action { return u.actions }

// Ended shows the final "session ended" state. reason is a catalog key (ReasonByCustomer,
// ReasonByTechnician, ReasonConnectionLost or any other "agent." key), translated into
// each viewer's language; a reason that is not a key is shown as given. A pending Ask
// returns ErrEnded, and later Asks and SetStates are refused.
func (u *UI) Ended(reason string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.endLocked(reason)
}

// Ask shows a request for perm on the page (and on the terminal, if any) and blocks
// until the customer answers (true = allow), ctx ends (ctx.Err()), Withdraw
// (ErrWithdrawn), the session ends (ErrEnded) or Close (ErrClosed). The first answer,
// from the page or the terminal, wins. Concurrent Asks are shown one after the other.
func (u *UI) Ask(ctx context.Context, perm protocol.Permission) (bool, error) {
	return u.AskBy(ctx, perm, "")
}

// AskBy is Ask for a request made by colleague (a colleague of the session's
// technician, by name): the question names them, and who they help. An
// empty colleague is the technician: Ask.
func (u *UI) AskBy(ctx context.Context, perm protocol.Permission, colleague string) (bool, error) {
	switch perm {
	case protocol.PermissionView, protocol.PermissionControl, protocol.PermissionClipboard,
		protocol.PermissionTerminal, protocol.PermissionSysInfo, protocol.PermissionFileManager,
		protocol.PermissionReboot:
	default:
		return false, fmt.Errorf("%w: %q", ErrUnknownPermission, perm)
	}
	return u.ask(ctx, perm, strings.TrimSpace(colleague))
}

// AskReconnect asks, as Ask does, whether the program started after a
// restart may resume the session with the technician named by SetInfo.
func (u *UI) AskReconnect(ctx context.Context) (bool, error) {
	return u.ask(ctx, protocol.PermissionReconnect, "")
}

// AskWatch asks, as Ask does, whether who (a lead of the technician's
// team) may watch the screen too.
func (u *UI) AskWatch(ctx context.Context, who string) (bool, error) {
	if strings.TrimSpace(who) == "" {
		return false, fmt.Errorf("%w: watching by nobody", ErrUnknownPermission)
	}
	return u.ask(ctx, protocol.PermissionWatch, who)
}

// AskHelp asks, as Ask does, whether who (a colleague the technician
// invited) may see the screen and help too.
func (u *UI) AskHelp(ctx context.Context, who string) (bool, error) {
	if strings.TrimSpace(who) == "" {
		return false, fmt.Errorf("%w: help by nobody", ErrUnknownPermission)
	}
	return u.ask(ctx, protocol.PermissionHelp, who)
}

// Lang is the language the customer was first spoken to in.
func (u *UI) Lang() i18n.Lang { return u.cfg.Lang }

// AskUnattended asks, as Ask does, whether the technician may connect to
// this computer when nobody is there, during window (its description in
// the customer's words).
func (u *UI) AskUnattended(ctx context.Context, window string) (bool, error) {
	return u.ask(ctx, protocol.PermissionUnattended, window)
}

// AskLauncher asks, as Ask does, whether the technician may add a "Get
// help" icon to this computer, that asks the organisation for help in one
// click.
func (u *UI) AskLauncher(ctx context.Context) (bool, error) {
	return u.ask(ctx, protocol.PermissionLauncher, "")
}

// ask is Ask for perm about who ("": the technician).
func (u *UI) ask(ctx context.Context, perm protocol.Permission, who string) (bool, error) {
	select {
	case u.askSlot <- struct{}{}:
		defer func() { <-u.askSlot }()
	case <-ctx.Done():
		return false, ctx.Err()
	case <-u.ctx.Done():
		return false, ErrClosed
	}

	u.mu.Lock()
	switch {
	case u.closed:
		u.mu.Unlock()
		return false, ErrClosed
	case u.ended:
		u.mu.Unlock()
		return false, ErrEnded
	}
	u.seq++
	req := &request{
		id:         strconv.Itoa(u.seq),
		perm:       perm,
		who:        who,
		first:      u.seq == 1 || u.warnAgain,
		onTerminal: u.cfg.Terminal != nil,
		done:       make(chan struct{}),
	}
	u.pending = req
	u.warnAgain = false
	u.notifyLocked()
	u.log.Info("customer asked", "permission", perm)
	if req.onTerminal {
		u.promptLocked(req)
	}
	u.mu.Unlock()
	if req.onTerminal {
		u.termOnce.Do(func() { go u.readTerminal() })
	}

	select {
	case <-req.done:
	case <-ctx.Done():
		u.mu.Lock()
		u.resolveLocked(req, false, ctx.Err(), "")
		u.mu.Unlock()
	}
	// done is closed and the fields are final.
	return req.allow, req.err
}

// Withdraw takes back the pending request, if any: its Ask returns ErrWithdrawn.
func (u *UI) Withdraw() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.pending != nil {
		u.resolveLocked(u.pending, false, ErrWithdrawn, "")
	}
}

// resolveLocked settles req once and tells whoever watches; note, if not empty, is
// printed on the terminal that shows req first, so the terminal is up to date when
// Ask returns. u.mu must be held.
func (u *UI) resolveLocked(req *request, allow bool, err error, note string) bool {
	select {
	case <-req.done:
		return false
	default:
	}
	if req.onTerminal && !u.closed {
		if note == "" && err != nil {
			note = i18n.T(u.cfg.Lang, "agent.term.withdrawn")
		}
		if note != "" {
			u.println(note)
		}
	}
	req.allow, req.err = allow, err
	if u.pending == req {
		u.pending = nil
	}
	u.log.Info("consent request settled", "permission", req.perm, "allowed", allow, "err", err)
	u.notifyLocked()
	close(req.done)
	return true
}

// answerLocked records the customer's answer to request id; false if id is not the
// pending request. u.mu must be held.
func (u *UI) answerLocked(id string, allow bool, fromTerminal bool) bool {
	req := u.pending
	if req == nil || req.id != id || u.closed {
		return false
	}
	key := "agent.term.denied"
	switch {
	case allow && fromTerminal:
		key = "agent.term.allowed"
	case allow:
		key = "agent.term.page_allowed"
	case !fromTerminal:
		key = "agent.term.page_denied"
	}
	return u.resolveLocked(req, allow, nil, i18n.T(u.cfg.Lang, key))
}

// endLocked moves to the final state. u.mu must be held.
func (u *UI) endLocked(reason string) {
	if u.ended || u.closed {
		return
	}
	u.ended, u.endReason = true, reason
	u.perms, u.connected = protocol.Permissions{}, false
	if u.survey != nil && u.surveyDone == "" {
		u.println(i18n.T(u.cfg.Lang, "agent.survey.term"))
	}
	if u.pending != nil {
		u.resolveLocked(u.pending, false, ErrEnded, "")
	}
	u.settleLoginLocked(ErrEnded, ProxyLogin{})
	u.armWaitLocked() // ended: stops counting
	u.notifyLocked()
}

// Act takes an action of the customer from elsewhere on their desktop (the
// on-screen indicator's badge), as if they had clicked it on their page.
func (u *UI) Act(a Action) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.actLocked(a)
}

// actLocked handles an action of the customer from the page or terminal. u.mu must be held.
func (u *UI) actLocked(a Action) {
	if u.ended || u.closed {
		return
	}
	switch a {
	case ActionEnd:
		u.endLocked(ReasonByCustomer)
	case ActionRevokeControl, ActionRevokeClipboard, ActionRevokeView, ActionRevokeTerminal, ActionRevokeSysInfo, ActionRevokeFileManager:
	case ActionRemoveHelpers:
		u.helpers, u.controller = nil, ""
		u.notifyLocked()
	default:
		return
	}
	u.log.Info("customer action", "action", a)
	select {
	case u.actions <- a:
	default:
		u.log.Warn("customer action dropped: Actions not read", "action", a)
	}
}

// notifyLocked wakes every page watching the state, and prints status changes. u.mu
// must be held.
func (u *UI) notifyLocked() {
	close(u.changed)
	u.changed = make(chan struct{})
	if s := u.statusLocked(); s != u.lastStatus && !u.closed {
		u.lastStatus = s
		u.println(i18n.T(u.cfg.Lang, "agent.term.status", i18n.T(u.cfg.Lang, "agent.status."+s)))
	}
}

// statusLocked names the session's status. u.mu must be held.
func (u *UI) statusLocked() string {
	switch {
	case u.ended:
		return statusEnded
	case u.unverified:
		return statusUnverified
	case u.reconnect && u.peerLost:
		return statusReconnecting
	case u.peerLost:
		return statusPeerLost
	case u.perms.Control:
		return statusControlled
	case u.hold:
		return statusOnHold
	case !u.connected:
		return statusWaiting
	case u.perms.Control:
		return statusControlled
	case u.perms.View:
		return statusViewed
	}
	return statusConnected
}

func (u *UI) println(s string) {
	fmt.Fprintln(u.out, s)
}

// Mount adds a feature's panel to the customer's page. Requests to
// /SECRET/<name>/... go to h (with that prefix stripped) after the page's own
// checks: Host, secret path and Origin, and an Origin on every request that is
// not GET or HEAD. The page loads <name>/panel.js (as an ES module) and
// <name>/panel.css from h and gives the panel an empty <section id="panel-<name>">.
// Mount before Run; name is lower-case letters only.
func (u *UI) Mount(name string, h http.Handler) error {
	if name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz") != "" ||
		name == "events" || name == "answer" || name == "action" || name == "proxy" || name == "survey" || name == "wait" {
		return fmt.Errorf("%w: %q", ErrPanelName, name)
	}
	u.panelsMu.Lock()
	defer u.panelsMu.Unlock()
	if u.panels == nil {
		u.panels = map[string]http.Handler{}
	}
	if _, dup := u.panels[name]; dup {
		return fmt.Errorf("%w: %q mounted twice", ErrPanelName, name)
	}
	u.panels[name] = h
	return nil
}

// panelNames lists the mounted panels in a stable order.
func (u *UI) panelNames() []string {
	u.panelsMu.Lock()
	defer u.panelsMu.Unlock()
	names := make([]string, 0, len(u.panels))
	for n := range u.panels {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (u *UI) panel(name string) http.Handler {
	u.panelsMu.Lock()
	defer u.panelsMu.Unlock()
	return u.panels[name]
}
