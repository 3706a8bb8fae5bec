package session

import (
	"context"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Launcher installs the "Get help" launcher (agent/launcher): an icon on
// the desktop and in the applications menu that asks the organisation for
// help on a channel in one click.
type Launcher interface {
	Install(l LauncherSettings) error
}

// LauncherSettings are what the launcher needs: the server, the channel
// it asks for help on, the ID the server recorded this computer under,
// and the organisation's name (the icon's).
type LauncherSettings struct {
	Server, ID, Channel, ChannelName, Org string
}

// offerLauncher asks the customer whether the technician may install the
// launcher o offers, unless their group does not allow it, the program
// cannot install one here, or the session is unattended (nobody to agree):
// those are refused and audited without asking.
func (s *runner) offerLauncher(ctx context.Context, o *protocol.LauncherOffer) {
	refuse := func(why string) {
		s.log.Warn("launcher refused", "why", why)
		s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: "Get help launcher, " + why})
		s.send(protocol.TypeLauncherAnswer, protocol.LauncherAnswer{})
	}
	switch {
	case s.denied[protocol.DeniedLauncher]:
		refuse("not allowed to the technician's group")
		return
	case s.cfg.Launcher == nil:
		refuse("not available here")
		return
	case s.cfg.Unattended != nil:
		refuse("nobody at the computer to agree")
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		allow, err := s.cfg.Consent.AskLauncher(ctx)
		if err != nil || !allow {
			s.log.Info("customer refused the launcher", "err", err)
			s.send(protocol.TypeLauncherAnswer, protocol.LauncherAnswer{})
			return
		}
		ch := o.Channel
		s.launcherChannel.Store(&ch)
		s.send(protocol.TypeLauncherAnswer, protocol.LauncherAnswer{Allow: true})
	}()
}

// installLauncher installs the launcher the server recorded, for the
// channel the customer agreed to only.
func (s *runner) installLauncher(l *protocol.LauncherInstalled) {
	ch := s.launcherChannel.Swap(nil)
	if ch == nil || *ch != l.Channel || s.cfg.Launcher == nil {
		s.log.Warn("launcher not installed: the customer did not agree to it", "channel", l.Channel)
		return
	}
	server := s.cfg.Server
	if len(s.servers) > 0 {
		server = s.servers[0] // the one in use
	}
	settings := LauncherSettings{Server: server, ID: l.ID, Channel: l.Channel, ChannelName: l.ChannelName, Org: s.orgName}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.cfg.Launcher.Install(settings); err != nil {
			s.log.Error("launcher not installed", "err", err)
			s.report(protocol.Audit{Event: protocol.AuditRefused, Detail: "Get help launcher not installed: " + err.Error()})
			return
		}
		s.log.Info("launcher installed", "channel", l.Channel)
	}()
}
