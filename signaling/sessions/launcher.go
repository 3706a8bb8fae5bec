package sessions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/text"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// The "Get help" launcher: the technician offers it on a channel their
// group serves (offerLauncher), the customer agrees (launcherAnswer) and
// the server records the computer under a new random ID that the agent's
// launcher keeps. The ID is no credential: it only labels the computer's
// later requests (LauncherRequest), which are channel requests like any
// other, through the channel's hours, cap and rate limits.

// offerLauncher passes the technician's offer of a launcher for channel
// body.Channel (one their group serves) on to the customer's agent.
func (s *Service) offerLauncher(ctx context.Context, tech auth.Technician, ss store.Session, m protocol.Message, body *protocol.LauncherOffer) error {
	if !ss.AgentConnected {
		return ErrNotConnected
	}
	c, err := s.cfg.Store.Channel(ctx, body.Channel)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoChannel
	} else if err != nil {
		return err
	}
	if !c.Serves(tech.GroupID) {
		s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: ss.ID, Detail: "launcher on channel " + c.Slug + ", not served by the technician's group"})
		return ErrNotServed
	}
	if _, err := s.cfg.Store.UpdateSession(ctx, ss.ID, func(ss *store.Session) error {
		ss.LauncherOffered = c.Slug
		return nil
	}); err != nil {
		return err
	}
	s.record(audit.Event{Type: audit.LauncherOffered, Actor: tech.ID, SessionID: ss.ID, Detail: "channel " + c.Slug})
	body.ChannelName = c.Name
	return s.deliver(AgentSubject(ss.ID), m.Type, m.ID, ss.ID, body)
}

// launcherAnswer takes the customer's answer to offerLauncher: on yes, the
// computer is recorded under a new launcher ID, which the agent is sent to
// install the launcher with. An answer nobody asked for records nothing.
func (s *Service) launcherAnswer(ctx context.Context, sid string, m protocol.Message, a *protocol.LauncherAnswer) error {
	var slug string
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		slug, ss.LauncherOffered = ss.LauncherOffered, ""
		return nil
	})
	if err != nil {
		return err
	}
	if slug == "" {
		s.record(audit.Event{Type: audit.LauncherRefused, Actor: "customer", SessionID: sid, Detail: "launcher answer without an offer"})
		return ErrLauncherNotOffered
	}
	defer s.publish(TechSubject(ss.TechnicianID, sid), m.Type, m.ID, sid, protocol.LauncherAnswer{Allow: a.Allow})
	if !a.Allow {
		s.record(audit.Event{Type: audit.LauncherRefused, Actor: "customer", SessionID: sid, Detail: "channel " + slug})
		return nil
	}
	c, err := s.cfg.Store.Channel(ctx, slug)
	if err != nil {
		return err
	}
	id, err := invite.NewToken()
	if err != nil {
		return err
	}
	now := time.Now()
	l := store.Launcher{
		ID: id, Channel: slug, Host: ss.Hostname, OS: ss.OS, Customer: ss.CustomerName,
		InstalledBy: ss.TechnicianID, Installed: now, HelpedBy: ss.TechnicianName, Helped: now,
	}
	if l.Host == "" {
		l.Host = ss.CustomerName
	}
	if err := s.cfg.Store.PutLauncher(ctx, l); err != nil {
		return err
	}
	s.record(audit.Event{Type: audit.LauncherInstalled, Actor: "customer", SessionID: sid, Detail: fmt.Sprintf("launcher %s on channel %s, computer %s", id, slug, l.Host)})
	s.publish(AgentSubject(sid), protocol.TypeLauncherInstalled, "", sid, protocol.LauncherInstalled{ID: id, Channel: slug, ChannelName: c.Name})
	return nil
}

// LauncherRequest is a request for help from the launcher r.ID installed
// on a computer, on channel slug, from client address addr: a channel
// request as Request makes (limits, hours, cap; the same errors), in the
// name of the customer it was installed for, marked as a returning
// computer with what the server recorded of it. ErrNoLauncher when no
// launcher of that ID is installed for that channel.
func (s *Service) LauncherRequest(ctx context.Context, slug, addr string, r protocol.LauncherRequest) (store.Session, error) {
	f, err := s.Channel(ctx, slug, time.Now())
	if err != nil {
		return store.Session{}, err
	}
	if !protocol.ValidLauncherID(r.ID) {
		return store.Session{}, ErrNoLauncher
	}
	l, err := s.cfg.Store.Launcher(ctx, r.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (l.Channel != slug || !l.Removed.IsZero())) {
		// Counted as any request, so that IDs cannot be tried for free.
		if err := s.takeAddr(ctx, "channel-", addr); err != nil {
			return store.Session{}, err
		}
		s.record(audit.Event{Type: audit.LauncherRequest, Actor: "customer", IP: addr, Detail: "unknown launcher on channel " + slug})
		return store.Session{}, ErrNoLauncher
	} else if err != nil {
		return store.Session{}, err
	}
	name := l.Customer
	if name == "" {
		name = l.Host
	}
	host := text.CleanName(r.Hostname)
	return s.openRequest(ctx, f, addr, fmt.Sprintf("%s on channel %s, launcher %s (computer %s, now %q)", name, slug, l.ID, l.Host, host),
		store.Session{CustomerName: name, Launcher: l.ID, Returning: &l})
}

// RemoveLauncher records that the customer removed launcher id from their
// computer: its requests are no longer marked as the computer's.
func (s *Service) RemoveLauncher(ctx context.Context, id, addr string) error {
	if !protocol.ValidLauncherID(id) {
		return ErrNoLauncher
	}
	if err := s.takeAddr(ctx, "launcher-", addr); err != nil {
		return err
	}
	_, err := s.cfg.Store.UpdateLauncher(ctx, id, func(l *store.Launcher) error {
		if !l.Removed.IsZero() {
			return errUnchanged
		}
		l.Removed = time.Now()
		return nil
	})
	switch {
	case errors.Is(err, errUnchanged):
		return nil
	case errors.Is(err, store.ErrNotFound):
		return ErrNoLauncher
	case err != nil:
		return err
	}
	s.record(audit.Event{Type: audit.LauncherRemoved, Actor: "customer", IP: addr, Detail: "launcher " + id})
	return nil
}

// launcherHelped records that tech took session ss, which a launcher
// opened: the computer's next request says they helped it last.
func (s *Service) launcherHelped(ctx context.Context, ss store.Session) {
	if ss.Launcher == "" {
		return
	}
	if _, err := s.cfg.Store.UpdateLauncher(ctx, ss.Launcher, func(l *store.Launcher) error {
		l.HelpedBy, l.Helped = ss.TechnicianName, time.Now()
		return nil
	}); err != nil {
		s.log.Warn("launcher's last help not recorded", "launcher", ss.Launcher, "err", err)
	}
}
