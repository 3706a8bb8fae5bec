package hub

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/sessions"
)

// Console serves /ws/console for a logged-in technician: it receives everything
// published for that technician and may send to the agents of its own sessions.
// The login is checked again on every message and whenever the technician's
// account changes; a login that has ended closes the socket at once.
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
	if _, err := h.cfg.Auth.First(r, tech); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	h.console(w, r, tech, "", func(ctx context.Context, r *http.Request) (auth.Technician, error) {
		return h.cfg.Sessions.Technician(ctx, r, tech.ID)
	}, sessions.ErrNoLogin)
}

// External serves /ws/external, the limited console of an external
// collaborator (sessions.ExternalLogin, in its cookie): as Console, for
// their one session only (a message for any other is refused as for a
// session that does not exist), their login checked again on every
// message; once they are out (removed, or the session ended) the socket
// closes, saying so.
func (h *Hub) External(w http.ResponseWriter, r *http.Request) {
	login, ok := sessions.ExternalFromRequest(r)
	if !ok {
		http.Error(w, sessions.ErrExternalGone.Error(), http.StatusUnauthorized)
		return
	}
	tech, err := h.cfg.Sessions.ExternalTechnician(r.Context(), login)
	if errors.Is(err, sessions.ErrExternalGone) {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if err != nil {
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	h.console(w, r, tech, login.SID, func(ctx context.Context, _ *http.Request) (auth.Technician, error) {
		t, err := h.cfg.Sessions.ExternalTechnician(ctx, login)
		if errors.Is(err, sessions.ErrExternalGone) {
			return t, sessions.ErrNoLogin
		}
		return t, err
	}, sessions.ErrExternalGone)
}

// console serves a console socket for tech: who, as their login stands
// now, is read (read: sessions.ErrNoLogin once it has ended, said to them
// as gone) on every message; only, if set, is the one session it may act
// on.
func (h *Hub) console(w http.ResponseWriter, r *http.Request, tech auth.Technician, only string,
	who func(context.Context, *http.Request) (auth.Technician, error), gone error) {
	log := h.log.With("ws", "console", "tech", tech.ID, "remote", r.RemoteAddr)
	c, err := h.accept(w, r, log)
	if err != nil {
		log.Info("console websocket refused", "err", err)
		return
	}
	defer c.cancel()
	h.consoles.Add(1)
	defer h.consoles.Add(-1)
	changes, stop := h.cfg.Sessions.Watch(tech.ID)
	defer stop()
	// id names this connection: the session service records which console
	// holds a session's peer connection, and asks the connection whether it
	// is still there when another console opens the session (subscribed
	// before subs.all flushes).
	id := rand.Text()
	here, err := h.cfg.NC.Subscribe(sessions.ConsoleSubject(id), func(m *nats.Msg) { _ = m.Respond(nil) })
	if err != nil {
		log.Error("subscribe", "err", err)
		return
	}
	defer func() { _ = here.Unsubscribe() }()
	subs := newConsoleSubs(h, c, tech.ID)
	if err := subs.all(); err != nil {
		log.Error("subscribe", "err", err)
		return
	}
	defer subs.close()
	defer func() {
		if h.ctx.Err() != nil {
			return // the node stops: nothing answers for id, so its sessions are free (consoleGone)
		}
		ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
		defer cancel()
		h.cfg.Sessions.ConsoleClosed(ctx, tech.ID, id, subs.sessions())
	}()
	welcome, _ := protocol.Encode(protocol.TypeConsoleWelcome, "", "", protocol.ConsoleWelcome{
		TechnicianID: tech.ID, TechnicianName: tech.Name, ICEServers: h.cfg.ICEServers, Console: id,
	})
	c.push(welcome)
	h.goPing(c)

	// login reads the technician as their login stands now; false means it
	// has ended: the sessions this console held end and the socket closes.
	r = r.WithContext(c.ctx)
	var revoke sync.Once
	login := func() (auth.Technician, bool, error) {
		t, err := who(c.ctx, r)
		if !errors.Is(err, sessions.ErrNoLogin) {
			return t, true, err
		}
		revoke.Do(func() {
			log.Info("login ended; closing the console")
			ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
			defer cancel()
			h.cfg.Sessions.LoginEnded(ctx, tech.ID, subs.sessions())
			c.push(protocol.ErrorReply("", protocol.CodeForbidden, gone.Error()))
			c.closeAfterFlush()
		})
		return t, false, nil
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		for {
			select {
			case <-c.ctx.Done():
				return
			case <-changes:
				if _, ok, _ := login(); !ok {
					return
				}
			}
		}
	}()

	for {
		m, err := c.read(c.ctx)
		if err != nil {
			return
		}
		tech, ok, err := login()
		if !ok {
			c.reply(m.ID, protocol.CodeForbidden, gone.Error())
			continue
		}
		if only != "" && m.SID != only {
			c.reply(m.ID, sessions.Code(sessions.ErrNotFound), sessions.Message(sessions.ErrNotFound))
			continue
		}
		if err != nil {
			c.reply(m.ID, sessions.Code(err), sessions.Message(err))
			continue
		}
		began := time.Now()
		_, err = h.cfg.Sessions.FromConsole(c.ctx, tech, id, m)
		h.cfg.Metrics.Handled("console", time.Since(began))
		if err != nil {
			c.reply(m.ID, sessions.Code(err), sessions.Message(err))
			continue
		}
		if m.Type != protocol.TypeSessionCollaborate {
			// A colleague's queue that accepts an invitation does not
			// work on the session (the workspace it opens does: closing
			// that one takes them out); the lead's come from a workspace.
			subs.work(m.SID)
		}
		if m.Type == protocol.TypeSessionOpen {
			h.open(c, subs, m)
		}
	}
}

// open starts passing news of session m.SID to the console, then sends its
// ICE servers, its state and its running log (as much of it as the
// technician may see: sessions.LogFor).
func (h *Hub) open(c *conn, subs *consoleSubs, m protocol.Message) {
	subs.opened(m.SID)
	// Read again now that news of the session reaches the console: anything
	// that changes it from here on comes after this state.
	s, err := h.cfg.Sessions.Session(c.ctx, m.SID)
	if err != nil {
		c.reply(m.ID, sessions.Code(sessions.ErrBusy), sessions.ErrBusy.Error())
		return
	}
	cfg, _ := protocol.Encode(protocol.TypeRTCConfig, "", m.SID, protocol.RTCConfig{ICEServers: h.iceFor(m.SID)})
	c.push(cfg)
	b, _ := protocol.Encode(protocol.TypeSessionState, m.ID, m.SID, h.cfg.Sessions.StateFor(s))
	subs.inject(b)
	l, err := h.cfg.Sessions.LogFor(c.ctx, subs.tech, m.SID)
	if err != nil {
		c.reply(m.ID, sessions.Code(sessions.ErrBusy), sessions.ErrBusy.Error())
		return
	}
	for _, p := range l.Pages() {
		if b, err = protocol.Encode(protocol.TypeLogEntries, m.ID, m.SID, p); err == nil {
			subs.inject(b)
		}
	}
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
	// worked holds every session the console acted on (a message the
	// session service accepted), opened or not: when the login ends, those
	// sessions end, whatever the console did or did not open first.
	worked map[string]bool
}

const (
	maxOpen = 16
	// consoleBacklog bounds the messages between NATS and a console's send
	// queue; forward empties it without waiting, so it fills only if that
	// goroutine cannot run at all.
	consoleBacklog = 4096
)

func newConsoleSubs(h *Hub, c *conn, tech string) *consoleSubs {
	return &consoleSubs{h: h, c: c, tech: tech, msgs: make(chan *nats.Msg, consoleBacklog), open: map[string]bool{}, worked: map[string]bool{}}
}

// forward moves the messages the console wants to its socket. If NATS had to
// drop any (a full backlog), the console is closed so that it reconnects and
// reads everything afresh, rather than showing a state it missed.
func (s *consoleSubs) forward() {
	prefix := sessions.TechSubject(s.tech, "")
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
	sub, err := s.h.cfg.NC.ChanSubscribe(sessions.TechSubject(s.tech, "*"), s.msgs)
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

// sessions lists the sessions the console opened or acted on.
func (s *consoleSubs) sessions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.order)
	for sid := range s.worked {
		if !s.open[sid] {
			out = append(out, sid)
		}
	}
	return out
}

// work notes that the console acted on session sid.
func (s *consoleSubs) work(sid string) {
	if sid == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.worked[sid] = true
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
