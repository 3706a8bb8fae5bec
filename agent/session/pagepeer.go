package session

import (
	"slices"

	"github.com/lifeline-support/lifeline/agent/pagepeer"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// pageDeniedTo is what technician tech's group (or grant) denies of the
// page, and whether they are in the session at all: the lead as the
// server's welcome said (Denied), a colleague as the collaboration names
// them; a group lead who only watches, or one the customer sent away, has
// no page of the customer's.
func (s *runner) pageDeniedTo(tech string) (screen, voice, in bool) {
	if tech == "" || tech == s.techID {
		return s.denied[protocol.DeniedShowScreen], s.denied[protocol.DeniedVoice], true
	}
	m, ok := s.collab.Member(tech)
	if !ok || m.Role == protocol.RoleMonitor || s.sentAway[tech] {
		return true, true, false
	}
	return slices.Contains(m.Denied, protocol.DeniedShowScreen), slices.Contains(m.Denied, protocol.DeniedVoice), true
}

// pageAllowed reports whether page signal p may go to the customer's page:
// it comes from a technician in the session (p.Tech, the lead when ""),
// whose group allows what it carries, as the server said: the agent
// refuses the technician's screen and voice to a group that does not have
// them, whatever the server passed on, and anything but stopping them while
// the session is on hold. Stopping (share off, call off) always goes
// through.
func (s *runner) pageAllowed(p *protocol.PageSignal) bool {
	deniedScreen, deniedVoice, in := s.pageDeniedTo(p.Tech)
	if !in {
		return false
	}
	if (p.Kind == protocol.PageShare || p.Kind == protocol.PageCall) && !p.On {
		return true
	}
	if s.hold {
		return false
	}
	screen := p.Kind == protocol.PageShare || p.Kind == protocol.PageOffer && p.Screen
	voice := p.Kind == protocol.PageCall || p.Kind == protocol.PageAccept || p.Kind == protocol.PageMute ||
		p.Kind == protocol.PageOffer && p.Voice
	switch {
	case screen && deniedScreen, voice && deniedVoice:
		return false
	case !screen && !voice:
		// The rest of the negotiation: with either.
		return !deniedScreen || !deniedVoice
	}
	return true
}

// pageSignal hands a page signal of a technician to the page relay, if
// they are in the session and their group allows it; a refusal is audited.
func (s *runner) pageSignal(p *protocol.PageSignal) {
	if p.Kind == protocol.PageReset || !s.pageAllowed(p) {
		s.log.Warn("page signal not allowed for this technician or on hold; refused", "kind", p.Kind, "technician", p.Tech)
		s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: "page " + p.Kind + " of " + p.Tech + ", not allowed for this technician or on hold"})
		return
	}
	if p.Tech == "" {
		p.Tech = s.techID
	}
	for _, f := range s.cfg.Features {
		if r, ok := f.(PageRelay); ok {
			r.FromTechnician(*p)
		}
	}
}

// pageDenied tells the page relay what the technician's group allows now.
func (s *runner) pageDenied() {
	for _, f := range s.cfg.Features {
		if r, ok := f.(PageRelay); ok {
			r.SetAllowed(!s.denied[protocol.DeniedShowScreen], !s.denied[protocol.DeniedVoice])
		}
	}
}

// pageColleagues tells the page relay who else is in the session and what
// each may do with the page: a colleague gone, or who lost voice or the
// screen, loses their connection with the page at once.
func (s *runner) pageColleagues() {
	c := map[string]pagepeer.Allowed{}
	for _, m := range s.collab.Members {
		if screen, voice, in := s.pageDeniedTo(m.ID); in {
			c[m.ID] = pagepeer.Allowed{Screen: !screen, Voice: !voice}
		}
	}
	for _, f := range s.cfg.Features {
		if r, ok := f.(PageRelay); ok {
			r.SetColleagues(c)
		}
	}
}

// pageReset ends what the customer's page has with the technicians (a
// screen shown, a call), for why (a protocol.Reset* reason): the technician
// changed, the lead passed, or the session went on hold.
func (s *runner) pageReset(why string) {
	for _, f := range s.cfg.Features {
		if r, ok := f.(PageRelay); ok {
			r.Reset(s.techID, why)
		}
	}
}
