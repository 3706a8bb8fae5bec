package session

import (
	"context"
	"errors"
	"time"

	"github.com/lifeline-support/lifeline/agent/consent"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// ErrRestarting is what Run returns when the customer agreed to restart
// their computer and the restart runs: the program ends, and its autostart
// entry brings it back into the session after the customer logs in.
var ErrRestarting = errors.New("the computer is restarting")

// Rebooter restarts the customer's computer (agent/reboot): the session
// asks it only once the customer agreed.
type Rebooter interface {
	// Leave leaves the one-shot autostart entry that resumes session t
	// after the restart.
	Leave(t RebootTicket) error
	// Restart runs the system's restart.
	Restart() error
	// Undo removes session sid's entry: the restart could not run.
	Undo(sid string)
}

// RebootTicket is what the autostart entry brings back: the session, its
// resume secret, and whom the customer is asked to reconnect to; Wait is how
// long the server waits for the computer (0: not said), the entry's life.
type RebootTicket struct {
	Server, SID, Secret string
	Technician, Org     string
	Wait                time.Duration
}

// Resume, in Config, makes the program started after a restart resume its
// session with the secret its autostart entry kept (AgentHello.Reboot),
// instead of joining with a code; Decline ends the session instead (the
// customer said no to reconnecting).
type Resume struct {
	SID, Secret string
	Decline     bool
}

// askReboot asks the customer to agree to a restart the technician asked
// for, unless the restart cannot be done here or one runs already; a
// refusal is audited and told to the technician. An unattended session
// never restarts: its policy answers for a person who may not be there
// (askCustomer), and a restart needs their yes.
func (s *runner) askReboot(ctx context.Context, colleague string, wait time.Duration) {
	if s.cfg.Unattended != nil || s.cfg.Reboot == nil || s.restarting {
		why := "not available here, or one runs already"
		if s.cfg.Unattended != nil {
			why = "it needs the person at the computer: not available in unattended sessions"
		}
		s.log.Warn("restart refused: " + why)
		s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: "restart of the computer, " + why})
		s.send(protocol.TypePermissionUpdate, protocol.PermissionUpdate{Permissions: s.grants.get(), Refused: protocol.PermissionReboot})
		return
	}
	s.rebootWait = wait
	s.ask(ctx, protocol.PermissionReboot, colleague)
}

// rebootAnswered acts on the customer's answer to a restart: on yes the
// entry is left, the server told, and the restart run; done says the
// program ends now (Run returns ErrRestarting).
func (s *runner) rebootAnswered(allow bool) (done bool) {
	p := s.grants.get()
	if !allow {
		s.log.Info("customer declined the restart")
		s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: "restart of the computer, declined by the customer"})
		s.send(protocol.TypePermissionUpdate, protocol.PermissionUpdate{Permissions: p, Refused: protocol.PermissionReboot})
		return false
	}
	t := RebootTicket{Server: s.servers[0], SID: s.sid, Secret: s.secret, Technician: s.techName, Org: s.orgName, Wait: s.rebootWait}
	if err := s.cfg.Reboot.Leave(t); err != nil {
		s.log.Error("restart: the autostart entry could not be written; not restarting", "err", err)
		s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: "restart of the computer: " + err.Error()})
		s.send(protocol.TypePermissionUpdate, protocol.PermissionUpdate{Permissions: p, Refused: protocol.PermissionReboot})
		return false
	}
	// Told before the restart: once it runs, the program may be gone any
	// moment. Without the server told, no restart: the entry would find
	// the session not waiting for it.
	if _, ok := s.sendID(protocol.TypeAgentRebooting, protocol.AgentRebooting{}); !ok {
		s.log.Warn("restart: the server could not be told; not restarting")
		s.cfg.Reboot.Undo(s.sid)
		s.send(protocol.TypePermissionUpdate, protocol.PermissionUpdate{Permissions: p, Refused: protocol.PermissionReboot})
		return false
	}
	s.restarting = true
	if err := s.cfg.Reboot.Restart(); err != nil {
		s.restarting = false
		s.log.Error("restart failed", "err", err)
		s.cfg.Reboot.Undo(s.sid)
		s.send(protocol.TypeAgentRebooting, protocol.AgentRebooting{Failed: true})
		s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: "restart of the computer failed: " + err.Error()})
		s.send(protocol.TypePermissionUpdate, protocol.PermissionUpdate{Permissions: p, Refused: protocol.PermissionReboot})
		return false
	}
	s.log.Info("the computer restarts; the autostart entry brings the program back")
	s.finish()
	s.cfg.Consent.Ended(consent.ReasonRestarting)
	return true
}
