package sessions

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lifeline-support/lifeline/shared/identity"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/shared/text"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Joined is an agent let into its session.
type Joined struct {
	Session store.Session
	// Secret, on a first join only, is what the agent resumes the session with.
	Secret  string
	Resumed bool
	// IdentityKey is the key the agent asked to have certified for the
	// session (AgentHello.IdentityKey), checked to be a P-256 public key.
	IdentityKey string
}

// DeviceID is the device identity the server gives an agent holding key: a
// hash of the key, so that an agent can only claim the history of a device
// whose key it holds. No key, no identity (older agents only claimed an ID).
func DeviceID(key string) string {
	if len(key) < 16 {
		return ""
	}
	h := sha256.Sum256([]byte("lifeline device\x00" + key))
	return hex.EncodeToString(h[:16])
}

// Join checks an agent's hello: a code or PIN (from client address remote)
// joins the session and gives the agent its secret, a session ID with its
// secret resumes it. connID names the agent's socket.
func (s *Service) Join(ctx context.Context, hello *protocol.AgentHello, remote, connID string) (Joined, error) {
	j, err := s.join(ctx, hello, remote, connID)
	j.IdentityKey = hello.IdentityKey
	return j, err
}

// join is Join, less the identity key.
func (s *Service) join(ctx context.Context, hello *protocol.AgentHello, remote, connID string) (Joined, error) {
	// Checked before anything is used: a bad key burns no invitation.
	if hello.IdentityKey != "" {
		if _, err := identity.ParseKey(hello.IdentityKey); err != nil {
			return Joined{}, ErrBadIdentityKey
		}
	}
	if hello.SID != "" && hello.Reboot {
		return s.rebootBack(ctx, hello, connID)
	}
	if hello.SID != "" {
		ss, err := s.resume(ctx, hello, connID)
		return Joined{Session: ss, Resumed: true}, err
	}
	token := hello.Code
	if hello.PIN != "" {
		t, err := s.cfg.Invites.RedeemPIN(ctx, remote, hello.PIN)
		if err != nil {
			return Joined{}, err
		}
		token = t
	}
	sid, err := s.cfg.Invites.Use(ctx, token)
	if err == nil {
		// The program downloaded by a customer helped in the browser
		// takes the session over (Handover).
		if j, herr := s.takeOver(ctx, sid, hello, connID); !errors.Is(herr, errNotTakeOver) {
			return j, herr
		}
	}
	if errors.Is(err, invite.ErrUsed) && sid != "" && hello.DeviceKey != "" {
		// Perhaps the customer's program, run again after a crash.
		j, rerr := s.rerun(ctx, sid, hello, connID)
		if !errors.Is(rerr, errNotRerun) {
			return j, rerr
		}
	}
	if err != nil {
		return Joined{}, err
	}
	secret, err := invite.NewToken()
	if err != nil {
		return Joined{}, err
	}
	ss, err := s.cfg.Store.Session(ctx, sid)
	if err != nil {
		return Joined{}, err
	}
	denied := s.deniedTo(ctx, ss.TechnicianID)
	ss, err = s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		if err := ss.SetState(session.Waiting, time.Now()); err != nil {
			return ErrSessionClosed
		}
		ss.AgentConnected, ss.AgentConn = true, connID
		ss.DeviceID = DeviceID(hello.DeviceKey)
		ss.Denied = denied
		newProgram(ss, hello, secret)
		return nil
	})
	if err != nil {
		return Joined{}, err
	}
	return Joined{Session: ss, Secret: secret}, nil
}

// agentNames are the host and system names an agent says it runs on, as the
// technician is shown them: cleaned by the name rule (text.CleanName), not
// refused, since a computer's name is not the customer's choice when they
// ask for help.
// newProgram records a program started on the customer's computer for ss
// (first, rerun, resumed or back after a restart): its secret, the
// computer's names, a new run, nothing granted to it yet, and a new page
// that shows nothing yet.
func newProgram(ss *store.Session, hello *protocol.AgentHello, secret string) {
	ss.AgentSecret = store.HashKey(secret)
	ss.Permissions = protocol.Permissions{}
	ss.Hostname, ss.OS = agentNames(hello)
	ss.AgentRun++
	ss.PageScreen, ss.PageCall, ss.PageSharer = false, false, ""
}

func agentNames(hello *protocol.AgentHello) (host, system string) {
	return text.CleanName(hello.Hostname), text.CleanName(hello.OS)
}

// rerun lets the customer's program, run again after a crash with the
// invitation it was downloaded with, back into the session its computer
// joined. The proof is the device key the program keeps (see DeviceID), never
// the invitation, which anyone with the link has; and only while the session
// waits for its agent (Reconnecting, before --offline-after makes it Offline).
// The new program gets a new secret (the crashed one's resumes nothing any
// more) and starts with no grants: the customer is asked again. It returns
// errNotRerun when the agent is not the session's, or its agent is still
// connected (a second copy), and ErrTooLate past the window.
func (s *Service) rerun(ctx context.Context, sid string, hello *protocol.AgentHello, connID string) (Joined, error) {
	device := DeviceID(hello.DeviceKey)
	ss, err := s.cfg.Store.Session(ctx, sid)
	if err != nil {
		return Joined{}, err
	}
	if device == "" || subtle.ConstantTimeCompare([]byte(device), []byte(ss.DeviceID)) != 1 {
		return Joined{}, errNotRerun
	}
	secret, err := invite.NewToken()
	if err != nil {
		return Joined{}, err
	}
	denied := s.deniedTo(ctx, ss.TechnicianID)
	ss, err = s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		switch {
		case ss.State.Closed() || ss.AgentConnected || !ss.State.Away():
			return errNotRerun
		case ss.State == session.Offline:
			return ErrTooLate
		}
		if err := comeBack(ss, connID, denied); err != nil {
			return err
		}
		newProgram(ss, hello, secret)
		return nil
	})
	if err != nil {
		return Joined{}, err
	}
	return Joined{Session: ss, Secret: secret, Resumed: true}, nil
}

// BrowserOS is what a customer's page helped in the browser alone says it
// runs on (AgentHello.OS): console-web/instant.
const BrowserOS = "browser"

// Handover gives the customer of session sid, helped in the browser and
// proving it with the secret its page was welcomed with, an invitation for
// the program: run, the program takes the session over (its grants asked
// again), the chat and log go on. One invitation is outstanding per
// session: asked again, the same one is handed while it can be used. Asks
// from client address ip are counted as channel requests are (an
// *invite.RateLimitError past the limit).
func (s *Service) Handover(ctx context.Context, sid, secret, ip string) (invite.Invitation, error) {
	if err := s.takeAddr(ctx, "handover-", ip); err != nil {
		return invite.Invitation{}, err
	}
	ss, err := s.cfg.Store.Session(ctx, sid)
	if err != nil {
		return invite.Invitation{}, ErrBadSecret
	}
	switch {
	case ss.AgentSecret == "" || subtle.ConstantTimeCompare([]byte(ss.AgentSecret), []byte(store.HashKey(secret))) != 1:
		return invite.Invitation{}, ErrBadSecret
	case ss.State.Closed():
		return invite.Invitation{}, ErrSessionClosed
	case ss.OS != BrowserOS:
		return invite.Invitation{}, ErrNotInBrowser
	}
	if ss.Handover != "" {
		if at, err := s.cfg.Invites.Check(ctx, ss.Handover); err == nil && at == sid {
			return invite.Invitation{Token: ss.Handover, Expires: ss.HandoverExpires}, nil
		}
	}
	inv, err := s.cfg.Invites.IssueLink(ctx, sid)
	if err != nil {
		return inv, err
	}
	if _, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		ss.Handover, ss.HandoverExpires = inv.Token, inv.Expires
		return nil
	}); err != nil {
		return invite.Invitation{}, err
	}
	s.record(audit.Event{Type: audit.ProgramOffered, Actor: "customer", SessionID: sid, IP: ip})
	return inv, nil
}

// errNotTakeOver: the invitation is no handover (Handover), join as usual.
var errNotTakeOver = errors.New("not a handover")

// takeOver lets the program run from a Handover invitation into the session
// its customer's page was in: a new agent (new secret, AgentRun up, no
// grants), in the state the session had.
func (s *Service) takeOver(ctx context.Context, sid string, hello *protocol.AgentHello, connID string) (Joined, error) {
	ss, err := s.cfg.Store.Session(ctx, sid)
	if err != nil || ss.OS != BrowserOS || ss.State == session.Connecting || ss.State.Closed() {
		return Joined{}, errNotTakeOver
	}
	secret, err := invite.NewToken()
	if err != nil {
		return Joined{}, err
	}
	denied := s.deniedTo(ctx, ss.TechnicianID)
	ss, err = s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		if ss.State.Closed() {
			return ErrSessionClosed
		}
		if err := comeBack(ss, connID, denied); err != nil {
			return err
		}
		ss.DeviceID = DeviceID(hello.DeviceKey)
		newProgram(ss, hello, secret)
		return nil
	})
	if err != nil {
		return Joined{}, err
	}
	return Joined{Session: ss, Secret: secret}, nil
}

// resume lets an agent that proves it holds the session's secret back into
// its session, in the state the session had before the agent went away.
func (s *Service) resume(ctx context.Context, hello *protocol.AgentHello, connID string) (store.Session, error) {
	ss, err := s.cfg.Store.Session(ctx, hello.SID)
	if err != nil {
		return ss, err
	}
	denied := s.deniedTo(ctx, ss.TechnicianID)
	return s.cfg.Store.UpdateSession(ctx, hello.SID, func(ss *store.Session) error {
		if ss.AgentSecret == "" || subtle.ConstantTimeCompare([]byte(ss.AgentSecret), []byte(store.HashKey(hello.Secret))) != 1 {
			return ErrBadSecret
		}
		if ss.State.Closed() {
			return ErrSessionClosed
		}
		if ss.State == session.Rebooting {
			// Only the restart's autostart entry brings it back (rebootBack),
			// and it gets a new secret.
			return ErrRebooting
		}
		return comeBack(ss, connID, denied)
	})
}

// comeBack returns a session whose agent was away to the state it had, and
// gives it to the agent's socket connID.
func comeBack(ss *store.Session, connID string, denied []string) error {
	if ss.State.Away() {
		back := ss.Prev
		if back == "" {
			back = session.Waiting
		}
		if err := ss.SetState(back, time.Now()); err != nil {
			return err
		}
	}
	ss.AgentConnected, ss.AgentConn = true, connID
	ss.Changed = time.Now()
	ss.Denied = denied
	return nil
}

// JoinError is the code and sentence an agent gets for a failed Join;
// CodeInternal means a passing failure the agent should try again after.
func JoinError(err error) (code protocol.ErrorCode, msg string) {
	var rl *invite.RateLimitError
	switch {
	case errors.As(err, &rl):
		return protocol.CodeRateLimited, rl.Error()
	case errors.Is(err, invite.ErrPINForExternal):
		return protocol.CodeInvalidCode, "this code is for a technician invited to help, not for the customer's program: ask your technician for your own code"
	case errors.Is(err, invite.ErrInvalidPIN), errors.Is(err, invite.ErrInvalid):
		return protocol.CodeInvalidCode, "that code is not valid"
	case errors.Is(err, invite.ErrExpired):
		return protocol.CodeExpired, "this invitation has expired"
	case errors.Is(err, ErrNotRebooting):
		return protocol.CodeUsed, ErrNotRebooting.Error()
	case errors.Is(err, ErrDeclined):
		return protocol.CodeForbidden, ErrDeclined.Error()
	case errors.Is(err, ErrTooLate):
		return protocol.CodeExpired, ErrTooLate.Error()
	case errors.Is(err, invite.ErrUsed):
		return protocol.CodeUsed, "this invitation was already used"
	case errors.Is(err, store.ErrNotFound), errors.Is(err, ErrBadSecret):
		return protocol.CodeInvalidCode, ErrBadSecret.Error()
	case errors.Is(err, ErrSessionClosed):
		return protocol.CodeForbidden, ErrSessionClosed.Error()
	case errors.Is(err, ErrRebooting):
		return protocol.CodeForbidden, "this session waits for the computer to restart: Lifeline reconnects it after you log in again"
	case errors.Is(err, ErrBadIdentityKey):
		return protocol.CodeBadMessage, ErrBadIdentityKey.Error()
	}
	// Anything else (JetStream moving a stream leader during a failover) is
	// worth another try, and the agent tries again.
	return protocol.CodeInternal, "the server could not let the agent in now; try again"
}

// Welcome is the agent.welcome for a joined agent, less what the transport
// adds (ICE servers, other signaling URLs); it records the join and tells
// the technician. The names the customer sees come from the server: the
// organisation from the settings, the technician's from the account.
func (s *Service) Welcome(ctx context.Context, j Joined, ip string) protocol.AgentWelcome {
	ss := j.Session
	techName := ss.TechnicianName
	if acc, err := s.cfg.Store.Account(ctx, ss.TechnicianID); err == nil {
		techName = acc.Name
	}
	// Kept on the session before the technician hears the agent is there:
	// their workspace then finds the survey it can send.
	survey := s.giveSurvey(ctx, ss)
	s.publishState(ss)
	s.record(audit.Event{Type: audit.SessionStarted, Actor: "customer", SessionID: ss.ID, IP: ip, Detail: ss.Hostname})
	st := s.cfg.Auth.Settings(ctx)
	return protocol.AgentWelcome{
		SID: ss.ID, CustomerName: ss.CustomerName, TechnicianName: techName, TechnicianID: ss.TechnicianID,
		OrgName: st.OrgName, Denied: ss.Denied, PrivatePrograms: st.PrivatePrograms,
		Secret: j.Secret, Resumed: j.Resumed, OnHold: heldNow(ss), Waiting: waitingNow(ss), WaitLimit: s.waitLimit(ctx, ss),
		Collaboration: collabOf(agentCollab(ss.Collab)),
		IdentityCert:  s.certifyAgent(ss.ID, j.IdentityKey, st.OrgName),
		Survey:        survey,
	}
}

// certifyAgent certifies the identity key of session sid's agent for that
// session only; "" when there is no key or no certifier (consoles then
// refuse the agent's unproven answers) or the signing failed (logged).
func (s *Service) certifyAgent(sid, key, org string) string {
	if key == "" || s.cfg.Certifier == nil {
		return ""
	}
	cert, err := s.cfg.Certifier.CertifyAgent(sid, key, org, time.Now())
	if err != nil {
		s.log.Error("certify the agent's key", "sid", sid, "err", err)
		return ""
	}
	return cert
}

// heldNow reports whether session ss is on hold, or was when its customer
// went away (it is again when they are back).
func heldNow(ss store.Session) bool {
	return ss.State == session.OnHold || (ss.State.Away() && ss.Prev == session.OnHold)
}

// waitingNow reports whether no technician has picked session ss up yet:
// the customer waits in the queue.
func waitingNow(ss store.Session) bool {
	return ss.State == session.Waiting || (ss.State.Away() && ss.Prev == session.Waiting)
}

// AgentLeft marks the session Reconnecting when its agent's socket connID
// went away without ending: it may come back with its secret. Its grants stay
// as they were; the agent enforces them and re-sends them when it is back.
func (s *Service) AgentLeft(ctx context.Context, sid, connID string) {
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		// A newer socket of the same agent (it noticed the cut first and
		// came back) owns the session now: leave it alone.
		if ss.State.Closed() || ss.AgentConn != connID {
			return errUnchanged
		}
		ss.AgentConnected = false
		if ss.State == session.Rebooting {
			return nil // the restart took the program: it comes back by its autostart entry
		}
		prev := ss.State
		if err := ss.SetState(session.Reconnecting, time.Now()); err != nil {
			return err
		}
		if !prev.Away() {
			ss.Prev = prev
		}
		return nil
	})
	if err == nil {
		s.publishState(ss)
	}
}

// FromAgent carries out one message of session sid's agent, read from its
// socket connID. ended says the customer ended the session with no survey
// to answer (the socket closes after the reply). A socket that is no longer
// the session's (a newer one, or the program that took over from the
// customer's page, holds it) gets ErrReplaced and nothing else: it is
// closed.
func (s *Service) FromAgent(ctx context.Context, sid, connID string, m protocol.Message) (ended bool, err error) {
	if ss, err := s.cfg.Store.Session(ctx, sid); err != nil {
		return false, ErrBusy
	} else if ss.AgentConn != connID {
		return true, ErrReplaced
	}
	switch body := m.Body.(type) {
	case *protocol.PermissionUpdate:
		var old protocol.Permissions
		ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
			old = ss.Permissions
			switch {
			case ss.AgentConn != connID:
				return ErrReplaced
			case ss.State.Closed():
				return ErrClosed
			}
			// A grant of what the technician's group denies is no grant:
			// the agent drops it too, and a hostile program's claim of it
			// must not let reports in the technician's name through.
			ss.Permissions, ss.Changed = withoutDenied(body.Permissions, ss.Denied), time.Now()
			ss.Granted = everGranted(ss.Granted, ss.Permissions)
			return nil
		})
		if err != nil {
			return false, err
		}
		body.Permissions = ss.Permissions
		// On record before the technician hears of it: the trail keeps the
		// order of what happened (an answer, then the next question).
		s.recordGrants(ss, old, body.Permissions, body.Refused)
		s.publish(TechSubject(ss.TechnicianID, sid), m.Type, m.ID, sid, body)
		for _, h := range ss.Collab.Members {
			s.publish(TechSubject(h.ID, sid), m.Type, m.ID, sid, body)
		}
		s.publishState(ss)
	case *protocol.Audit:
		actor := "customer"
		switch body.Event {
		case protocol.AuditFileSent, protocol.AuditTerminalOpened, protocol.AuditProcessEnded, protocol.AuditFileChanged,
			protocol.AuditScriptRun, protocol.AuditScriptEnded, protocol.AuditServiceChanged:
			// The agent reports what the technician did: the file's
			// arrival, a terminal opened, a process ended, files changed,
			// a script run, a service started or stopped.
			ss, err := s.Session(ctx, sid)
			if err != nil {
				return false, ErrBusy
			}
			if need, ok := grantFor[body.Event]; ok {
				if err := s.agentMayReport(ss, need, groupFor[body.Event]); err != nil {
					return false, err
				}
			}
			actor = ss.TechnicianID
		}
		s.Report(audit.FromAgent, actor, sid, body)
	case *protocol.Answer, *protocol.Candidate, *protocol.Path:
		// The owner may have changed (transfer) since the agent joined.
		ss, err := s.cfg.Store.Session(ctx, sid)
		if err != nil {
			return false, nil
		}
		to := ss.TechnicianID
		if peer := peerOf(body); peer != "" {
			// A collaborator's connection: to them, while they are in.
			if !ss.Collaborating(peer) {
				return false, nil
			}
			to = peer
		}
		s.publish(TechSubject(to, sid), m.Type, m.ID, sid, body)
	case *protocol.PageSignal:
		return false, s.pageFromAgent(ctx, sid, m, body)
	case *protocol.LogAppend:
		return false, s.appendAgentLog(ctx, sid, body)
	case *protocol.UnattendedAnswer:
		return false, s.unattendedAnswer(ctx, sid, m, body)
	case *protocol.LauncherAnswer:
		return false, s.launcherAnswer(ctx, sid, m, body)
	case *protocol.AgentRebooting:
		return false, s.rebooting(ctx, sid, connID, body)
	case *protocol.SurveyAnswers:
		return false, s.customerSurvey(ctx, sid, m.ID, body)
	case *protocol.SessionCollaborate:
		// The customer asked a colleague to leave; nothing else is theirs.
		if body.Action != protocol.CollabRemove {
			return false, fmt.Errorf("%w: %s %s", ErrNotForAgents, m.Type, body.Action)
		}
		var customer string
		err := s.changeCollab(ctx, sid, func(ss *store.Session) error {
			if !ss.Collaborating(body.Tech) {
				return errUnchanged
			}
			customer = ss.CustomerName
			dropMember(ss, body.Tech)
			return nil
		}, audit.Event{Type: audit.CollabRemoved, Actor: "customer", SessionID: sid, Detail: body.Tech}, body.Tech)
		if err == nil && customer != "" {
			// They are told why their tab closes.
			s.publish(TechSubject(body.Tech, sid), protocol.TypeError, "", sid, protocol.Error{Code: protocol.CodeSentAway, Message: customer})
		}
		return false, err
	case *protocol.SessionCallback:
		// The customer stops waiting and leaves a message: nobody waits
		// behind the request any more, the socket closes.
		return true, s.leaveMessage(ctx, sid, body)
	case *protocol.SessionEnd:
		ss, err := s.end(ctx, sid, Ending{State: session.ClosedByCustomer, Actor: "customer", Detail: "by customer", ID: m.ID})
		// A customer with a survey to answer keeps the socket for it;
		// their program closes it.
		return err != nil || !s.awaitsSurvey(ctx, ss), nil
	default:
		return false, fmt.Errorf("%w: %s", ErrNotForAgents, m.Type)
	}
	return false, nil
}

// peerOf is the collaborator an agent's answer or candidate is for ("": the
// session's technician).
func peerOf(body any) string {
	switch b := body.(type) {
	case *protocol.Answer:
		return b.Peer
	case *protocol.Candidate:
		return b.Peer
	}
	return ""
}

// grantFor is the customer's grant without which the agent cannot have seen
// the technician do what an audit event reports.
var grantFor = map[protocol.AuditEvent]protocol.Permission{
	protocol.AuditTerminalOpened: protocol.PermissionTerminal,
	protocol.AuditScriptRun:      protocol.PermissionTerminal,
	protocol.AuditScriptEnded:    protocol.PermissionTerminal,
	protocol.AuditProcessEnded:   protocol.PermissionSysInfo,
	protocol.AuditServiceChanged: protocol.PermissionSysInfo,
	protocol.AuditFileChanged:    protocol.PermissionFileManager,
}

// groupFor is what the technician's group must allow (a Denied* name) for
// the technician to have done what an audit event reports.
var groupFor = map[protocol.AuditEvent]string{
	protocol.AuditTerminalOpened: protocol.DeniedTerminal,
	protocol.AuditScriptRun:      protocol.DeniedScripts,
	protocol.AuditScriptEnded:    protocol.DeniedScripts,
	protocol.AuditProcessEnded:   protocol.DeniedSysInfo,
	protocol.AuditServiceChanged: protocol.DeniedSysInfo,
	protocol.AuditFileChanged:    protocol.DeniedFileManager,
}

// agentMayReport checks that session ss's customer granted p at some time in
// the session, that the technician's group allows one of group (Denied*
// names, as the agent was told in ss.Denied), and that the customer runs
// the program, not a browser page (which has no terminal, processes or
// files to report on), before the agent's report of a technician's action
// is kept in the technician's name: a hostile customer's program cannot
// fake a transcript or "process ended" events otherwise.
func (s *Service) agentMayReport(ss store.Session, p protocol.Permission, group ...string) error {
	var ok bool
	switch p {
	case protocol.PermissionTerminal:
		ok = ss.Granted.Terminal || ss.Permissions.Terminal
	case protocol.PermissionSysInfo:
		ok = ss.Granted.SysInfo || ss.Permissions.SysInfo
	case protocol.PermissionFileManager:
		ok = ss.Granted.FileManager || ss.Permissions.FileManager
	}
	if ok && len(group) > 0 {
		ok = slices.ContainsFunc(group, func(d string) bool { return !slices.Contains(ss.Denied, d) })
	}
	if !ok || ss.OS == BrowserOS {
		s.log.Warn("agent report refused: not granted, not the group's, or from a browser", "sid", ss.ID, "grant", p, "os", ss.OS)
		return fmt.Errorf("%w (%s)", ErrNotGrantedHere, p)
	}
	return nil
}

// withoutDenied is grants p less what a technician's group denies (denied:
// Denied* names), as the agent enforces it.
func withoutDenied(p protocol.Permissions, denied []string) protocol.Permissions {
	for _, d := range []struct {
		name  string
		grant *bool
	}{
		{protocol.DeniedView, &p.View}, {protocol.DeniedControl, &p.Control},
		{protocol.DeniedClipboard, &p.Clipboard}, {protocol.DeniedTerminal, &p.Terminal},
		{protocol.DeniedSysInfo, &p.SysInfo}, {protocol.DeniedFileManager, &p.FileManager},
	} {
		if slices.Contains(denied, d.name) {
			*d.grant = false
		}
	}
	return p
}

// everGranted is was with the grants of now added.
func everGranted(was, now protocol.Permissions) protocol.Permissions {
	return protocol.Permissions{View: was.View || now.View, Control: was.Control || now.Control,
		Clipboard: was.Clipboard || now.Clipboard, Terminal: was.Terminal || now.Terminal, SysInfo: was.SysInfo || now.SysInfo,
		FileManager: was.FileManager || now.FileManager}
}

// recordGrants writes what changed between two sets of customer grants in
// session ss (as updated). Control is taken by the session's technician; a
// grant that ends while the session is on hold was ended by the technician's
// hold (the agent drops control when told), not by the customer.
func (s *Service) recordGrants(ss store.Session, old, now protocol.Permissions, refused protocol.Permission) {
	sid := ss.ID
	held := heldNow(ss)
	for _, c := range []struct {
		perm     protocol.Permission
		was, now bool
	}{
		{protocol.PermissionView, old.View, now.View},
		{protocol.PermissionControl, old.Control, now.Control},
		{protocol.PermissionClipboard, old.Clipboard, now.Clipboard},
		{protocol.PermissionTerminal, old.Terminal, now.Terminal},
		{protocol.PermissionSysInfo, old.SysInfo, now.SysInfo},
		{protocol.PermissionFileManager, old.FileManager, now.FileManager},
	} {
		switch {
		case !c.was && c.now:
			s.record(audit.Event{Type: audit.PermissionGranted, Actor: "customer", SessionID: sid, Detail: string(c.perm)})
			if c.perm == protocol.PermissionControl {
				s.record(audit.Event{Type: audit.ControlTaken, Actor: ss.TechnicianID, SessionID: sid})
			}
		case c.was && !c.now && held:
			s.record(audit.Event{Type: audit.PermissionRevoked, Actor: ss.TechnicianID, SessionID: sid, Detail: string(c.perm) + " (on hold)"})
		case c.was && !c.now:
			s.record(audit.Event{Type: audit.PermissionRevoked, Actor: "customer", SessionID: sid, Detail: string(c.perm)})
		}
	}
	if refused != "" {
		s.record(audit.Event{Type: audit.PermissionRefused, Actor: "customer", SessionID: sid, Detail: string(refused)})
	}
}
