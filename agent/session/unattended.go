package session

import (
	"context"
	"errors"
	"time"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Enroller sets this computer up for unattended access once its owner
// agreed (agent/unattended.Place, with the program to install).
type Enroller interface {
	// NewKey makes the device key and returns its public half.
	NewKey() (string, error)
	// Install saves what the device needs and registers it to start with
	// the user's session.
	Install(e Enrollment) error
	// Zone is the computer's time zone (an IANA name), false when it is
	// not known.
	Zone() (string, bool)
}

// Enrollment is what the server enrolled and the customer agreed to: the
// device's server and ID, the time window, and who asked (shown to the
// owner on the computer's unattended access page).
type Enrollment struct {
	Server, DeviceID string
	Window           protocol.Hours
	Org, Technician  string
}

// Policy is how a session opened on an unattended computer answers the
// technician's requests: its device group's policy (protocol.DeviceConnect).
type Policy struct {
	// Mode is protocol.PolicySilent, PolicyNotify or PolicyAsk.
	Mode string
	// AskWait bounds each question of PolicyAsk (0: no bound);
	// AllowOnTimeout allows what nobody answered in time.
	AskWait        time.Duration
	AllowOnTimeout bool
}

// askCustomer is the grants gate's question, asked by colleague (a
// colleague of the technician; "": the technician): the customer's answer,
// or in an unattended session the policy's (the owner agreed to unattended
// access; silent and notify allow at once, ask waits for whoever sits
// there, and for AskWait at most).
func (s *runner) askCustomer(ctx context.Context, perm protocol.Permission, colleague string) (bool, error) {
	p := s.cfg.Unattended
	if p == nil {
		return s.cfg.Consent.AskBy(ctx, perm, colleague)
	}
	if p.Mode != protocol.PolicyAsk {
		s.log.Info("unattended: allowed by policy", "permission", perm, "policy", p.Mode)
		return true, nil
	}
	if p.AskWait <= 0 {
		return s.cfg.Consent.AskBy(ctx, perm, colleague)
	}
	actx, cancel := context.WithTimeout(ctx, p.AskWait)
	defer cancel()
	allow, err := s.cfg.Consent.AskBy(actx, perm, colleague)
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		s.log.Info("unattended: nobody answered", "permission", perm, "allow", p.AllowOnTimeout)
		return p.AllowOnTimeout, nil
	}
	return allow, err
}

// askUnattended asks the customer for unattended access during the
// window a asks for (in this computer's time zone when a says so and it is
// known); on yes the device key is made and its public half sent with the
// window agreed to (the server enrolls the computer and answers
// unattended.enrolled, see enrolled).
func (s *runner) askUnattended(ctx context.Context, a *protocol.UnattendedAsk) {
	w := a.Window
	if s.cfg.Enroll == nil || s.cfg.Unattended != nil {
		s.send(protocol.TypeUnattendedAnswer, protocol.UnattendedAnswer{Window: w})
		return
	}
	if zone, ok := s.cfg.Enroll.Zone(); ok && a.CustomerZone && len(w.Days) > 0 {
		w.Zone = zone
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		allow, err := s.cfg.Consent.AskUnattended(ctx, WindowText(s.cfg.Consent.Lang(), w))
		if err != nil || !allow {
			s.log.Info("customer refused unattended access", "err", err)
			s.send(protocol.TypeUnattendedAnswer, protocol.UnattendedAnswer{Window: w})
			return
		}
		key, err := s.cfg.Enroll.NewKey()
		if err != nil {
			s.log.Error("unattended access: device key", "err", err)
			s.send(protocol.TypeUnattendedAnswer, protocol.UnattendedAnswer{Window: w})
			return
		}
		s.enrollWindow.Store(&w)
		s.send(protocol.TypeUnattendedAnswer, protocol.UnattendedAnswer{Allow: true, Key: key, Window: w})
	}()
}

// enrolled installs the device the server enrolled.
func (s *runner) enrolled(e *protocol.UnattendedEnrolled) {
	w := s.enrollWindow.Swap(nil)
	if w == nil || s.cfg.Enroll == nil {
		return
	}
	en := Enrollment{Server: s.cfg.Server, DeviceID: e.DeviceID, Window: *w, Org: s.orgName, Technician: s.techName}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.cfg.Enroll.Install(en); err != nil {
			s.log.Error("unattended access not installed", "err", err)
			return
		}
		s.log.Info("unattended access installed", "device", e.DeviceID)
	}()
}

// WindowText describes a window to the customer, in lang.
func WindowText(lang i18n.Lang, w protocol.Hours) string {
	return i18n.Window(lang, w.Days, w.From, w.To, w.Zone)
}
