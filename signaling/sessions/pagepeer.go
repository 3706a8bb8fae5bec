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

// pageFromConsole passes a page signal of the session's technician on to
// its agent, once their group allows it, from the console that holds the
// session, while the customer's program is there and the session is not
// on hold. Collaborators have none (see collaboratorMay).
func (s *Service) pageFromConsole(ctx context.Context, tech auth.Technician, console string, ss store.Session, m protocol.Message, p *protocol.PageSignal) error {
	if err := s.pageAllowed(tech, m.SID, p); err != nil {
		return err
	}
	switch {
	case !ss.AgentConnected:
		return ErrNotConnected
	case ss.State == session.OnHold && (p.Kind == protocol.PageOffer || p.Kind == protocol.PageCall && p.On || p.Kind == protocol.PageShare && p.On):
		return ErrOnHold
	}
	p.Name = tech.Name // whoever the console said it was
	if err := s.relay(ctx, console, m, p); err != nil {
		return err
	}
	s.auditPage(ctx, tech.ID, m.SID, p)
	return nil
}

// pageFromAgent passes a page signal of the customer's page on to the
// session's technician (the one who leads it now).
func (s *Service) pageFromAgent(ctx context.Context, sid string, m protocol.Message, p *protocol.PageSignal) error {
	switch p.Kind {
	case protocol.PageOffer, protocol.PageShare:
		return ErrNotForAgents // the technician's browser offers and shares
	}
	ss, err := s.cfg.Store.Session(ctx, sid)
	if err != nil {
		return nil
	}
	// Nothing of a call, nor of a negotiation, reaches a technician whose
	// group has none of it (the customer's program may be anyone's).
	all, anyOf := pageNeeds(p)
	for _, perm := range all {
		if slices.Contains(ss.Denied, pageDenial[perm]) {
			return ErrNotForAgents
		}
	}
	if len(anyOf) > 0 && slices.Contains(ss.Denied, pageDenial[anyOf[0]]) && slices.Contains(ss.Denied, pageDenial[anyOf[1]]) {
		return ErrNotForAgents
	}
	p.Name = ss.CustomerName
	s.publish(TechSubject(ss.TechnicianID, sid), m.Type, m.ID, sid, p)
	s.auditPage(ctx, "customer", sid, p)
	return nil
}

// auditPage records what page signal p starts or stops, sent by actor,
// when it changes what the session keeps of the page peer (PageScreen,
// PageCall): a repeated "shown" or "hung up" is no new entry. The
// customer's side's entries count against the session's peer events cap.
func (s *Service) auditPage(ctx context.Context, actor, sid string, p *protocol.PageSignal) {
	e := audit.Event{Actor: actor, SessionID: sid}
	var flag func(*store.Session) *bool // nil: a decision that changes no state
	on := p.On
	switch {
	case p.Kind == protocol.PageShare && p.On:
		e.Type = audit.ScreenShown
		flag = func(ss *store.Session) *bool { return &ss.PageScreen }
	case p.Kind == protocol.PageShare, p.Kind == protocol.PageClosed:
		e.Type, e.Detail, on = audit.ScreenHidden, "by technician", false
		if actor == "customer" {
			e.Detail = "closed by the customer"
		}
		flag = func(ss *store.Session) *bool { return &ss.PageScreen }
	case p.Kind == protocol.PageAccept && p.On:
		e.Type = audit.VoiceStarted
		flag = func(ss *store.Session) *bool { return &ss.PageCall }
	case p.Kind == protocol.PageAccept:
		e.Type, e.Detail = audit.VoiceEnded, "declined"
	case p.Kind == protocol.PageCall && !p.On:
		e.Type, e.Detail = audit.VoiceEnded, "hung up"
		flag = func(ss *store.Session) *bool { return &ss.PageCall }
	default:
		return
	}
	if flag != nil {
		_, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
			if f := flag(ss); *f != on {
				*f = on
				return nil
			}
			return errUnchanged
		})
		if errors.Is(err, errUnchanged) {
			return
		} else if err != nil {
			s.log.Error("page peer's state", "sid", sid, "err", err)
		}
	}
	if actor == "customer" {
		s.recordFromPeer(audit.FromAgent, e)
		return
	}
	s.record(e)
}
