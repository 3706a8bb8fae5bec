// Package login is the technician's login and logout.
package login

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/signaling/auth"
)

// Handler serves /login and /logout.
type Handler struct {
	Auth   *auth.Auth
	Logger *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", h.form)
	mux.HandleFunc("POST /login", h.login)
	mux.Handle("POST /logout", h.Auth.Require(http.HandlerFunc(h.logout)))
}

func (h *Handler) form(w http.ResponseWriter, r *http.Request) {
	p := layout.NewPage(w, r, "login.title")
	_ = view(p, safeNext(r.URL.Query().Get("next")), "").Render(r.Context(), w)
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	next := safeNext(r.PostFormValue("next"))
	err := h.Auth.Login(r.Context(), w, strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password"))
	if err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	p := layout.NewPage(w, r, "login.title")
	msg := p.T("login.wrong")
	if !errors.Is(err, auth.ErrBadLogin) {
		h.Logger.Error("login", "err", err)
		msg = p.T("error.server")
		w.WriteHeader(http.StatusInternalServerError)
	} else {
		w.WriteHeader(http.StatusUnauthorized)
	}
	_ = view(p, next, msg).Render(r.Context(), w)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	h.Auth.Logout(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps redirects after login on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/console"
	}
	return next
}
