package sessions

import (
	"context"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// sweepLoop applies the session time limits. Every node runs it; the store's
// compare-and-set makes each change happen once.
func (s *Service) sweepLoop() {
	t := time.NewTicker(s.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.sweep()
		}
	}
}

func (s *Service) sweep() {
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.SweepInterval)
	defer cancel()
	all, err := s.cfg.Store.OpenSessions(ctx)
	if err != nil {
		if s.ctx.Err() == nil {
			s.log.Warn("sweep sessions", "err", err)
		}
		return
	}
	now := time.Now()
	for _, ss := range all {
		if !ss.State.Closed() {
			s.sweepAway(ctx, ss, now)
			s.sweepLead(ctx, ss, now)
			s.sweepExternal(ctx, ss, now)
		}
		// A message left on a channel waits for its callback: no
		// program waits behind it, so no time limit closes it.
		if ss.Callback && ss.State == session.Waiting {
			continue
		}
		if _, due := s.cfg.Timeouts.Expire(ss.State, ss.StateSince(), now); !due {
			continue
		}
		var from session.State
		ss, err := s.cfg.Store.UpdateSession(ctx, ss.ID, func(ss *store.Session) error {
			to, due := s.cfg.Timeouts.Expire(ss.State, ss.StateSince(), now)
			if !due {
				return errUnchanged
			}
			from = ss.State
			if to.Closed() {
				ss.Permissions, ss.Transfer = protocol.Permissions{}, nil
			}
			return ss.SetState(to, now)
		})
		if err != nil {
			continue
		}
		s.log.Info("session time limit", "sid", ss.ID, "state", ss.State)
		if ss.State.Closed() {
			s.keepLog(ctx, ss)
		}
		if from == session.Rebooting {
			s.rebootExpired(ss)
		}
		s.publishState(ss)
		if ss.State == session.TimedOut {
			s.publish(AgentSubject(ss.ID), protocol.TypeSessionEnd, "", ss.ID, protocol.SessionEnd{Reason: protocol.EndByTechnician})
		}
	}
}
