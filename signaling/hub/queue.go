package hub

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Queue errors, as the technician reads them.
var (
	errNotAvailable = errors.New("that technician is not available (away, busy or offline)")
	errSelf         = errors.New("the session is already yours")
	errNoTransfer   = errors.New("this session is not being transferred")
	errTooMany      = fmt.Errorf("you already work on %d sessions: end or transfer one first", MaxActive)
)

// MaxActive is the most sessions one technician works on at once.
const MaxActive = 10

// start starts a Waiting session, or accepts a session transferred to tech.
func (h *Hub) start(c *conn, m protocol.Message, tech auth.Technician) {
	if n, err := h.ActiveCount(c.ctx, tech.ID); err == nil && n >= MaxActive {
		if s, err := h.cfg.Store.Session(c.ctx, m.SID); err == nil && (s.State == session.Waiting || s.Transfer != nil) {
			c.reply(m.ID, protocol.CodeForbidden, errTooMany.Error())
			return
		}
	}
	var from string
	s, err := h.cfg.Store.UpdateSession(c.ctx, m.SID, func(s *store.Session) error {
		now := time.Now()
		if s.Transfer != nil && s.Transfer.ToID == tech.ID {
			from = s.TechnicianID
			s.TechnicianID, s.TechnicianName = tech.ID, tech.Name
			s.Transfer = nil
			if s.State.Away() {
				s.Prev = session.Active
				s.Changed = now
				return nil
			}
			return s.SetState(session.Active, now)
		}
		if s.TechnicianID != tech.ID {
			return errNoTransfer
		}
		switch {
		case s.State == session.Waiting:
			return s.SetState(session.Active, now)
		case s.State.Away() && s.Prev == session.Waiting:
			s.Prev, s.Changed = session.Active, now
			return nil
		}
		return errAlreadyClosed // nothing to do: opening a workspace twice is not an error
	})
	if errors.Is(err, errAlreadyClosed) {
		return
	}
	if err != nil {
		c.reply(m.ID, protocol.CodeForbidden, err.Error())
		return
	}
	h.publishState(s, from)
	if from != "" {
		// Tell the customer who is with them now.
		h.publish(AgentSubject(s.ID), protocol.TypeAgentWelcome, "", s.ID, protocol.AgentWelcome{
			SID: s.ID, CustomerName: s.CustomerName, TechnicianName: s.TechnicianName, OrgName: h.cfg.Auth.Settings(c.ctx).OrgName, Resumed: true,
			Denied: h.deniedTo(c.ctx, s.TechnicianID),
		})
	}
}

// hold puts an Active session on hold (remote control ends, the customer is
// told) or resumes it.
func (h *Hub) hold(c *conn, m protocol.Message, on bool) {
	want := session.Active
	if on {
		want = session.OnHold
	}
	s, err := h.cfg.Store.UpdateSession(c.ctx, m.SID, func(s *store.Session) error {
		if s.State.Away() {
			// The customer is away: hold applies when they are back.
			if s.Prev != session.Active && s.Prev != session.OnHold {
				return session.ErrTransition
			}
			s.Prev, s.Changed = want, time.Now()
			return nil
		}
		return s.SetState(want, time.Now())
	})
	if err != nil {
		c.reply(m.ID, protocol.CodeForbidden, err.Error())
		return
	}
	h.publish(AgentSubject(s.ID), protocol.TypeSessionHold, m.ID, s.ID, protocol.SessionHold{On: on})
	h.publishState(s)
}

// transfer offers the session to another available technician, or cancels the offer.
func (h *Hub) transfer(c *conn, m protocol.Message, tech auth.Technician, t *protocol.SessionTransfer) {
	if perms, err := h.techPerms(c.ctx, tech.ID); err != nil {
		c.reply(m.ID, protocol.CodeInternal, errBusy)
		return
	} else if !perms.Has(access.Transfer) {
		c.reply(m.ID, protocol.CodeForbidden, "your group does not allow transferring sessions")
		return
	}
	if t.Cancel {
		var to string
		s, err := h.cfg.Store.UpdateSession(c.ctx, m.SID, func(s *store.Session) error {
			if s.Transfer == nil {
				return errNoTransfer
			}
			to = s.Transfer.ToID
			s.Transfer = nil
			back := s.Prev
			if back == "" || back == session.Outgoing {
				back = session.Active
			}
			if s.State.Away() {
				s.Prev, s.Changed = back, time.Now()
				return nil
			}
			return s.SetState(back, time.Now())
		})
		if err != nil {
			c.reply(m.ID, protocol.CodeForbidden, err.Error())
			return
		}
		h.publishState(s, to)
		return
	}
	if t.To == tech.ID {
		c.reply(m.ID, protocol.CodeForbidden, errSelf.Error())
		return
	}
	target, err := h.cfg.Store.Account(c.ctx, t.To)
	if err != nil {
		c.reply(m.ID, protocol.CodeNotFound, "no such technician")
		return
	}
	if st, err := h.Status(c.ctx, t.To); err != nil || st != store.StatusOnline {
		c.reply(m.ID, protocol.CodeForbidden, errNotAvailable.Error())
		return
	}
	s, err := h.cfg.Store.UpdateSession(c.ctx, m.SID, func(s *store.Session) error {
		prev := s.State
		now := time.Now()
		if s.State.Away() {
			return errors.New("the customer is not connected")
		}
		if err := s.SetState(session.Outgoing, now); err != nil {
			return err
		}
		if prev != session.Outgoing {
			s.Prev = prev
		}
		s.Transfer = &store.Transfer{FromID: tech.ID, FromName: tech.Name, ToID: target.ID, ToName: target.Name,
			Comment: strings.TrimSpace(t.Comment), At: now}
		return nil
	})
	if err != nil {
		c.reply(m.ID, protocol.CodeForbidden, err.Error())
		return
	}
	h.publishState(s)
}

// BusyAt is the number of working sessions at which a technician shows busy.
func (h *Hub) BusyAt() int { return h.cfg.BusyAt }

// Status is a technician's effective status: online, away, busy or offline.
func (h *Hub) Status(ctx context.Context, techID string) (store.Status, error) {
	p, err := h.cfg.Store.Presence(ctx, techID)
	if err != nil {
		return store.StatusOffline, err
	}
	active, err := h.ActiveCount(ctx, techID)
	if err != nil {
		return store.StatusOffline, err
	}
	return p.Effective(time.Now(), active, h.cfg.BusyAt), nil
}

// ActiveCount is the number of sessions a technician is working on.
func (h *Hub) ActiveCount(ctx context.Context, techID string) (int, error) {
	ss, err := h.cfg.Store.Sessions(ctx, techID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range ss {
		if s.TechnicianID == techID && s.Working() {
			n++
		}
	}
	return n, nil
}
