package sessions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/limit"
	"github.com/lifeline-support/lifeline/signaling/natsnode"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Config wires the service to the rest of the node.
type Config struct {
	NC      *nats.Conn
	Store   *store.Store
	Invites *invite.Service
	Auth    *auth.Auth
	Audit   *audit.Log
	Logger  *slog.Logger
	// Timeouts are the session time limits (default session.DefaultTimeouts).
	Timeouts *session.Timeouts
	// SweepInterval is how often session time limits are checked (default 5 s).
	SweepInterval time.Duration
	// ColleagueGrace is how long a collaborator whose console's connection
	// closed stays in the session, for their reload or their network to
	// bring them back (default DefaultColleagueGrace).
	ColleagueGrace time.Duration
	// BusyAt is the number of active sessions at which a technician shows busy
	// (default DefaultBusyAt; negative: never).
	BusyAt int
	// LogLimits bound each session's running log (default store.DefaultLogLimits).
	LogLimits store.LogLimits
	// Certifier certifies the key an agent presents in its hello for the
	// session it joins (AgentWelcome.IdentityCert); nil certifies nothing.
	Certifier AgentCertifier
	// ChannelLimits bound the customers' requests on channels (default
	// DefaultChannelLimits).
	ChannelLimits ChannelLimits
}

// AgentCertifier certifies an agent's public key (identity.EncodeKey) as
// the agent of session sid, of organisation org (signaling/orgkey.Keys).
type AgentCertifier interface {
	CertifyAgent(sid, key, org string, now time.Time) (string, error)
}

// DefaultColleagueGrace is how long a collaborator's console may be away
// (a reload, a short network cut) before they are taken out of the session.
const DefaultColleagueGrace = 30 * time.Second

// DefaultBusyAt is when a technician shows busy: at the most sessions a
// technician works on at once.
const DefaultBusyAt = 10

// MaxActive is the most sessions one technician works on at once.
const MaxActive = 10

// Service owns the sessions' rules. New starts its background work (time
// limits, account changes); Close stops it.
type Service struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex // watchers
	watchers map[string]map[chan struct{}]bool

	holders [holderStripes]sync.RWMutex // see holderLock
	// channelAddr and channelGlobal count the requests on channels per
	// client address and from everywhere (ChannelLimits).
	channelAddr, channelGlobal *limit.Counter
	// beforeRelay, set by tests only, runs when a console's offer or
	// candidate has been authorised, before it is passed on to the agent.
	beforeRelay func()
}

// New returns a running service.
func New(cfg Config) *Service {
	if cfg.Timeouts == nil {
		t := session.DefaultTimeouts()
		cfg.Timeouts = &t
	}
	if cfg.SweepInterval == 0 {
		cfg.SweepInterval = 5 * time.Second
	}
	if cfg.ColleagueGrace == 0 {
		cfg.ColleagueGrace = DefaultColleagueGrace
	}
	if cfg.BusyAt == 0 {
		cfg.BusyAt = DefaultBusyAt
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.LogLimits == (store.LogLimits{}) {
		cfg.LogLimits = store.DefaultLogLimits
	}
	if cfg.ChannelLimits == (ChannelLimits{}) {
		cfg.ChannelLimits = DefaultChannelLimits
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel, watchers: map[string]map[chan struct{}]bool{}}
	cl := cfg.ChannelLimits
	s.channelAddr = limit.New(cfg.Store, limit.Rule{Max: cl.PerAddress, Window: cl.Window}, nil, cfg.Logger)
	s.channelGlobal = limit.New(cfg.Store, limit.Rule{Max: cl.Global, Window: cl.Window, Pace: cl.MaxWait}, nil, cfg.Logger)
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.sweepLoop()
	}()
	go func() {
		defer s.wg.Done()
		s.watchAccounts()
	}()
	return s
}

// Close stops the background work and waits for it. It is idempotent.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// BusyAt is the number of working sessions at which a technician shows busy.
func (s *Service) BusyAt() int { return s.cfg.BusyAt }

// AgentSubject is where messages for a session's agent are published.
func AgentSubject(sid string) string { return "lifeline.v1.session." + sid + ".agent" }

// TechSubject is where messages about session sid for a technician's
// consoles are published. Every console subscribes to all of them ("*") and
// passes on only the sessions it shows.
func TechSubject(techID, sid string) string { return "lifeline.v1.tech." + techID + "." + sid }

// publish sends an envelope to a subject.
func (s *Service) publish(subject string, t protocol.Type, id, sid string, payload any) {
	if strings.Contains(subject, "..") {
		return // a channel's session nobody took yet has no technician to tell
	}
	b, err := protocol.Encode(t, id, sid, payload)
	if err == nil {
		err = s.cfg.NC.Publish(subject, b)
	}
	if err != nil {
		s.log.Error("publish", "subject", subject, "type", t, "err", err)
	}
}

// deliver is publish for what must not vanish unseen: it waits until a socket
// on some node has queued the message, and returns ErrReconnecting when none
// listens.
func (s *Service) deliver(subject string, t protocol.Type, id, sid string, payload any) error {
	b, err := protocol.Encode(t, id, sid, payload)
	if err != nil {
		return err
	}
	if _, err := s.cfg.NC.Request(subject, b, 2*time.Second); errors.Is(err, nats.ErrNoResponders) {
		return ErrReconnecting
	} else if err != nil {
		return fmt.Errorf("deliver %s: %w", t, err)
	}
	return nil
}

// publishState tells the session's technician, the one it is being
// transferred to, its collaborators and invited colleagues (and also), its
// current state.
func (s *Service) publishState(ss store.Session, also ...string) {
	if ss.Channel != "" && ss.TechnicianID == "" {
		// Nobody took it yet: the queues of the channel's groups show it.
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		also = append(also, s.channelTechs(ctx, ss)...)
		cancel()
	}
	s.publish(TechSubject(ss.TechnicianID, ss.ID), protocol.TypeSessionState, "", ss.ID, s.StateFor(ss))
	if ss.Transfer != nil && ss.Transfer.ToID != ss.TechnicianID {
		s.publish(TechSubject(ss.Transfer.ToID, ss.ID), protocol.TypeSessionState, "", ss.ID, s.StateFor(ss))
	}
	told := map[string]bool{ss.TechnicianID: true}
	for _, id := range append(helpers(ss), also...) {
		if !told[id] {
			told[id] = true
			s.publish(TechSubject(id, ss.ID), protocol.TypeSessionState, "", ss.ID, s.StateFor(ss))
		}
	}
}

// StateOf is the session.state payload for a stored session.
func StateOf(s store.Session) protocol.SessionState {
	return protocol.SessionState{
		State:          string(s.State),
		CustomerName:   s.CustomerName,
		AgentConnected: s.AgentConnected,
		Hostname:       s.Hostname,
		Permissions:    s.Permissions,
		TechnicianID:   s.TechnicianID,
		TechnicianName: s.TechnicianName,
		Transfer:       transferOf(s.Transfer),
		Since:          s.StateSince().UnixMilli(),
		DeviceID:       s.DeviceID,
		AgentRun:       s.AgentRun,
		Console:        s.Console,
		Collaboration:  collabOf(s.Collab),
		PageCall:       s.PageCall,
		PageSharer:     s.PageSharer,
		Unattended:     s.Unattended != "",
	}
}

// StateFor is StateOf with what the service adds: how long a Rebooting
// session waits.
func (s *Service) StateFor(ss store.Session) protocol.SessionState {
	st := StateOf(ss)
	if ss.State == session.Rebooting {
		st.RebootWait = s.rebootWait()
	}
	return st
}

func transferOf(t *store.Transfer) *protocol.Transfer {
	if t == nil {
		return nil
	}
	return &protocol.Transfer{FromID: t.FromID, FromName: t.FromName, ToID: t.ToID, ToName: t.ToName, Comment: t.Comment}
}

// record appends an event to the audit trail; a failure is logged, not fatal.
func (s *Service) record(e audit.Event) {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	if err := s.cfg.Audit.Record(ctx, e); err != nil {
		s.log.Error("audit", "type", e.Type, "err", err)
	}
}

// Session reads a session, retrying passing cluster errors.
func (s *Service) Session(ctx context.Context, sid string) (store.Session, error) {
	return read(ctx, func(ctx context.Context) (store.Session, error) { return s.cfg.Store.Session(ctx, sid) })
}

// Ending says why and by whom a session ends.
type Ending struct {
	State session.State // ClosedByTechnician or ClosedByCustomer
	Actor string        // the technician's ID, "customer" or "server"
	// Detail is the audit entry's detail ("by technician", ...).
	Detail string
	// ID is the request's message ID, echoed to the other side.
	ID string
}

// end is the one end sequence: the session moves to a closed state (once,
// whichever node or socket asks first), the other side is told, the
// technician's consoles get the state and the audit trail the entry.
func (s *Service) end(ctx context.Context, sid string, e Ending) (store.Session, error) {
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		if ss.State.Closed() {
			return ErrClosed
		}
		if err := ss.SetState(e.State, time.Now()); err != nil {
			return err
		}
		ss.Permissions, ss.Transfer = protocol.Permissions{}, nil
		if e.State == session.ClosedByCustomer {
			ss.AgentConnected = false
		}
		return nil
	})
	if err != nil {
		return ss, err
	}
	// Kept before anyone hears of the end: a console that then reads the
	// history finds the log there.
	s.keepLog(ctx, ss)
	if e.State == session.ClosedByCustomer {
		s.publish(TechSubject(ss.TechnicianID, sid), protocol.TypeSessionEnd, e.ID, sid, protocol.SessionEnd{Reason: protocol.EndByCustomer})
	} else {
		s.publish(AgentSubject(sid), protocol.TypeSessionEnd, e.ID, sid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	}
	s.publishState(ss)
	s.pokeExternals(ss.Collab.Members, nil)
	s.record(audit.Event{Type: audit.SessionEnded, Actor: e.Actor, SessionID: sid, Detail: e.Detail})
	return ss, nil
}

// permsOf reads what a technician may do now, so that a group changed by an
// administrator applies to sockets already open. A missing or disabled
// account may do nothing.
func (s *Service) permsOf(ctx context.Context, id string) (access.Set, error) {
	acc, err := read(ctx, func(ctx context.Context) (store.Account, error) { return s.cfg.Store.Account(ctx, id) })
	if errors.Is(err, store.ErrNotFound) || (err == nil && acc.Disabled) {
		return access.Set{}, nil
	}
	if err != nil {
		return access.Set{}, err
	}
	return read(ctx, func(ctx context.Context) (access.Set, error) { return s.cfg.Auth.PermsOf(ctx, acc) })
}

// deniedTo lists what technician id may not do, for the agent. When the
// permissions cannot be read, everything is denied: the agent is the last
// line of the customer's defence.
func (s *Service) deniedTo(ctx context.Context, id string) []string {
	p, err := s.permsOf(ctx, id)
	if err != nil {
		s.log.Error("technician's permissions unreadable; the agent is told everything is denied", "tech", id, "err", err)
	}
	return deniedFor(p)
}

// deniedFor lists, for the agent, what a technician's permissions leave out.
func deniedFor(p access.Set) []string {
	out := []string{}
	for _, d := range []struct {
		perm access.Perm
		name string
	}{
		{access.View, protocol.DeniedView}, {access.Control, protocol.DeniedControl},
		{access.Files, protocol.DeniedFiles}, {access.Clipboard, protocol.DeniedClipboard},
		{access.Drawing, protocol.DeniedDrawing}, {access.Recording, protocol.DeniedRecording},
		{access.Terminal, protocol.DeniedTerminal}, {access.SysInfo, protocol.DeniedSysInfo},
		{access.FileManager, protocol.DeniedFileManager},
		{access.Scripts, protocol.DeniedScripts}, {access.Reboot, protocol.DeniedReboot},
		{access.ShowScreen, protocol.DeniedShowScreen}, {access.Voice, protocol.DeniedVoice},
		{access.Launcher, protocol.DeniedLauncher},
	} {
		if !p.Has(d.perm) {
			out = append(out, d.name)
		}
	}
	return out
}

// readRetry is how long a read that fails for a passing reason is tried again:
// when a node dies, JetStream moves the leaders of the streams it led, and
// reads through those leaders fail for a few seconds.
const readRetry = 8 * time.Second

// read runs f until it succeeds, fails for good (not found, or not a passing
// cluster error), ctx ends or readRetry has passed.
func read[T any](ctx context.Context, f func(context.Context) (T, error)) (T, error) {
	var v T
	err := natsnode.RetryWithin(ctx, nil, "", readRetry, 2*time.Second, func(ctx context.Context) (err error) {
		v, err = f(ctx)
		return err
	})
	return v, err
}

// Status is a technician's effective status: online, away, busy or offline.
func (s *Service) Status(ctx context.Context, techID string) (store.Status, error) {
	p, err := s.cfg.Store.Presence(ctx, techID)
	if err != nil {
		return store.StatusOffline, err
	}
	active, err := s.ActiveCount(ctx, techID)
	if err != nil {
		return store.StatusOffline, err
	}
	return p.Effective(time.Now(), active, s.cfg.BusyAt), nil
}

// ActiveCount is the number of sessions a technician is working on.
func (s *Service) ActiveCount(ctx context.Context, techID string) (int, error) {
	ss, err := s.cfg.Store.Sessions(ctx, techID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, x := range ss {
		if x.TechnicianID == techID && x.Working() {
			n++
		}
	}
	return n, nil
}
