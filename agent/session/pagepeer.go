package session

import (
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// pageAllowed reports whether the technician's group allows page signal p,
// as the server's welcome said (Denied): the agent refuses the technician's
// screen and voice to a group that does not have them, whatever the server
// passed on, and anything but stopping them while the session is on hold.
// Stopping (share off, call off) always goes through.
func (s *runner) pageAllowed(p *protocol.PageSignal) bool {
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
	case screen && s.denied[protocol.DeniedShowScreen], voice && s.denied[protocol.DeniedVoice]:
		return false
	case !screen && !voice:
		// The rest of the negotiation: with either.
		return !s.denied[protocol.DeniedShowScreen] || !s.denied[protocol.DeniedVoice]
	}
	return true
}

// pageSignal hands a page signal of the technician to the page relay, if
// the group allows it; a refusal is audited.
func (s *runner) pageSignal(p *protocol.PageSignal) {
	if !s.pageAllowed(p) {
		s.log.Warn("page signal not allowed for this technician or on hold; refused", "kind", p.Kind)
		s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: "page " + p.Kind + ", not allowed for this technician or on hold"})
		return
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

// pageReset ends what the customer's page has with the technician (a screen
// shown, a call): the technician changed, or the session went on hold.
func (s *runner) pageReset() {
	for _, f := range s.cfg.Features {
		if r, ok := f.(PageRelay); ok {
			r.Reset(s.techID)
		}
	}
}
