// Package login is the technician's login (password, then the two-step code
// when the account has one) and logout, here or everywhere.
package login

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/text"
	"github.com/lifeline-support/lifeline/signaling/auth"
)

// Handler serves /login, /login/code, /logout and /logout/everywhere.
type Handler struct {
	Auth   *auth.Auth
	Logger *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", h.form)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("GET /login/code", h.codeForm)
	mux.HandleFunc("POST /login/code", h.code)
	mux.Handle("POST /logout", h.Auth.Require(http.HandlerFunc(h.logout)))
	mux.Handle("POST /logout/everywhere", h.Auth.Require(http.HandlerFunc(h.logoutEverywhere)))
}

func (h *Handler) form(w http.ResponseWriter, r *http.Request) {
	p := layout.NewPage(w, r, "login.title")
	_ = view(p, safeNext(r.URL.Query().Get("next")), "").Render(r.Context(), w)
}

// maxForm bounds the login and code forms.
const maxForm = 8 << 10

// readForm parses a posted form of at most maxForm bytes; if it cannot, it
// answers 413 (too large) or 400 and returns false.
func readForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	err := r.ParseForm()
	if err == nil {
		return true
	}
	p := layout.NewPage(w, r, "login.title")
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		http.Error(w, p.T("error.tooLarge"), http.StatusRequestEntityTooLarge)
		return false
	}
	http.Error(w, p.T("error.badForm"), http.StatusBadRequest)
	return false
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if !readForm(w, r) {
		return
	}
	next := safeNext(r.PostFormValue("next"))
	err := h.Auth.Login(r.Context(), w, r, strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password"))
	switch {
	case err == nil:
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	case errors.Is(err, auth.ErrNeedCode):
		http.Redirect(w, r, "/login/code?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	p := layout.NewPage(w, r, "login.title")
	h.writeStatus(w, err)
	_ = view(p, next, h.message(p, err)).Render(r.Context(), w)
}

func (h *Handler) codeForm(w http.ResponseWriter, r *http.Request) {
	if !h.Auth.Pending(r) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	p := layout.NewPage(w, r, "login.title")
	_ = codeView(p, safeNext(r.URL.Query().Get("next")), "").Render(r.Context(), w)
}

func (h *Handler) code(w http.ResponseWriter, r *http.Request) {
	if !readForm(w, r) {
		return
	}
	next := safeNext(r.PostFormValue("next"))
	err := h.Auth.SecondStep(w, r, r.PostFormValue("code"))
	if err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if errors.Is(err, auth.ErrNoLogin) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	p := layout.NewPage(w, r, "login.title")
	h.writeStatus(w, err)
	_ = codeView(p, next, h.message(p, err)).Render(r.Context(), w)
}

// writeStatus answers a failed login: 401 for a wrong password or code, 429
// for a limit (with Retry-After when the wait is known), 500 otherwise.
func (h *Handler) writeStatus(w http.ResponseWriter, err error) {
	var locked *auth.LockedError
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, auth.ErrBadLogin), errors.Is(err, auth.ErrBadCode):
		status = http.StatusUnauthorized
	case errors.As(err, &locked):
		status = retryAfter(w, time.Until(locked.Until))
	case errors.Is(err, auth.ErrBusy):
		status = retryAfter(w, time.Second)
	case errors.Is(err, auth.ErrRateLimited):
		status = http.StatusTooManyRequests
	}
	w.WriteHeader(status)
}

// retryAfter sets the Retry-After header to d (at least a second) and
// returns 429.
func retryAfter(w http.ResponseWriter, d time.Duration) int {
	w.Header().Set("Retry-After", strconv.Itoa(max(int(math.Ceil(d.Seconds())), 1)))
	return http.StatusTooManyRequests
}

func (h *Handler) message(p layout.Page, err error) string {
	var locked *auth.LockedError
	switch {
	case errors.Is(err, auth.ErrBadLogin):
		return p.T("login.wrong")
	case errors.Is(err, auth.ErrBadCode):
		return p.T("login.wrongCode")
	case errors.As(err, &locked):
		return p.T("login.locked", i18n.Time(p.Lang, locked.Until.Local()))
	case errors.Is(err, auth.ErrRateLimited):
		return p.T("login.rateLimited")
	case errors.Is(err, auth.ErrBusy):
		return p.T("login.busy")
	}
	h.Logger.Error("login", "err", err)
	return p.T("error.server")
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	h.Auth.Logout(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (h *Handler) logoutEverywhere(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	if err := h.Auth.LogoutEverywhere(r.Context(), t.ID); err != nil {
		h.Logger.Error("logout everywhere", "err", err)
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	h.Auth.Logout(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps redirects after login on this site: next must be an absolute
// path of this origin (no scheme, no host, no "//" or backslash start even
// once decoded) made of visible characters; anything else goes to the console.
func safeNext(next string) string {
	const home = "/console"
	if next == "" || text.CheckName(next) != nil || strings.ContainsAny(next, " \\") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(next, "/") || strings.HasPrefix(u.Path, "//") ||
		strings.ContainsAny(u.Path, " \\") || text.CheckName(u.Path) != nil {
		return home
	}
	return next
}
