package sessions

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Collaboration: the session's technician (its lead) invites colleagues into
// a running session; each colleague who accepts gets a peer connection of
// their own to the agent, which shows them the screen. Remote control stays
// with one technician at a time: the lead's, until the lead hands it to a
// collaborator (who may give it back). The lead withdraws invitations,
// removes collaborators and ends the session for everyone. The agent hears
// who is in and who has control (protocol.Collaboration) and takes a
// connection, or input, from nobody else.

// collaboratorMay reports whether a collaborator (not the session's
// technician) may send message m for the session: open it, connect to the
// agent, show their pointer, write in the technicians' own chat, join the
// call and show their screen to the customer (pageFromConsole checks), and the
// collaboration actions a collaborator has (leave, give control back;
// collaborate checks which). What needs a grant (collaboratorNeeds) is
// checked apart.
func collaboratorMay(m protocol.Message) bool {
	switch m.Type {
	case protocol.TypeSessionOpen, protocol.TypeOffer, protocol.TypeCandidate, protocol.TypeSessionCollaborate, protocol.TypePointer,
		protocol.TypePageSignal:
		return true
	case protocol.TypeLogAppend:
		a, ok := m.Body.(*protocol.LogAppend)
		return ok && a.Internal
	}
	return false
}

// collaboratorNeeds names what a collaborator must be granted (a Denied*
// name) to send message m: chat with the customer for a line of the
// customer's chat, the clipboard to ask the customer for it; "" for the
// rest.
func collaboratorNeeds(m protocol.Message) string {
	switch body := m.Body.(type) {
	case *protocol.LogAppend:
		if !body.Internal && body.Kind == protocol.LogMessage {
			return protocol.DeniedChat
		}
	case *protocol.PermissionRequest:
		if body.Permission == protocol.PermissionClipboard {
			return protocol.DeniedClipboard
		}
	}
	return ""
}

// grantRefusals are the refusals of what a collaborator was not granted, by
// collaboratorNeeds' names.
var grantRefusals = map[string]string{
	protocol.DeniedChat:      "the technician who leads this session has not granted you the chat with the customer",
	protocol.DeniedClipboard: "the technician who leads this session has not granted you the clipboard",
}

// invitedMay reports whether a technician invited to collaborate may send
// message m: look at the session, accept or decline.
func invitedMay(m protocol.Message) bool {
	if c, ok := m.Body.(*protocol.SessionCollaborate); ok {
		return c.Action == protocol.CollabAccept || c.Action == protocol.CollabDecline
	}
	return m.Type == protocol.TypeSessionOpen
}

// authorizeHelper is Authorize for a technician who is not the session's own
// (ss.TechnicianID != tech.ID): a collaborator, someone invited to be one,
// a group lead who may watch it, or the receiver of a transfer.
func (s *Service) authorizeHelper(ctx context.Context, tech auth.Technician, ss store.Session, m protocol.Message) error {
	switch {
	case ss.Collaborating(tech.ID):
		if need := collaboratorNeeds(m); need != "" {
			// Checked on every message against the grant as it stands.
			if me, _ := ss.Collab.Member(tech.ID); me.Role == protocol.RoleMonitor || slices.Contains(me.Denied, need) {
				s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: m.SID, Detail: "collaborator " + need})
				return denied(need, grantRefusals[need])
			}
			return nil
		}
		if !collaboratorMay(m) {
			return ErrLeadOnly
		}
		// A lead who watches stops being one with the right to (the
		// permission taken back, another group, no longer its lead).
		if me, _ := ss.Collab.Member(tech.ID); me.Role == protocol.RoleMonitor && !s.MayMonitor(ctx, tech, ss) {
			return ErrNotFound
		}
		if m.Type == protocol.TypeOffer && !tech.Can(access.View) {
			s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: m.SID, Detail: string(access.View)})
			return denied(string(access.View), "your group does not allow viewing the screen")
		}
		if me, _ := ss.Collab.Member(tech.ID); m.Type == protocol.TypeOffer && slices.Contains(me.Denied, protocol.DeniedView) {
			s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: m.SID, Detail: string(access.View)})
			return denied(string(access.View), "the technician who leads this session has not granted you the screen")
		}
		return nil
	case ss.InvitedToHelp(tech.ID):
		if !invitedMay(m) {
			return ErrJoinFirst
		}
		return nil
	case (ss.Transfer == nil || ss.Transfer.ToID != tech.ID) && s.MayMonitor(ctx, tech, ss):
		// Until they watch, the session is not theirs to act on: as for
		// anyone else's, it does not exist.
		if c, ok := m.Body.(*protocol.SessionCollaborate); m.Type != protocol.TypeSessionOpen && (!ok || c.Action != protocol.CollabMonitor) {
			return ErrNotFound
		}
		return nil
	case m.Type != protocol.TypeSessionOpen && m.Type != protocol.TypeSessionStart:
		return ErrAcceptFirst
	}
	return nil
}

// collaborate carries out a session.collaborate from tech on session ss
// (as Authorize read it).
func (s *Service) collaborate(ctx context.Context, tech auth.Technician, ss store.Session, c *protocol.SessionCollaborate) error {
	lead := ss.TechnicianID == tech.ID
	sid := ss.ID
	switch c.Action {
	case protocol.CollabInvite:
		if !lead {
			return ErrLeadOnly
		}
		return s.inviteColleague(ctx, tech, sid, c.Tech, strings.TrimSpace(c.Comment), c.Grant)
	case protocol.CollabPermissions:
		if !lead {
			return ErrLeadOnly
		}
		return s.grant(ctx, tech, ss, c.Tech, c.Grant)
	case protocol.CollabWithdraw:
		if !lead {
			return ErrLeadOnly
		}
		return s.changeCollab(ctx, sid, func(ss *store.Session) error {
			if !ss.InvitedToHelp(c.Tech) {
				return ErrNotInvited
			}
			dropInvited(ss, c.Tech)
			return nil
		}, audit.Event{Type: audit.CollabWithdrawn, Actor: tech.ID, SessionID: sid, Detail: c.Tech}, c.Tech)
	case protocol.CollabAccept:
		group := s.deniedTo(ctx, tech.ID)
		return s.changeCollab(ctx, sid, func(ss *store.Session) error {
			switch {
			case !ss.InvitedToHelp(tech.ID):
				return ErrNotInvited
			case len(ss.Collab.Members) >= protocol.MaxCollaborators:
				return ErrTooManyHelpers
			}
			var grant []string
			for _, i := range ss.Collab.Invited {
				if i.ID == tech.ID {
					grant = i.Grant
				}
			}
			dropInvited(ss, tech.ID)
			ss.Collab.Members = append(ss.Collab.Members, protocol.Collaborator{
				ID: tech.ID, Name: tech.Name, Role: protocol.RoleCollaborator, Denied: memberDenied(group, grant), Grant: grant})
			return nil
		}, audit.Event{Type: audit.CollabJoined, Actor: tech.ID, SessionID: sid, Detail: tech.Name})
	case protocol.CollabDecline:
		return s.changeCollab(ctx, sid, func(ss *store.Session) error {
			if !ss.InvitedToHelp(tech.ID) {
				return ErrNotInvited
			}
			dropInvited(ss, tech.ID)
			return nil
		}, audit.Event{Type: audit.CollabDeclined, Actor: tech.ID, SessionID: sid}, tech.ID)
	case protocol.CollabLeave:
		if lead {
			next, ok := longestPresent(ss)
			if !ok {
				return ErrNoColleague
			}
			return s.passLead(ctx, tech.ID, sid, next, false, tech.ID)
		}
		return s.leave(ctx, sid, tech.ID, "left")
	case protocol.CollabLead:
		if !lead {
			return ErrLeadOnly
		}
		return s.passLead(ctx, tech.ID, sid, c.Tech, true, tech.ID)
	case protocol.CollabRemove:
		if !lead {
			return ErrLeadOnly
		}
		return s.changeCollab(ctx, sid, func(ss *store.Session) error {
			if !ss.Collaborating(c.Tech) {
				return ErrNotCollaborator
			}
			dropMember(ss, c.Tech)
			return nil
		}, audit.Event{Type: audit.CollabRemoved, Actor: tech.ID, SessionID: sid, Detail: c.Tech}, c.Tech)
	case protocol.CollabControl:
		return s.passControl(ctx, tech, ss, c.Tech)
	case protocol.CollabMonitor:
		if lead || !s.MayMonitor(ctx, tech, ss) {
			s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: sid, Detail: string(access.Monitor)})
			return denied(string(access.Monitor), "only a lead of the technician's group may watch this session")
		}
		denied := s.deniedTo(ctx, tech.ID)
		return s.changeCollab(ctx, sid, func(ss *store.Session) error {
			if err := roomFor(ss, tech.ID); err != nil {
				return err
			}
			ss.Collab.Members = append(ss.Collab.Members, protocol.Collaborator{
				ID: tech.ID, Name: tech.Name, Role: protocol.RoleMonitor, Denied: denied})
			return nil
		}, audit.Event{Type: audit.CollabMonitoring, Actor: tech.ID, SessionID: sid, Detail: tech.Name})
	}
	return ErrNotForConsoles
}

// inviteColleague invites technician to into session sid, on tech's behalf,
// granting them grant (nil: protocol.DefaultGrant): the same rules as a
// transfer (an existing colleague, online and available), into a session
// being worked on, with room for one more, granting nothing tech lacks.
func (s *Service) inviteColleague(ctx context.Context, tech auth.Technician, sid, to, comment string, grant []string) error {
	if to == tech.ID {
		return ErrSelf
	}
	if grant == nil {
		grant = protocol.DefaultGrant
	}
	grant, err := s.grantable(tech, sid, grant)
	if err != nil {
		return err
	}
	target, err := s.cfg.Store.Account(ctx, to)
	if err != nil || target.Disabled {
		return ErrNoTechnician
	}
	if st, err := s.Status(ctx, to); err != nil || st != store.StatusOnline {
		return ErrNotAvailable
	}
	return s.changeCollab(ctx, sid, func(ss *store.Session) error {
		if err := roomFor(ss, to); err != nil {
			return err
		}
		ss.Collab.Invited = append(ss.Collab.Invited, protocol.Invited{ID: target.ID, Name: target.Name, By: tech.Name, Comment: comment, Grant: grant})
		return nil
	}, audit.Event{Type: audit.CollabInvited, Actor: tech.ID, SessionID: sid, Detail: to})
}

// grantable returns grant in protocol.Grantable's order, without
// repetitions, if the lead tech has all of it; a denial (audited) if not.
func (s *Service) grantable(tech auth.Technician, sid string, grant []string) ([]string, error) {
	lacks := deniedFor(tech.Perms)
	out := []string{}
	for _, g := range protocol.Grantable {
		if !slices.Contains(grant, g) {
			continue
		}
		if slices.Contains(lacks, g) {
			s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: sid, Detail: "grant " + g})
			return nil, denied("grant "+g, "you cannot grant a colleague what your own group does not allow ("+g+")")
		}
		out = append(out, g)
	}
	return out, nil
}

// memberDenied is what a collaborator may not do: what their group denies
// (group) and every grantable thing not in grant.
func memberDenied(group, grant []string) []string {
	out := slices.Clone(group)
	if out == nil {
		out = []string{}
	}
	for _, g := range protocol.Grantable {
		if !slices.Contains(grant, g) && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// grant changes, live, what collaborator to of session ss is granted, on
// the lead tech's behalf: the agent hears it at once and drops what is no
// longer granted; control they may no longer have goes back to the lead.
func (s *Service) grant(ctx context.Context, tech auth.Technician, ss store.Session, to string, grant []string) error {
	grant, err := s.grantable(tech, ss.ID, grant)
	if err != nil {
		return err
	}
	m, ok := ss.Collab.Member(to)
	if ok && m.Role == protocol.RoleMonitor {
		return ErrViewOnly
	}
	var group []string
	if !m.External {
		group = s.deniedTo(ctx, to)
	}
	return s.changeCollab(ctx, ss.ID, func(ss *store.Session) error {
		if !ss.Collaborating(to) {
			return ErrNotCollaborator
		}
		for i := range ss.Collab.Members {
			if m := &ss.Collab.Members[i]; m.ID == to {
				m.Grant, m.Denied = grant, memberDenied(group, grant)
				if m.External {
					m.Denied = externalDenied(grant)
				}
				if ss.Collab.Controller == to && slices.Contains(m.Denied, protocol.DeniedControl) {
					ss.Collab.Controller = ""
				}
			}
		}
		return nil
	}, audit.Event{Type: audit.CollabGranted, Actor: tech.ID, SessionID: ss.ID, Detail: to + ": " + strings.Join(grant, ",")})
}

// roomFor checks that technician id may come into session ss: someone works
// on it (active or on hold, not being transferred), id is neither in nor
// invited, and there is room for one more.
func roomFor(ss *store.Session, id string) error {
	st := ss.State
	if st.Away() {
		st = ss.Prev
	}
	switch {
	case (st != session.Active && st != session.OnHold) || ss.Transfer != nil:
		return ErrNotWorking
	case ss.Collaborating(id) || ss.InvitedToHelp(id):
		return ErrAlreadyIn
	case len(ss.Collab.Members)+len(ss.Collab.Invited) >= protocol.MaxCollaborators:
		return ErrTooManyHelpers
	}
	return nil
}

// MayMonitor reports whether tech may watch session ss as a group lead: they
// have the Monitor permission, the session is another technician's, and
// tech leads that technician's group (store.Group.Leads; any group, for an
// administrator). The Monitor permission alone, given to a whole group for
// its leads, does not let every member watch the others.
func (s *Service) MayMonitor(ctx context.Context, tech auth.Technician, ss store.Session) bool {
	if ss.TechnicianID == tech.ID || !tech.Can(access.Monitor) {
		return false
	}
	if tech.IsAdmin() {
		return true
	}
	owner, err := read(ctx, func(ctx context.Context) (store.Account, error) { return s.cfg.Store.Account(ctx, ss.TechnicianID) })
	if err != nil {
		return false
	}
	g, err := read(ctx, func(ctx context.Context) (store.Group, error) { return s.cfg.Store.Group(ctx, groupOf(owner)) })
	return err == nil && slices.Contains(g.Leads, tech.ID)
}

// groupOf is the group whose permissions apply to acc.
func groupOf(acc store.Account) string {
	if acc.GroupID == "" {
		return store.DefaultGroupID
	}
	return acc.GroupID
}

// passControl hands remote control of session ss to collaborator to ("" or
// the session's technician: back to the lead). The lead may give it to
// anyone in the session; the collaborator who has it may only give it back.
// The receiver's group must allow control; the customer's grant stays with
// the session, and the agent releases what the giver held down.
func (s *Service) passControl(ctx context.Context, tech auth.Technician, ss store.Session, to string) error {
	if to == ss.TechnicianID {
		to = ""
	}
	lead := ss.TechnicianID == tech.ID
	if !lead && (ss.Collab.Controller != tech.ID || to != "") {
		return ErrLeadOnly
	}
	m, ok := ss.Collab.Member(to)
	if ok && m.Role == protocol.RoleMonitor {
		return ErrViewOnly
	}
	if ok && slices.Contains(m.Denied, protocol.DeniedControl) {
		s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: ss.ID, Detail: string(access.Control) + " to " + to})
		return denied(string(access.Control), "that colleague is not granted remote control in this session")
	}
	if to != "" && !m.External { // an external's grant is all they have
		p, err := s.permsOf(ctx, to)
		if err != nil {
			return ErrBusy
		}
		if !p.Has(access.Control) {
			return denied(string(access.Control), "that colleague's group does not allow remote control")
		}
	}
	now := to
	if now == "" {
		now = ss.TechnicianID
	}
	return s.changeCollab(ctx, ss.ID, func(ss *store.Session) error {
		if to != "" && !ss.Collaborating(to) {
			return ErrNotCollaborator
		}
		if ss.Collab.Controller == to {
			return errUnchanged
		}
		ss.Collab.Controller = to
		return nil
	}, audit.Event{Type: audit.ControlPassed, Actor: tech.ID, SessionID: ss.ID, Detail: now})
}

// leave takes collaborator techID out of session sid (why: the audit
// entry's detail): the session stays with its technician, and remote
// control goes back to them if the collaborator had it.
func (s *Service) leave(ctx context.Context, sid, techID, why string) error {
	return s.changeCollab(ctx, sid, func(ss *store.Session) error {
		if !ss.Collaborating(techID) {
			return ErrNotCollaborator
		}
		dropMember(ss, techID)
		return nil
	}, audit.Event{Type: audit.CollabLeft, Actor: techID, SessionID: sid, Detail: why}, techID)
}

// changeCollab applies fn to session sid (open, not closed), records e and
// tells everyone concerned: the agent who is in and who has control (when
// that changed), and the consoles of the session's technician, collaborators and invited
// colleagues, and of also (who are no longer any of those).
func (s *Service) changeCollab(ctx context.Context, sid string, fn func(*store.Session) error, e audit.Event, also ...string) error {
	var before protocol.Collaboration
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		if ss.State.Closed() {
			return ErrClosed
		}
		before = agentCollab(ss.Collab)
		before.Members = slices.Clone(before.Members)
		return fn(ss)
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	if err != nil {
		return err
	}
	s.record(e)
	if now := agentCollab(ss.Collab); !sameCollab(before, now) {
		s.publish(AgentSubject(sid), protocol.TypeCollaborators, "", sid, now)
	}
	s.publishState(ss, also...)
	s.pokeExternals(before.Members, ss.Collab.Members)
	return nil
}

// pokeExternals has the consoles of the external collaborators among was
// and no longer among now read their login again (poke): it has ended,
// and their socket closes at once.
func (s *Service) pokeExternals(was, now []protocol.Collaborator) {
	for _, m := range was {
		if m.External && !slices.ContainsFunc(now, func(n protocol.Collaborator) bool { return n.ID == m.ID }) {
			s.poke(m.ID)
		}
	}
}

// agentCollab is what the agent hears of a collaboration: who is in and
// who has control, not who is invited.
func agentCollab(c protocol.Collaboration) protocol.Collaboration {
	return protocol.Collaboration{Members: c.Members, Controller: c.Controller}
}

// sameCollab reports whether two collaborations say the same to the agent.
func sameCollab(a, b protocol.Collaboration) bool {
	return a.Controller == b.Controller && slices.EqualFunc(a.Members, b.Members, func(x, y protocol.Collaborator) bool {
		return x.ID == y.ID && x.Name == y.Name && x.Role == y.Role && slices.Equal(x.Denied, y.Denied) && slices.Equal(x.Grant, y.Grant) &&
			x.External == y.External && x.By == y.By
	})
}

// collabOf is the collaboration as a session.state or agent.welcome carries
// it: nil when nobody is in or invited.
func collabOf(c protocol.Collaboration) *protocol.Collaboration {
	if len(c.Members) == 0 && len(c.Invited) == 0 {
		return nil
	}
	return &c
}

func dropInvited(ss *store.Session, id string) {
	ss.Collab.Invited = slices.DeleteFunc(slices.Clone(ss.Collab.Invited), func(i protocol.Invited) bool { return i.ID == id })
}

// dropMember takes collaborator id out; control they had goes back to the lead.
func dropMember(ss *store.Session, id string) {
	ss.Collab.Members = slices.DeleteFunc(slices.Clone(ss.Collab.Members), func(m protocol.Collaborator) bool { return m.ID == id })
	if ss.Collab.Controller == id {
		ss.Collab.Controller = ""
	}
}

// helpers lists who besides the session's technician hears of it:
// collaborators and invited colleagues.
func helpers(ss store.Session) []string {
	out := memberIDs(ss)
	for _, i := range ss.Collab.Invited {
		out = append(out, i.ID)
	}
	return out
}

// relayHelper passes a collaborator's offer or candidate on to the agent,
// marked as theirs (whatever the console said), if they are still in the
// session.
func (s *Service) relayHelper(ctx context.Context, tech auth.Technician, m protocol.Message) error {
	ss, err := s.Session(ctx, m.SID)
	if err != nil {
		return ErrBusy
	}
	switch {
	case !ss.Collaborating(tech.ID):
		return ErrNotCollaborator
	case ss.State.Closed():
		return ErrClosed
	case !ss.AgentConnected:
		return ErrNotConnected
	}
	switch body := m.Body.(type) {
	case *protocol.Offer:
		body.Peer = tech.ID
	case *protocol.Candidate:
		body.Peer = tech.ID
	}
	s.publish(AgentSubject(m.SID), m.Type, m.ID, m.SID, m.Body)
	return nil
}

// pointer passes tech's pointer p on to the other technicians in session ss
// (its technician and collaborators), named by the server, never by the
// console; nobody else hears it, and nothing is kept.
func (s *Service) pointer(tech auth.Technician, ss store.Session, p *protocol.Pointer) error {
	if ss.State.Closed() {
		return ErrClosed
	}
	p.Tech, p.Name = tech.ID, tech.Name
	for _, id := range append([]string{ss.TechnicianID}, memberIDs(ss)...) {
		if id != tech.ID {
			s.publish(TechSubject(id, ss.ID), protocol.TypePointer, "", ss.ID, p)
		}
	}
	return nil
}

// memberIDs lists the collaborators of session ss.
func memberIDs(ss store.Session) []string {
	var out []string
	for _, m := range ss.Collab.Members {
		out = append(out, m.ID)
	}
	return out
}

// helperLeft takes techID out of the sessions among sids they collaborate
// on or are invited to (why: their console closed, their login ended).
func (s *Service) helperLeft(ctx context.Context, techID string, sids []string, why string) {
	for _, sid := range sids {
		ss, err := s.cfg.Store.Session(ctx, sid)
		if err != nil || ss.State.Closed() {
			continue
		}
		switch {
		case ss.Collaborating(techID):
			_ = s.leave(ctx, sid, techID, why)
		case ss.InvitedToHelp(techID):
			_ = s.changeCollab(ctx, sid, func(ss *store.Session) error {
				dropInvited(ss, techID)
				return nil
			}, audit.Event{Type: audit.CollabDeclined, Actor: techID, SessionID: sid, Detail: why}, techID)
		}
	}
}

// helperAway marks techID away in the sessions among sids they collaborate
// on (their console's connection closed): they stay, with their permissions
// and the customer's answer, until they open the session again (helperBack)
// or the sweep takes them out after Config.ColleagueGrace. Remote control
// they had goes back to the lead at once: nobody drives from a console
// that is gone. An invitation to one of sids is declined, as before.
func (s *Service) helperAway(ctx context.Context, techID string, sids []string) {
	now := time.Now().UnixMilli()
	for _, sid := range sids {
		ss, err := s.cfg.Store.Session(ctx, sid)
		if err != nil || ss.State.Closed() {
			continue
		}
		if !ss.Collaborating(techID) {
			s.helperLeft(ctx, techID, []string{sid}, "console closed")
			continue
		}
		_ = s.changeCollab(ctx, sid, func(ss *store.Session) error {
			for i := range ss.Collab.Members {
				if m := &ss.Collab.Members[i]; m.ID == techID && m.Away == 0 {
					m.Away = now
					if ss.Collab.Controller == techID {
						ss.Collab.Controller = ""
					}
					return nil
				}
			}
			return errUnchanged
		}, audit.Event{Type: audit.CollabAway, Actor: techID, SessionID: sid, Detail: "console closed"})
	}
}

// helperBack marks collaborator techID of session ss present again: their
// console opened the session (a reload).
func (s *Service) helperBack(ctx context.Context, techID string, ss store.Session) {
	if m, ok := ss.Collab.Member(techID); !ok || m.Away == 0 {
		return
	}
	_ = s.changeCollab(ctx, ss.ID, func(ss *store.Session) error {
		for i := range ss.Collab.Members {
			if m := &ss.Collab.Members[i]; m.ID == techID && m.Away != 0 {
				m.Away = 0
				return nil
			}
		}
		return errUnchanged
	}, audit.Event{Type: audit.CollabBack, Actor: techID, SessionID: ss.ID})
}

// sweepAway takes out of session ss the collaborators away for longer than
// Config.ColleagueGrace at now.
func (s *Service) sweepAway(ctx context.Context, ss store.Session, now time.Time) {
	for _, m := range ss.Collab.Members {
		if m.Away != 0 && now.Sub(time.UnixMilli(m.Away)) >= s.cfg.ColleagueGrace {
			away := m.Away
			_ = s.changeCollab(ctx, ss.ID, func(ss *store.Session) error {
				if me, ok := ss.Collab.Member(m.ID); !ok || me.Away != away {
					return errUnchanged // back meanwhile, or gone
				}
				dropMember(ss, m.ID)
				return nil
			}, audit.Event{Type: audit.CollabLeft, Actor: m.ID, SessionID: ss.ID, Detail: "console closed"}, m.ID)
		}
	}
}

// longestPresent is the collaborator of session ss who may take the lead and
// has been in it longest: not a group lead who only watches, not an
// external collaborator, not away.
func longestPresent(ss store.Session) (string, bool) {
	for _, m := range ss.Collab.Members { // in the order they came in
		if m.Role == protocol.RoleCollaborator && m.Away == 0 && !m.External {
			return m.ID, true
		}
	}
	return "", false
}

// passLead makes collaborator to the technician of session sid in place of
// from (by: who did it, "server" when from's console was gone too long).
// Like an accepted transfer the session is to's from now on (their group's
// denials, the holder console let go, the agent welcomed again); unlike one,
// viewing stays with the session, as the customer already let to watch, but
// nothing more: the rest of what the customer allowed from is asked again
// (the agent drops it too, its grants gate). from stays as a collaborator, granted what their group allows,
// if stay; otherwise they are out. Remote control drops, whoever had it:
// the customer's control grant went with the old lead, so nobody has it
// until the new lead asks (the customer's page names nobody in control).
func (s *Service) passLead(ctx context.Context, from, sid, to string, stay bool, by string) error {
	acc, err := s.cfg.Store.Account(ctx, to)
	if err != nil || acc.Disabled {
		return ErrNoTechnician
	}
	denied, fromDenied := s.deniedTo(ctx, to), s.deniedTo(ctx, from)
	var grant []string
	for _, g := range protocol.Grantable {
		if !slices.Contains(fromDenied, g) {
			grant = append(grant, g)
		}
	}
	l := s.holderLock(sid)
	l.Lock()
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		m, ok := ss.Collab.Member(to)
		switch {
		case ss.State.Closed():
			return ErrClosed
		case ss.TechnicianID != from:
			return ErrLeadOnly // it changed hands meanwhile
		case !ok:
			return ErrNotCollaborator
		case m.Role == protocol.RoleMonitor:
			return ErrViewOnly
		case m.External:
			return ErrExternalLead
		}
		fromName := ss.TechnicianName
		dropMember(ss, to)
		ss.Collab.Controller = ""
		ss.TechnicianID, ss.TechnicianName = to, m.Name
		ss.GroupID = store.GroupOf(acc.GroupID)
		ss.Denied = denied
		ss.Console, ss.ConsoleTab, ss.LeadAway = "", "", 0
		ss.Permissions = protocol.Permissions{View: ss.Permissions.View}
		if stay {
			ss.Collab.Members = append(ss.Collab.Members, protocol.Collaborator{
				ID: from, Name: fromName, Role: protocol.RoleCollaborator, Grant: grant, Denied: memberDenied(fromDenied, grant)})
		}
		return nil
	})
	l.Unlock()
	if err != nil {
		return err
	}
	s.record(audit.Event{Type: audit.LeadPassed, Actor: by, SessionID: sid, Detail: to})
	s.publish(AgentSubject(sid), protocol.TypeAgentWelcome, "", sid, s.rewelcome(ctx, ss))
	s.publishState(ss, from)
	// What the former lead's console added that the new one has not seen.
	s.publishLog(ctx, to, sid)
	return nil
}

// sweepLead passes the lead of session ss to its longest-present
// collaborator once its technician's console has been gone for the grace;
// with none to take it, the session goes back to the queue (requeue).
func (s *Service) sweepLead(ctx context.Context, ss store.Session, now time.Time) {
	if ss.LeadAway == 0 || now.Sub(time.UnixMilli(ss.LeadAway)) < s.cfg.ColleagueGrace {
		return
	}
	next, ok := longestPresent(ss)
	if !ok {
		s.requeue(ctx, ss.ID, ss.LeadAway)
		return
	}
	if err := s.passLead(ctx, ss.TechnicianID, ss.ID, next, false, "server"); err != nil {
		s.log.Warn("pass the lead of a session whose lead is gone", "sid", ss.ID, "err", err)
		return
	}
	s.log.Info("lead's console gone: the lead passed to a colleague", "sid", ss.ID, "to", next)
}

// pushHelperDenied tells the agents of the sessions techID collaborates on
// what their group denies now (a group change): at once, and the agent drops
// what is no longer allowed. Control they may no longer have goes back to
// the lead.
func (s *Service) pushHelperDenied(ctx context.Context, techID string, all []store.Session) {
	group := s.deniedTo(ctx, techID)
	for _, x := range all {
		m, ok := x.Collab.Member(techID)
		if !ok || x.State.Closed() {
			continue
		}
		denied := group
		if m.Role != protocol.RoleMonitor {
			denied = memberDenied(group, m.Grant)
		}
		if slices.Equal(m.Denied, denied) {
			continue
		}
		_ = s.changeCollab(ctx, x.ID, func(ss *store.Session) error {
			for i := range ss.Collab.Members {
				if ss.Collab.Members[i].ID == techID {
					ss.Collab.Members[i].Denied = denied
				}
			}
			if ss.Collab.Controller == techID && slices.Contains(denied, protocol.DeniedControl) {
				ss.Collab.Controller = ""
			}
			return nil
		}, audit.Event{Type: audit.PermissionDenied, Actor: "server", SessionID: x.ID, Detail: "collaborator " + techID + "'s group changed: " + strings.Join(group, ",")})
	}
}

// requeue puts session sid, whose lead's console has been gone since away
// with no colleague present to take the lead, back in the queue: Waiting,
// in its technician's own queue (a channel's session: in the channel's, for
// any technician of its groups). Nothing the customer allowed stays (it was
// for a technician who is gone), colleagues still listed (away, or group
// leads watching) are let go, and the agent is welcomed again as waiting,
// so the customer's page says they wait. The log stays with the session.
func (s *Service) requeue(ctx context.Context, sid string, away int64) {
	var out []string
	l := s.holderLock(sid)
	l.Lock()
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		if ss.State.Closed() || ss.LeadAway != away || ss.Console != "" {
			return errUnchanged // the lead came back, or it changed meanwhile
		}
		if _, ok := longestPresent(*ss); ok {
			return errUnchanged // a colleague came back: sweepLead's next turn
		}
		out = helpers(*ss)
		ss.Collab = protocol.Collaboration{}
		ss.LeadAway, ss.ConsoleTab = 0, ""
		ss.Permissions = protocol.Permissions{}
		if ss.Channel != "" {
			ss.TechnicianID, ss.TechnicianName = "", ""
		}
		now := time.Now()
		if ss.State.Away() {
			ss.Prev, ss.Changed = session.Waiting, now
			return nil
		}
		return ss.SetState(session.Waiting, now)
	})
	l.Unlock()
	if errors.Is(err, errUnchanged) {
		return
	}
	if err != nil {
		s.log.Warn("return a session whose lead is gone to the queue", "sid", sid, "err", err)
		return
	}
	s.record(audit.Event{Type: audit.SessionRequeued, Actor: "server", SessionID: sid})
	s.log.Info("lead's console gone, no colleague present: the session is back in the queue", "sid", sid)
	s.publish(AgentSubject(sid), protocol.TypeAgentWelcome, "", sid, s.rewelcome(ctx, ss))
	s.publishState(ss, append(out, s.channelTechs(ctx, ss)...)...)
}
