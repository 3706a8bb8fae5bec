// Package survey serves the workspace's surveys: what the session's surveys
// are and hold, the technician sending the customer's survey before the end,
// and the technician's own survey of a session they ended. The rules are the
// session service's (signaling/sessions/survey.go).
package survey

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Service is what the surveys need of the session service.
type Service interface {
	Surveys(ctx context.Context, tech auth.Technician, sid string) (sessions.SurveyView, error)
	SendSurvey(ctx context.Context, tech auth.Technician, sid string) error
	TechnicianSurvey(ctx context.Context, tech auth.Technician, sid string, a sessions.TechnicianAnswers) error
}

// Handler serves /console/sessions/{sid}/survey.
type Handler struct {
	Auth     *auth.Auth
	Sessions Service
	Logger   *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /console/sessions/{sid}/survey", h.Auth.Require(http.HandlerFunc(h.get)))
	mux.Handle("POST /console/sessions/{sid}/survey", h.Auth.Require(http.HandlerFunc(h.answer)))
	mux.Handle("POST /console/sessions/{sid}/survey/send", h.Auth.Require(http.HandlerFunc(h.send)))
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	v, err := h.Sessions.Surveys(r.Context(), t, r.PathValue("sid"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (h *Handler) send(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	if err := h.Sessions.SendSurvey(r.Context(), t, r.PathValue("sid")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// maxBody bounds the technician's answers.
const maxBody = 4*store.MaxSurveyText + 1024

func (h *Handler) answer(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	var a sessions.TechnicianAnswers
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		h.fail(w, r, sessions.ErrBadSurvey)
		return
	}
	a.Category, a.Notes = strings.TrimSpace(a.Category), strings.TrimSpace(a.Notes)
	if err := h.Sessions.TechnicianSurvey(r.Context(), t, r.PathValue("sid"), a); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// refusals are the sentences a technician reads for the service's refusals.
var refusals = []struct {
	err    error
	status int
	key    string
}{
	{sessions.ErrNotFound, http.StatusNotFound, "survey.err.notFound"},
	{sessions.ErrSurveyAnswered, http.StatusConflict, "survey.err.answered"},
	{sessions.ErrBadSurvey, http.StatusBadRequest, "survey.err.bad"},
	{sessions.ErrNotEnded, http.StatusConflict, "survey.err.notEnded"},
	{sessions.ErrNoSurvey, http.StatusConflict, "survey.err.none"},
	{sessions.ErrClosed, http.StatusConflict, "survey.err.closed"},
	{sessions.ErrNotConnected, http.StatusConflict, "survey.err.notConnected"},
	{sessions.ErrReconnecting, http.StatusConflict, "survey.err.notConnected"},
}

// fail answers err as a sentence in the technician's language; what was
// wrong with refused answers follows it.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	lang := layout.Lang(w, r)
	for _, f := range refusals {
		if errors.Is(err, f.err) {
			msg := i18n.T(lang, f.key)
			if f.err == sessions.ErrBadSurvey {
				if _, detail, ok := strings.Cut(err.Error(), ": "); ok {
					msg += " (" + detail + ")"
				}
			}
			http.Error(w, msg, f.status)
			return
		}
	}
	h.Logger.Error("survey", "err", err)
	http.Error(w, i18n.T(lang, "error.server"), http.StatusServiceUnavailable)
}
