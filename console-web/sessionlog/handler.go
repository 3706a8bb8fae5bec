// Package sessionlog keeps a session's log (chat messages and events) in the
// session history: the workspace stores it when the session ends.
package sessionlog

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// MaxBody bounds the body of a POST, in bytes.
const MaxBody = 1 << 20

// Sessions is what the log needs of the session service.
type Sessions interface {
	Owned(ctx context.Context, tech auth.Technician, sid string) (store.Session, error)
}

// Logs is where session logs are kept.
type Logs interface {
	PutSessionLog(ctx context.Context, l store.SessionLog) error
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
	mux.Handle("POST /console/sessions/{sid}/log", h.Auth.Require(http.HandlerFunc(h.post)))
	mux.Handle("GET /console/sessions/{sid}/log", h.Auth.Require(http.HandlerFunc(h.get)))
}

// Body is the JSON a POST carries.
type Body struct {
	Entries []store.LogEntry `json:"entries"`
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

// post stores the session's log, replacing any earlier one.
func (h *Handler) post(w http.ResponseWriter, r *http.Request) {
	s, ok := h.session(w, r)
	if !ok {
		return
	}
	var b Body
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "the session log is over 1 MiB", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "expected JSON {\"entries\": [{\"kind\", \"from\", \"author\", \"text\", \"at\"}]}: "+err.Error(), http.StatusBadRequest)
		return
	}
	err := h.Logs.PutSessionLog(r.Context(), store.SessionLog{
		SessionID: s.ID, TechnicianID: s.TechnicianID, CustomerName: s.CustomerName,
		Entries: b.Entries, Stored: time.Now(),
	})
	switch {
	case errors.Is(err, store.ErrInvalid):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case errors.Is(err, store.ErrTooLarge):
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
	case err != nil:
		h.Logger.Error("store session log", "sid", s.ID, "err", err)
		http.Error(w, "the server could not store the session log", http.StatusInternalServerError)
	default:
		h.Logger.Info("session log stored", "sid", s.ID, "entries", len(b.Entries))
		w.WriteHeader(http.StatusNoContent)
	}
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
