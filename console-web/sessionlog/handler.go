// Package sessionlog serves a session's log (chat messages and events) from
// the session history: the session service stores it there when the session
// ends (signaling/sessions, from the running log the consoles append to).
package sessionlog

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Sessions is what the log needs of the session service.
type Sessions interface {
	Owned(ctx context.Context, tech auth.Technician, sid string) (store.Session, error)
}

// Logs is where session logs are kept.
type Logs interface {
	SessionLog(ctx context.Context, sid string) (store.SessionLog, error)
}

// Handler serves /console/sessions/{sid}/log.
type Handler struct {
	Auth     *auth.Auth
	Sessions Sessions
	Logs     Logs
	Logger   *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /console/sessions/{sid}/log", h.Auth.Require(http.HandlerFunc(h.get)))
}

// session returns the session named in the path if it is the technician's own;
// otherwise it answers 404 itself (another technician's session does not exist
// for them).
func (h *Handler) session(w http.ResponseWriter, r *http.Request) (store.Session, bool) {
	t, _ := auth.From(r.Context())
	s, err := h.Sessions.Owned(r.Context(), t, r.PathValue("sid"))
	if err != nil {
		if !errors.Is(err, sessions.ErrNotFound) {
			h.Logger.Error("read session", "err", err)
		}
		http.Error(w, "no such session", http.StatusNotFound)
		return s, false
	}
	return s, true
}

// get answers the stored log as JSON.
func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	s, ok := h.session(w, r)
	if !ok {
		return
	}
	l, err := h.Logs.SessionLog(r.Context(), s.ID)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "no log stored for this session yet", http.StatusNotFound)
		return
	}
	if err != nil {
		h.Logger.Error("read session log", "sid", s.ID, "err", err)
		http.Error(w, "the server could not read the session log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(l)
}
