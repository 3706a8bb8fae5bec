package session

import (
	"context"
	"fmt"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/identity"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Collaboration at the agent: the server names the technician's colleagues
// in the session and who has remote control (protocol.Collaboration). Each
// colleague gets a peer connection of their own that carries the screen,
// while the customer allows viewing, and their input while they have control
// and the customer allows it; besides, the channels of what the lead granted
// them (files, clipboard, drawing, chat with the customer: helperChannels),
// checked again on every message. Everything else (terminal, file manager,
// scripts...) is closed. A connection of a technician the server did not
// name is refused; whatever a console sends, the agent applies these rules
// itself. The customer sees every colleague's name, and who is in control.

// helper is a colleague's connection.
type helper struct {
	peer Peer
	gen  int // to ignore states of closed connections
	// chans are the data channels of theirs handed to a feature, each with
	// what it needs (a Denied* name): closed once that is no longer granted.
	chans map[*webrtc.DataChannel]string
}

// helperChannels are what a colleague's connection may carry besides the
// screen and input, each when the lead granted it (Denied* names).
var helperChannels = []string{protocol.DeniedFiles, protocol.DeniedClipboard, protocol.DeniedDrawing, protocol.DeniedChat}

// helperGate is what each colleague in the session may use (Denied* names
// of helperChannels), as the session loop last set it, for the features'
// callbacks to ask on every message of a colleague's channel.
type helperGate struct {
	mu  sync.Mutex
	may map[string][]string // by colleague
}

// set makes may what the gate answers.
func (g *helperGate) set(may map[string][]string) {
	g.mu.Lock()
	g.may = may
	g.mu.Unlock()
}

// allows reports whether colleague id may use what need names now.
func (g *helperGate) allows(id, need string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Contains(g.may[id], need)
}

// nobody is the controller when the one the server named may not have control.
const nobody = "\x00nobody"

// setCollaboration takes who is in the session and who has control: the
// connections of those no longer in close, input held down by whoever had
// control is released when it changes hands, the customer sees the names
// and is asked about each group lead who wants to watch.
func (s *runner) setCollaboration(ctx context.Context, c *protocol.Collaboration) {
	var now protocol.Collaboration
	if c != nil {
		now = *c
	}
	for id := range s.helpers {
		if _, ok := now.Member(id); !ok {
			s.log.Info("colleague left the session; closing their connection", "technician", id)
			s.closeHelper(id)
		}
	}
	for id := range s.approved {
		if _, ok := now.Member(id); !ok {
			delete(s.approved, id)
		}
	}
	for id := range s.sentAway {
		if _, ok := now.Member(id); !ok {
			delete(s.sentAway, id) // gone: a new invitation is a new question
		}
	}
	if s.sentAway[now.Controller] {
		now.Controller = ""
	}
	now.Members = slices.DeleteFunc(slices.Clone(now.Members), func(m protocol.Collaborator) bool { return s.sentAway[m.ID] })
	for perm := range s.asking {
		if id, ok := strings.CutPrefix(string(perm), watchPrefix); ok {
			if _, in := now.Member(id); !in {
				s.withdraw(perm)
			}
		}
	}
	controller := now.Controller
	if controller != "" {
		if m, ok := now.Member(controller); !ok || m.Role == protocol.RoleMonitor || slices.Contains(m.Denied, protocol.DeniedControl) {
			controller = nobody
		}
	}
	s.grants.setController(controller)
	s.collab = now
	s.gateHelpers()
	for _, m := range now.Members {
		if _, answered := s.approved[m.ID]; !answered {
			s.askWatch(ctx, m)
		}
	}
	s.helpersVideo()
	s.showHelpers()
	s.pageColleagues()
}

// watchPrefix keys the questions about colleagues who want to see the
// screen (runner.asking), followed by the colleague's ID.
const watchPrefix = "watch:"

// askWatch asks the customer whether colleague m may see the screen (a
// group lead who watches, or a colleague the technician invited to help),
// unless that question is showing already.
func (s *runner) askWatch(ctx context.Context, m protocol.Collaborator) {
	key := protocol.Permission(watchPrefix + m.ID)
	if _, ok := s.asking[key]; ok {
		return
	}
	s.askSeq++
	seq := s.askSeq
	actx, withdraw := context.WithCancel(ctx)
	s.asking[key] = question{seq: seq, withdraw: withdraw}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer withdraw()
		ask := s.cfg.Consent.AskHelp
		if m.Role == protocol.RoleMonitor {
			ask = s.cfg.Consent.AskWatch
		}
		allow, err := ask(actx, s.helperName(m))
		s.post(ctx, event{answer: &answer{perm: key, seq: seq, allow: allow, err: err}})
	}()
}

// watchAnswered takes the customer's answer about colleague id seeing the
// screen: it goes to them only once allowed; the answer is audited. Refused,
// they are sent away as the customer's remove does: the server takes them
// out and tells them.
func (s *runner) watchAnswered(ctx context.Context, id string, allow bool) {
	if _, ok := s.collab.Member(id); !ok {
		return
	}
	s.approved[id] = allow
	detail := "refused " + id
	if allow {
		detail = "allowed " + id
	}
	s.report(protocol.Audit{Event: protocol.AuditWatchAnswered, Detail: detail})
	s.log.Info("customer answered about a colleague seeing the screen", "technician", id, "allow", allow)
	if !allow {
		s.sendAway(id)
		s.setCollaboration(ctx, &s.collab)
		return
	}
	s.helpersVideo()
	s.gateHelpers()
}

// removeHelpers sends every colleague away, as the customer asked: their
// connections close at once, their input and offers are refused, control
// goes back to the technician, and the server is told to take them out.
func (s *runner) removeHelpers(ctx context.Context) {
	for _, m := range s.collab.Members {
		s.sendAway(m.ID)
	}
	s.setCollaboration(ctx, &s.collab)
}

// sendAway refuses colleague id from now on, as the customer asked, and
// tells the server to take them out.
func (s *runner) sendAway(id string) {
	s.sentAway[id] = true
	s.send(protocol.TypeSessionCollaborate, protocol.SessionCollaborate{Action: protocol.CollabRemove, Tech: id})
	s.log.Info("customer asked a colleague to leave", "technician", id)
}

// showHelpers shows the customer the colleagues' names and who is in
// control, on their page, and the names on the on-screen badge.
func (s *runner) showHelpers() {
	var names []string
	var controller string
	for _, m := range s.collab.Members {
		names = append(names, s.helperName(m))
		if m.ID == s.collab.Controller {
			controller = s.helperName(m)
		}
	}
	s.cfg.Consent.SetHelpers(names, controller)
	for _, f := range s.cfg.Features {
		if n, ok := f.(HelperNamer); ok {
			n.SetHelpers(names)
		}
	}
}

// colleagueAsking names the colleague of the session's technician who made
// request r, as the customer knows them (the collaborators shown on their
// page), or "" when the technician asked (or a server too old to say).
func (s *runner) colleagueAsking(r *protocol.PermissionRequest) string {
	if r.Tech == "" || r.Tech == s.techID {
		return ""
	}
	return s.colleagueName(r.Tech, r.Name)
}

// colleagueName is colleague id's name as the customer knows them (the
// collaborators shown on their page), else told (what the server said),
// else id: never "", which would be the technician's.
func (s *runner) colleagueName(id, told string) string {
	if m, ok := s.collab.Member(id); ok && m.Name != "" {
		return m.Name
	}
	if told != "" {
		return told
	}
	return id
}

// helperMay reports whether colleague id may have what a Denied* constant
// names: they are in the session and their group does not deny it.
func (s *runner) helperMay(id, what string) bool {
	m, ok := s.collab.Member(id)
	return ok && !slices.Contains(m.Denied, what)
}

// helperVideo reports whether the screen goes to colleague id now: viewing
// is allowed, the session is not on hold, they may view (their group, the
// lead's grant) and the customer allowed them.
func (s *runner) helperVideo(id string) bool {
	return s.grants.get().View && !s.hold && s.helperMay(id, protocol.DeniedView) && s.approved[id]
}

// helpersVideo turns each colleague's screen on or off as it should be now.
func (s *runner) helpersVideo() {
	for id, h := range s.helpers {
		h.peer.SetVideo(s.helperVideo(id))
	}
}

// helperOffer answers colleague o.Peer's offer: a new connection, or an ICE
// restart of theirs.
func (s *runner) helperOffer(ctx context.Context, o *protocol.Offer, ice []webrtc.ICEServer) {
	id := o.Peer
	m, ok := s.collab.Member(id)
	if !ok {
		s.log.Warn("connection of a technician not in the session refused", "technician", id)
		s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: "connection of " + id + ", not in the session"})
		return
	}
	if err := s.verifyAs(o, m.ID, m.Name); err != nil {
		s.refuseUnverified("colleague's offer refused", err)
		return
	}
	if h := s.helpers[id]; h != nil && o.Restart {
		actx, cancel := context.WithTimeout(ctx, 15*time.Second)
		ans, err := h.peer.Answer(actx, o.SessionDescription)
		cancel()
		if err != nil {
			s.log.Warn("colleague's ICE restart failed", "technician", id, "err", err)
			return
		}
		s.sendAnswer(o.SDP, ans, id)
		return
	}
	s.closeHelper(id)
	s.helperGen++
	gen := s.helperGen
	mons, _ := s.cfg.Monitors()
	p, err := s.cfg.NewPeer(peer.Config{
		Monitors:   mons,
		Grab:       s.grabber.Grab,
		Changes:    s.changesFunc(),
		Mask:       s.maskFunc(),
		ICEServers: ice,
		Proxy:      s.cfg.Proxy,
		Logger:     s.log.With("colleague", id),
		VideoOff:   !s.helperVideo(id),
		OnDataChannel: func(dc *webrtc.DataChannel) {
			s.post(ctx, event{helper: id, helperChannel: dc})
		},
		OnInput: func(ev protocol.InputEvent) { s.grants.injectFrom(id, ev) },
		OnCandidate: func(c webrtc.ICECandidateInit) {
			s.send(protocol.TypeCandidate, protocol.Candidate{ICECandidateInit: c, Peer: id})
		},
		OnState: func(st webrtc.PeerConnectionState) {
			s.post(ctx, event{pcState: st, pcGen: gen, helper: id})
		},
	})
	if err != nil {
		s.log.Error("colleague's connection", "technician", id, "err", err)
		return
	}
	s.helpers[id] = &helper{peer: p, gen: gen, chans: map[*webrtc.DataChannel]string{}}
	actx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ans, err := p.Answer(actx, o.SessionDescription)
	if err != nil {
		s.log.Warn("colleague's connection", "technician", id, "err", err)
		s.closeHelper(id)
		return
	}
	s.sendAnswer(o.SDP, ans, id)
	s.log.Info("colleague connected", "technician", id, "name", m.Name)
}

// helperGranted reports whether colleague id may use a channel that needs
// need (a Denied* name): one of helperChannels, granted to them by the lead
// and allowed by their group; never a group lead who only watches.
func (s *runner) helperGranted(id, need string) bool {
	m, ok := s.collab.Member(id)
	return ok && m.Role != protocol.RoleMonitor && slices.Contains(helperChannels, need) && !slices.Contains(m.Denied, need)
}

// gateHelpers sets what the features' callbacks let each colleague use:
// what they are granted, once the customer let them in. It closes the
// channels of what a colleague is no longer granted.
func (s *runner) gateHelpers() {
	may := map[string][]string{}
	for _, m := range s.collab.Members {
		for _, need := range helperChannels {
			if s.approved[m.ID] && s.helperGranted(m.ID, need) {
				may[m.ID] = append(may[m.ID], need)
			}
		}
	}
	s.helperGate.set(may)
	for id, h := range s.helpers {
		for dc, need := range h.chans {
			if !s.helperGranted(id, need) {
				s.log.Info("colleague's channel closed: no longer granted", "label", dc.Label(), "technician", id)
				delete(h.chans, dc)
				_ = dc.Close()
			}
		}
	}
}

// helperChannel hands a data channel colleague id's console opened to the
// feature that serves it, if the lead granted them what it carries (and
// their group allows it); otherwise it closes the channel and audits why.
func (s *runner) helperChannel(id string, dc *webrtc.DataChannel) {
	need := channelNeeds(dc.Label())
	why := "colleagues get the screen, control, files, clipboard, drawing and chat only"
	switch {
	case slices.Contains(helperChannels, need) && !s.helperGranted(id, need):
		why = "not granted " + need
	case slices.Contains(helperChannels, need):
		h := s.helpers[id]
		for _, f := range s.cfg.Features {
			hf, ok := f.(HelperFeature)
			if h == nil || !ok || !f.Handles(dc.Label()) {
				continue
			}
			h.chans[dc] = need
			hf.AttachHelper(dc, s.colleagueName(id, ""), func() bool { return s.helperGate.allows(id, need) })
			s.log.Info("colleague's channel opened", "label", dc.Label(), "technician", id)
			return
		}
		why = "no feature serves it"
	}
	s.log.Warn("data channel of a colleague's connection closed", "label", dc.Label(), "technician", id, "why", why)
	s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: fmt.Sprintf("channel %s of colleague %s: %s", dc.Label(), id, why)})
	_ = dc.Close()
}

// helperCandidate adds a colleague's ICE candidate to their connection.
func (s *runner) helperCandidate(c *protocol.Candidate) {
	if h := s.helpers[c.Peer]; h != nil {
		if err := h.peer.AddCandidate(c.ICECandidateInit); err != nil {
			s.log.Warn("colleague's candidate", "technician", c.Peer, "err", err)
		}
	}
}

// helperState takes a state of colleague id's connection: a failed or
// closed one is let go (they may offer again).
func (s *runner) helperState(id string, gen int, st webrtc.PeerConnectionState) {
	h := s.helpers[id]
	if h == nil || h.gen != gen {
		return
	}
	if st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateClosed {
		s.log.Info("colleague's connection ended", "technician", id, "state", st)
		s.closeHelper(id)
	}
}

// closeHelper closes colleague id's connection; input they held down is
// released if they had control.
func (s *runner) closeHelper(id string) {
	h := s.helpers[id]
	if h == nil {
		return
	}
	delete(s.helpers, id)
	_ = h.peer.Close()
	if s.grants.controllerIs(id) {
		s.grants.release()
	}
}

// closeHelpers closes every colleague's connection.
func (s *runner) closeHelpers() {
	for id := range s.helpers {
		s.closeHelper(id)
	}
}

// verifyAs is verify for the connection of technician id, shown to the
// customer as name.
func (s *runner) verifyAs(o *protocol.Offer, id, name string) error {
	if !s.verifying() {
		return nil
	}
	c, err := s.cfg.Identity.Verifier.Verify(o.Identity, identity.KindTechnician, s.sid, o.SDP)
	if err != nil {
		return err
	}
	switch {
	case id == "":
		return ErrNoTechnician
	case c.Subject != id:
		return fmt.Errorf("%w: certificate of %q, the connection is %q's", ErrOtherTechnician, c.Subject, id)
	case c.Name != name:
		return fmt.Errorf("%w: certificate of %q, the customer was shown %q", ErrOtherName, c.Name, name)
	}
	return nil
}

// helperName is how the customer is shown colleague m: by name, marked
// when they are an external collaborator (someone with no account the
// technician let in by a link).
func (s *runner) helperName(m protocol.Collaborator) string {
	if m.External {
		return i18n.T(s.cfg.Consent.Lang(), "agent.helpers.external", m.Name)
	}
	return m.Name
}
