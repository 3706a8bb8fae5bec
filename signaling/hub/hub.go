// Package hub holds the WebSocket connections of agents and consoles and routes
// their messages through NATS subjects, so that an agent on one signaling node and
// a console on another work together. It decodes each message, hands it to the
// session service (signaling/sessions), which checks and carries it out, and
// encodes the answer; a console's login is checked again on every message.
package hub

import (
	"bytes"
	"context"
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
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/metrics"
	"github.com/lifeline-support/lifeline/signaling/sessions"
)

// Config wires the hub to the rest of the node.
type Config struct {
	NC         *nats.Conn
	Sessions   *sessions.Service
	Auth       *auth.Auth
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
	// Metrics, if set, is told how long messages take to handle and peers
	// to connect.
	Metrics *metrics.Metrics
	// PingInterval is how often the hub checks that each socket is alive; a
	// socket that does not answer within the interval is closed (default 5 s).
	PingInterval time.Duration
	// Node names this node: its device sockets are on record under it, so
	// that the node clears them when it starts again
	// (sessions.Service.DevicesOffOn).
	Node string
}

// DefaultHelloTimeout is how long an agent has to say hello: its hello is
// its first message, sent as soon as the socket is open.
const DefaultHelloTimeout = 5 * time.Second

// Hub serves the /ws/agent and /ws/console endpoints.
type Hub struct {
	cfg    Config
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	agents, consoles atomic.Int64 // WebSockets held now, for metrics
	devices          atomic.Int64 // unattended devices' sockets held now
	pending          *pending     // agent sockets before their hello
}

// Devices is the number of unattended devices' sockets this node holds.
func (h *Hub) Devices() int { return int(h.devices.Load()) }

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
	ctx, cancel := context.WithCancel(context.Background())
	return &Hub{cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel, pending: newPending(cfg.MaxPending, cfg.MaxPendingPerAddress)}
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

// Close ends every connection and waits for their goroutines. It is idempotent.
func (h *Hub) Close() {
	h.cancel()
	h.wg.Wait()
}

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

// subscribe forwards every envelope published on subject to c once ready is
// closed; what comes before waits for it, in order (NATS keeps what a
// subscription has not handled yet), or for c to end. seen, if not nil, is
// told each envelope as it is queued.
func (h *Hub) subscribe(c *conn, subject string, ready <-chan struct{}, seen func([]byte)) (*nats.Subscription, error) {
	return h.cfg.NC.Subscribe(subject, func(m *nats.Msg) {
		select {
		case <-ready:
		case <-c.ctx.Done(): // pushMsg drops it, as for any ended socket
		}
		if seen != nil {
			seen(m.Data)
		}
		c.pushMsg(m)
	})
}

// isOffer reports whether an envelope the session service encoded
// (protocol.Encode: version, then type, first) is an offer, without decoding
// every message bound for an agent.
func isOffer(b []byte) bool {
	_, rest, ok := bytes.Cut(b[:min(len(b), 32)], []byte(`"type":"`))
	return ok && bytes.HasPrefix(rest, []byte(protocol.TypeOffer+`"`))
}

// pushMsg queues a NATS message for the socket; one sent with deliver gets
// its answer that a socket took it.
func (c *conn) pushMsg(m *nats.Msg) {
	c.push(m.Data)
	if m.Reply != "" {
		_ = m.Respond(nil)
	}
}

// iceFor returns the ICE servers to hand the peers of session sid.
func (h *Hub) iceFor(sid string) []webrtc.ICEServer {
	if h.cfg.SessionICE != nil {
		return h.cfg.SessionICE(sid)
	}
	return h.cfg.ICEServers
}

// maxAudits bounds the audit reports one connection may send, so a hostile
// peer cannot flood the trail.
const maxAudits = 1000
