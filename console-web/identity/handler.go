// Package identity certifies technicians' browser keys: the console sends the
// public half of the key it keeps in IndexedDB, and gets a short-lived
// certificate signed by the organisation's key (signaling/orgkey), with which
// it proves its DTLS fingerprint to the customer's agent (shared/identity).
package identity

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/lifeline-support/lifeline/console-web/layout"
	sid "github.com/lifeline-support/lifeline/shared/identity"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/orgkey"
	"github.com/lifeline-support/lifeline/signaling/sessions"
)

// CertTTL is how long a technician's certificate lasts.
const CertTTL = 12 * time.Hour

// Path is where the console asks for its certificate.
const Path = "/api/identity/certify"

// Handler serves Path.
type Handler struct {
	Auth   *auth.Auth
	Keys   *orgkey.Keys
	Logger *slog.Logger
	// Now returns the time; nil means time.Now.
	Now func() time.Time
	// Externals, if set, certifies the keys of external collaborators'
	// limited consoles too (no technician login, their login's cookie):
	// in their name, for as long as they are in their session.
	Externals Externals
}

// Externals checks an external collaborator's login (signaling/sessions).
type Externals interface {
	ExternalTechnician(ctx context.Context, login sessions.ExternalLogin) (auth.Technician, error)
}

// Register adds the route to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	technician := h.Auth.Require(http.HandlerFunc(h.certify))
	mux.HandleFunc("POST "+Path, func(w http.ResponseWriter, r *http.Request) {
		if _, err := h.Auth.Technician(r); errors.Is(err, auth.ErrNoLogin) && h.Externals != nil {
			if login, ok := sessions.ExternalFromRequest(r); ok {
				h.certifyExternal(w, r, login)
				return
			}
		}
		technician.ServeHTTP(w, r)
	})
}

// certifyExternal certifies the key of an external collaborator's console.
func (h *Handler) certifyExternal(w http.ResponseWriter, r *http.Request, login sessions.ExternalLogin) {
	t, err := h.Externals.ExternalTechnician(r.Context(), login)
	if err != nil {
		http.Error(w, layout.NewPage(w, r, "").T("ext.gone"), http.StatusUnauthorized)
		return
	}
	h.sign(w, r, t)
}

// Request is what the console sends.
type Request struct {
	// Key is the browser key's public half, standard base64 of its SPKI DER.
	Key string `json:"key"`
}

// Response is what the console gets back.
type Response struct {
	Cert string `json:"cert"`
	// OrgKeys are the organisation's verifying keys (standard base64), to
	// check the agents' certificates with.
	OrgKeys []string `json:"orgKeys"`
	// NotAfter is when Cert expires (Unix milliseconds).
	NotAfter int64 `json:"notAfter"`
}

func (h *Handler) certify(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	h.sign(w, r, t)
}

// sign certifies the key in r's body as t's.
func (h *Handler) sign(w http.ResponseWriter, r *http.Request, t auth.Technician) {
	p := layout.NewPage(w, r, "")
	var req Request
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, p.T("identity.badKey"), http.StatusBadRequest)
		return
	}
	if _, err := sid.ParseKey(req.Key); err != nil {
		http.Error(w, p.T("identity.badKey"), http.StatusBadRequest)
		return
	}
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	exp := now.Add(CertTTL)
	cert, err := h.Keys.Sign(sid.Cert{Kind: sid.KindTechnician, Subject: t.ID, Name: t.Name, Org: h.Auth.Settings(r.Context()).OrgName, Key: req.Key, NotAfter: exp.Unix()})
	if err != nil {
		h.Logger.Error("certify", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(Response{Cert: cert, OrgKeys: h.Keys.Encoded(now), NotAfter: exp.UnixMilli()})
}
