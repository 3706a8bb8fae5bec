package sessions

import (
	"context"
	"errors"
	"slices"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// The customer's page as a second peer (protocol.TypePageSignal): the
// technician's browser and the customer's page connect peer to peer to show
// the technician's screen and to talk. The server passes their negotiation
// on, checks the technician's group on every message, and audits what
// starts and stops; the media never reaches it.

// pageNeeds lists what the technician's group must allow for page signal p:
// its screen for what shows the technician's screen, voice for a call, and
// one of them for the rest of the negotiation (answers, candidates).
func pageNeeds(p *protocol.PageSignal) (all []access.Perm, anyOf []access.Perm) {
	switch p.Kind {
	case protocol.PageShare:
		return []access.Perm{access.ShowScreen}, nil
	case protocol.PageCall, protocol.PageAccept, protocol.PageMute:
		return []access.Perm{access.Voice}, nil
	case protocol.PageOffer:
		if p.Screen {
			all = append(all, access.ShowScreen)
		}
		if p.Voice {
			all = append(all, access.Voice)
		}
		if len(all) > 0 {
			return all, nil
		}
	}
	return nil, []access.Perm{access.ShowScreen, access.Voice}
}

// pageDenial names each page permission as the session's Denied list does.
var pageDenial = map[access.Perm]string{access.ShowScreen: protocol.DeniedShowScreen, access.Voice: protocol.DeniedVoice}

// pageAllowed checks page signal p against tech's group; a refusal is
// audited.
func (s *Service) pageAllowed(tech auth.Technician, sid string, p *protocol.PageSignal) error {
	all, anyOf := pageNeeds(p)
	for _, perm := range all {
		if !tech.Can(perm) {
			s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: sid, Detail: string(perm)})
			if perm == access.Voice {
				return denied(string(perm), "your group does not allow talking with customers")
			}
			return denied(string(perm), "your group does not allow showing your screen to customers")
		}
	}
	if len(anyOf) > 0 && !tech.Can(anyOf[0]) && !tech.Can(anyOf[1]) {
		s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: sid, Detail: string(access.ShowScreen)})
		return denied(string(access.ShowScreen), "your group does not allow showing your screen to customers or talking with them")
	}
	return nil
}

// pageFromConsole passes a page signal of a technician of the session (its
// lead, from the console that holds it, or a collaborator) on to its
// agent, once their group allows it, while the customer's program is there
// and the session is not on hold. Each technician has their own connection
// with the page: the signal is marked as the sender's (a console naming
// another technician's is refused, audited). A collaborator joins a call
// the lead has going only; one technician shows their screen at a time.
func (s *Service) pageFromConsole(ctx context.Context, tech auth.Technician, console string, ss store.Session, m protocol.Message, p *protocol.PageSignal) error {
	lead := ss.TechnicianID == tech.ID
	if p.Tech != "" && p.Tech != tech.ID {
		s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: m.SID, Detail: "page signal for " + p.Tech})
		return ErrNotYourPeer
	}
	if p.Kind == protocol.PageReset {
		return ErrNotForConsoles // the agent says when the page reset
	}
	if me, ok := ss.Collab.Member(tech.ID); !lead && (!ok || me.Role == protocol.RoleMonitor) {
		return ErrWatching
	}
	if err := s.pageAllowed(tech, m.SID, p); err != nil {
		return err
	}
	switch {
	case !ss.AgentConnected:
		return ErrNotConnected
	case ss.State == session.OnHold && (p.Kind == protocol.PageOffer || p.Kind == protocol.PageCall && p.On || p.Kind == protocol.PageShare && p.On):
		return ErrOnHold
	case p.Kind == protocol.PageShare && p.On && ss.PageScreen && ss.PageSharer != "" && ss.PageSharer != tech.ID:
		return &ShareTakenError{Name: nameIn(ss, ss.PageSharer)}
	case !lead && p.Kind == protocol.PageCall && p.On && !ss.PageCall:
		return ErrNoCall
	}
	p.Name, p.Tech = tech.Name, tech.ID // whoever the console said it was
	if lead {
		if err := s.relay(ctx, console, m, p); err != nil {
			return err
		}
	} else {
		if ss.State.Closed() {
			return ErrClosed
		}
		s.publish(AgentSubject(m.SID), m.Type, m.ID, m.SID, p)
	}
	s.auditPage(ctx, tech.ID, lead, m.SID, p)
	return nil
}

// nameIn is the name of technician id in session ss (its lead or a
// collaborator).
func nameIn(ss store.Session, id string) string {
	if m, ok := ss.Collab.Member(id); ok {
		return m.Name
	}
	return ss.TechnicianName
}

// pageFromAgent passes a page signal of the customer's page on to the
// technician whose connection it is (p.Tech: the lead when "" or not in
// the session); a reset of the page goes to every technician in it.
func (s *Service) pageFromAgent(ctx context.Context, sid string, m protocol.Message, p *protocol.PageSignal) error {
	switch p.Kind {
	case protocol.PageOffer, protocol.PageShare:
		return ErrNotForAgents // the technician's browser offers and shares
	}
	ss, err := s.cfg.Store.Session(ctx, sid)
	if err != nil {
		return nil
	}
	if p.Kind == protocol.PageReset {
		return s.pageReset(ctx, ss, m, p)
	}
	to, lead := p.Tech, false
	if to == "" || to == ss.TechnicianID || !ss.Collaborating(to) {
		to, lead = ss.TechnicianID, true
	}
	// Nothing of a call, nor of a negotiation, reaches a technician whose
	// group has none of it (the customer's program may be anyone's).
	denied := ss.Denied
	if !lead {
		me, _ := ss.Collab.Member(to)
		denied = me.Denied
	}
	all, anyOf := pageNeeds(p)
	for _, perm := range all {
		if slices.Contains(denied, pageDenial[perm]) {
			return ErrNotForAgents
		}
	}
	if len(anyOf) > 0 && slices.Contains(denied, pageDenial[anyOf[0]]) && slices.Contains(denied, pageDenial[anyOf[1]]) {
		return ErrNotForAgents
	}
	p.Name, p.Tech = ss.CustomerName, to
	s.publish(TechSubject(to, sid), m.Type, m.ID, sid, p)
	s.auditPage(ctx, "customer", lead, sid, p)
	return nil
}

// pageReset passes on the agent's word that the customer's page reset what
// it had with every technician (p.Tech "") or with one colleague: the
// session keeps no screen shown nor call (for everyone), and the consoles
// concerned are told, with the reason, at once.
func (s *Service) pageReset(ctx context.Context, ss store.Session, m protocol.Message, p *protocol.PageSignal) error {
	to := append([]string{ss.TechnicianID}, memberIDs(ss)...)
	if p.Tech != "" {
		if p.Tech == ss.TechnicianID || !slices.Contains(to, p.Tech) {
			return nil // the lead's connection resets with everyone's; nobody else's is here
		}
		to = []string{p.Tech}
	}
	now, err := s.cfg.Store.UpdateSession(ctx, ss.ID, func(x *store.Session) error {
		switch {
		case p.Tech == "" && (x.PageScreen || x.PageCall):
			x.PageScreen, x.PageCall, x.PageSharer = false, false, ""
		case p.Tech != "" && x.PageSharer == p.Tech:
			x.PageScreen, x.PageSharer = false, ""
		default:
			return errUnchanged
		}
		return nil
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		s.log.Error("page peer's state", "sid", ss.ID, "err", err)
	} else if err == nil {
		s.publishState(now)
	}
	p.Name = ""
	for _, id := range to {
		s.publish(TechSubject(id, ss.ID), m.Type, m.ID, ss.ID, p)
	}
	return nil
}

// auditPage records what page signal p starts or stops, sent by actor
// (about the lead's connection with the page, or a colleague's), when it
// changes what the session keeps of the page peer (PageScreen, PageCall):
// a repeated "shown" or "hung up" is no new entry. A colleague joining or
// leaving the call changes nothing kept: the call is the lead's. The
// customer's side's entries count against the session's peer events cap.
func (s *Service) auditPage(ctx context.Context, actor string, lead bool, sid string, p *protocol.PageSignal) {
	e := audit.Event{Actor: actor, SessionID: sid}
	var change func(*store.Session) bool // nil: a decision that changes no state; false: nothing changed
	switch {
	case p.Kind == protocol.PageShare && p.On:
		e.Type = audit.ScreenShown
		change = func(ss *store.Session) bool {
			if ss.PageScreen && ss.PageSharer == p.Tech {
				return false
			}
			ss.PageScreen, ss.PageSharer = true, p.Tech
			return true
		}
	case p.Kind == protocol.PageShare, p.Kind == protocol.PageClosed:
		e.Type, e.Detail = audit.ScreenHidden, "by technician"
		if actor == "customer" {
			e.Detail = "closed by the customer"
		}
		change = func(ss *store.Session) bool {
			if !ss.PageScreen || ss.PageSharer != "" && ss.PageSharer != p.Tech {
				return false
			}
			ss.PageScreen, ss.PageSharer = false, ""
			return true
		}
	case !lead && (p.Kind == protocol.PageCall || p.Kind == protocol.PageAccept):
		// A colleague joins (the page accepts them) or leaves the call.
		switch {
		case p.Kind == protocol.PageAccept && p.On:
			e.Type, e.Detail = audit.VoiceStarted, "joined by "+p.Tech
		case p.Kind == protocol.PageCall && !p.On:
			e.Type, e.Detail = audit.VoiceEnded, "left by "+p.Tech
		default:
			return
		}
	case p.Kind == protocol.PageAccept && p.On:
		e.Type = audit.VoiceStarted
		change = func(ss *store.Session) bool {
			was := ss.PageCall
			ss.PageCall = true
			return !was
		}
	case p.Kind == protocol.PageAccept:
		e.Type, e.Detail = audit.VoiceEnded, "declined"
	case p.Kind == protocol.PageCall && !p.On:
		e.Type, e.Detail = audit.VoiceEnded, "hung up"
		change = func(ss *store.Session) bool {
			was := ss.PageCall
			ss.PageCall = false
			return was
		}
	default:
		return
	}
	if change != nil {
		ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
			if change(ss) {
				return nil
			}
			return errUnchanged
		})
		if errors.Is(err, errUnchanged) {
			return
		} else if err != nil {
			s.log.Error("page peer's state", "sid", sid, "err", err)
		} else {
			s.publishState(ss) // colleagues see the call to join
		}
	}
	if actor == "customer" {
		s.recordFromPeer(audit.FromAgent, e)
		return
	}
	s.record(e)
}
