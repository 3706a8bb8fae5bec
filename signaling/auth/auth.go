// Package auth logs technicians in: argon2id password hashes (bcrypt ones
// from older versions are re-hashed at the next login), per-address rate
// limits and per-account lockout, the optional or mandatory two-step code
// (TOTP), HttpOnly SameSite cookies backed by the login bucket, CSRF tokens for
// state-changing requests, the technician's permissions (from their group) on
// every request, and the admin account created on first run.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/limit"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// CookieName is the login cookie.
const CookieName = "lifeline_login"

// MinPassword is the shortest password accepted for new or reset accounts.
const MinPassword = 10

// Config sets login behaviour.
type Config struct {
	// Secure marks cookies Secure; set it when the server is reached over TLS.
	Secure bool
	// Defaults are the organisation's settings until an administrator saves some.
	Defaults store.Settings
	// Audit receives logins, failures and lockouts; nil records nothing.
	Audit  *audit.Log
	Logger *slog.Logger
	// MaxFailures wrong passwords or codes in a row from one address lock
	// that address out of that account for LockFor (at most store.LimitTTL),
	// so a stranger cannot lock the owner out.
	MaxFailures int
	LockFor     time.Duration
	// SlowAfter attempts on one account from any address (default twice
	// MaxFailures, so that one address alone does not reach it) are checked
	// at once in each SlowWindow (default a minute); past that, each attempt
	// on the account waits its turn, one every SlowWindow/SlowAfter, and at
	// most MaxSlowDown (default 30 s), then is checked. No attempt is refused
	// for it, so a flood of wrong passwords from many addresses slows the
	// guesses without keeping the owner out (the per-address lock bounds how
	// many guesses can wait at once).
	SlowAfter   int
	SlowWindow  time.Duration
	MaxSlowDown time.Duration
	// Sleep waits an attempt's turn; nil means limit.Sleep (tests record
	// the waits instead).
	Sleep func(context.Context, time.Duration) error
	// PerAddress bounds login attempts from one client address per 10 minutes.
	PerAddress int
	// SecondStepTTL bounds the time between password and code.
	SecondStepTTL time.Duration
	// Now is the clock of the failure limits; nil means time.Now.
	Now func() time.Time
}

// Auth checks and creates logins.
type Auth struct {
	cfg   Config
	store *store.Store
	log   *slog.Logger
	// perAddr counts the attempts (passwords and codes) of each client
	// address, lock those of each address on each account, pace those on
	// each account from every address.
	perAddr, lock, pace *limit.Counter
}

// New returns an Auth over st.
func New(cfg Config, st *store.Store) *Auth {
	if cfg.Defaults.LoginHours == 0 {
		cfg.Defaults = store.DefaultSettings(cfg.Defaults.OrgName)
	}
	if cfg.MaxFailures == 0 {
		cfg.MaxFailures = 5
	}
	if cfg.LockFor == 0 || cfg.LockFor > store.LimitTTL {
		cfg.LockFor = store.LimitTTL
	}
	if cfg.SlowAfter == 0 {
		cfg.SlowAfter = 2 * cfg.MaxFailures
	}
	if cfg.SlowWindow == 0 {
		cfg.SlowWindow = time.Minute
	}
	if cfg.MaxSlowDown == 0 {
		cfg.MaxSlowDown = 30 * time.Second
	}
	if cfg.Sleep == nil {
		cfg.Sleep = limit.Sleep
	}
	if cfg.PerAddress == 0 {
		cfg.PerAddress = 30
	}
	if cfg.SecondStepTTL == 0 {
		cfg.SecondStepTTL = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Auth{cfg: cfg, store: st, log: cfg.Logger,
		perAddr: limit.New(st, limit.Rule{Max: cfg.PerAddress, Window: perAddressWindow}, cfg.Now, cfg.Logger),
		lock:    limit.New(st, limit.Rule{Max: cfg.MaxFailures, LockFor: cfg.LockFor}, cfg.Now, cfg.Logger),
		pace: limit.New(st, limit.Rule{Max: cfg.SlowAfter, Window: cfg.SlowWindow, Pace: cfg.MaxSlowDown, NeverRefuse: true},
			cfg.Now, cfg.Logger)}
}

// perAddressWindow is the window of Config.PerAddress.
const perAddressWindow = 10 * time.Minute

// Store is the store the logins live in.
func (a *Auth) Store() *store.Store { return a.store }

// Audit is the audit log logins are recorded in (may be nil).
func (a *Auth) Audit() *audit.Log { return a.cfg.Audit }

// Settings returns the organisation's current settings.
func (a *Auth) Settings(ctx context.Context) store.Settings {
	s, err := a.store.Settings(ctx, a.cfg.Defaults)
	if err != nil {
		a.log.Error("read settings", "err", err)
		return a.cfg.Defaults
	}
	return s
}

// Technician is a logged-in account as handlers see it.
type Technician struct {
	store.Account
	CSRF string
	// Perms is what the technician may do (every permission for an admin).
	Perms access.Set
	// Leads are the IDs of the groups the technician leads (store.Group.Leads):
	// they see those groups' reports. Require reads them for the HTTP
	// requests it lets through; Technician alone (each console message)
	// does not.
	Leads []string
}

// SeesReports reports whether the technician may open the reports: an
// administrator, or the lead of a group.
func (t Technician) SeesReports() bool { return t.IsAdmin() || len(t.Leads) > 0 }

// MayReportOn reports whether the technician may see the reports of group
// id: an administrator every group's, a lead their groups'.
func (t Technician) MayReportOn(id string) bool {
	return t.IsAdmin() || slices.Contains(t.Leads, id)
}

// Can reports whether the technician has permission p.
func (t Technician) Can(p access.Perm) bool { return t.Perms.Has(p) }

// IsAdmin reports whether the technician is an administrator.
func (t Technician) IsAdmin() bool { return t.Role == store.RoleAdmin }

type ctxKey struct{}

// From returns the technician that Require put in the request context.
func From(ctx context.Context) (Technician, bool) {
	t, ok := ctx.Value(ctxKey{}).(Technician)
	return t, ok
}

// RandomSecret returns n random bytes as URL-safe base64.
func RandomSecret(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashPassword hashes a new password; ErrWeakPassword if it is too short.
func HashPassword(password string) ([]byte, error) {
	if len([]rune(password)) < MinPassword {
		return nil, ErrWeakPassword
	}
	return hashPassword(password)
}

// CreateTechnician creates an account with a hashed password. Role empty means
// technician; groupID empty means the default group.
func (a *Auth) CreateTechnician(ctx context.Context, id, name, password string, role store.Role, groupID string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return a.store.CreateTechnician(ctx, store.Account{ID: id, Name: name, Role: role, PasswordHash: hash, GroupID: groupID})
}

// PermsOf returns what an account may do.
func (a *Auth) PermsOf(ctx context.Context, acc store.Account) (access.Set, error) {
	if acc.Role == store.RoleAdmin {
		return access.Full(), nil
	}
	g, err := a.store.Group(ctx, acc.GroupID)
	if errors.Is(err, store.ErrNotFound) {
		g, err = a.store.Group(ctx, store.DefaultGroupID)
	}
	if err != nil {
		return nil, err
	}
	if g.Permissions == nil {
		return access.Set{}, nil
	}
	return g.Permissions, nil
}

// EnsureAdmin creates the account "admin" if it does not exist yet. It returns the
// generated password (or the given one), or "" if the account already existed.
// It also saves the default technician group if none is saved: on a new
// install store.DefaultGroup (no other queues, no terminal, no system information); on an
// install from before that default (an admin exists, the group was never
// saved) every permission, which is what its technicians had, so that an
// upgrade changes nobody's access.
func (a *Auth) EnsureAdmin(ctx context.Context, name, password string) (string, error) {
	if _, err := a.store.Account(ctx, "admin"); err == nil {
		old := store.DefaultGroup()
		old.Permissions = access.Full()
		return "", a.store.KeepDefaultGroup(ctx, old)
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	// Before the admin: a first run stopped in between is still a new one.
	if err := a.store.KeepDefaultGroup(ctx, store.DefaultGroup()); err != nil {
		return "", err
	}
	// A generated password is seen once, printed in a log: its first login
	// must change it.
	generated := password == ""
	if generated {
		p, err := RandomSecret(12)
		if err != nil {
			return "", err
		}
		password = p
	}
	// The first password may be set by the operator and is not length-checked.
	hash, err := hashPassword(password)
	if err != nil {
		return "", err
	}
	err = a.store.CreateAccount(ctx, store.Account{ID: "admin", Name: name, Role: store.RoleAdmin, PasswordHash: hash, Created: time.Now(), MustChangePassword: generated})
	if errors.Is(err, store.ErrExists) {
		return "", nil // another node created it first
	}
	if err != nil {
		return "", err
	}
	return password, nil
}

func (a *Auth) record(ctx context.Context, e audit.Event) {
	if err := a.cfg.Audit.Record(ctx, e); err != nil {
		a.log.Error("audit", "err", err)
	}
}

// Login checks a username and password. Right, it sets the login cookie and
// returns nil, or, when the account has two-step login, sets a short pending
// login and returns ErrNeedCode. Wrong, it returns ErrBadLogin, a *LockedError
// once the account is locked, or ErrRateLimited for an address trying too
// often. Every attempt is counted before the password is checked; one that
// cannot be counted now is refused with ErrBusy, unchecked.
func (a *Auth) Login(ctx context.Context, w http.ResponseWriter, r *http.Request, username, password string) error {
	ip := ClientIP(r)
	addrKey, err := a.takeAddr(ctx, username, ip)
	if err != nil {
		return err
	}
	acc, err := a.store.Account(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		// Spend the same time as a real check so usernames cannot be probed.
		_, _ = checkPassword(dummyHash, password)
		a.record(ctx, audit.Event{Type: audit.LoginFailed, Actor: username, IP: ip, Detail: "unknown account"})
		return ErrBadLogin
	}
	if err != nil {
		a.perAddr.Give(ctx, addrKey)
		return err
	}
	at, err := a.takeAccount(ctx, acc.ID, ip)
	if err != nil {
		a.perAddr.Give(ctx, addrKey)
		return err
	}
	ok, stale := checkPassword(acc.PasswordHash, password)
	if !ok {
		return a.fail(ctx, acc.ID, ip, "wrong password", ErrBadLogin, at)
	}
	if stale {
		a.rehash(ctx, acc, password)
	}
	// The password was right: the account and its address do not hold it
	// against anyone (an office behind one address).
	a.giveAccount(ctx, acc.ID, ip)
	if acc.Disabled {
		a.record(ctx, audit.Event{Type: audit.LoginFailed, Actor: acc.ID, IP: ip, Detail: "disabled"})
		return ErrBadLogin
	}
	a.perAddr.Give(ctx, addrKey)
	if acc.TOTP != "" {
		if err := a.startLogin(ctx, w, acc, true, a.cfg.Now().Add(a.cfg.SecondStepTTL)); err != nil {
			return err
		}
		return ErrNeedCode
	}
	return a.finish(ctx, w, acc, ip)
}

// ChangePassword changes the password of the technician logged in on r
// (account id) from current to next. The current password is counted and
// checked like a login's (the same per-address limits and lock: a stolen
// login cannot guess it freely); wrong, it returns ErrWrongPassword or a
// *LockedError. next must follow the password rules (ErrWeakPassword) and
// differ from current (ErrSamePassword). Changed, every login of the
// account ends (a new generation, so other browsers are logged out) and
// this browser gets a new one; MustChangePassword is lifted.
func (a *Auth) ChangePassword(ctx context.Context, w http.ResponseWriter, r *http.Request, id, current, next string) error {
	ip := ClientIP(r)
	addrKey, err := a.takeAddr(ctx, id, ip)
	if err != nil {
		return err
	}
	acc, err := a.store.Account(ctx, id)
	if err != nil {
		a.perAddr.Give(ctx, addrKey)
		return err
	}
	at, err := a.takeAccount(ctx, id, ip)
	if err != nil {
		a.perAddr.Give(ctx, addrKey)
		return err
	}
	if ok, _ := checkPassword(acc.PasswordHash, current); !ok {
		return a.fail(ctx, id, ip, "wrong current password (password change)", ErrWrongPassword, at)
	}
	a.giveAccount(ctx, id, ip)
	a.perAddr.Give(ctx, addrKey)
	if next == current {
		return ErrSamePassword
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	if acc, err = a.store.SetPassword(ctx, id, hash); err != nil {
		return err
	}
	if c, err := r.Cookie(CookieName); err == nil {
		_ = a.store.DeleteLogin(ctx, c.Value)
	}
	a.record(ctx, audit.Event{Type: audit.AccountChanged, Actor: id, IP: ip, Detail: "password changed; every login ended"})
	return a.startLogin(ctx, w, acc, false, time.Now().Add(a.Settings(ctx).LoginTTL()))
}

// rehash replaces an account's stale password hash (bcrypt from before
// argon2id) once its password has been checked; it keeps any hash changed
// meanwhile (a reset) and only logs a failure: the login goes on.
func (a *Auth) rehash(ctx context.Context, acc store.Account, password string) {
	hash, err := hashPassword(password)
	if err == nil {
		_, err = a.store.UpdateAccount(ctx, acc.ID, func(cur *store.Account) error {
			if string(cur.PasswordHash) != string(acc.PasswordHash) {
				return errHashChanged
			}
			cur.PasswordHash = hash
			return nil
		})
	}
	if err != nil && !errors.Is(err, errHashChanged) {
		a.log.Warn("re-hash password", "account", acc.ID, "err", err)
	}
}

// lockKey is the key of the failures of one address on one account.
func lockKey(id, ip string) string { return lockPrefix(id) + "." + store.AddrKey(ip) }

// lockPrefix starts the keys of every address's failures on one account.
func lockPrefix(id string) string { return "lock." + store.HashKey(id) }

// takeAddr counts one attempt (a password or a code, for user) from ip
// before it is checked, and returns the key to give it back with; it
// refuses with ErrRateLimited when ip has failed PerAddress times in 10
// minutes, or ErrBusy.
func (a *Auth) takeAddr(ctx context.Context, user, ip string) (string, error) {
	key := "login." + store.AddrKey(ip)
	_, err := a.perAddr.Take(ctx, key)
	if errors.Is(err, limit.ErrLimited) {
		a.refused(ctx, user, ip, "rate limited")
		return key, ErrRateLimited
	}
	return key, busy(err)
}

// takeAccount counts one attempt on account id from ip before it is
// checked: against the address on the account (refused with a *LockedError
// while it is locked out; the MaxFailures-th attempt locks it) and against
// the account from anywhere (past SlowAfter in a SlowWindow the attempt
// waits its turn, never refused). A right attempt gives both back
// (giveAccount), and finish clears the address's lock.
func (a *Auth) takeAccount(ctx context.Context, id, ip string) (limit.Attempt, error) {
	at, err := a.lock.Take(ctx, lockKey(id, ip))
	var le *limit.Error
	if errors.As(err, &le) && errors.Is(err, limit.ErrLimited) {
		a.refused(ctx, id, ip, "locked for this address")
		return at, &LockedError{Until: le.Until}
	}
	if err != nil {
		return at, busy(err)
	}
	if err := a.slowDown(ctx, id, ip); err != nil {
		a.lock.Give(ctx, lockKey(id, ip))
		return at, err
	}
	return at, nil
}

// paceKey is the key of the attempts on one account from every address.
func paceKey(id string) string { return "pace." + store.HashKey(id) }

// slowDown counts one attempt on account id (from any address) and waits
// its turn when the account is being tried too often.
func (a *Auth) slowDown(ctx context.Context, id, ip string) error {
	at, err := a.pace.Take(ctx, paceKey(id))
	if err != nil {
		return busy(err)
	}
	if at.Wait > 0 {
		a.refused(ctx, id, ip, "slowed down")
		if err := a.cfg.Sleep(ctx, at.Wait); err != nil {
			a.pace.Give(ctx, paceKey(id))
			return err
		}
	}
	return nil
}

// giveAccount gives back the attempt takeAccount counted for a right
// password; it only logs a failure. The account's pace keeps its turns: a
// login does not lift the slow-down a flood of guesses brought.
func (a *Auth) giveAccount(ctx context.Context, id, ip string) {
	ctx = context.WithoutCancel(ctx)
	a.lock.Give(ctx, lockKey(id, ip))
	a.pace.Give(ctx, paceKey(id))
}

// refused records an attempt refused by a limit (coalesced in the trail).
func (a *Auth) refused(ctx context.Context, user, ip, why string) {
	if err := a.cfg.Audit.RecordRefusal(ctx, audit.Event{Type: audit.LoginFailed, Actor: user, IP: ip, Detail: why}); err != nil {
		a.log.Error("audit", "err", err)
	}
}

// fail records a wrong password or code, counted already by takeAddr and
// takeAccount, and returns err, or a *LockedError when that attempt locked
// the address out of the account.
func (a *Auth) fail(ctx context.Context, id, ip, why string, err error, at limit.Attempt) error {
	a.record(ctx, audit.Event{Type: audit.LoginFailed, Actor: id, IP: ip, Detail: why})
	if !at.Locked.IsZero() {
		a.record(ctx, audit.Event{Type: audit.LoginLocked, Actor: id, IP: ip, Detail: fmt.Sprintf("this address until %s", at.Locked.UTC().Format(time.RFC3339))})
		return &LockedError{Until: at.Locked}
	}
	return err
}

// busy turns a lost compare-and-set race (on a counter or an account) into
// ErrBusy: the attempt was not checked, and trying again soon is the answer.
func busy(err error) error {
	if errors.Is(err, limit.ErrBusy) || errors.Is(err, store.ErrConflict) {
		return ErrBusy
	}
	return err
}

// Unlock forgets an account's failures: every address's lockout and the
// slow-down.
func (a *Auth) Unlock(ctx context.Context, id string) error {
	if err := a.pace.Reset(ctx, paceKey(id)); err != nil {
		return err
	}
	return a.store.ClearLimits(ctx, lockPrefix(id))
}

// finish turns a checked account into a full login.
func (a *Auth) finish(ctx context.Context, w http.ResponseWriter, acc store.Account, ip string) error {
	if err := a.lock.Reset(ctx, lockKey(acc.ID, ip)); err != nil {
		return err
	}
	if err := a.startLogin(ctx, w, acc, false, time.Now().Add(a.Settings(ctx).LoginTTL())); err != nil {
		return err
	}
	a.record(ctx, audit.Event{Type: audit.LoginOK, Actor: acc.ID, IP: ip})
	return nil
}

func (a *Auth) startLogin(ctx context.Context, w http.ResponseWriter, acc store.Account, pending bool, exp time.Time) error {
	if acc.Generation == "" {
		var err error
		if acc, err = a.store.EnsureGeneration(ctx, acc.ID); err != nil {
			return err
		}
	}
	token, err := RandomSecret(32)
	if err != nil {
		return err
	}
	csrf, err := RandomSecret(32)
	if err != nil {
		return err
	}
	if err := a.store.PutLogin(ctx, token, store.Login{AccountID: acc.ID, CSRF: csrf, Expires: exp, Created: time.Now(), Pending: pending, Generation: acc.Generation}); err != nil {
		return fmt.Errorf("save login: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: token, Path: "/", Expires: exp,
		HttpOnly: true, Secure: a.cfg.Secure, SameSite: http.SameSiteStrictMode,
	})
	return nil
}

// Logout forgets the request's login and clears the cookie.
func (a *Auth) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil {
		if t, err := a.Technician(r); err == nil {
			a.record(r.Context(), audit.Event{Type: audit.Logout, Actor: t.ID, IP: ClientIP(r)})
		}
		_ = a.store.DeleteLogin(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.cfg.Secure, SameSite: http.SameSiteStrictMode})
}

// LogoutEverywhere ends every login of an account, on every browser.
func (a *Auth) LogoutEverywhere(ctx context.Context, id string) error {
	_, err := a.store.UpdateAccount(ctx, id, func(acc *store.Account) error {
		acc.LoginsValidAfter = time.Now()
		return nil
	})
	return err
}

// Technician returns the logged-in technician of a request.
func (a *Auth) Technician(r *http.Request) (Technician, error) {
	l, acc, err := a.login(r)
	if err != nil {
		return Technician{}, err
	}
	if l.Pending {
		return Technician{}, ErrNoLogin
	}
	perms, err := a.PermsOf(r.Context(), acc)
	if err != nil {
		return Technician{}, err
	}
	return Technician{Account: acc, CSRF: l.CSRF, Perms: perms}, nil
}

// LeadsOf lists the IDs of the groups account id leads.
func (a *Auth) LeadsOf(ctx context.Context, id string) ([]string, error) {
	gs, err := a.store.Groups(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, g := range gs {
		if g.LedBy(id) {
			out = append(out, g.ID)
		}
	}
	return out, nil
}

// login reads the request's login record and its account, refusing expired
// logins, logins older than a "log out everywhere", disabled accounts, and
// logins of another generation of the account (it was disabled since, or
// deleted and created again).
func (a *Auth) login(r *http.Request) (store.Login, store.Account, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return store.Login{}, store.Account{}, ErrNoLogin
	}
	l, err := a.store.Login(r.Context(), c.Value, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return l, store.Account{}, ErrNoLogin
	}
	if err != nil {
		return l, store.Account{}, err
	}
	acc, err := a.store.Account(r.Context(), l.AccountID)
	if err != nil || acc.Disabled || l.Created.Before(acc.LoginsValidAfter) || l.Generation == "" || l.Generation != acc.Generation {
		return l, acc, ErrNoLogin
	}
	return l, acc, nil
}

// PasswordPath is the change-password page, the only page a technician may
// open while their account must change its password.
const PasswordPath = "/account/password"

// EnrolPath is the two-step enrolment page, the only page a technician may open
// while two-step login is mandatory and not yet set up.
const EnrolPath = "/account/2fa"

// Require lets only logged-in technicians through; others are sent to the login page
// (pages) or get 401 (everything under /api/ and /ws/). Unsafe methods also need the
// login's CSRF token in the "csrf" form field or the X-CSRF-Token header. An account
// that must change its password only reaches PasswordPath (pages are sent there,
// everything else gets 403). When the organisation requires two-step login, accounts
// without it only reach EnrolPath.
func (a *Auth) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := a.Technician(r)
		if err != nil {
			if isAPI(r) {
				http.Error(w, "login required", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.Path), http.StatusSeeOther)
			return
		}
		if !safeMethod(r.Method) {
			got := r.Header.Get("X-CSRF-Token")
			if got == "" {
				got = r.PostFormValue("csrf")
			}
			if subtle.ConstantTimeCompare([]byte(got), []byte(t.CSRF)) != 1 {
				http.Error(w, "this form has expired; reload the page and try again", http.StatusForbidden)
				return
			}
		}
		if first, err := a.First(r, t); err != nil {
			if isAPI(r) || (first == PasswordPath && !safeMethod(r.Method)) {
				http.Error(w, err.Error(), http.StatusForbidden)
				return
			}
			http.Redirect(w, r, first, http.StatusSeeOther)
			return
		}
		if t.Leads, err = a.LeadsOf(r.Context(), t.ID); err != nil {
			// Pages still work; reports refuse a lead until the groups read again.
			a.log.Warn("read the groups the technician leads", "tech", t.ID, "err", err)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, t)))
	})
}

// First returns the page technician t must go through before the one r
// asks for, and why (ErrMustChangePassword, ErrNeedTwoStep), or "" and nil.
// Require and the console's WebSocket both ask it.
func (a *Auth) First(r *http.Request, t Technician) (string, error) {
	p := r.URL.Path
	switch {
	case p == "/logout":
		return "", nil
	case t.MustChangePassword && p != PasswordPath:
		return PasswordPath, ErrMustChangePassword
	case t.TOTP == "" && !t.MustChangePassword && !strings.HasPrefix(p, EnrolPath) && a.Settings(r.Context()).RequireTOTP:
		return EnrolPath, ErrNeedTwoStep
	}
	return "", nil
}

// RequirePerm is Require, then 403 unless the technician has permission p.
func (a *Auth) RequirePerm(p access.Perm, next http.Handler) http.Handler {
	return a.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, _ := From(r.Context())
		if !t.Can(p) {
			a.record(r.Context(), audit.Event{Type: audit.PermissionDenied, Actor: t.ID, IP: ClientIP(r), Detail: string(p) + " " + r.Method + " " + r.URL.Path})
			http.Error(w, ErrForbidden.Error(), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	}))
}

// RequireAdmin is Require, then 403 unless the technician is an administrator.
func (a *Auth) RequireAdmin(next http.Handler) http.Handler {
	return a.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, _ := From(r.Context())
		if !t.IsAdmin() {
			http.Error(w, "administrators only", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	}))
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func isAPI(r *http.Request) bool {
	p := r.URL.Path
	return len(p) >= 4 && (p[:4] == "/api" || p[:4] == "/ws/")
}

// DisplayName is the technician's name as pages show it.
func (t Technician) DisplayName() string { return t.Name }

// CSRFToken is the login's CSRF token for forms.
func (t Technician) CSRFToken() string { return t.CSRF }
