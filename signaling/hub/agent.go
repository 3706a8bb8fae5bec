package hub

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Agent serves /ws/agent: the customer's agent says hello with its code or PIN,
// then exchanges permissions and WebRTC signaling with the technician.
func (h *Hub) Agent(w http.ResponseWriter, r *http.Request) {
	log := h.log.With("ws", "agent", "remote", r.RemoteAddr)
	c, err := h.accept(w, r, log)
	if err != nil {
		log.Info("agent websocket refused", "err", err)
		return
	}
	defer c.cancel()
	h.agents.Add(1)
	defer h.agents.Add(-1)

	sess, secret, resumed, ok := h.agentHello(c, r.RemoteAddr)
	if !ok {
		c.closeAfterFlush()
		return
	}
	sid := sess.ID
	log = log.With("sid", sid)
	c.log = log
	sub, err := h.subscribe(c, AgentSubject(sid))
	if err != nil {
		log.Error("subscribe", "err", err)
		return
	}
	defer sub.Unsubscribe()
	// The names the customer sees come from the server: the organisation from
	// the settings, the technician's from the account an administrator made.
	techName := sess.TechnicianName
	if acc, err := h.cfg.Store.Account(c.ctx, sess.TechnicianID); err == nil {
		techName = acc.Name
	}
	welcome, _ := protocol.Encode(protocol.TypeAgentWelcome, "", sid, protocol.AgentWelcome{
		SID: sid, CustomerName: sess.CustomerName, TechnicianName: techName,
		OrgName: h.cfg.Auth.Settings(c.ctx).OrgName, ICEServers: h.iceFor(sid),
		Denied: h.deniedTo(c.ctx, sess.TechnicianID),
		Secret: secret, Resumed: resumed, OnHold: sess.State == session.OnHold,
		Servers: h.cfg.AgentURLs,
	})
	c.push(welcome)
	h.publishState(sess)
	h.record(audit.Event{Type: audit.SessionStarted, Actor: "customer", SessionID: sid, IP: auth.ClientIP(r), Detail: sess.Hostname})
	log.Info("agent joined", "host", sess.Hostname, "resumed", resumed)
	h.goPing(c)

	ended := false
	audits := 0
	defer func() {
		if ended {
			return
		}
		// The customer's side went away without ending: it may come back with
		// its secret, so the session waits in Reconnecting. Its grants stay as
		// they were; the agent enforces them and re-sends them when it is back.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s, err := h.cfg.Store.UpdateSession(ctx, sid, func(s *store.Session) error {
			// A newer socket of the same agent (it noticed the cut first and
			// came back) owns the session now: leave it alone.
			if s.State.Closed() || s.AgentConn != sess.AgentConn {
				return errAlreadyClosed
			}
			s.AgentConnected = false
			prev := s.State
			if err := s.SetState(session.Reconnecting, time.Now()); err != nil {
				return err
			}
			if !prev.Away() {
				s.Prev = prev
			}
			return nil
		})
		if err == nil {
			h.publishState(s)
		}
		log.Info("agent left")
	}()

	for {
		m, err := c.read(c.ctx)
		if err != nil {
			return
		}
		switch body := m.Body.(type) {
		case *protocol.PermissionUpdate:
			var old protocol.Permissions
			s, err := h.cfg.Store.UpdateSession(c.ctx, sid, func(s *store.Session) error {
				old = s.Permissions
				if s.State.Closed() {
					return errAlreadyClosed
				}
				s.Permissions, s.Changed = body.Permissions, time.Now()
				return nil
			})
			if err != nil {
				c.reply(m.ID, protocol.CodeForbidden, err.Error())
				continue
			}
			h.publish(TechSubject(s.TechnicianID, sid), m.Type, m.ID, sid, body)
			h.publishState(s)
			h.recordGrants(sid, old, body.Permissions, body.Refused)
		case *protocol.Audit:
			if audits++; audits > maxAudits {
				c.reply(m.ID, protocol.CodeRateLimited, "too many audit reports on this connection")
				continue
			}
			h.auditFrom("customer", sid, body)
		case *protocol.Answer, *protocol.Candidate, *protocol.Path:
			// The owner may have changed (transfer) since the agent joined.
			s, err := h.cfg.Store.Session(c.ctx, sid)
			if err != nil {
				continue
			}
			h.publish(TechSubject(s.TechnicianID, sid), m.Type, m.ID, sid, body)
		case *protocol.SessionEnd:
			s, err := h.end(c.ctx, sid, session.ClosedByCustomer)
			if err == nil {
				h.publish(TechSubject(s.TechnicianID, sid), protocol.TypeSessionEnd, m.ID, sid, protocol.SessionEnd{Reason: protocol.EndByCustomer})
				h.publishState(s)
				h.record(audit.Event{Type: audit.SessionEnded, Actor: "customer", SessionID: sid, Detail: "by customer"})
			}
			ended = true
			c.closeAfterFlush()
			return
		default:
			c.reply(m.ID, protocol.CodeForbidden, fmt.Sprintf("%s is not for agents", m.Type))
		}
	}
}

// agentHello reads and checks the agent's first message: a code or PIN joins
// the session (and the agent gets its secret), a session ID with its secret
// resumes it. On failure it has already queued the error reply.
func (h *Hub) agentHello(c *conn, remote string) (sess store.Session, secret string, resumed, ok bool) {
	ctx, cancel := context.WithTimeout(c.ctx, h.cfg.HelloTimeout)
	defer cancel()
	var m protocol.Message
	for {
		var err error
		m, err = c.read(ctx)
		if err != nil {
			c.reply("", protocol.CodeBadMessage, "expected agent.hello")
			return sess, "", false, false
		}
		if m.Type == protocol.TypeAgentHello {
			break
		}
		c.reply(m.ID, protocol.CodeBadMessage, "say agent.hello first")
	}
	hello := m.Body.(*protocol.AgentHello)
	connID, err := invite.NewToken()
	if err != nil {
		c.reply(m.ID, protocol.CodeInternal, "server error")
		return sess, "", false, false
	}
	if hello.SID != "" {
		s, err := h.resume(ctx, hello, connID)
		if err != nil {
			// Only a wrong secret or a closed session is final; anything else
			// (JetStream moving a stream leader during a failover) is worth
			// another try, and the agent tries again.
			code, msg := protocol.CodeInternal, "the server could not resume the session now; try again"
			switch {
			case errors.Is(err, store.ErrNotFound) || errors.Is(err, errBadSecret):
				code, msg = protocol.CodeInvalidCode, errBadSecret.Error()
			case errors.Is(err, errSessionClosed):
				code, msg = protocol.CodeForbidden, err.Error()
			default:
				log := c.log.With("sid", hello.SID)
				log.Warn("resume failed", "err", err)
			}
			c.reply(m.ID, code, msg)
			return sess, "", false, false
		}
		return s, "", true, true
	}
	token := hello.Code
	if hello.PIN != "" {
		t, err := h.cfg.Invites.RedeemPIN(ctx, remote, hello.PIN)
		if err != nil {
			code, msg := inviteError(err)
			c.reply(m.ID, code, msg)
			return sess, "", false, false
		}
		token = t
	}
	sid, err := h.cfg.Invites.Use(ctx, token)
	if err != nil {
		code, msg := inviteError(err)
		c.reply(m.ID, code, msg)
		return sess, "", false, false
	}
	secret, err = invite.NewToken()
	if err != nil {
		c.reply(m.ID, protocol.CodeInternal, "server error")
		return sess, "", false, false
	}
	s, err := h.cfg.Store.UpdateSession(ctx, sid, func(s *store.Session) error {
		if err := s.SetState(session.Waiting, time.Now()); err != nil {
			return err
		}
		s.AgentConnected, s.AgentConn = true, connID
		s.Hostname, s.OS, s.DeviceID = hello.Hostname, hello.OS, hello.DeviceID
		s.AgentSecret = store.HashKey(secret)
		return nil
	})
	if err != nil {
		c.reply(m.ID, protocol.CodeForbidden, "this session is closed")
		return sess, "", false, false
	}
	return s, secret, false, true
}

var (
	errBadSecret     = errors.New("this session does not know this agent")
	errSessionClosed = errors.New("this session is closed")
)

// resume lets an agent that proves it holds the session's secret back into
// its session, in the state the session had before the agent went away.
func (h *Hub) resume(ctx context.Context, hello *protocol.AgentHello, connID string) (store.Session, error) {
	return h.cfg.Store.UpdateSession(ctx, hello.SID, func(s *store.Session) error {
		if s.AgentSecret == "" || subtle.ConstantTimeCompare([]byte(s.AgentSecret), []byte(store.HashKey(hello.Secret))) != 1 {
			return errBadSecret
		}
		if s.State.Closed() {
			return errSessionClosed
		}
		if s.State.Away() {
			back := s.Prev
			if back == "" {
				back = session.Waiting
			}
			if err := s.SetState(back, time.Now()); err != nil {
				return err
			}
		}
		s.AgentConnected, s.AgentConn = true, connID
		s.Changed = time.Now()
		return nil
	})
}

func inviteError(err error) (protocol.ErrorCode, string) {
	var rl *invite.RateLimitError
	switch {
	case errors.As(err, &rl):
		return protocol.CodeRateLimited, rl.Error()
	case errors.Is(err, invite.ErrInvalidPIN), errors.Is(err, invite.ErrInvalid):
		return protocol.CodeInvalidCode, "that code is not valid"
	case errors.Is(err, invite.ErrExpired):
		return protocol.CodeExpired, "this invitation has expired"
	case errors.Is(err, invite.ErrUsed):
		return protocol.CodeUsed, "this invitation was already used"
	}
	return protocol.CodeInternal, "server error"
}

// end moves a session to a closed state.
func (h *Hub) end(ctx context.Context, sid string, st session.State) (store.Session, error) {
	return h.cfg.Store.UpdateSession(ctx, sid, func(s *store.Session) error {
		if err := s.SetState(st, time.Now()); err != nil {
			return err
		}
		s.Permissions, s.Transfer = protocol.Permissions{}, nil
		if st == session.ClosedByCustomer {
			s.AgentConnected = false
		}
		return nil
	})
}
