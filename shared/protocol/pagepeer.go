package protocol

import (
	"fmt"
	"slices"

	"github.com/pion/webrtc/v4"
)

// The customer's page as a second peer (added 2026-12-07, additive to
// version 1): the technician's browser and the customer's browser page
// (served by the agent on loopback) connect peer to peer for what the agent
// need not decode: the technician's screen shown to the customer, and voice.
// Their offer, answer and candidates travel as page.signal messages: console
// → server → agent → page and back. The server checks the technician's group
// on every one; the agent refuses what the group denies; the page takes only
// what the customer accepted.
const (
	// TypePageSignal (console → server → agent, agent → server → console)
	// carries one step of the page peer's negotiation or one decision.
	TypePageSignal Type = "page.signal"
)

// What PageSignal.Kind may be. The console offers, the page answers.
const (
	// PageOffer (console): an SDP offer; Screen and Voice say what it carries.
	PageOffer = "offer"
	// PageAnswer (page): the SDP answer.
	PageAnswer = "answer"
	// PageCandidate (either side): one trickled ICE candidate.
	PageCandidate = "candidate"
	// PageShare (console): the technician starts (On) or stops showing
	// their screen.
	PageShare = "share"
	// PageClosed (page): the customer closed the technician's screen; the
	// session goes on.
	PageClosed = "closed"
	// PageCall (either side): asks the other to talk (On), or hangs up.
	PageCall = "call"
	// PageAccept (either side): answers a call: On accepts, off declines.
	PageAccept = "accept"
	// PageMute (either side): says whether the sender's microphone is
	// muted (On: muted).
	PageMute = "mute"
	// PageReset (agent → every technician's console): the customer's page
	// reset what it had with the technicians (Tech "") or with technician
	// Tech alone: the screen shown and the call stopped, for Reason (one
	// of the Reset* reasons). Consoles say so instead of believing they
	// still share or talk.
	PageReset = "reset"
)

// Why the customer's page reset (PageSignal.Reason of PageReset).
const (
	// ResetHold: the session went on hold.
	ResetHold = "hold"
	// ResetTechnician: another technician took the session.
	ResetTechnician = "technician"
	// ResetLead: the lead passed to a colleague.
	ResetLead = "lead"
	// ResetPermission: the technician's group (or grant) no longer allows it.
	ResetPermission = "permission"
	// ResetRemoved: the colleague is no longer in the session.
	ResetRemoved = "removed"
)

// resetReasons are the Reset* reasons.
var resetReasons = []string{ResetHold, ResetTechnician, ResetLead, ResetPermission, ResetRemoved}

// What AgentWelcome.Denied may name for the page peer.
const (
	// DeniedShowScreen: the group does not let the technician show their screen.
	DeniedShowScreen = "showscreen"
	// DeniedVoice: the group does not allow voice.
	DeniedVoice = "voice"
)

// Audit events of the page peer (the server records them itself).
const (
	// AuditScreenShown: the technician started showing their screen.
	AuditScreenShown AuditEvent = "screen.shown"
	// AuditScreenHidden: it stopped (Detail: by the technician or the customer).
	AuditScreenHidden AuditEvent = "screen.hidden"
	// AuditVoiceStarted: a call began (Detail: who accepted it).
	AuditVoiceStarted AuditEvent = "voice.started"
	// AuditVoiceEnded: a call ended (Detail: who hung up or declined).
	AuditVoiceEnded AuditEvent = "voice.ended"
)

// PageSignal is the payload of TypePageSignal.
type PageSignal struct {
	Kind string `json:"kind"`
	// SDP is the offer or answer.
	SDP *webrtc.SessionDescription `json:"sdp,omitempty"`
	// Candidate is the trickled candidate (nil with PageCandidate: the
	// end of candidates).
	Candidate *webrtc.ICECandidateInit `json:"candidate,omitempty"`
	// Screen and Voice say what an offer carries: the technician's screen,
	// a call.
	Screen bool `json:"screen,omitempty"`
	Voice  bool `json:"voice,omitempty"`
	// On is the yes or no of share, call, accept and mute.
	On bool `json:"on,omitempty"`
	// Name is who sent it, set by the server from the login (for the page).
	Name string `json:"name,omitempty"`
	// Tech is the technician (account ID) whose connection with the
	// customer's page this is: set by the server from the login on what a
	// console sends (a console naming another technician is refused), and
	// by the page on what it sends, so that the server passes it on to that
	// technician only. Every technician in the session has their own
	// connection with the page.
	Tech string `json:"tech,omitempty"`
	// Reason says why the page reset (PageReset: a Reset* reason).
	Reason string `json:"reason,omitempty"`
}

// MaxPageSDP bounds an offer's or answer's SDP.
const MaxPageSDP = 32 << 10

func (p *PageSignal) validate() error {
	switch p.Kind {
	case PageOffer, PageAnswer:
		if p.SDP == nil || p.SDP.SDP == "" {
			return fmt.Errorf("%s without sdp", p.Kind)
		}
		if len(p.SDP.SDP) > MaxPageSDP {
			return fmt.Errorf("sdp of %d bytes is over %d", len(p.SDP.SDP), MaxPageSDP)
		}
		want := webrtc.SDPTypeOffer
		if p.Kind == PageAnswer {
			want = webrtc.SDPTypeAnswer
		}
		if p.SDP.Type != want {
			return fmt.Errorf("%s of type %s", p.Kind, p.SDP.Type)
		}
	case PageCandidate:
		if p.SDP != nil {
			return fmt.Errorf("candidate with sdp")
		}
		if c := p.Candidate; c != nil && len(c.Candidate) > 1024 {
			return fmt.Errorf("candidate too long")
		}
	case PageShare, PageClosed, PageCall, PageAccept, PageMute, PageReset:
		if p.SDP != nil || p.Candidate != nil {
			return fmt.Errorf("%s with sdp or candidate", p.Kind)
		}
	default:
		return fmt.Errorf("unknown kind %q", p.Kind)
	}
	if len(p.Name) > 200 {
		return fmt.Errorf("name too long")
	}
	if len(p.Tech) > 64 {
		return fmt.Errorf("technician too long")
	}
	if p.Kind == PageReset && !slices.Contains(resetReasons, p.Reason) || p.Kind != PageReset && p.Reason != "" {
		return fmt.Errorf("reset reason %q", p.Reason)
	}
	return nil
}

// Check validates a page signal that did not come through Decode (the
// customer's page sends its own to the agent).
func (p *PageSignal) Check() error { return p.validate() }
