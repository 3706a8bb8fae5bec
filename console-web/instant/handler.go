// Package instant is help in the browser alone (Rescue's Instant Chat and
// Lens): the customer opens their invitation in a browser, chats with the
// technician and, if they wish, shows their screen or their camera, view
// only, with nothing to download. The page joins the session as the agent
// does (the same WebSocket, hello and consent rules): its script,
// static/instant.js, is the customer's side of the peer connection.
package instant

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/lifeline-support/lifeline/console-web/join"
	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Invitations is what the page needs of the invitations and sessions.
type Invitations interface {
	// Check returns the session an invitation token opens.
	Check(ctx context.Context, token string) (string, error)
}

// Sessions reads a session.
type Sessions interface {
	Session(ctx context.Context, sid string) (store.Session, error)
}

// Handovers gives a customer helped in the browser the program's
// invitation for the same session (sessions.Service.Handover).
type Handovers interface {
	Handover(ctx context.Context, sid, secret, ip string) (invite.Invitation, error)
}

// Handler serves /s/{token}/browser.
type Handler struct {
	Invites   Invitations
	Sessions  Sessions
	Handovers Handovers
	// Settings returns the organisation's settings; the name customers see comes from there.
	Settings func(context.Context) store.Settings
	Logger   *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /s/{token}/browser", h.page)
	mux.HandleFunc("POST /s/{token}/browser/program", h.program)
}

// programRequest is what the page posts to go on with the program: its
// session and the secret it was welcomed with.
type programRequest struct {
	SID    string `json:"sid"`
	Secret string `json:"secret"`
}

// program answers the page's "Download the program" with the address of
// the program's download page for the same session.
func (h *Handler) program(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
	var req programRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.SID) > 64 || len(req.Secret) > 64 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	inv, err := h.Handovers.Handover(r.Context(), req.SID, req.Secret, auth.ClientIP(r))
	var rl *invite.RateLimitError
	switch {
	case err == nil:
	case errors.As(err, &rl):
		secs := max(int(rl.RetryAfter.Round(time.Second)/time.Second), 1)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		http.Error(w, layout.NewPage(w, r, "instant.title").T("instant.programTooMany", secs), http.StatusTooManyRequests)
		return
	case errors.Is(err, sessions.ErrBadSecret), errors.Is(err, sessions.ErrNotInBrowser), errors.Is(err, sessions.ErrSessionClosed):
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	default:
		h.Logger.Error("hand the session over to the program", "err", err)
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]string{"url": "/s/" + inv.Token})
}

// pageData is what the page shows before its script connects.
type pageData struct {
	Token, Org, Technician string
	Strings                map[string]string
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	p := layout.NewPage(w, r, "instant.title")
	token := r.PathValue("token")
	w.Header().Set("Cache-Control", "no-store")
	sid, err := h.Invites.Check(r.Context(), token)
	if err != nil {
		h.refuse(w, r, p, err)
		return
	}
	s, err := h.Sessions.Session(r.Context(), sid)
	if err != nil {
		h.refuse(w, r, p, err)
		return
	}
	org := h.Settings(r.Context()).OrgName
	tech := s.TechnicianName
	if tech == "" {
		tech = org
	}
	_ = view(p, pageData{Token: token, Org: org, Technician: tech, Strings: i18n.Table(p.Lang, "instant.")}).Render(r.Context(), w)
}

// refuse explains why the link cannot be used, as the invitation's page does.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, p layout.Page, err error) {
	join.Refuse(w, r, p, h.Logger, "browser help page", err)
}
