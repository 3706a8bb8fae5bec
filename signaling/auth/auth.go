// Package auth logs technicians in: bcrypt password hashes, HttpOnly SameSite
// cookies backed by the login bucket, CSRF tokens for state-changing requests, and
// the admin account created on first run.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/lifeline-support/lifeline/signaling/store"
)

// CookieName is the login cookie.
const CookieName = "lifeline_login"

// Config sets login behaviour.
type Config struct {
	LoginTTL time.Duration
	// Secure marks cookies Secure; set it when the server is reached over TLS.
	Secure bool
}

// Auth checks and creates logins.
type Auth struct {
	cfg   Config
	store *store.Store
}

// New returns an Auth over st.
func New(cfg Config, st *store.Store) *Auth {
	if cfg.LoginTTL == 0 {
		cfg.LoginTTL = 12 * time.Hour
	}
	return &Auth{cfg: cfg, store: st}
}

// Technician is a logged-in account as handlers see it.
type Technician struct {
	store.Account
	CSRF string
}

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

// EnsureAdmin creates the account "admin" if it does not exist yet. It returns the
// generated password (or the given one), or "" if the account already existed.
func (a *Auth) EnsureAdmin(ctx context.Context, name, password string) (string, error) {
	if _, err := a.store.Account(ctx, "admin"); err == nil {
		return "", nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if password == "" {
		p, err := RandomSecret(12)
		if err != nil {
			return "", err
		}
		password = p
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", err
	}
	err = a.store.CreateAccount(ctx, store.Account{ID: "admin", Name: name, Role: store.RoleAdmin, PasswordHash: hash, Created: time.Now()})
	if errors.Is(err, store.ErrExists) {
		return "", nil // another node created it first
	}
	if err != nil {
		return "", err
	}
	return password, nil
}

// Login checks a username and password and, if right, sets the login cookie.
func (a *Auth) Login(ctx context.Context, w http.ResponseWriter, username, password string) error {
	acc, err := a.store.Account(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		// Spend the same time as a real check so usernames cannot be probed.
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return ErrBadLogin
	}
	if err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword(acc.PasswordHash, []byte(password)) != nil {
		return ErrBadLogin
	}
	token, err := RandomSecret(32)
	if err != nil {
		return err
	}
	csrf, err := RandomSecret(32)
	if err != nil {
		return err
	}
	exp := time.Now().Add(a.cfg.LoginTTL)
	if err := a.store.PutLogin(ctx, token, store.Login{AccountID: acc.ID, CSRF: csrf, Expires: exp}); err != nil {
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
		_ = a.store.DeleteLogin(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.cfg.Secure, SameSite: http.SameSiteStrictMode})
}

// Technician returns the logged-in technician of a request.
func (a *Auth) Technician(r *http.Request) (Technician, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return Technician{}, ErrNoLogin
	}
	l, err := a.store.Login(r.Context(), c.Value, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return Technician{}, ErrNoLogin
	}
	if err != nil {
		return Technician{}, err
	}
	acc, err := a.store.Account(r.Context(), l.AccountID)
	if err != nil {
		return Technician{}, ErrNoLogin
	}
	return Technician{Account: acc, CSRF: l.CSRF}, nil
}

// Require lets only logged-in technicians through; others are sent to the login page
// (pages) or get 401 (everything under /api/ and /ws/). Unsafe methods also need the
// login's CSRF token in the "csrf" form field or the X-CSRF-Token header.
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
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, t)))
	})
}

var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("lifeline"), bcrypt.DefaultCost)

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func isAPI(r *http.Request) bool {
	p := r.URL.Path
	return len(p) >= 4 && (p[:4] == "/api" || p[:4] == "/ws/")
}
