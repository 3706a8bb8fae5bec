// Package account is the technician's own account page: two-step login
// enrolment (QR code, recovery codes) and logging out everywhere.
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

// Handler serves /account and /account/2fa.
type Handler struct {
	Auth   *auth.Auth
	Logger *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /account", h.Auth.Require(http.HandlerFunc(h.page)))
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
	_ = view(p, t.TOTP != "").Render(r.Context(), w)
}

func (h *Handler) enrolForm(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "account.2fa", t)
	if t.TOTP != "" {
		_ = view(p, true).Render(r.Context(), w)
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
