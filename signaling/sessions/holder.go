package sessions

import (
	"context"
	"errors"
	"hash/fnv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// One console at a time holds a session's peer connection: the technician's
// console that opened it first, or the last one told to take it over ("use
// it here"). Two consoles each offering to the one agent would take its peer
// connection from each other, and each hear the other's answer. The
// technician's other consoles (another tab, another login) show the session
// and its log, and may hold, transfer or end it; what runs over the peer
// connection or asks the customer needs the holder.

// needsHolder reports whether a console message of type t may come only from
// the console that holds the session.
func needsHolder(t protocol.Type) bool {
	switch t {
	case protocol.TypeOffer, protocol.TypeCandidate, protocol.TypePermissionRequest, protocol.TypePageSignal:
		return true
	}
	return false
}

// mayWork reports whether console may send a message of type t for session
// ss: what needs the holder (needsHolder) comes from the console that holds
// it; while nobody holds it, an offer may come from any console of the
// technician (it claims the session first) and so may a request to the
// customer, but never a candidate: candidates follow their console's offer.
func mayWork(ss store.Session, console string, t protocol.Type) bool {
	switch {
	case !needsHolder(t), holds(ss, console):
		return true
	case ss.Console == "":
		return t != protocol.TypeCandidate
	}
	return false
}

// holds reports whether console holds session ss's peer connection.
func holds(ss store.Session, console string) bool {
	return ss.Console == console
}

// holderLocks keep, on this node, the passing on of a console's offers and
// candidates (relay) apart from a change of the session's holder (claim,
// ConsoleClosed, a transfer accepted): a relay checks the holder and
// publishes under a read lock of the session's stripe, a change holds the
// write lock while it is stored. So a message authorised before a takeover
// but relayed after it is dropped, never passed on. Between nodes the
// relay's fresh read right before its publish leaves only that instant.
const holderStripes = 64

// holderLock is the lock of session sid's stripe.
func (s *Service) holderLock(sid string) *sync.RWMutex {
	h := fnv.New32a()
	_, _ = h.Write([]byte(sid))
	return &s.holders[h.Sum32()%holderStripes]
}

// relay passes console's offer or candidate for session m.SID on to the
// agent if console holds the session now (read again, under the session's
// holder lock); otherwise it is dropped with ErrOpenElsewhere: its console
// lost the session (a takeover) after the message was authorised.
func (s *Service) relay(ctx context.Context, console string, m protocol.Message, body any) error {
	if s.beforeRelay != nil {
		s.beforeRelay()
	}
	l := s.holderLock(m.SID)
	l.RLock()
	defer l.RUnlock()
	ss, err := s.Session(ctx, m.SID)
	if err != nil {
		s.log.Warn("read session", "sid", m.SID, "err", err)
		return ErrBusy
	}
	if !holds(ss, console) {
		s.log.Info("dropped a message of a console that lost the session", "sid", m.SID, "type", m.Type, "console", console, "holder", ss.Console)
		return ErrOpenElsewhere
	}
	s.publish(AgentSubject(m.SID), m.Type, m.ID, m.SID, body)
	return nil
}

// ConsoleSubject is where console connection console answers while it is
// open, on whichever node holds its socket (see consoleGone).
func ConsoleSubject(console string) string { return "lifeline.v1.console." + console }

// consoleGone reports whether console connection console is gone: no node
// answers for it (its node stopped or died before it let go of its
// sessions). A node too slow to answer counts as there: the technician is
// asked rather than a live console robbed.
func (s *Service) consoleGone(console string) bool {
	_, err := s.cfg.NC.Request(ConsoleSubject(console), nil, time.Second)
	return errors.Is(err, nats.ErrNoResponders)
}

// claim makes console (in browser tab tab) the holder of session sid for its
// technician tech: when nobody holds it or its holder is gone, when the
// holder is the same tab (reloaded, or on a new socket), or on takeover. On a takeover every console
// of the technician hears the new state; the one that held it stops. The customer's
// grants stay: they are the technician's, whatever tab they work in. It
// returns whether console holds the session now.
func (s *Service) claim(ctx context.Context, tech auth.Technician, console, sid, tab string, takeover bool) (bool, error) {
	if console == "" {
		return true, nil
	}
	var from string
	l := s.holderLock(sid)
	l.Lock()
	defer l.Unlock()
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		if ss.TechnicianID != tech.ID || ss.State.Closed() || ss.Console == console {
			return errUnchanged
		}
		if ss.Console != "" && !takeover && (tab == "" || tab != ss.ConsoleTab) && !s.consoleGone(ss.Console) {
			return errUnchanged
		}
		from = ss.Console
		ss.Console, ss.ConsoleTab, ss.LeadAway = console, tab, 0
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return ss.Console == console, nil
	}
	if err != nil {
		return false, err
	}
	if from != "" {
		// Taken over: the console that held it hears it from this state.
		// A console taking a session nobody held gets its state from the
		// hub (session.open) or needs none (an offer).
		s.log.Info("session taken over by another console", "sid", sid, "tech", tech.ID, "from", from, "to", console)
		s.publishState(ss)
		s.record(audit.Event{Type: audit.SessionTakenOver, Actor: tech.ID, SessionID: sid})
	}
	return true, nil
}

// ConsoleClosed lets go of the sessions (among sids) that console, of
// technician techID, held: its socket closed. A reload of its tab takes them
// again without asking, and so does any console of the technician that
// offers first. In the sessions among sids that techID collaborates on,
// they are away for the colleagues' grace (helperAway); an invitation to
// one is declined.
func (s *Service) ConsoleClosed(ctx context.Context, techID, console string, sids []string) {
	s.helperAway(ctx, techID, sids)
	for _, sid := range sids {
		l := s.holderLock(sid)
		l.Lock()
		_, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
			if ss.Console != console {
				return errUnchanged
			}
			ss.Console = ""
			if ss.TechnicianID == techID && len(ss.Collab.Members) > 0 && !ss.State.Closed() {
				// Colleagues are in: the lead passes to one of them if
				// no console of the lead's takes it again (sweepLead).
				ss.LeadAway = time.Now().UnixMilli()
			}
			return nil
		})
		l.Unlock()
		if err != nil && !errors.Is(err, errUnchanged) && !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("let go of a session", "sid", sid, "err", err)
		}
	}
}
