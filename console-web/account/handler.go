// Package account is the technician's own account page: changing the
// password, two-step login enrolment (QR code, recovery codes) and logging
// out everywhere.
package account

import (
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"

	"rsc.io/qr"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/totp"
)

// Handler serves /account, /account/password and /account/2fa.
type Handler struct {
	Auth   *auth.Auth
	Logger *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /account", h.Auth.Require(http.HandlerFunc(h.page)))
	mux.Handle("GET "+auth.PasswordPath, h.Auth.Require(http.HandlerFunc(h.passwordForm)))
	mux.Handle("POST "+auth.PasswordPath, h.Auth.Require(http.HandlerFunc(h.changePassword)))
	mux.Handle("GET "+auth.EnrolPath, h.Auth.Require(http.HandlerFunc(h.enrolForm)))
	mux.Handle("POST "+auth.EnrolPath, h.Auth.Require(http.HandlerFunc(h.enrol)))
}

type enrolData struct {
	Secret string
	URI    string
	QR     string // data: URL of a PNG
	Codes  []string
	Error  string
	// Required says the organisation makes two-step login mandatory.
	Required bool
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "account.title", t)
	_ = view(p, t.TOTP != "", r.URL.Query().Get("changed") == "password").Render(r.Context(), w)
}

// passwordData is what the change-password page shows.
type passwordData struct {
	// Required says the account must change its password before anything
	// else (the first login with a generated password).
	Required bool
	Error    string
}

func (h *Handler) passwordForm(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "account.password", t)
	w.Header().Set("Cache-Control", "no-store")
	_ = passwordView(p, passwordData{Required: t.MustChangePassword}).Render(r.Context(), w)
}

// changePassword changes the technician's password: the current one, the
// new one twice. A mistake answers 400 with the form and what to fix; a
// change ends every other login and goes to the console (after a required
// change) or back to the account page, which says so.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "account.password", t)
	next := r.PostFormValue("new")
	var err error
	if next != r.PostFormValue("confirm") {
		err = errMismatch
	} else {
		err = h.Auth.ChangePassword(r.Context(), w, r, t.ID, r.PostFormValue("current"), next)
	}
	var locked *auth.LockedError
	msg := ""
	switch {
	case err == nil:
		to := "/account?changed=password"
		if t.MustChangePassword {
			to = "/console"
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	case errors.Is(err, errMismatch):
		msg = p.T("account.passwordMismatch")
	case errors.Is(err, auth.ErrWrongPassword):
		msg = p.T("account.passwordWrong")
	case errors.Is(err, auth.ErrWeakPassword):
		msg = p.T("account.passwordShort", auth.MinPassword)
	case errors.Is(err, auth.ErrSamePassword):
		msg = p.T("account.passwordSame")
	case errors.As(err, &locked):
		msg = p.T("login.locked", locked.Until.Local().Format("15:04"))
	case errors.Is(err, auth.ErrRateLimited), errors.Is(err, auth.ErrBusy):
		msg = p.T("login.rateLimited")
	default:
		h.Logger.Error("change password", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusBadRequest)
	_ = passwordView(p, passwordData{Required: t.MustChangePassword, Error: msg}).Render(r.Context(), w)
}

func (h *Handler) enrolForm(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "account.2fa", t)
	if t.TOTP != "" {
		_ = view(p, true, false).Render(r.Context(), w)
		return
	}
	secret := t.TOTPPending
	if secret == "" {
		var err error
		if secret, err = h.Auth.BeginEnrolment(r.Context(), t.ID); err != nil {
			h.Logger.Error("begin enrolment", "err", err)
			http.Error(w, p.T("error.server"), http.StatusInternalServerError)
			return
		}
	}
	h.renderEnrol(w, r, p, secret, "")
}

func (h *Handler) renderEnrol(w http.ResponseWriter, r *http.Request, p layout.Page, secret, errMsg string) {
	t, _ := auth.From(r.Context())
	d := enrolData{Secret: secret, Error: errMsg, Required: h.Auth.Settings(r.Context()).RequireTOTP}
	d.URI = totp.URI(h.Auth.Settings(r.Context()).OrgName+" Lifeline", t.ID, secret)
	if code, err := qr.Encode(d.URI, qr.M); err == nil {
		code.Scale = 6
		d.QR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(code.PNG())
	}
	w.Header().Set("Cache-Control", "no-store")
	_ = enrolView(p, d).Render(r.Context(), w)
}

func (h *Handler) enrol(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "account.2fa", t)
	codes, err := h.Auth.ConfirmEnrolment(r.Context(), t.ID, r.PostFormValue("code"))
	if errors.Is(err, auth.ErrBadCode) {
		w.WriteHeader(http.StatusBadRequest)
		h.renderEnrol(w, r, p, t.TOTPPending, p.T("login.wrongCode"))
		return
	}
	if err != nil {
		h.Logger.Error("confirm enrolment", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	_ = enrolView(p, enrolData{Codes: codes}).Render(r.Context(), w)
}
