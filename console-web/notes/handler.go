// Package notes serves a session's notes and the history of earlier sessions
// with the same customer device that the technician may see: the workspace's
// "History & notes" panel.
package notes

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

// Service is what the notes need of the session service.
type Service interface {
	Owned(ctx context.Context, tech auth.Technician, sid string) (store.Session, error)
	History(ctx context.Context, tech auth.Technician, s store.Session) ([]store.HistoryItem, error)
}

// Notes is where notes are kept.
type Notes interface {
	Note(ctx context.Context, sid string) (store.Note, error)
	PutNote(ctx context.Context, n store.Note) error
}

// Surveys is where the sessions' survey answers are kept.
type Surveys interface {
	SessionSurveys(ctx context.Context, sid string) (store.SessionSurveys, error)
}

// Handler serves /console/sessions/{sid}/notes.
type Handler struct {
	Auth     *auth.Auth
	Sessions Service
	Notes    Notes
	// Surveys, if set, adds each session's survey answers.
	Surveys Surveys
	Logger  *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /console/sessions/{sid}/notes", h.Auth.Require(http.HandlerFunc(h.get)))
	mux.Handle("PUT /console/sessions/{sid}/notes", h.Auth.Require(http.HandlerFunc(h.put)))
}

// maxLogShown bounds the log entries shown per earlier session.
const maxLogShown = 200

// Earlier is one earlier session with the same device.
type Earlier struct {
	ID         string           `json:"id"`
	Customer   string           `json:"customer"`
	Technician string           `json:"technician"`
	Created    int64            `json:"created"`  // Unix ms
	Duration   int64            `json:"duration"` // seconds
	State      string           `json:"state"`
	Notes      string           `json:"notes"`
	Log        []store.LogEntry `json:"log"`
	// Surveys are the session's survey answers, nil when none.
	Surveys *store.SessionSurveys `json:"surveys,omitempty"`
	// Fields are the session's custom field values, with the names they
	// had (a deleted field's value stays readable).
	Fields []store.FieldValue `json:"fields"`
}

// View is the JSON of GET: this session's notes and the device's history.
type View struct {
	Text    string    `json:"text"`
	Device  bool      `json:"device"` // the customer's device is known
	History []Earlier `json:"history"`
	// Surveys are this session's survey answers, nil when none.
	Surveys *store.SessionSurveys `json:"surveys,omitempty"`
}

// Body is the JSON of PUT.
type Body struct {
	Text string `json:"text"`
}

func (h *Handler) session(w http.ResponseWriter, r *http.Request) (store.Session, auth.Technician, bool) {
	t, _ := auth.From(r.Context())
	s, err := h.Sessions.Owned(r.Context(), t, r.PathValue("sid"))
	if err != nil {
		if !errors.Is(err, sessions.ErrNotFound) {
			h.Logger.Error("read session", "err", err)
		}
		http.Error(w, "no such session", http.StatusNotFound)
		return s, t, false
	}
	return s, t, true
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	s, t, ok := h.session(w, r)
	if !ok {
		return
	}
	v := View{Device: s.DeviceID != "", History: []Earlier{}}
	if n, err := h.Notes.Note(r.Context(), s.ID); err == nil {
		v.Text = n.Text
	} else if !errors.Is(err, store.ErrNotFound) {
		h.fail(w, "read notes", err)
		return
	}
	v.Surveys = h.surveys(r.Context(), s.ID)
	items, err := h.Sessions.History(r.Context(), t, s)
	if err != nil {
		h.fail(w, "device history", err)
		return
	}
	for _, it := range items {
		end := time.Now()
		if it.Session.State.Closed() {
			end = it.Session.StateSince()
		}
		log := it.Log
		if len(log) > maxLogShown {
			log = log[len(log)-maxLogShown:]
		}
		if log == nil {
			log = []store.LogEntry{}
		}
		v.History = append(v.History, Earlier{
			ID: it.Session.ID, Customer: it.Session.CustomerName, Technician: it.Session.TechnicianName,
			Created: it.Session.Created.UnixMilli(), Duration: int64(end.Sub(it.Session.Created).Seconds()),
			State: string(it.Session.State), Notes: it.Notes, Log: log, Fields: it.Session.Fields,
			Surveys: h.surveys(r.Context(), it.Session.ID),
		})
		if v.History[len(v.History)-1].Fields == nil {
			v.History[len(v.History)-1].Fields = []store.FieldValue{}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// surveys reads the survey answers of session sid, nil when there are none
// (or they cannot be read now: the rest of the history still shows).
func (h *Handler) surveys(ctx context.Context, sid string) *store.SessionSurveys {
	if h.Surveys == nil {
		return nil
	}
	v, err := h.Surveys.SessionSurveys(ctx, sid)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			h.Logger.Warn("read survey answers", "sid", sid, "err", err)
		}
		return nil
	}
	return &v
}

func (h *Handler) put(w http.ResponseWriter, r *http.Request) {
	s, t, ok := h.session(w, r)
	if !ok {
		return
	}
	var b Body
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 2*store.MaxNoteSize+1024))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		http.Error(w, "the notes could not be read; at most 16 KB of text", http.StatusBadRequest)
		return
	}
	err := h.Notes.PutNote(r.Context(), store.Note{
		SessionID: s.ID, DeviceID: s.DeviceID, CustomerName: s.CustomerName, TechnicianName: t.Name,
		Text: b.Text, Updated: time.Now(), SessionCreated: s.Created,
	})
	if errors.Is(err, store.ErrInvalid) {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err != nil {
		h.fail(w, "store notes", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) fail(w http.ResponseWriter, what string, err error) {
	h.Logger.Error(what, "err", err)
	http.Error(w, "the server could not do that; try again in a moment", http.StatusInternalServerError)
}
