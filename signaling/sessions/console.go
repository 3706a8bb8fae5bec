package sessions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/natsnode"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// permFor maps a customer permission to the technician permission it needs.
var permFor = map[protocol.Permission]access.Perm{
	protocol.PermissionView:        access.View,
	protocol.PermissionControl:     access.Control,
	protocol.PermissionClipboard:   access.Clipboard,
	protocol.PermissionTerminal:    access.Terminal,
	protocol.PermissionSysInfo:     access.SysInfo,
	protocol.PermissionFileManager: access.FileManager,
	protocol.PermissionReboot:      access.Reboot,
}

// denied is the refusal of an action the technician's group leaves out.
func denied(what, text string) *DeniedError { return &DeniedError{What: what, Text: text} }

// need returns the permission a console message needs beyond owning the
// session, and the refusal to give without it.
func need(m protocol.Message) (access.Perm, *DeniedError) {
	switch body := m.Body.(type) {
	case *protocol.SessionTransfer:
		if body.Cancel {
			return "", nil // taking an offer back is always allowed
		}
		return access.Transfer, denied("transfer", "your group does not allow transferring sessions")
	case *protocol.SessionCollaborate:
		if body.Action != protocol.CollabInvite {
			return "", nil // the lead's other actions need no more than leading
		}
		return access.Collaborate, denied("collaborate", "your group does not allow inviting colleagues into a session")
	case *protocol.UnattendedAsk:
		return access.Unattended, denied("unattended", "your group does not allow unattended access")
	case *protocol.LauncherOffer:
		return access.Launcher, denied("launcher", "your group does not allow installing the Get help launcher")
	case *protocol.PermissionRequest:
		return permFor[body.Permission], denied(string(body.Permission), fmt.Sprintf("your group does not allow asking for %s", body.Permission))
	case *protocol.Audit:
		if body.Event == protocol.AuditIdentityRefused {
			return "", nil // a console refusing a program that did not verify
		}
		return access.Recording, denied("recording", "your group does not allow recording")
	}
	return "", nil
}

// Authorize is the permission check of every console message: tech is the
// technician as their login stands now (auth.Auth.Technician on this very
// message), console the connection it came on. The session must be theirs
// (the receiver of a transfer may only open and accept it), held by this
// console for what runs over the peer connection (see mayWork), and
// their group must allow the action; a refusal for lack of permission is
// audited.
func (s *Service) Authorize(ctx context.Context, tech auth.Technician, console string, m protocol.Message) (store.Session, error) {
	ss, err := s.Session(ctx, m.SID)
	if errors.Is(err, store.ErrNotFound) {
		return ss, ErrNotFound
	}
	if err != nil {
		s.log.Warn("read session", "sid", m.SID, "err", err)
		return ss, ErrBusy
	}
	if ss.OfferedTo(tech.GroupID) && m.Type == protocol.TypeSessionStart {
		return ss, nil // a channel's session: the first to take it owns it (start)
	}
	if !ss.VisibleTo(tech.ID) && !s.MayMonitor(ctx, tech, ss) {
		if m.Type == protocol.TypeSessionStart && ss.Channel != "" && ss.TechnicianID != "" &&
			slices.Contains(ss.ChannelGroups, store.GroupOf(tech.GroupID)) {
			return ss, ErrTaken
		}
		return ss, ErrNotFound
	}
	if ss.TechnicianID != tech.ID {
		return ss, s.authorizeHelper(ctx, tech, ss, m)
	}
	if !mayWork(ss, console, m.Type) {
		return ss, ErrOpenElsewhere
	}
	if p, refusal := need(m); p != "" && !tech.Can(p) {
		s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: m.SID, Detail: refusal.What})
		return ss, refusal
	}
	return ss, nil
}

// FromConsole carries out one console message for tech (as their login stands
// now), which came on console connection console, and returns the session as
// it was checked. session.open makes the console the session's holder when it
// may be (see claim); the hub subscribes the console and sends the state.
func (s *Service) FromConsole(ctx context.Context, tech auth.Technician, console string, m protocol.Message) (store.Session, error) {
	ss, err := s.Authorize(ctx, tech, console, m)
	if err != nil {
		return ss, err
	}
	switch body := m.Body.(type) {
	case *protocol.SessionOpen:
		s.helperBack(ctx, tech.ID, ss)
		if _, err := s.claim(ctx, tech, console, m.SID, body.Tab, body.Takeover); err != nil {
			s.log.Warn("claim session", "sid", m.SID, "err", err)
			return ss, ErrBusy
		}
		return ss, nil
	case *protocol.SessionStart:
		return ss, s.start(ctx, tech, m.SID)
	case *protocol.SessionHold:
		return ss, s.hold(ctx, tech, m, body.On)
	case *protocol.SessionTransfer:
		if !body.Cancel && collabOf(ss.Collab) != nil {
			return ss, ErrCollaborating
		}
		return ss, s.transfer(ctx, tech, m.SID, body)
	case *protocol.SessionCollaborate:
		return ss, s.collaborate(ctx, tech, ss, body)
	case *protocol.PermissionRequest:
		switch {
		case body.Permission == protocol.PermissionReboot && ss.State == session.Rebooting:
			return ss, ErrRebooting
		case body.Permission == protocol.PermissionReboot && ss.Unattended != "":
			return ss, ErrRebootUnattended
		case !ss.AgentConnected:
			return ss, ErrNotConnected
		case ss.State == session.OnHold:
			return ss, ErrOnHold
		}
		// Who asks is the sender, whatever the console wrote: the customer
		// is told when it is a colleague of the session's technician.
		body.Tech, body.Name = tech.ID, tech.Name
		body.RebootWait = 0
		if body.Permission == protocol.PermissionReboot {
			body.RebootWait = s.rebootWait()
		}
		s.record(audit.Event{Type: audit.PermissionAsked, Actor: tech.ID, SessionID: m.SID, Detail: string(body.Permission)})
		if err := s.deliver(AgentSubject(m.SID), m.Type, m.ID, m.SID, body); err != nil && !errors.Is(err, ErrReconnecting) {
			s.log.Warn("permission request", "sid", m.SID, "err", err)
			return ss, ErrBusy
		} else if err != nil {
			return ss, err
		}
	case *protocol.Audit:
		// Only what the console alone sees (a recording, the customer's
		// program refused for its identity); files are reported by the agent.
		if body.Event != protocol.AuditRecordingStarted && body.Event != protocol.AuditIdentityRefused {
			return ss, ErrRecordingsOnly
		}
		s.Report(audit.FromConsole, tech.ID, m.SID, body)
	case *protocol.Offer:
		if ss.TechnicianID != tech.ID {
			return ss, s.relayHelper(ctx, tech, m)
		}
		body.Peer = "" // the lead's own connection, whatever the console said
		if !ss.AgentConnected {
			return ss, ErrNotConnected
		}
		// Nobody held it (a transfer just accepted, the holder's socket
		// closed): the console that offers holds it now.
		if ss.Console == "" {
			if ok, err := s.claim(ctx, tech, console, m.SID, "", false); err != nil {
				s.log.Warn("claim session", "sid", m.SID, "err", err)
				return ss, ErrBusy
			} else if !ok {
				return ss, ErrOpenElsewhere
			}
		}
		return ss, s.relay(ctx, console, m, body)
	case *protocol.Candidate:
		if ss.TechnicianID != tech.ID {
			return ss, s.relayHelper(ctx, tech, m)
		}
		body.Peer = ""
		return ss, s.relay(ctx, console, m, body)
	case *protocol.PageSignal:
		return ss, s.pageFromConsole(ctx, tech, console, ss, m, body)
	case *protocol.UnattendedAsk:
		return ss, s.askUnattended(ctx, tech, ss, m, body)
	case *protocol.LauncherOffer:
		return ss, s.offerLauncher(ctx, tech, ss, m, body)
	case *protocol.LogAppend:
		return ss, s.appendLog(ctx, tech, ss, body)
	case *protocol.Pointer:
		return ss, s.pointer(tech, ss, body)
	case *protocol.SessionEnd:
		_, err := s.end(ctx, m.SID, Ending{State: session.ClosedByTechnician, Actor: tech.ID, Detail: "by technician", ID: m.ID})
		return ss, err
	default:
		return ss, fmt.Errorf("%w: %s", ErrNotForConsoles, m.Type)
	}
	return ss, nil
}

// Report records an audit report from a session's console or agent (actor:
// a technician's ID or "customer"); each may report audit.Config.MaxPeerEvents.
func (s *Service) Report(from audit.Peer, actor, sid string, a *protocol.Audit) {
	e := audit.Event{Type: audit.Type(a.Event), Actor: actor, SessionID: sid, Detail: a.Detail}
	if a.Name != "" {
		e.File = &audit.File{Name: a.Name, Size: a.Size, SHA256: a.SHA256}
	}
	s.recordFromPeer(from, e)
}

// recordFromPeer records event e that a session's peer reported, within
// the session's cap (audit.Log.RecordFromPeer).
func (s *Service) recordFromPeer(from audit.Peer, e audit.Event) {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	if err := s.cfg.Audit.RecordFromPeer(ctx, from, e); errors.Is(err, audit.ErrPeerCapped) {
		s.log.Debug("audit report over the session's cap", "sid", e.SessionID, "type", e.Type)
	} else if err != nil {
		s.log.Error("audit", "type", e.Type, "sid", e.SessionID, "err", err)
	}
}

// start starts a Waiting session, or accepts a session transferred to tech.
func (s *Service) start(ctx context.Context, tech auth.Technician, sid string) error {
	if n, err := s.ActiveCount(ctx, tech.ID); err == nil && n >= MaxActive {
		if ss, err := s.cfg.Store.Session(ctx, sid); err == nil && (ss.State == session.Waiting || ss.Transfer != nil) {
			return ErrTooMany
		}
	}
	denied := s.deniedTo(ctx, tech.ID)
	var from string
	picked := false // a Waiting session started: its customer is told
	taken := false  // a channel's session taken by tech
	// A transfer accepted lets go of the sender's console: under the
	// holder lock, as every change of the holder (see holderLock).
	l := s.holderLock(sid)
	l.Lock()
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		now := time.Now()
		picked, taken = false, false // the update may run again
		if ss.Transfer != nil && ss.Transfer.ToID == tech.ID {
			from = ss.TechnicianID
			ss.TechnicianID, ss.TechnicianName = tech.ID, tech.Name
			ss.GroupID = store.GroupOf(tech.GroupID)
			ss.Transfers++
			ss.Transfer = nil
			ss.Console, ss.ConsoleTab = "", "" // the sender's console holds it no more
			ss.Denied = denied
			if ss.State.Away() {
				ss.Prev = session.Active
				ss.Changed = now
				return nil
			}
			return ss.SetState(session.Active, now)
		}
		if ss.TechnicianID == "" && ss.Channel != "" {
			// A channel's session: the first technician of its groups
			// to take it owns it (this update's compare-and-set decides).
			if !ss.OfferedTo(tech.GroupID) {
				return ErrNotFound
			}
			ss.TechnicianID, ss.TechnicianName = tech.ID, tech.Name
			ss.GroupID = store.GroupOf(tech.GroupID)
			ss.Denied = denied
			taken = true
			if ss.Callback {
				// Nobody to connect to: the technician calls the customer back.
				ss.PickedUp, ss.PickedUpBy, ss.Changed = now, tech.ID, now
				return nil
			}
		}
		if ss.TechnicianID != tech.ID {
			if ss.Channel != "" {
				return ErrTaken
			}
			return ErrNoTransfer
		}
		switch {
		case ss.State == session.Waiting:
			picked = true
			ss.PickedUp, ss.PickedUpBy = now, tech.ID
			return ss.SetState(session.Active, now)
		case ss.State.Away() && ss.Prev == session.Waiting:
			// The customer hears it in the welcome when they are back.
			ss.Prev, ss.Changed = session.Active, now
			ss.PickedUp, ss.PickedUpBy = now, tech.ID
			return nil
		}
		return errUnchanged // opening a workspace twice is not an error
	})
	l.Unlock()
	if errors.Is(err, errUnchanged) {
		return nil
	}
	if err != nil {
		return err
	}
	if from != "" {
		s.record(audit.Event{Type: audit.TransferAccepted, Actor: tech.ID, SessionID: sid, Detail: from})
	}
	if picked || from != "" {
		// Tell the customer who is with them now (a technician picked the
		// session up, or took it over), and what their group denies,
		// before the receiver hears of it: the agent closes the
		// sender's connection on this welcome, so the receiver's offer
		// (sent once she hears the state) must come after it.
		s.publish(AgentSubject(ss.ID), protocol.TypeAgentWelcome, "", ss.ID, s.rewelcome(ctx, ss))
	}
	also := []string{from}
	if taken {
		// The others of the channel's groups see it gone at once.
		also = append(also, s.channelTechs(ctx, ss)...)
		s.launcherHelped(ctx, ss)
	}
	s.publishState(ss, also...)
	if from != "" {
		// What the sender added since the receiver opened the session.
		s.publishLog(ctx, tech.ID, sid)
	}
	return nil
}

// rewelcome is the agent.welcome that tells a joined agent who is with the
// customer now and what the technician's group denies (ss.Denied).
func (s *Service) rewelcome(ctx context.Context, ss store.Session) protocol.AgentWelcome {
	st := s.cfg.Auth.Settings(ctx)
	return protocol.AgentWelcome{
		SID: ss.ID, CustomerName: ss.CustomerName, TechnicianName: ss.TechnicianName, TechnicianID: ss.TechnicianID,
		OrgName: st.OrgName, Resumed: true, Denied: ss.Denied, PrivatePrograms: st.PrivatePrograms,
		OnHold: heldNow(ss), Waiting: waitingNow(ss), Survey: s.giveSurvey(ctx, ss),
		Collaboration: collabOf(agentCollab(ss.Collab)),
	}
}

// hold puts an Active session on hold (remote control ends, the customer is
// told) or resumes it.
func (s *Service) hold(ctx context.Context, tech auth.Technician, m protocol.Message, on bool) error {
	want, typ := session.Active, audit.SessionResumed
	if on {
		want, typ = session.OnHold, audit.SessionHeld
	}
	ss, err := s.cfg.Store.UpdateSession(ctx, m.SID, func(ss *store.Session) error {
		if ss.State.Away() {
			// The customer is away: hold applies when they are back.
			if ss.Prev != session.Active && ss.Prev != session.OnHold {
				return session.ErrTransition
			}
			ss.Prev, ss.Changed = want, time.Now()
			return nil
		}
		return ss.SetState(want, time.Now())
	})
	if err != nil {
		return err
	}
	// Recorded before the agent hears it: control it drops is reported after.
	s.record(audit.Event{Type: typ, Actor: tech.ID, SessionID: ss.ID})
	s.publish(AgentSubject(ss.ID), protocol.TypeSessionHold, m.ID, ss.ID, protocol.SessionHold{On: on})
	s.publishState(ss)
	return nil
}

// transfer offers the session to another available technician, or cancels the offer.
func (s *Service) transfer(ctx context.Context, tech auth.Technician, sid string, t *protocol.SessionTransfer) error {
	if t.Cancel {
		var to string
		ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
			if ss.Transfer == nil {
				return ErrNoTransfer
			}
			to = ss.Transfer.ToID
			ss.Transfer = nil
			back := ss.Prev
			if back == "" || back == session.Outgoing {
				back = session.Active
			}
			if ss.State.Away() {
				ss.Prev, ss.Changed = back, time.Now()
				return nil
			}
			return ss.SetState(back, time.Now())
		})
		if err != nil {
			return err
		}
		s.record(audit.Event{Type: audit.TransferCancelled, Actor: tech.ID, SessionID: sid, Detail: to})
		s.publishState(ss, to)
		return nil
	}
	if t.To == tech.ID {
		return ErrSelf
	}
	target, err := s.cfg.Store.Account(ctx, t.To)
	if err != nil {
		return ErrNoTechnician
	}
	if st, err := s.Status(ctx, t.To); err != nil || st != store.StatusOnline {
		return ErrNotAvailable
	}
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		prev := ss.State
		now := time.Now()
		if ss.State.Away() {
			return ErrNotConnected
		}
		if err := ss.SetState(session.Outgoing, now); err != nil {
			return err
		}
		if prev != session.Outgoing {
			ss.Prev = prev
		}
		ss.Transfer = &store.Transfer{FromID: tech.ID, FromName: tech.Name, ToID: target.ID, ToName: target.Name,
			Comment: strings.TrimSpace(t.Comment), At: now}
		return nil
	})
	if err != nil {
		return err
	}
	s.record(audit.Event{Type: audit.TransferOffered, Actor: tech.ID, SessionID: sid, Detail: target.ID})
	s.publishState(ss)
	return nil
}

// Technician reads the technician of console request r (whose login was
// techID's) as the login stands now, through the auth package. ErrNoLogin
// means the login has ended: logged out, the account disabled or deleted.
// A store that cannot answer now is ErrBusy, never ErrNoLogin: auth reports
// an account it could not read as no login, so that case is read again.
func (s *Service) Technician(ctx context.Context, r *http.Request, techID string) (auth.Technician, error) {
	t, err := s.cfg.Auth.Technician(r)
	if err != nil && !errors.Is(err, auth.ErrNoLogin) {
		// JetStream moving its leaders after a node died: the login's record
		// answers again in a few seconds (the console's request waits).
		err = natsnode.RetryWithin(ctx, nil, "", readRetry, readRetry, func(context.Context) (err error) {
			t, err = s.cfg.Auth.Technician(r)
			return err
		})
	}
	if err == nil {
		return t, nil
	}
	if !errors.Is(err, auth.ErrNoLogin) {
		s.log.Warn("check login", "tech", techID, "err", err)
		return t, ErrBusy
	}
	if _, err := read(ctx, func(ctx context.Context) (store.Account, error) { return s.cfg.Store.Account(ctx, techID) }); err != nil && !errors.Is(err, store.ErrNotFound) {
		return t, ErrBusy
	}
	t, err = s.cfg.Auth.Technician(r)
	switch {
	case errors.Is(err, auth.ErrNoLogin):
		return t, ErrNoLogin
	case err != nil:
		return t, ErrBusy
	}
	return t, nil
}
