package sessions

import (
	"context"
	"crypto/subtle"
	"slices"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Reboot and reconnect, the server's part: the agent says the customer
// agreed and the computer restarts (TypeAgentRebooting); the session shows
// Rebooting, its agent's socket closing changes nothing, and the sweep ends
// it after Timeouts.Rebooting. The program started after the restart comes
// back once with the session's secret (AgentHello.Reboot), gets a new one
// and no grants: the customer is asked again.

// rebooting marks session sid Rebooting, from its agent's socket connID.
func (s *Service) rebooting(ctx context.Context, sid, connID string, body *protocol.AgentRebooting) error {
	if body.Failed {
		return s.rebootFailed(ctx, sid, connID)
	}
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		switch {
		case ss.AgentConn != connID:
			return ErrReplaced
		case ss.State.Closed():
			return ErrClosed
		case ss.State == session.Rebooting:
			return ErrRebooting
		case ss.Unattended != "":
			return ErrRebootUnattended
		case slices.Contains(ss.Denied, protocol.DeniedReboot):
			// The agent was told so: a program that restarts anyway does
			// it on its own, not in the technician's name.
			return ErrNotGrantedHere
		}
		prev := ss.State
		if err := ss.SetState(session.Rebooting, time.Now()); err != nil {
			return err
		}
		if !prev.Away() {
			ss.Prev = prev
		}
		ss.Permissions = protocol.Permissions{}
		return nil
	})
	if err != nil {
		return err
	}
	detail := "normal restart"
	if body.SafeMode {
		detail = "safe mode with networking"
	}
	s.record(audit.Event{Type: audit.SessionRebooting, Actor: ss.TechnicianID, SessionID: sid, Detail: detail})
	s.publishState(ss)
	return nil
}

// rebootFailed returns session sid, Rebooting, to what it was: the agent on
// socket connID could not run the system's restart.
func (s *Service) rebootFailed(ctx context.Context, sid, connID string) error {
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		if ss.AgentConn != connID || ss.State != session.Rebooting {
			return errUnchanged
		}
		return comeBack(ss, connID, ss.Denied)
	})
	if err != nil {
		return nil
	}
	s.record(audit.Event{Type: audit.RebootFailed, Actor: "customer", SessionID: sid})
	s.publishState(ss)
	return nil
}

// rebootBack lets the program the autostart entry started after a restart
// back into its session: only with the session's secret, only while it is
// Rebooting (so an entry used twice, or copied to another session, is
// refused), with a new secret and no grants. With hello.Decline the
// customer chose not to reconnect: the session ends, the technician told.
func (s *Service) rebootBack(ctx context.Context, hello *protocol.AgentHello, connID string) (Joined, error) {
	secret, err := invite.NewToken()
	if err != nil {
		return Joined{}, err
	}
	ss, err := s.cfg.Store.Session(ctx, hello.SID)
	if err != nil {
		return Joined{}, ErrBadSecret
	}
	denied := s.deniedTo(ctx, ss.TechnicianID)
	check := func(ss *store.Session) error {
		switch {
		case ss.AgentSecret == "" || subtle.ConstantTimeCompare([]byte(ss.AgentSecret), []byte(store.HashKey(hello.Secret))) != 1:
			return ErrBadSecret
		case ss.State.Closed():
			return ErrSessionClosed
		case ss.State != session.Rebooting:
			return ErrNotRebooting
		}
		return nil
	}
	if hello.Decline {
		if err := check(&ss); err != nil {
			return Joined{}, err
		}
		if _, err := s.end(ctx, hello.SID, Ending{State: session.ClosedByCustomer, Actor: "customer", Detail: "declined to reconnect after the restart"}); err != nil {
			return Joined{}, err
		}
		s.record(audit.Event{Type: audit.RebootDeclined, Actor: "customer", SessionID: hello.SID})
		return Joined{}, ErrDeclined
	}
	ss, err = s.cfg.Store.UpdateSession(ctx, hello.SID, func(ss *store.Session) error {
		if err := check(ss); err != nil {
			return err
		}
		if err := comeBack(ss, connID, denied); err != nil {
			return err
		}
		newProgram(ss, hello, secret)
		return nil
	})
	if err != nil {
		return Joined{}, err
	}
	s.record(audit.Event{Type: audit.RebootBack, Actor: "customer", SessionID: ss.ID, Detail: ss.Hostname})
	return Joined{Session: ss, Secret: secret, Resumed: true}, nil
}

// rebootExpired records that session ss, Rebooting, timed out: the
// customer's computer did not come back in time.
func (s *Service) rebootExpired(ss store.Session) {
	s.record(audit.Event{Type: audit.RebootExpired, Actor: "server", SessionID: ss.ID,
		Detail: "the customer's computer did not come back within " + s.cfg.Timeouts.Rebooting.String()})
}

// rebootWait is how long, in seconds, a Rebooting session waits.
func (s *Service) rebootWait() int {
	return int(s.cfg.Timeouts.Rebooting / time.Second)
}
