package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/netip"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
)

// Role is what an account may do.
type Role string

// Roles.
const (
	RoleAdmin      Role = "admin"
	RoleTechnician Role = "technician"
)

// Account is a technician's account.
type Account struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	PasswordHash []byte    `json:"passwordHash"`
	Created      time.Time `json:"created"`
	// GroupID names the technician group whose permissions apply; empty means
	// the default group. Administrators have every permission.
	GroupID  string `json:"groupId,omitempty"`
	Disabled bool   `json:"disabled,omitempty"`
	// Generation is a random ID given when the account is created and changed
	// when it is disabled: a login is valid only for the generation it was
	// made in, so neither enabling the account again nor a new account of the
	// same name brings old logins back.
	Generation string `json:"generation,omitempty"`
	// MustChangePassword sends every login of the account to the
	// change-password page until the password is changed (the admin's
	// password generated and shown by a first run).
	MustChangePassword bool `json:"mustChangePassword,omitempty"`
	// LoginsValidAfter ends every login made before it ("log out everywhere").
	LoginsValidAfter time.Time `json:"loginsValidAfter,omitzero"`
	// TOTP is the two-step login secret (base32), set once enrolment is
	// confirmed; TOTPPending is the secret being enrolled.
	TOTP        string `json:"totp,omitempty"`
	TOTPPending string `json:"totpPending,omitempty"`
	// TOTPLastStep is the last time step accepted, so a code works once.
	TOTPLastStep int64 `json:"totpLastStep,omitempty"`
	// RecoveryHashes are the SHA-256 hashes of the unused recovery codes.
	RecoveryHashes []string `json:"recoveryHashes,omitempty"`
}

// Login is a logged-in browser, stored under the hash of its cookie token.
type Login struct {
	AccountID string    `json:"accountId"`
	CSRF      string    `json:"csrf"`
	Expires   time.Time `json:"expires"`
	Created   time.Time `json:"created,omitzero"`
	// Pending is set while the second step (TOTP code) is still to come.
	Pending bool `json:"pending,omitempty"`
	// Generation is the account's Generation when the login was made.
	Generation string `json:"generation,omitempty"`
}

// Session is a support session.
type Session struct {
	ID             string               `json:"id"`
	TechnicianID   string               `json:"technicianId"`
	TechnicianName string               `json:"technicianName"`
	CustomerName   string               `json:"customerName"`
	State          session.State        `json:"state"`
	Created        time.Time            `json:"created"`
	Changed        time.Time            `json:"changed"`
	AgentConnected bool                 `json:"agentConnected"`
	Hostname       string               `json:"hostname,omitempty"`
	OS             string               `json:"os,omitempty"`
	Permissions    protocol.Permissions `json:"permissions"`
	// Granted is every grant the customer gave during the session, kept when
	// taken back: the agent's reports of what the technician did with one
	// (a terminal's transcript after it closed) are checked against it.
	Granted protocol.Permissions `json:"granted,omitzero"`
	// The invitation, kept so the technician can see and resend it.
	InviteToken   string    `json:"inviteToken"`
	InviteExpires time.Time `json:"inviteExpires"`
	PIN           string    `json:"pin"`
	PINExpires    time.Time `json:"pinExpires"`
	// Since is when the session entered State (zero in records older than the queue).
	Since time.Time `json:"since,omitempty"`
	// Prev is the state to return to after Reconnecting/Offline or a cancelled transfer.
	Prev session.State `json:"prev,omitempty"`
	// AgentSecret is the hash of the secret the agent resumes the session with.
	AgentSecret string `json:"agentSecret,omitempty"`
	// AgentConn names the agent's current socket, so that an older socket of the
	// same agent closing late does not mark the session Reconnecting.
	AgentConn string `json:"agentConn,omitempty"`
	// Handover is the program's invitation token last handed to the
	// customer's page (sessions.Service.Handover), and HandoverExpires when it
	// ends: the same one is handed again while it can still be used.
	Handover        string    `json:"handover,omitempty"`
	HandoverExpires time.Time `json:"handoverExpires,omitzero"`
	// PageScreen and PageCall say whether the technician's screen is shown
	// on the customer's page and whether a call is on (the page peer, as
	// last audited): only their changes are recorded.
	PageScreen bool `json:"pageScreen,omitempty"`
	PageCall   bool `json:"pageCall,omitempty"`
	// PageSharer is the technician whose screen the customer's page shows
	// (with PageScreen): one technician shows their screen at a time.
	PageSharer string `json:"pageSharer,omitempty"`
	// Denied is what the agent was last told the technician's group denies,
	// so that a change is pushed to it once.
	Denied []string `json:"denied,omitempty"`
	// DeviceID is the customer's device identity, stable across sessions.
	DeviceID string `json:"deviceId,omitempty"`
	// AgentRun counts the customer's program starts in the session: the first
	// join, then each run again after a crash (see protocol.SessionState).
	AgentRun int `json:"agentRun,omitempty"`
	// Transfer is set while the session is offered to another technician.
	Transfer *Transfer `json:"transfer,omitempty"`
	// Console names the technician's console connection that holds the
	// session's peer connection; ConsoleTab the browser tab it runs in (a
	// reload of that tab takes the session again without asking).
	Console    string `json:"console,omitempty"`
	ConsoleTab string `json:"consoleTab,omitempty"`
	// LeadAway is when (Unix milliseconds) the console of the session's
	// technician closed while colleagues were in: unless a console of
	// theirs takes it again within the grace, the lead passes to the
	// longest-present colleague.
	LeadAway int64 `json:"leadAway,omitempty"`
	// SurveyForm is the customer's survey the agent was last given (its
	// technician's group's): the customer's answers are checked against it;
	// nil, the session asks none. SurveySent says the technician sent it
	// before the end.
	SurveyForm *protocol.SurveyForm `json:"surveyForm,omitempty"`
	SurveySent bool                 `json:"surveySent,omitempty"`

	// Unattended is the ID of the unattended device the session was opened
	// on (empty for a customer who is there); UnattendedAsked says the
	// technician asked the customer for unattended access and no answer came
	// yet.
	Unattended      string `json:"unattended,omitempty"`
	UnattendedAsked bool   `json:"unattendedAsked,omitempty"`

	// Channel is the slug of the channel the customer asked for help on
	// (empty for a technician's invitation). Until a technician takes it
	// (TechnicianID empty), every technician of ChannelGroups sees it in
	// their queue (OfferedTo); the first to take it owns it.
	Channel       string   `json:"channel,omitempty"`
	ChannelName   string   `json:"channelName,omitempty"`
	ChannelGroups []string `json:"channelGroups,omitempty"`
	// Callback says the customer left a message to be called back rather
	// than wait (the channel was closed or nobody was online); no program
	// joins such a session.
	Callback bool `json:"callback,omitempty"`
	// Email and Problem are what the customer typed on the channel's form.
	Email   string `json:"email,omitempty"`
	Problem string `json:"problem,omitempty"`
	// Launcher is the ID of the "Get help" launcher the customer clicked
	// to ask for help (a returning computer), and Returning what the
	// server recorded of that computer when it asked; LauncherOffered is
	// the channel a launcher was offered on in this session, until the
	// customer answers.
	Launcher        string    `json:"launcher,omitempty"`
	Returning       *Launcher `json:"returning,omitempty"`
	LauncherOffered string    `json:"launcherOffered,omitempty"`

	// What reports need, kept after the session ends.

	// GroupID is the technician group of the session's technician (the
	// receiver's after a transfer); never empty in records made since.
	GroupID string `json:"groupId,omitempty"`
	// Fields are the custom session fields' values.
	Fields []FieldValue `json:"fields,omitempty"`
	// PickedUp is when a technician first started the session (Waiting →
	// Active), by whom.
	PickedUp   time.Time `json:"pickedUp,omitzero"`
	PickedUpBy string    `json:"pickedUpBy,omitempty"`
	// Ended is when the session closed.
	Ended time.Time `json:"ended,omitzero"`
	// Transfers counts the transfers accepted.
	Transfers int `json:"transfers,omitempty"`
	// Collab is who works on the session besides its technician, who is
	// invited to, and who has remote control.
	Collab protocol.Collaboration `json:"collab,omitzero"`
	// Externals are the secrets of the session's external collaborators
	// and of their pending invitations, by collaborator ID; never sent to
	// a console or the agent.
	Externals []External `json:"externals,omitempty"`
}

// Transfer is a pending offer of a session to another technician.
type Transfer struct {
	FromID   string    `json:"fromId"`
	FromName string    `json:"fromName"`
	ToID     string    `json:"toId"`
	ToName   string    `json:"toName"`
	Comment  string    `json:"comment,omitempty"`
	At       time.Time `json:"at"`
}

// SetState moves the session to st if the state machine allows it, recording
// when; it returns the error of session.Next otherwise.
func (s *Session) SetState(st session.State, now time.Time) error {
	next, err := session.Next(s.State, st)
	if err != nil {
		return err
	}
	if next != s.State {
		s.State, s.Since = next, now
	}
	if next.Closed() && s.Ended.IsZero() {
		s.Ended = now
	}
	s.Changed = now
	return nil
}

// StateSince is when the session entered its state.
func (s *Session) StateSince() time.Time {
	if s.Since.IsZero() {
		return s.Changed
	}
	return s.Since
}

// Working reports whether the session counts toward its technician's busy
// status: started, on hold or being transferred (also while reconnecting).
func (s *Session) Working() bool {
	st := s.State
	if st.Away() {
		st = s.Prev
	}
	return st == session.Active || st == session.OnHold || st == session.Outgoing
}

// VisibleTo reports whether technician techID sees the session in their queue:
// they own it, it is being transferred to them, or they collaborate on it or
// are invited to.
func (s *Session) VisibleTo(techID string) bool {
	return s.TechnicianID == techID || (s.Transfer != nil && s.Transfer.ToID == techID) ||
		s.Collaborating(techID) || s.InvitedToHelp(techID)
}

// OfferedTo reports whether the session waits in the channel queue of
// technician group groupID: a channel's, taken by nobody yet, still open.
func (s *Session) OfferedTo(groupID string) bool {
	if s.Channel == "" || s.TechnicianID != "" || s.State.Closed() {
		return false
	}
	for _, g := range s.ChannelGroups {
		if g == GroupOf(groupID) {
			return true
		}
	}
	return false
}

// Collaborating reports whether techID is a collaborator in the session.
func (s *Session) Collaborating(techID string) bool {
	_, ok := s.Collab.Member(techID)
	return ok
}

// InvitedToHelp reports whether techID is invited to collaborate on the session.
func (s *Session) InvitedToHelp(techID string) bool {
	for _, i := range s.Collab.Invited {
		if i.ID == techID {
			return true
		}
	}
	return false
}

// Invite is an invitation link, stored under the hash of its token.
type Invite struct {
	SessionID string    `json:"sessionId"`
	Expires   time.Time `json:"expires"`
	Used      bool      `json:"used"`
	// External marks an external collaborator's invitation: it opens a
	// limited console, never a customer's join.
	External bool `json:"external,omitempty"`
}

// External is an external collaborator's invitation into a session, then
// their login to it: the hash of the invitation's link token, then the hash
// of the secret their limited console presents (HashKey); By is the
// technician who invited them.
type External struct {
	ID     string `json:"id"`
	Token  string `json:"token"`
	Secret string `json:"secret,omitempty"`
	By     string `json:"by"`
	// Expires is when (Unix milliseconds) the invitation, unused, lapses.
	Expires int64 `json:"expires"`
}

// External returns the external collaborator (or invitation) id of the session.
func (s *Session) External(id string) (External, bool) {
	for _, e := range s.Externals {
		if e.ID == id {
			return e, true
		}
	}
	return External{}, false
}

// PIN is a 6-digit code standing for an invitation token.
type PIN struct {
	SessionID string    `json:"sessionId"`
	Token     string    `json:"token"`
	Expires   time.Time `json:"expires"`
	// External says the PIN is an external collaborator's (signaling/invite
	// IssueExternal), not a customer's.
	External bool `json:"external,omitempty"`
}

// Limit counts failures from one client address in a fixed window.
type Limit struct {
	Count int       `json:"count"`
	Since time.Time `json:"since"`
	// Next is the earliest time a throttled attempt may go ahead (server-wide
	// limits that slow attempts down rather than refuse them).
	Next time.Time `json:"next,omitzero"`
	// Until is the end of a lockout, if the failures led to one.
	Until time.Time `json:"until,omitzero"`
}

// LimitTTL is how long a limit record lives after its last change: no
// window or lockout kept in one lasts longer.
const LimitTTL = 10 * time.Minute

// AddrKey turns a client address ("1.2.3.4:5678", "[::1]:80" or a bare IP)
// into a key for its limits: the hash of its AddrGroup.
func AddrKey(addr string) string { return HashKey(AddrGroup(addr)) }

// AddrGroup is the group a client address ("1.2.3.4:5678", "[::1]:80" or a
// bare IP) is counted in by every per-address rule (limits, coalesced audit
// refusals): an IPv4 address alone (IPv4-mapped IPv6 included), an IPv6
// address's /64 ("2001:db8:1:2::/64"), since one host usually has a whole
// /64; anything else is "unknown".
func AddrGroup(addr string) string {
	ap, err := netip.ParseAddrPort(addr)
	ip := ap.Addr()
	if err != nil {
		if ip, err = netip.ParseAddr(addr); err != nil {
			return "unknown"
		}
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, err := ip.WithZone("").Prefix(64)
		if err != nil {
			return "unknown"
		}
		return p.String()
	}
	return ip.String()
}

// HashKey turns a secret into a bucket key, so secrets are never stored as keys.
func HashKey(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateAccount stores a new account with a new Generation; ErrExists if the
// ID is taken.
func (s *Store) CreateAccount(ctx context.Context, a Account) error {
	a.Generation = newGeneration()
	return create(ctx, s.accounts, a.ID, a)
}

// SetDisabled disables or enables an account. Disabling gives it a new
// Generation, which ends every login made before.
func (s *Store) SetDisabled(ctx context.Context, id string, disabled bool) (Account, error) {
	return s.UpdateAccount(ctx, id, func(a *Account) error {
		if disabled && !a.Disabled {
			a.Generation = newGeneration()
		}
		a.Disabled = disabled
		return nil
	})
}

// SetPassword replaces an account's password hash, lifts MustChangePassword
// and gives it a new Generation, which ends every login made before.
func (s *Store) SetPassword(ctx context.Context, id string, hash []byte) (Account, error) {
	return s.UpdateAccount(ctx, id, func(a *Account) error {
		a.PasswordHash, a.MustChangePassword, a.Generation = hash, false, newGeneration()
		return nil
	})
}

// EnsureGeneration gives an account stored before generations existed its
// first one, and returns the account.
func (s *Store) EnsureGeneration(ctx context.Context, id string) (Account, error) {
	return s.UpdateAccount(ctx, id, func(a *Account) error {
		if a.Generation == "" {
			a.Generation = newGeneration()
		}
		return nil
	})
}

// newGeneration returns a random ID (crypto/rand.Text: over 128 bits).
func newGeneration() string { return rand.Text() }

// Account reads an account by ID.
func (s *Store) Account(ctx context.Context, id string) (Account, error) {
	var a Account
	_, err := get(ctx, s.accounts, id, &a)
	return a, err
}

// PutLogin stores a login under the hash of its token.
func (s *Store) PutLogin(ctx context.Context, token string, l Login) error {
	return create(ctx, s.logins, HashKey(token), l)
}

// Login reads a login by its token; ErrNotFound if unknown or expired.
func (s *Store) Login(ctx context.Context, token string, now time.Time) (Login, error) {
	var l Login
	if _, err := get(ctx, s.logins, HashKey(token), &l); err != nil {
		return l, err
	}
	if now.After(l.Expires) {
		return Login{}, ErrNotFound
	}
	return l, nil
}

// DeleteLogin forgets a login.
func (s *Store) DeleteLogin(ctx context.Context, token string) error {
	return s.logins.Delete(ctx, HashKey(token))
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, ss Session) error {
	if !ss.State.Closed() && ValidKey(ss.ID) {
		// Indexed first: a session is never open without its entry.
		if err := s.markOpen(ctx, ss.ID); err != nil {
			return err
		}
	}
	err := create(ctx, s.sessions, ss.ID, ss)
	if err != nil && !errors.Is(err, ErrExists) {
		s.markEnded(ctx, ss.ID)
	}
	return err
}

// Session reads a session by ID.
func (s *Store) Session(ctx context.Context, id string) (Session, error) {
	var ss Session
	_, err := get(ctx, s.sessions, id, &ss)
	return ss, err
}

// SessionOpen reports whether session id exists and has not ended.
func (s *Store) SessionOpen(ctx context.Context, id string) (bool, error) {
	ss, err := s.Session(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return !ss.State.Closed(), nil
}

// UpdateSession changes a session with compare-and-set; fn may refuse with an error.
// A session that ends leaves the index of open ones (OpenSessions).
func (s *Store) UpdateSession(ctx context.Context, id string, fn func(*Session) error) (Session, error) {
	var wasClosed bool
	ss, err := update(ctx, s.sessions, id, func(ss *Session) error {
		wasClosed = ss.State.Closed()
		return fn(ss)
	})
	switch {
	case err != nil:
	case ss.State.Closed() && !wasClosed:
		s.markEnded(ctx, id)
	case !ss.State.Closed() && wasClosed:
		if err := s.markOpen(ctx, id); err != nil {
			return ss, err
		}
	}
	return ss, err
}

// Sessions lists the sessions a technician sees (owned or transferred to them), newest first.
func (s *Store) Sessions(ctx context.Context, technicianID string) ([]Session, error) {
	return s.sessionsWhere(ctx, s.sessions, func(ss *Session) bool { return ss.VisibleTo(technicianID) })
}

// AllSessions lists every session, newest first.
func (s *Store) AllSessions(ctx context.Context) ([]Session, error) {
	return s.sessionsWhere(ctx, s.sessions, func(*Session) bool { return true })
}

// sessionsWhere lists the sessions named by the keys of bucket (the
// sessions' own, or an index of them) that keep keeps, newest first.
func (s *Store) sessionsWhere(ctx context.Context, bucket jetstream.KeyValue, keep func(*Session) bool) ([]Session, error) {
	keys, err := bucket.Keys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Session
	for _, k := range keys {
		ss, err := s.Session(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue // ended long ago, or being created
		}
		if err != nil {
			return nil, err
		}
		if keep(&ss) {
			out = append(out, ss)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// CreateInvite stores an invitation under the hash of its token.
func (s *Store) CreateInvite(ctx context.Context, token string, in Invite) error {
	return create(ctx, s.invites, HashKey(token), in)
}

// Invite reads an invitation by token.
func (s *Store) Invite(ctx context.Context, token string) (Invite, error) {
	var in Invite
	_, err := get(ctx, s.invites, HashKey(token), &in)
	return in, err
}

// UpdateInvite changes an invitation with compare-and-set.
func (s *Store) UpdateInvite(ctx context.Context, token string, fn func(*Invite) error) (Invite, error) {
	return update(ctx, s.invites, HashKey(token), fn)
}

// CreatePIN stores a PIN; ErrExists if that PIN is in use.
func (s *Store) CreatePIN(ctx context.Context, pin string, p PIN) error {
	return create(ctx, s.pins, pin, p)
}

// TakePIN reads and deletes a PIN in one step, so a PIN works once. A PIN
// of the other kind (External not external) is left alone: ErrOtherKind,
// with the record.
func (s *Store) TakePIN(ctx context.Context, pin string, external bool) (PIN, error) {
	var p PIN
	rev, err := get(ctx, s.pins, pin, &p)
	if err != nil {
		return p, err
	}
	if p.External != external {
		return p, ErrOtherKind
	}
	if err := s.pins.Delete(ctx, pin, jetstream.LastRevision(rev)); err != nil {
		// Someone else took it first.
		return PIN{}, ErrNotFound
	}
	return p, nil
}

// UpdateLimit changes the failure counter of key, creating it if needed.
func (s *Store) UpdateLimit(ctx context.Context, key string, fn func(*Limit) error) (Limit, error) {
	if err := create(ctx, s.limits, key, Limit{}); err != nil && !errors.Is(err, ErrExists) {
		return Limit{}, err
	}
	return update(ctx, s.limits, key, fn)
}

// DeleteLimit forgets the failure counter of key.
func (s *Store) DeleteLimit(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return ErrInvalid
	}
	return s.limits.Delete(ctx, key)
}

// ClearLimits forgets every failure counter whose key starts with prefix+".".
func (s *Store) ClearLimits(ctx context.Context, prefix string) error {
	if !ValidKey(prefix) {
		return ErrInvalid
	}
	kl, err := s.limits.ListKeysFiltered(ctx, prefix+".>")
	if err != nil {
		return err
	}
	defer kl.Stop()
	for k := range kl.Keys() {
		if err := s.limits.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// Limit reads the failure counter of key (zero if none).
func (s *Store) Limit(ctx context.Context, key string) (Limit, error) {
	var l Limit
	_, err := get(ctx, s.limits, key, &l)
	if errors.Is(err, ErrNotFound) {
		return Limit{}, nil
	}
	return l, err
}
