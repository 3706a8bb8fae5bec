package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

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
	subs := newConsoleSubs(h, c, tech.ID)
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
			subs.opened(m.SID)
			// Read again now that news of the session reaches the console:
			// anything that changes it from here on comes after this state.
			s, err := read(c.ctx, func(ctx context.Context) (store.Session, error) { return h.cfg.Store.Session(ctx, m.SID) })
			if err != nil {
				c.reply(m.ID, protocol.CodeInternal, errBusy)
				continue
			}
			cfg, _ := protocol.Encode(protocol.TypeRTCConfig, "", m.SID, protocol.RTCConfig{ICEServers: h.iceFor(m.SID)})
			c.push(cfg)
			b, _ := protocol.Encode(protocol.TypeSessionState, m.ID, m.SID, StateOf(s))
			subs.inject(b)
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

// consoleSubs is what a console hears: every session of its technician (the
// queue page) until it opens one (a session's workspace), then only the
// sessions it opened, the last maxOpen of them. It is one NATS subscription
// to all the technician's sessions, filtered on the way to the socket: moving
// from "all" to "these" then neither loses nor reorders anything (an
// unsubscribe drops what NATS has queued for it, and a subscription made
// meanwhile misses what other nodes published before it was known). Only the
// console's own goroutine calls its methods; forward runs beside it.
type consoleSubs struct {
	h     *Hub
	c     *conn
	tech  string
	msgs  chan *nats.Msg
	every *nats.Subscription

	mu    sync.Mutex // open and order, read by forward
	open  map[string]bool
	order []string
}

const (
	maxOpen = 16
	// consoleBacklog bounds the messages between NATS and a console's send
	// queue; forward empties it without waiting, so it fills only if that
	// goroutine cannot run at all.
	consoleBacklog = 4096
)

func newConsoleSubs(h *Hub, c *conn, tech string) *consoleSubs {
	return &consoleSubs{h: h, c: c, tech: tech, msgs: make(chan *nats.Msg, consoleBacklog), open: map[string]bool{}}
}

// forward moves the messages the console wants to its socket. If NATS had to
// drop any (a full backlog), the console is closed so that it reconnects and
// reads everything afresh, rather than showing a state it missed.
func (s *consoleSubs) forward() {
	prefix := TechSubject(s.tech, "")
	for {
		select {
		case <-s.c.ctx.Done():
			return
		case m := <-s.msgs:
			if m.Sub != nil && !s.wants(strings.TrimPrefix(m.Subject, prefix)) {
				continue
			}
			s.c.pushMsg(m)
			if len(s.msgs) == 0 {
				if n, _ := s.every.Dropped(); n > 0 {
					s.c.log.Warn("console fell behind NATS, closing it", "dropped", n)
					s.c.cancel()
					return
				}
			}
		}
	}
}

// wants reports whether news of session sid goes to the console.
func (s *consoleSubs) wants(sid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.order) == 0 || s.open[sid]
}

// all subscribes to every session of the technician. The welcome goes out
// once the NATS server has the subscription: what is published after the
// console heard it reaches the console.
func (s *consoleSubs) all() error {
	sub, err := s.h.cfg.NC.ChanSubscribe(TechSubject(s.tech, "*"), s.msgs)
	if err != nil {
		return err
	}
	s.every = sub
	go s.forward()
	return s.h.cfg.NC.FlushTimeout(5 * time.Second)
}

// opened narrows the console to the sessions it opened, sid among them.
func (s *consoleSubs) opened(sid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[sid] {
		return
	}
	s.open[sid] = true
	s.order = append(s.order, sid)
	if len(s.order) > maxOpen {
		delete(s.open, s.order[0])
		s.order = s.order[1:]
	}
}

// inject queues b behind what NATS has delivered so far.
func (s *consoleSubs) inject(b []byte) {
	select {
	case s.msgs <- &nats.Msg{Data: b}:
	case <-s.c.ctx.Done():
	}
}

func (s *consoleSubs) close() {
	_ = s.every.Unsubscribe()
}
