package auth

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

var (
	// ErrBadLogin means the username or password is wrong.
	ErrBadLogin = errors.New("wrong username or password")
	// ErrNoLogin means the request carries no valid login.
	ErrNoLogin = errors.New("not logged in")
	// ErrNeedCode means the password was right and the two-step code comes next.
	ErrNeedCode = errors.New("two-step code needed")
	// ErrBadCode means the two-step or recovery code is wrong.
	ErrBadCode = errors.New("wrong code")
	// ErrRateLimited means too many login attempts came from one address.
	ErrRateLimited = errors.New("too many login attempts from this address; wait a few minutes")
	// ErrBusy means too many login attempts arrived at once to count this
	// one: it was not checked, and may be tried again in a moment.
	ErrBusy = errors.New("too many login attempts at once; try again in a moment")
	// ErrWeakPassword means a new password is too short.
	ErrWeakPassword = fmt.Errorf("a password needs at least %d characters", MinPassword)
	// ErrWrongPassword means the current password given to change it is wrong.
	ErrWrongPassword = errors.New("the current password is wrong")
	// ErrSamePassword means a new password is the current one.
	ErrSamePassword = errors.New("the new password must differ from the current one")
	// ErrMustChangePassword means the account must change its password
	// before anything else (the first login with a generated password).
	ErrMustChangePassword = errors.New("change your password first")
	// ErrNeedTwoStep means the organisation requires two-step login and the
	// account has not set it up yet.
	ErrNeedTwoStep = errors.New("set up two-step login first")
	// ErrForbidden means the technician lacks the permission.
	ErrForbidden = errors.New("your group does not allow this")

	// ErrBadProxy means a --trusted-proxy value is neither a CIDR nor an address.
	ErrBadProxy = errors.New("not a CIDR or an IP address")

	// errHashChanged means a password hash changed while it was being replaced.
	errHashChanged = errors.New("password hash changed meanwhile")
)

// LockedError means the client's address is locked out of the account after
// repeated failures from it.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many failed attempts from your address: this account is locked for it until %s", e.Until.Format("15:04 MST"))
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
