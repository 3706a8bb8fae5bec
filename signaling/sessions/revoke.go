package sessions

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Watch registers a console of technician techID: changes reports every change
// to the technician's account (disabled, deleted, logged out everywhere,
// moved to another group), so that the console checks its login again at
// once. stop unregisters it.
func (s *Service) Watch(techID string) (changes <-chan struct{}, stop func()) {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	if s.watchers[techID] == nil {
		s.watchers[techID] = map[chan struct{}]bool{}
	}
	s.watchers[techID][ch] = true
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.watchers[techID], ch)
		if len(s.watchers[techID]) == 0 {
			delete(s.watchers, techID)
		}
	}
}

// poke tells the consoles of techID on this node that their account changed.
func (s *Service) poke(techID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.watchers[techID] {
		select {
		case ch <- struct{}{}:
		default: // one is pending already
		}
	}
}

// LoginEnded ends the sessions of techID that a console held open (sids)
// when the console's login ended: the browser holds their peer connections,
// and must not keep the customer's screen. Sessions no console held stay in
// the technician's queue. In sessions among sids that techID collaborates
// on, they leave (the session stays with its technician).
func (s *Service) LoginEnded(ctx context.Context, techID string, sids []string) {
	s.helperLeft(ctx, techID, sids, "login ended")
	for _, sid := range sids {
		ss, err := s.cfg.Store.Session(ctx, sid)
		if err != nil || ss.TechnicianID != techID || ss.State.Closed() {
			continue
		}
		_, _ = s.end(ctx, sid, Ending{State: session.ClosedByTechnician, Actor: "server", Detail: "technician's login ended"})
	}
}

// account is what the watch remembers of an account to tell what changed.
type account struct {
	group    string
	role     store.Role
	disabled bool
}

// watchAccounts follows the account and group buckets on every node: each
// change reaches this node's consoles of the technician at once, a disabled
// or deleted account's sessions end, and a changed group reaches the agents
// of the technicians' live sessions. Every node acts; the sessions'
// compare-and-set makes each change happen once.
func (s *Service) watchAccounts() {
	for s.ctx.Err() == nil {
		if err := s.followAccounts(); err != nil && s.ctx.Err() == nil {
			s.log.Warn("watching accounts; trying again", "err", err)
			select {
			case <-s.ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

func (s *Service) followAccounts() error {
	aw, err := s.cfg.Store.WatchAccounts(s.ctx)
	if err != nil {
		return err
	}
	defer aw.Stop()
	gw, err := s.cfg.Store.WatchGroups(s.ctx)
	if err != nil {
		return err
	}
	defer gw.Stop()
	known := map[string]account{}
	current := false // the current accounts have been listed
	for {
		select {
		case <-s.ctx.Done():
			return nil
		case e, ok := <-aw.Updates():
			if !ok {
				return errWatchEnded
			}
			if e == nil {
				// Listed: a change made while the watch was starting (or
				// restarting after a NATS failover) may have come in as
				// part of the listing, not as a change: what each live
				// session's technicians may do is pushed once from the
				// accounts as they are now.
				if !current {
					current = true
					if s.cfg.Auth != nil { // else no permissions to read (tests of other rules)
						s.groupChanged()
					}
				}
				continue
			}
			s.accountChanged(e, known, current)
		case e, ok := <-gw.Updates():
			if !ok {
				return errWatchEnded
			}
			if e != nil {
				s.groupChanged()
			}
		}
	}
}

func (s *Service) accountChanged(e jetstream.KeyValueEntry, known map[string]account, current bool) {
	id := e.Key()
	var acc store.Account
	gone := e.Operation() != jetstream.KeyValuePut || json.Unmarshal(e.Value(), &acc) != nil
	was, had := known[id]
	now := account{group: acc.GroupID, role: acc.Role, disabled: acc.Disabled}
	if gone {
		delete(known, id)
	} else {
		known[id] = now
	}
	if !current {
		return
	}
	s.poke(id)
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	switch {
	case gone:
		s.endAll(ctx, id, "technician's account deleted")
	case now.disabled:
		if !had || !was.disabled {
			s.endAll(ctx, id, "technician's account disabled")
		}
	case !had || was != now:
		s.pushDenied(ctx, id)
	}
}

// groupChanged pushes what their groups deny now to the agents of every
// technician with a live session.
func (s *Service) groupChanged() {
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	all, err := s.cfg.Store.OpenSessions(ctx)
	if err != nil {
		s.log.Error("group changed: list sessions", "err", err)
		return
	}
	done := map[string]bool{}
	for _, ss := range all {
		if ss.State.Closed() || !ss.AgentConnected {
			continue
		}
		for _, id := range append([]string{ss.TechnicianID}, helpers(ss)...) {
			if !done[id] {
				done[id] = true
				s.pushDenied(ctx, id)
			}
		}
	}
}

// endAll ends every open session of technician techID.
func (s *Service) endAll(ctx context.Context, techID, why string) {
	ss, err := s.cfg.Store.Sessions(ctx, techID)
	if err != nil {
		s.log.Error("end a revoked technician's sessions", "tech", techID, "err", err)
		return
	}
	var helping []string
	for _, x := range ss {
		if x.TechnicianID == techID && !x.State.Closed() {
			_, _ = s.end(ctx, x.ID, Ending{State: session.ClosedByTechnician, Actor: "server", Detail: why})
		} else if x.TechnicianID != techID {
			helping = append(helping, x.ID)
		}
	}
	s.helperLeft(ctx, techID, helping, why)
}

// pushDenied tells the agents of techID's live sessions what the technician's
// group denies now, once per change (Session.Denied); the agent drops any
// grant that is no longer allowed.
func (s *Service) pushDenied(ctx context.Context, techID string) {
	ss, err := s.cfg.Store.Sessions(ctx, techID)
	if err != nil {
		s.log.Error("push permissions: list sessions", "tech", techID, "err", err)
		return
	}
	s.pushHelperDenied(ctx, techID, ss)
	denied := s.deniedTo(ctx, techID)
	for _, x := range ss {
		if x.TechnicianID != techID || x.State.Closed() || !x.AgentConnected {
			continue
		}
		x, err := s.cfg.Store.UpdateSession(ctx, x.ID, func(x *store.Session) error {
			if x.TechnicianID != techID || x.State.Closed() || slices.Equal(x.Denied, denied) {
				return errUnchanged
			}
			x.Denied = denied
			return nil
		})
		if err != nil {
			continue
		}
		s.log.Info("technician's permissions changed; agent told", "sid", x.ID, "denied", denied)
		s.publish(AgentSubject(x.ID), protocol.TypeAgentWelcome, "", x.ID, s.rewelcome(ctx, x))
	}
}
