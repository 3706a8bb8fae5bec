package main

import (
	"errors"
	"os"
	"time"

	"github.com/lifeline-support/lifeline/agent/reboot"
	"github.com/lifeline-support/lifeline/agent/session"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// rebooter restarts this computer for the session (session.Rebooter): the
// one-shot autostart entry in the user's configuration directory, then the
// system's restart (or reboot.EnvCommand's program).
type rebooter struct {
	place reboot.Place
	lang  i18n.Lang
}

var _ session.Rebooter = rebooter{}

func (r rebooter) Leave(t session.RebootTicket) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	_, err = r.place.Leave(reboot.Entry{Server: t.Server, SID: t.SID, Secret: t.Secret, Technician: t.Technician, Org: t.Org,
		Lang: string(r.lang), Made: time.Now(), Wait: t.Wait}, exe)
	return err
}

func (r rebooter) Restart() error { return reboot.Restart(reboot.Command(false)) }

func (r rebooter) Undo(sid string) { _ = r.place.Remove(sid) }

// takeReconnect takes the restart's entry at file (removing it: it serves
// once), or says to the customer why it cannot serve.
func takeReconnect(l i18n.Lang, file string) (reboot.Entry, bool) {
	e, err := reboot.Place{}.Take(file, time.Now())
	switch {
	case errors.Is(err, reboot.ErrTooOld):
		tell(l, i18n.T(l, "agent.reboot.tooLate"))
		return e, false
	case err != nil:
		tell(l, i18n.T(l, "agent.reboot.used")+" ("+err.Error()+")")
		return e, false
	}
	return e, true
}
