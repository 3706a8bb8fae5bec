// Package hub holds the WebSocket connections of agents and consoles and routes
// their messages through NATS subjects, so that an agent on one signaling node and
// a console on another work together. The hub checks every message: a console may
// only reach sessions of its own technician, an agent only its own session.
package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/nats-io/nats.go"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/natsnode"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Config wires the hub to the rest of the node.
type Config struct {
	NC         *nats.Conn
	Store      *store.Store
	Invites    *invite.Service
	Auth       *auth.Auth
	Audit      *audit.Log
	Logger     *slog.Logger
	ICEServers []webrtc.ICEServer
	// SessionICE, if set, returns the ICE servers for one session, TURN
	// credentials included; they replace ICEServers for that session's peers.
	SessionICE func(sid string) []webrtc.ICEServer
	// AgentURLs are the signaling URLs agents may resume through when their
	// node is unreachable (sent in every agent.welcome).
	AgentURLs []string
	// HelloTimeout bounds how long an agent may take to say hello (default
	// DefaultHelloTimeout).
	HelloTimeout time.Duration
	// MaxPending bounds the agent sockets that have not said hello yet
	// (default DefaultMaxPending); MaxPendingPerAddress bounds those from
	// one client address (default DefaultMaxPendingPerAddress).
	MaxPending, MaxPendingPerAddress int
	// PingInterval is how often the hub checks that each socket is alive; a
	// socket that does not answer within the interval is closed (default 5 s).
	PingInterval time.Duration
	// Timeouts are the session time limits (default session.DefaultTimeouts).
	Timeouts *session.Timeouts
	// SweepInterval is how often session time limits are checked (default 5 s).
	SweepInterval time.Duration
	// BusyAt is the number of active sessions at which a technician shows busy
	// (default DefaultBusyAt; negative: never).
	BusyAt int
}

// DefaultHelloTimeout is how long an agent has to say hello: its hello is
// its first message, sent as soon as the socket is open.
const DefaultHelloTimeout = 5 * time.Second

// DefaultBusyAt is when a technician shows busy: at the most sessions a
// technician works on at once.
const DefaultBusyAt = 10

// Hub serves the /ws/agent and /ws/console endpoints.
type Hub struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	agents, consoles atomic.Int64 // WebSockets held now, for metrics
	pending          *pending     // agent sockets before their hello
}

// Connections is the number of agent and console WebSockets this node holds.
func (h *Hub) Connections() (agents, consoles int) {
	return int(h.agents.Load()), int(h.consoles.Load())
}

// New returns a hub; Close stops it and every connection it holds.
func New(cfg Config) *Hub {
	if cfg.HelloTimeout == 0 {
		cfg.HelloTimeout = DefaultHelloTimeout
	}
	if cfg.PingInterval == 0 {
		cfg.PingInterval = 5 * time.Second
	}
	if cfg.Timeouts == nil {
		t := session.DefaultTimeouts()
		cfg.Timeouts = &t
	}
	if cfg.SweepInterval == 0 {
		cfg.SweepInterval = 5 * time.Second
	}
	if cfg.BusyAt == 0 {
		cfg.BusyAt = DefaultBusyAt
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel, pending: newPending(cfg.MaxPending, cfg.MaxPendingPerAddress)}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		h.sweepLoop()
	}()
	return h
}

// goPing closes c when it stops answering pings: a customer whose network is
// cut shows Reconnecting within two intervals instead of never.
func (h *Hub) goPing(c *conn) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(h.cfg.PingInterval)
		defer t.Stop()
		for {
			select {
			case <-c.ctx.Done():
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(c.ctx, h.cfg.PingInterval)
				err := c.ws.Ping(ctx)
				cancel()
				if err != nil && c.ctx.Err() == nil {
					c.log.Info("socket does not answer; closing", "err", err)
					c.cancel()
					_ = c.ws.CloseNow()
					return
				}
			}
		}
	}()
}

// sweepLoop applies the session time limits. Every node runs it; the stores'
// compare-and-set makes each change happen once.
func (h *Hub) sweepLoop() {
	t := time.NewTicker(h.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
			h.sweep()
		}
	}
}

func (h *Hub) sweep() {
	ctx, cancel := context.WithTimeout(h.ctx, h.cfg.SweepInterval)
	defer cancel()
	all, err := h.cfg.Store.AllSessions(ctx)
	if err != nil {
		if h.ctx.Err() == nil {
			h.log.Warn("sweep sessions", "err", err)
		}
		return
	}
	now := time.Now()
	for _, s := range all {
		if _, due := h.cfg.Timeouts.Expire(s.State, s.StateSince(), now); !due {
			continue
		}
		moved := false
		s, err := h.cfg.Store.UpdateSession(ctx, s.ID, func(s *store.Session) error {
			to, due := h.cfg.Timeouts.Expire(s.State, s.StateSince(), now)
			if !due {
				return errAlreadyClosed
			}
			moved = true
			if to.Closed() {
				s.Permissions, s.Transfer = protocol.Permissions{}, nil
			}
			return s.SetState(to, now)
		})
		if err != nil || !moved {
			continue
		}
		h.log.Info("session time limit", "sid", s.ID, "state", s.State)
		h.publishState(s)
		if s.State == session.TimedOut {
			h.publish(AgentSubject(s.ID), protocol.TypeSessionEnd, "", s.ID, protocol.SessionEnd{Reason: protocol.EndByTechnician})
		}
	}
}

// Close ends every connection and waits for their goroutines. It is idempotent.
func (h *Hub) Close() {
	h.cancel()
	h.wg.Wait()
}

// AgentSubject is where messages for a session's agent are published.
func AgentSubject(sid string) string { return "lifeline.v1.session." + sid + ".agent" }

// TechSubject is where messages about session sid for a technician's
// consoles are published. Every console subscribes to all of them ("*"); a
// session's workspace passes on only its own (consoleSubs), so a technician
// with ten tabs open does not get every message ten times over.
func TechSubject(techID, sid string) string { return "lifeline.v1.tech." + techID + "." + sid }

// readLimit bounds what the WebSocket layer reads; messages between
// protocol.MaxMessageSize and readLimit get an error reply, larger ones end the socket.
const readLimit = 1 << 20

// conn is one WebSocket with a bounded send queue drained by its own writer.
type conn struct {
	ws     *websocket.Conn
	out    *outbox
	ctx    context.Context
	cancel context.CancelFunc
	log    *slog.Logger
	done   chan struct{} // closed when the writer has stopped
}

func (h *Hub) accept(w http.ResponseWriter, r *http.Request, log *slog.Logger) (*conn, error) {
	ws, err := websocket.Accept(w, r, nil) // same-origin only
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(readLimit)
	ctx, cancel := context.WithCancel(h.ctx)
	c := &conn{ws: ws, out: newOutbox(256), ctx: ctx, cancel: cancel, log: log, done: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		c.writeLoop()
	}()
	return c, nil
}

func (c *conn) writeLoop() {
	defer close(c.done)
	defer c.ws.CloseNow()
	for {
		b, ok := c.out.take(c.ctx)
		if !ok {
			_ = c.ws.Close(websocket.StatusGoingAway, "closing")
			return
		}
		if b == nil { // closeAfterFlush
			_ = c.ws.Close(websocket.StatusNormalClosure, "bye")
			return
		}
		wctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
		err := c.ws.Write(wctx, websocket.MessageText, b)
		cancel()
		if err != nil {
			c.cancel()
			return
		}
	}
}

// push queues b for sending; a peer too slow to keep up is disconnected
// (session states are kept aside instead: see outbox).
func (c *conn) push(b []byte) {
	if c.ctx.Err() != nil {
		return
	}
	if !c.out.put(b) {
		c.log.Warn("send queue full, closing slow connection")
		c.cancel()
	}
}

// closeAfterFlush sends what is queued, closes the socket normally and waits for
// the writer to finish (bounded by the writer's own timeouts).
func (c *conn) closeAfterFlush() {
	if !c.out.put(nil) {
		c.cancel()
	}
	<-c.done
}

func (c *conn) reply(id string, code protocol.ErrorCode, msg string) {
	c.log.Debug("refused", "id", id, "code", code, "msg", msg)
	c.push(protocol.ErrorReply(id, code, msg))
}

// read returns the next valid message. Invalid ones get an error reply and are
// skipped; the error is only for a closed socket.
func (c *conn) read(ctx context.Context) (protocol.Message, error) {
	for {
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			return protocol.Message{}, err
		}
		if len(data) > protocol.MaxMessageSize {
			c.reply("", protocol.CodeTooLarge, fmt.Sprintf("message of %d bytes is over the %d byte limit", len(data), protocol.MaxMessageSize))
			continue
		}
		m, err := protocol.Decode(data)
		if err != nil {
			c.log.Info("refused message", "err", err)
			c.reply(m.ID, protocol.CodeOf(err), err.Error())
			continue
		}
		return m, nil
	}
}

// subscribe forwards every envelope published on subject to c.
func (h *Hub) subscribe(c *conn, subject string) (*nats.Subscription, error) {
	return h.cfg.NC.Subscribe(subject, c.pushMsg)
}

// pushMsg queues a NATS message for the socket; one sent with deliver gets
// its answer that a socket took it.
func (c *conn) pushMsg(m *nats.Msg) {
	c.push(m.Data)
	if m.Reply != "" {
		_ = m.Respond(nil)
	}
}

// publish sends an envelope to a subject.
func (h *Hub) publish(subject string, t protocol.Type, id, sid string, payload any) {
	b, err := protocol.Encode(t, id, sid, payload)
	if err == nil {
		err = h.cfg.NC.Publish(subject, b)
	}
	if err != nil {
		h.log.Error("publish", "subject", subject, "type", t, "err", err)
	}
}

// errNoAgent: no agent socket listens on the session's subject (the agent is
// between two connections, e.g. moving to another node).
var errNoAgent = errors.New("the customer's program is reconnecting")

// deliver is publish for what must not vanish unseen: it waits until a socket
// on some node has queued the message, and returns errNoAgent when none
// listens.
func (h *Hub) deliver(subject string, t protocol.Type, id, sid string, payload any) error {
	b, err := protocol.Encode(t, id, sid, payload)
	if err != nil {
		return err
	}
	if _, err := h.cfg.NC.Request(subject, b, 2*time.Second); errors.Is(err, nats.ErrNoResponders) {
		return errNoAgent
	} else if err != nil {
		return fmt.Errorf("deliver %s: %w", t, err)
	}
	return nil
}

// publishState tells the session's technician, and the one it is being
// transferred to, its current state.
func (h *Hub) publishState(s store.Session, also ...string) {
	h.publish(TechSubject(s.TechnicianID, s.ID), protocol.TypeSessionState, "", s.ID, StateOf(s))
	if s.Transfer != nil && s.Transfer.ToID != s.TechnicianID {
		h.publish(TechSubject(s.Transfer.ToID, s.ID), protocol.TypeSessionState, "", s.ID, StateOf(s))
	}
	for _, id := range also {
		if id != s.TechnicianID {
			h.publish(TechSubject(id, s.ID), protocol.TypeSessionState, "", s.ID, StateOf(s))
		}
	}
}

// iceFor returns the ICE servers to hand the peers of session sid.
func (h *Hub) iceFor(sid string) []webrtc.ICEServer {
	if h.cfg.SessionICE != nil {
		return h.cfg.SessionICE(sid)
	}
	return h.cfg.ICEServers
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
	}
}

// maxAudits bounds the audit reports one connection may send, so a hostile
// peer cannot flood the trail.
const maxAudits = 1000

// record appends an event to the audit trail; a failure is logged, not fatal.
func (h *Hub) record(e audit.Event) {
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	if err := h.cfg.Audit.Record(ctx, e); err != nil {
		h.log.Error("audit", "type", e.Type, "err", err)
	}
}

// techPerms reads what a technician may do now, so that a group changed by an
// administrator applies to sockets already open.
func (h *Hub) techPerms(ctx context.Context, id string) (access.Set, error) {
	acc, err := read(ctx, func(ctx context.Context) (store.Account, error) { return h.cfg.Store.Account(ctx, id) })
	if errors.Is(err, store.ErrNotFound) || (err == nil && acc.Disabled) {
		return access.Set{}, nil
	}
	if err != nil {
		return access.Set{}, err
	}
	return read(ctx, func(ctx context.Context) (access.Set, error) { return h.cfg.Auth.PermsOf(ctx, acc) })
}

// may reports whether technician id may do p; an error means the store could
// not tell (the console is then asked to try again).
func (h *Hub) may(ctx context.Context, id string, p access.Perm) (bool, error) {
	perms, err := h.techPerms(ctx, id)
	return perms.Has(p), err
}

// deniedTo lists what technician id may not do, for the agent. When the
// permissions cannot be read, everything is denied: the agent is the last
// line of the customer's defence.
func (h *Hub) deniedTo(ctx context.Context, id string) []string {
	p, err := h.techPerms(ctx, id)
	if err != nil {
		h.log.Error("technician's permissions unreadable; the agent is told everything is denied", "tech", id, "err", err)
	}
	return deniedFor(p)
}

// errBusy answers a console whose request the store could not serve now.
const errBusy = "the server could not check this now; try again in a moment"

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

// permFor maps a customer permission to the technician permission it needs.
var permFor = map[protocol.Permission]access.Perm{
	protocol.PermissionView:      access.View,
	protocol.PermissionControl:   access.Control,
	protocol.PermissionClipboard: access.Clipboard,
}

// deniedFor lists, for the agent, what a technician's permissions leave out.
func deniedFor(p access.Set) []string {
	var out []string
	for _, d := range []struct {
		perm access.Perm
		name string
	}{
		{access.View, protocol.DeniedView}, {access.Control, protocol.DeniedControl},
		{access.Files, protocol.DeniedFiles}, {access.Clipboard, protocol.DeniedClipboard},
		{access.Drawing, protocol.DeniedDrawing}, {access.Recording, protocol.DeniedRecording},
	} {
		if !p.Has(d.perm) {
			out = append(out, d.name)
		}
	}
	return out
}

// recordGrants writes what changed between two sets of customer grants.
func (h *Hub) recordGrants(sid string, old, now protocol.Permissions, refused protocol.Permission) {
	for _, c := range []struct {
		perm     protocol.Permission
		was, now bool
	}{
		{protocol.PermissionView, old.View, now.View},
		{protocol.PermissionControl, old.Control, now.Control},
		{protocol.PermissionClipboard, old.Clipboard, now.Clipboard},
	} {
		switch {
		case !c.was && c.now:
			h.record(audit.Event{Type: audit.PermissionGranted, Actor: "customer", SessionID: sid, Detail: string(c.perm)})
			if c.perm == protocol.PermissionControl {
				h.record(audit.Event{Type: audit.ControlTaken, SessionID: sid})
			}
		case c.was && !c.now:
			h.record(audit.Event{Type: audit.PermissionRevoked, Actor: "customer", SessionID: sid, Detail: string(c.perm)})
		}
	}
	if refused != "" {
		h.record(audit.Event{Type: audit.PermissionRefused, Actor: "customer", SessionID: sid, Detail: string(refused)})
	}
}

// auditFrom records an audit report from a peer; the session's peers may
// report audit.Config.MaxPeerEvents in all.
func (h *Hub) auditFrom(actor, sid string, a *protocol.Audit) {
	e := audit.Event{Type: audit.Type(a.Event), Actor: actor, SessionID: sid, Detail: a.Detail}
	if a.Name != "" {
		e.File = &audit.File{Name: a.Name, Size: a.Size, SHA256: a.SHA256}
	}
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	if err := h.cfg.Audit.RecordFromPeer(ctx, e); errors.Is(err, audit.ErrPeerCapped) {
		h.log.Debug("audit report over the session's cap", "sid", sid, "type", e.Type)
	} else if err != nil {
		h.log.Error("audit", "type", e.Type, "sid", sid, "err", err)
	}
}

func transferOf(t *store.Transfer) *protocol.Transfer {
	if t == nil {
		return nil
	}
	return &protocol.Transfer{FromID: t.FromID, FromName: t.FromName, ToID: t.ToID, ToName: t.ToName, Comment: t.Comment}
}
