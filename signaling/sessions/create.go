package sessions

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/shared/text"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// MaxCustomerName bounds the customer's name, in characters.
const MaxCustomerName = 80

// Create makes a session for tech with customer's name, the values of the
// custom session fields (field ID → value, CheckFields) and its invitation: a
// link, and a PIN only if tech may use PINs (none is ever issued otherwise).
// ip is the technician's address, for the audit trail. A bad name is
// ErrBadName, bad field values a FieldsError; both are checked before
// anything is made.
func (s *Service) Create(ctx context.Context, tech auth.Technician, customer, ip string, fields map[string]string) (store.Session, error) {
	if !tech.Can(access.StartSessions) {
		s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, IP: ip, Detail: string(access.StartSessions)})
		return store.Session{}, denied(string(access.StartSessions), auth.ErrForbidden.Error())
	}
	customer = strings.TrimSpace(customer)
	if customer == "" || utf8.RuneCountInString(customer) > MaxCustomerName || text.CheckName(customer) != nil {
		return store.Session{}, ErrBadName
	}
	defs, err := s.cfg.Store.CustomFields(ctx)
	if err != nil {
		return store.Session{}, err
	}
	values, err := CheckFields(defs, fields)
	if err != nil {
		return store.Session{}, err
	}
	if max := s.cfg.Auth.Settings(ctx).MaxActiveSessions; max > 0 {
		n, err := s.cfg.Store.ActiveSessions(ctx, tech.ID)
		if err == nil && n >= max {
			return store.Session{}, &TooManyError{Max: max}
		}
	}
	sid, err := invite.NewToken()
	if err != nil {
		return store.Session{}, err
	}
	// The audit entry first: a session whose creation is not on record must
	// not exist (audit.ErrNotRecorded reaches the caller).
	if err := s.cfg.Audit.Record(ctx, audit.Event{Type: audit.SessionCreated, Actor: tech.ID, SessionID: sid, IP: ip, Detail: customer}); err != nil {
		s.log.Error("session not created: its audit entry could not be written", "err", err)
		return store.Session{}, err
	}
	issue := s.cfg.Invites.IssueLink
	if tech.Can(access.InvitePIN) {
		issue = s.cfg.Invites.Issue
	}
	inv, err := issue(ctx, sid)
	if err != nil {
		return store.Session{}, err
	}
	now := time.Now()
	ss := store.Session{
		ID: sid, TechnicianID: tech.ID, TechnicianName: tech.Name, CustomerName: customer,
		State: session.Connecting, Created: now, Changed: now,
		InviteToken: inv.Token, InviteExpires: inv.Expires, PIN: inv.PIN, PINExpires: inv.PINExpires,
		GroupID: store.GroupOf(tech.GroupID), Fields: values,
	}
	if err := s.cfg.Store.CreateSession(ctx, ss); err != nil {
		return store.Session{}, err
	}
	s.log.Info("session created", "sid", sid, "tech", tech.ID)
	return ss, nil
}

// Sessions lists the sessions tech sees in their list (owned or offered to them).
func (s *Service) Sessions(ctx context.Context, tech auth.Technician) ([]store.Session, error) {
	return s.cfg.Store.Sessions(ctx, tech.ID)
}

// Visible returns session sid if tech owns it, it is being transferred to
// them, they collaborate on it (or are invited to) or, a group lead, may
// watch it; ErrNotFound otherwise (another's session does not exist for
// them).
func (s *Service) Visible(ctx context.Context, tech auth.Technician, sid string) (store.Session, error) {
	ss, err := s.cfg.Store.Session(ctx, sid)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !ss.VisibleTo(tech.ID) && !s.MayMonitor(ctx, tech, ss)) {
		return ss, ErrNotFound
	}
	return ss, err
}

// Owned returns session sid if tech owns it; ErrNotFound otherwise.
func (s *Service) Owned(ctx context.Context, tech auth.Technician, sid string) (store.Session, error) {
	ss, err := s.cfg.Store.Session(ctx, sid)
	if errors.Is(err, store.ErrNotFound) || (err == nil && ss.TechnicianID != tech.ID) {
		return ss, ErrNotFound
	}
	return ss, err
}

// mayRead reports whether tech may read what session ss holds (its notes and
// log): their own sessions, those offered to them, and everyone's with the
// permission to see other technicians' queues.
func mayRead(tech auth.Technician, ss store.Session) bool {
	return ss.VisibleTo(tech.ID) || tech.Can(access.OtherQueues)
}

// History lists the earlier sessions with the device of tech's session ss
// that tech may read, newest first. The device is the one the server derived
// from the agent's key (DeviceID), never an ID the agent claimed.
func (s *Service) History(ctx context.Context, tech auth.Technician, ss store.Session) ([]store.HistoryItem, error) {
	items, err := s.cfg.Store.DeviceHistory(ctx, ss.DeviceID, ss.ID)
	if err != nil {
		return nil, err
	}
	out := items[:0]
	for _, it := range items {
		if mayRead(tech, it.Session) {
			out = append(out, it)
		}
	}
	return out, nil
}
