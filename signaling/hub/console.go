package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Console serves /ws/console for a logged-in technician: it receives everything
// published for that technician and may send to the agents of its own sessions.
func (h *Hub) Console(w http.ResponseWriter, r *http.Request) {
	tech, err := h.cfg.Auth.Technician(r)
	if errors.Is(err, auth.ErrNoLogin) {
		http.Error(w, "login required", http.StatusUnauthorized)
		return
	}
	if err != nil {
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	log := h.log.With("ws", "console", "tech", tech.ID, "remote", r.RemoteAddr)
	c, err := h.accept(w, r, log)
	if err != nil {
		log.Info("console websocket refused", "err", err)
		return
	}
	defer c.cancel()
	h.consoles.Add(1)
	defer h.consoles.Add(-1)
	subs := &consoleSubs{h: h, c: c, tech: tech.ID, one: map[string]*nats.Subscription{}}
	if err := subs.all(); err != nil {
		log.Error("subscribe", "err", err)
		return
	}
	defer subs.close()
	welcome, _ := protocol.Encode(protocol.TypeConsoleWelcome, "", "", protocol.ConsoleWelcome{
		TechnicianID: tech.ID, TechnicianName: tech.Name, ICEServers: h.cfg.ICEServers,
	})
	c.push(welcome)

	h.goPing(c)
	for {
		m, err := c.read(c.ctx)
		if err != nil {
			return
		}
		// Ownership is read for every message: a transfer moves a session to
		// another technician while sockets stay open.
		s, err := read(c.ctx, func(ctx context.Context) (store.Session, error) { return h.cfg.Store.Session(ctx, m.SID) })
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			c.log.Warn("read session", "sid", m.SID, "err", err)
			c.reply(m.ID, protocol.CodeInternal, errBusy)
			continue
		}
		receiver := err == nil && s.Transfer != nil && s.Transfer.ToID == tech.ID
		if err != nil || (s.TechnicianID != tech.ID && !receiver) {
			c.reply(m.ID, protocol.CodeNotFound, "no such session")
			continue
		}
		owner := s.TechnicianID == tech.ID
		if !owner {
			// The receiver of a transfer may look at the session and accept it.
			switch m.Type {
			case protocol.TypeSessionOpen, protocol.TypeSessionStart:
			default:
				c.reply(m.ID, protocol.CodeForbidden, "accept the transfer first")
				continue
			}
		}
		switch body := m.Body.(type) {
		case *protocol.SessionOpen:
			if err := subs.open(m.SID); err != nil {
				c.log.Error("subscribe", "sid", m.SID, "err", err)
				c.reply(m.ID, protocol.CodeInternal, errBusy)
				continue
			}
			cfg, _ := protocol.Encode(protocol.TypeRTCConfig, "", m.SID, protocol.RTCConfig{ICEServers: h.iceFor(m.SID)})
			c.push(cfg)
			b, _ := protocol.Encode(protocol.TypeSessionState, m.ID, m.SID, StateOf(s))
			c.push(b)
		case *protocol.SessionStart:
			h.start(c, m, tech)
		case *protocol.SessionHold:
			h.hold(c, m, body.On)
		case *protocol.SessionTransfer:
			ok, err := h.may(c.ctx, tech.ID, access.Transfer)
			if body.To != "" && err != nil {
				c.reply(m.ID, protocol.CodeInternal, errBusy)
				continue
			}
			if body.To != "" && !ok {
				h.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: m.SID, Detail: "transfer"})
				c.reply(m.ID, protocol.CodeForbidden, "your group does not allow transferring sessions")
				continue
			}
			h.transfer(c, m, tech, body)
		case *protocol.PermissionRequest:
			ok, err := h.may(c.ctx, tech.ID, permFor[body.Permission])
			if err != nil {
				c.reply(m.ID, protocol.CodeInternal, errBusy)
				continue
			}
			if !ok {
				h.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: m.SID, Detail: string(body.Permission)})
				c.reply(m.ID, protocol.CodeForbidden, fmt.Sprintf("your group does not allow asking for %s", body.Permission))
				continue
			}
			if !s.AgentConnected {
				c.reply(m.ID, protocol.CodeNotConnected, "the customer is not connected")
				continue
			}
			if s.State == session.OnHold {
				c.reply(m.ID, protocol.CodeForbidden, "resume the session first")
				continue
			}
			h.record(audit.Event{Type: audit.PermissionAsked, Actor: tech.ID, SessionID: m.SID, Detail: string(body.Permission)})
			if err := h.deliver(AgentSubject(m.SID), m.Type, m.ID, m.SID, body); errors.Is(err, errNoAgent) {
				c.reply(m.ID, protocol.CodeNotConnected, "the customer's program is reconnecting; ask again in a moment")
				continue
			} else if err != nil {
				c.log.Warn("permission request", "sid", m.SID, "err", err)
				c.reply(m.ID, protocol.CodeInternal, errBusy)
				continue
			}
		case *protocol.Audit:
			// Only what the console alone sees; files are reported by the agent.
			if body.Event != protocol.AuditRecordingStarted {
				c.reply(m.ID, protocol.CodeForbidden, "consoles report recordings only")
				continue
			}
			ok, err := h.may(c.ctx, tech.ID, access.Recording)
			if err != nil {
				c.reply(m.ID, protocol.CodeInternal, errBusy)
				continue
			}
			if !ok {
				h.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: m.SID, Detail: "recording"})
				c.reply(m.ID, protocol.CodeForbidden, "your group does not allow recording")
				continue
			}
			h.auditFrom(tech.ID, m.SID, body)
		case *protocol.Offer:
			if !s.AgentConnected {
				c.reply(m.ID, protocol.CodeNotConnected, "the customer is not connected")
				continue
			}
			h.publish(AgentSubject(m.SID), m.Type, m.ID, m.SID, body)
		case *protocol.Candidate:
			h.publish(AgentSubject(m.SID), m.Type, m.ID, m.SID, body)
		case *protocol.SessionEnd:
			s, err := h.end(c.ctx, m.SID, session.ClosedByTechnician)
			if err != nil {
				c.reply(m.ID, protocol.CodeForbidden, "this session is already closed")
				continue
			}
			h.publish(AgentSubject(m.SID), protocol.TypeSessionEnd, m.ID, m.SID, protocol.SessionEnd{Reason: protocol.EndByTechnician})
			h.publishState(s)
			h.record(audit.Event{Type: audit.SessionEnded, Actor: tech.ID, SessionID: m.SID, Detail: "by technician"})
		default:
			c.reply(m.ID, protocol.CodeForbidden, fmt.Sprintf("%s is not for consoles", m.Type))
		}
	}
}

// EndSession closes a session on the technician's behalf (from a plain HTTP form).
func (h *Hub) EndSession(r *http.Request, s store.Session) error {
	s, err := h.end(r.Context(), s.ID, session.ClosedByTechnician)
	if err != nil {
		return err
	}
	h.publish(AgentSubject(s.ID), protocol.TypeSessionEnd, "", s.ID, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	h.publishState(s)
	h.record(audit.Event{Type: audit.SessionEnded, Actor: s.TechnicianID, SessionID: s.ID, Detail: "by technician"})
	return nil
}

// consoleSubs is what a console listens to: every session of its technician
// (the queue page) until it opens one (a session's workspace), then only the
// sessions it opened, the last maxOpen of them. Only the console's own
// goroutine uses it.
type consoleSubs struct {
	h     *Hub
	c     *conn
	tech  string
	every *nats.Subscription
	one   map[string]*nats.Subscription
	order []string
}

const maxOpen = 16

func (s *consoleSubs) all() (err error) {
	s.every, err = s.h.subscribe(s.c, TechSubject(s.tech, "*"))
	return err
}

func (s *consoleSubs) open(sid string) error {
	if _, ok := s.one[sid]; ok {
		return nil
	}
	sub, err := s.h.subscribe(s.c, TechSubject(s.tech, sid))
	if err != nil {
		return err
	}
	s.one[sid] = sub
	s.order = append(s.order, sid)
	if len(s.order) > maxOpen {
		old := s.order[0]
		s.order = s.order[1:]
		_ = s.one[old].Unsubscribe()
		delete(s.one, old)
	}
	if s.every != nil { // subscribed to the session first: nothing is missed
		_ = s.every.Unsubscribe()
		s.every = nil
	}
	return nil
}

func (s *consoleSubs) close() {
	if s.every != nil {
		_ = s.every.Unsubscribe()
	}
	for _, sub := range s.one {
		_ = sub.Unsubscribe()
	}
}
