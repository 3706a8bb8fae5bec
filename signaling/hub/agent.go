package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Agent serves /ws/agent: the customer's agent says hello with its code or PIN,
// then exchanges permissions and WebRTC signaling with the technician.
func (h *Hub) Agent(w http.ResponseWriter, r *http.Request) {
	log := h.log.With("ws", "agent", "remote", r.RemoteAddr)
	c, release, ok := h.acceptBeforeHello(w, r, log, "agent")
	if !ok {
		return
	}
	defer release()
	defer c.cancel()
	h.agents.Add(1)
	defer h.agents.Add(-1)

	j, connID, ok := h.agentHello(c, r.RemoteAddr)
	release()
	if !ok {
		c.closeAfterFlush()
		return
	}
	sid := j.Session.ID
	log = log.With("sid", sid)
	c.log = log
	// The agent's messages are listened for from now on, so that none is
	// lost, but they wait until its welcome is queued: the welcome is the
	// first message an agent hears (it skips anything before it), and the
	// technician, told inside Welcome that the agent is there, may send an
	// offer at once.
	welcomed := make(chan struct{})
	// offered is when the last offer was queued for the agent (Unix ns), for
	// the offer-to-answer time.
	var offered atomic.Int64
	var seen func([]byte)
	if h.cfg.Metrics != nil {
		seen = func(b []byte) {
			if isOffer(b) {
				offered.Store(time.Now().UnixNano())
			}
		}
	}
	sub, err := h.subscribe(c, sessions.AgentSubject(sid), welcomed, seen)
	if err != nil {
		log.Error("subscribe", "err", err)
		return
	}
	defer sub.Unsubscribe()
	welcome := h.cfg.Sessions.Welcome(c.ctx, j, auth.ClientIP(r))
	welcome.ICEServers, welcome.Servers = h.iceFor(sid), h.cfg.AgentURLs
	b, _ := protocol.Encode(protocol.TypeAgentWelcome, "", sid, welcome)
	c.push(b)
	close(welcomed)
	log.Info("agent joined", "host", j.Session.Hostname, "resumed", j.Resumed)
	h.goPing(c)

	ended := false
	audits := 0
	defer func() {
		if ended {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.cfg.Sessions.AgentLeft(ctx, sid, connID)
		log.Info("agent left")
	}()

	for {
		m, err := c.read(c.ctx)
		if err != nil {
			return
		}
		if m.Type == protocol.TypeAudit {
			if audits++; audits > maxAudits {
				c.reply(m.ID, protocol.CodeRateLimited, errTooManyAudits.Error())
				continue
			}
		}
		if m.Type == protocol.TypeAnswer {
			if t := offered.Swap(0); t != 0 {
				h.cfg.Metrics.Connected(time.Since(time.Unix(0, t)))
			}
		}
		began := time.Now()
		ended, err = h.cfg.Sessions.FromAgent(c.ctx, sid, connID, m)
		h.cfg.Metrics.Handled("agent", time.Since(began))
		if err != nil {
			c.reply(m.ID, sessions.Code(err), sessions.Message(err))
			if errors.Is(err, sessions.ErrReplaced) {
				// Another socket holds the session now: this one is done.
				ended = false
				c.closeAfterFlush()
				return
			}
			continue
		}
		if ended {
			c.closeAfterFlush()
			return
		}
	}
}

// agentHello reads the agent's first message and lets it into its session.
// On failure it has already queued the error reply.
func (h *Hub) agentHello(c *conn, remote string) (j sessions.Joined, connID string, ok bool) {
	ctx, cancel := context.WithTimeout(c.ctx, h.cfg.HelloTimeout)
	defer cancel()
	// A read whose context ends closes the socket without a word: at the
	// deadline, close it with the reason instead.
	late := time.AfterFunc(h.cfg.HelloTimeout, func() {
		_ = c.ws.Close(websocket.StatusPolicyViolation, fmt.Sprintf("no agent.hello within %v", h.cfg.HelloTimeout))
	})
	defer late.Stop()
	var m protocol.Message
	for {
		var err error
		m, err = c.read(c.ctx)
		if err != nil {
			c.reply("", protocol.CodeBadMessage, "expected agent.hello")
			return j, "", false
		}
		if m.Type == protocol.TypeAgentHello {
			break
		}
		c.reply(m.ID, protocol.CodeBadMessage, "say agent.hello first")
	}
	connID, err := invite.NewToken()
	if err != nil {
		c.reply(m.ID, protocol.CodeInternal, "server error")
		return j, "", false
	}
	j, err = h.cfg.Sessions.Join(ctx, m.Body.(*protocol.AgentHello), remote, connID)
	if err != nil {
		code, msg := sessions.JoinError(err)
		if code == protocol.CodeInternal {
			c.log.Warn("agent hello failed", "err", err)
		}
		c.reply(m.ID, code, msg)
		return j, "", false
	}
	return j, connID, true
}

// acceptBeforeHello accepts the WebSocket of a program that has not said
// hello yet (an agent, an unattended device), counted among the client's
// sockets waiting for their hello: per client as the PIN limits count them
// (IPv6 per /64), so one host with many addresses is still one client.
// release frees the place once the hello is through; ok is false, and the
// client answered, when it is refused.
func (h *Hub) acceptBeforeHello(w http.ResponseWriter, r *http.Request, log *slog.Logger, what string) (c *conn, release func(), ok bool) {
	release, status, msg := h.pending.take(store.AddrKey(auth.ClientIP(r)))
	if release == nil {
		log.Debug(what+" websocket refused before hello", "status", status)
		http.Error(w, msg, status)
		return nil, nil, false
	}
	c, err := h.accept(w, r, log)
	if err != nil {
		release()
		log.Info(what+" websocket refused", "err", err)
		return nil, nil, false
	}
	return c, release, true
}
