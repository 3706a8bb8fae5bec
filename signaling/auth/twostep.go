package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/store"
	"github.com/lifeline-support/lifeline/signaling/totp"
)

// RecoveryCodes is how many recovery codes an enrolment issues.
const RecoveryCodes = 10

// Pending reports whether the request carries a login waiting for its code.
func (a *Auth) Pending(r *http.Request) bool {
	l, _, err := a.login(r)
	return err == nil && l.Pending
}

// SecondStep finishes a pending login with a TOTP code or a recovery code.
func (a *Auth) SecondStep(w http.ResponseWriter, r *http.Request, code string) error {
	ctx := r.Context()
	ip := ClientIP(r)
	l, acc, err := a.login(r)
	if err != nil || !l.Pending {
		return ErrNoLogin
	}
	addrKey, err := a.takeAddr(ctx, acc.ID, ip)
	if err != nil {
		return err
	}
	at, err := a.takeAccount(ctx, acc.ID, ip)
	if err != nil {
		a.perAddr.Give(ctx, addrKey)
		return err
	}
	now := a.cfg.Now()
	code = strings.TrimSpace(code)
	usedRecovery := false
	acc, err = a.store.UpdateAccount(ctx, acc.ID, func(acc *store.Account) error {
		if step, ok := totp.Verify(acc.TOTP, code, now, acc.TOTPLastStep); ok {
			acc.TOTPLastStep = step
			return nil
		}
		h := recoveryHash(code)
		if i := slices.Index(acc.RecoveryHashes, h); i >= 0 {
			acc.RecoveryHashes = slices.Delete(acc.RecoveryHashes, i, i+1)
			usedRecovery = true
			return nil
		}
		return ErrBadCode
	})
	if errors.Is(err, ErrBadCode) {
		return a.fail(ctx, l.AccountID, ip, "wrong two-step code", ErrBadCode, at)
	}
	if err != nil {
		// Not checked (a lost race on the account): not held against anyone.
		a.giveAccount(ctx, l.AccountID, ip)
		a.perAddr.Give(ctx, addrKey)
		return busy(err)
	}
	a.perAddr.Give(ctx, addrKey)
	if c, err := r.Cookie(CookieName); err == nil {
		_ = a.store.DeleteLogin(ctx, c.Value)
	}
	if usedRecovery {
		a.record(ctx, audit.Event{Type: audit.RecoveryCodeUsed, Actor: acc.ID, IP: ip})
	}
	return a.finish(ctx, w, acc, ip)
}

// BeginEnrolment stores a new pending secret for the account and returns it.
func (a *Auth) BeginEnrolment(ctx context.Context, id string) (string, error) {
	secret, err := totp.NewSecret()
	if err != nil {
		return "", err
	}
	_, err = a.store.UpdateAccount(ctx, id, func(acc *store.Account) error {
		acc.TOTPPending = secret
		return nil
	})
	return secret, err
}

// ConfirmEnrolment turns the pending secret on if code matches it, and returns
// fresh recovery codes, shown once.
func (a *Auth) ConfirmEnrolment(ctx context.Context, id, code string) ([]string, error) {
	codes := make([]string, RecoveryCodes)
	hashes := make([]string, RecoveryCodes)
	for i := range codes {
		c, err := RandomSecret(10)
		if err != nil {
			return nil, err
		}
		c = strings.ToLower(strings.NewReplacer("-", "x", "_", "y").Replace(c))
		codes[i] = c[:4] + "-" + c[4:8] + "-" + c[8:12]
		hashes[i] = recoveryHash(codes[i])
	}
	_, err := a.store.UpdateAccount(ctx, id, func(acc *store.Account) error {
		if acc.TOTPPending == "" {
			return ErrBadCode
		}
		step, ok := totp.Verify(acc.TOTPPending, code, time.Now(), 0)
		if !ok {
			return ErrBadCode
		}
		acc.TOTP, acc.TOTPPending, acc.TOTPLastStep, acc.RecoveryHashes = acc.TOTPPending, "", step, hashes
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.record(ctx, audit.Event{Type: audit.TwoStepEnabled, Actor: id})
	return codes, nil
}

func recoveryHash(code string) string {
	h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(code))))
	return hex.EncodeToString(h[:])
}
