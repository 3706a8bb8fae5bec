package sessions

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/sessions"
)

// Externals is what the external collaborators' pages need of the session
// service (signaling/sessions: external.go).
type Externals interface {
	InviteExternal(ctx context.Context, tech auth.Technician, sid string, grant []string, comment string) (sessions.ExternalInvitation, error)
	JoinExternal(ctx context.Context, token, name string) (sessions.ExternalLogin, error)
	ExternalTechnician(ctx context.Context, login sessions.ExternalLogin) (auth.Technician, error)
}

// PINs trades an invitation's PIN for its link token (signaling/invite).
type PINs interface {
	RedeemExternalPIN(ctx context.Context, addr, pin string) (string, error)
}

// ExternalRequest is the body of POST /console/sessions/{sid}/external.
type ExternalRequest struct {
	Grant   []string `json:"grant"`
	Comment string   `json:"comment"`
}

// ExternalCreated is its answer: the link and PIN to hand over.
type ExternalCreated struct {
	ID      string `json:"id"`
	Link    string `json:"link"`
	JoinURL string `json:"joinUrl"`
	PIN     string `json:"pin"`
	Expires string `json:"expires"`
}

// registerExternal adds the external collaborators' routes: the lead's
// invitation, and (no account) the link, the PIN page and the limited
// console.
func (h *Handler) registerExternal(mux *http.ServeMux) {
	mux.Handle("POST /console/sessions/{sid}/external", h.Auth.Require(http.HandlerFunc(h.createExternal)))
	mux.HandleFunc("GET /x/{token}", h.externalName)
	mux.HandleFunc("POST /x/{token}", h.externalJoin)
	mux.HandleFunc("GET /x", h.externalPINForm)
	mux.HandleFunc("POST /x", h.externalPIN)
	mux.HandleFunc("GET /x/session", h.externalWorkspace)
}

// createExternal makes an external collaborator's invitation for the lead.
func (h *Handler) createExternal(w http.ResponseWriter, r *http.Request) {
	p, t := h.page(w, r, "console.title")
	var req ExternalRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	dec.DisallowUnknownFields()
	refuse := func(status int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(Refusal{Message: msg})
	}
	if err := dec.Decode(&req); err != nil || len(req.Grant) > 16 {
		refuse(http.StatusBadRequest, p.T("ext.bad"))
		return
	}
	if req.Grant == nil {
		req.Grant = []string{}
	}
	inv, err := h.Externals.InviteExternal(r.Context(), t, r.PathValue("sid"), req.Grant, req.Comment)
	var denied *sessions.DeniedError
	switch {
	case err == nil:
	case errors.Is(err, sessions.ErrNotFound):
		refuse(http.StatusNotFound, p.T("console.notFoundText"))
		return
	case errors.Is(err, sessions.ErrTooManyHelpers):
		refuse(http.StatusConflict, p.T("ext.full"))
		return
	case errors.As(err, &denied), errors.Is(err, sessions.ErrLeadOnly), errors.Is(err, sessions.ErrNotWorking), errors.Is(err, sessions.ErrBadComment):
		refuse(http.StatusForbidden, sessions.Message(err))
		return
	default:
		h.Logger.Error("external invitation", "err", err)
		refuse(http.StatusInternalServerError, p.T("error.server"))
		return
	}
	base := strings.TrimRight(h.PublicURL, "/")
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(ExternalCreated{ID: inv.ID, Link: base + "/x/" + inv.Token, JoinURL: base + "/x", PIN: inv.PIN,
		Expires: i18n.Time(p.Lang, inv.Expires.Local())})
}

// externalName asks whoever opened an external link for their name.
func (h *Handler) externalName(w http.ResponseWriter, r *http.Request) {
	p := layout.NewPage(w, r, "ext.title")
	_ = externalNameView(p, r.PathValue("token"), "").Render(r.Context(), w)
}

// externalMessage is the catalog key of what an external collaborator reads
// for err from JoinExternal; "" for a failure of the server.
func externalMessage(err error) string {
	switch {
	case errors.Is(err, sessions.ErrExternalUsed):
		return "ext.used"
	case errors.Is(err, sessions.ErrExternalExpired):
		return "ext.expired"
	case errors.Is(err, sessions.ErrExternalWithdrawn):
		return "ext.withdrawn"
	case errors.Is(err, sessions.ErrExternalEnded):
		return "ext.ended"
	case errors.Is(err, sessions.ErrExternalInvalid):
		return "ext.invalid"
	case errors.Is(err, sessions.ErrTooManyHelpers):
		return "ext.full"
	case errors.Is(err, sessions.ErrExternalName):
		return "ext.name"
	}
	return ""
}

// externalJoin lets them in under the name they typed: their login goes in
// a cookie for the limited console.
func (h *Handler) externalJoin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	p := layout.NewPage(w, r, "ext.title")
	token := r.PathValue("token")
	login, err := h.Externals.JoinExternal(r.Context(), token, r.PostFormValue("name"))
	if err != nil {
		key := externalMessage(err)
		if key == "" {
			h.Logger.Error("external collaborator's join", "err", err)
			key = "error.server"
		}
		status := http.StatusBadRequest
		if key == "ext.used" || key == "ext.ended" || key == "ext.withdrawn" || key == "ext.expired" || key == "ext.full" {
			status = http.StatusGone
		}
		w.WriteHeader(status)
		_ = externalNameView(p, token, p.T(key)).Render(r.Context(), w)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessions.ExternalCookie, Value: login.String(), Path: "/", HttpOnly: true,
		Secure: r.TLS != nil || strings.HasPrefix(h.PublicURL, "https:"), SameSite: http.SameSiteStrictMode,
		Expires: time.Now().Add(24 * time.Hour)})
	http.Redirect(w, r, "/x/session", http.StatusSeeOther)
}

// externalPINForm asks for the PIN of an external invitation.
func (h *Handler) externalPINForm(w http.ResponseWriter, r *http.Request) {
	p := layout.NewPage(w, r, "ext.title")
	_ = externalPINView(p, "").Render(r.Context(), w)
}

// externalPIN trades the PIN for its link, which asks for the name.
func (h *Handler) externalPIN(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	p := layout.NewPage(w, r, "ext.title")
	pin := strings.Join(strings.Fields(r.PostFormValue("pin")), "")
	token, err := h.PINs.RedeemExternalPIN(r.Context(), r.RemoteAddr, pin)
	var rl *invite.RateLimitError
	switch {
	case err == nil:
		http.Redirect(w, r, "/x/"+token, http.StatusSeeOther)
	case errors.As(err, &rl):
		w.WriteHeader(http.StatusTooManyRequests)
		_ = externalPINView(p, p.T("join.tooMany", max(int(rl.RetryAfter/time.Second), 1))).Render(r.Context(), w)
	case errors.Is(err, invite.ErrInvalidPIN):
		w.WriteHeader(http.StatusBadRequest)
		_ = externalPINView(p, p.T("join.badPIN")).Render(r.Context(), w)
	case errors.Is(err, invite.ErrPINForCustomer):
		w.WriteHeader(http.StatusBadRequest)
		_ = externalPINView(p, p.T("ext.pinForCustomer")).Render(r.Context(), w)
	default:
		h.Logger.Error("external collaborator's pin", "err", err)
		w.WriteHeader(http.StatusInternalServerError)
		_ = externalPINView(p, p.T("error.server")).Render(r.Context(), w)
	}
}

// externalWorkspace is the external collaborator's limited console: the
// session's workspace as a colleague's, with only what they are granted,
// nothing else of the console (no queue, no admin, no other session).
func (h *Handler) externalWorkspace(w http.ResponseWriter, r *http.Request) {
	p := layout.NewPage(w, r, "ext.title")
	login, ok := sessions.ExternalFromRequest(r)
	var t auth.Technician
	var err error = sessions.ErrExternalGone
	if ok {
		t, err = h.Externals.ExternalTechnician(r.Context(), login)
	}
	if err != nil {
		if !errors.Is(err, sessions.ErrExternalGone) {
			h.Logger.Error("external collaborator's console", "err", err)
		}
		w.WriteHeader(http.StatusGone)
		_ = layout.Message(p, p.T("ext.title"), p.T("ext.gone")).Render(r.Context(), w)
		return
	}
	s, err := h.Sessions.Visible(r.Context(), t, login.SID)
	if err != nil {
		w.WriteHeader(http.StatusGone)
		_ = layout.Message(p, p.T("ext.title"), p.T("ext.gone")).Render(r.Context(), w)
		return
	}
	p.Title = s.CustomerName + " · " + p.Title
	s.PIN, s.InviteToken = "", ""
	ws := workspaceData{Session: s, Strings: i18n.Table(p.Lang, "ws."), Tech: t, Helper: true, External: true,
		Granted: grantedTo(s, t.ID), Socket: "/ws/external"}
	_ = workspaceView(p, ws).Render(r.Context(), w)
}
