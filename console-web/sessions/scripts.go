package sessions

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Scripts reads the script library (the store does).
type Scripts interface {
	ScriptsFor(ctx context.Context, group string) ([]store.Script, *store.Script, error)
	ScriptFor(ctx context.Context, id, group string) (store.Script, error)
}

// scriptItem is one script of the Scripts panel's list.
type scriptItem struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Lang        string   `json:"lang"`
	Files       []string `json:"files,omitempty"`
}

// scriptList is the Scripts panel's list, and the script the technician's
// group runs at the start of each session ("" if none).
type scriptList struct {
	Scripts []scriptItem `json:"scripts"`
	AtStart string       `json:"atStart,omitempty"`
}

// scriptSession checks that the technician may run scripts in session sid:
// the scripts permission, and the session theirs.
func (h *Handler) scriptSession(w http.ResponseWriter, r *http.Request) (auth.Technician, bool) {
	t, _ := auth.From(r.Context())
	p := layout.NewPage(w, r, "console.title")
	if !t.Can(access.Scripts) || h.Scripts == nil {
		http.Error(w, p.T("ws.script.notAllowed"), http.StatusForbidden)
		return t, false
	}
	ss, err := h.Sessions.Visible(r.Context(), t, r.PathValue("sid"))
	if err != nil || ss.TechnicianID != t.ID || ss.State.Closed() {
		http.Error(w, p.T("ws.script.notYours"), http.StatusNotFound)
		return t, false
	}
	return t, true
}

// scripts lists the scripts the technician's group may run.
func (h *Handler) scripts(w http.ResponseWriter, r *http.Request) {
	t, ok := h.scriptSession(w, r)
	if !ok {
		return
	}
	list, start, err := h.Scripts.ScriptsFor(r.Context(), t.GroupID)
	if err != nil {
		h.Logger.Error("scripts", "err", err)
		http.Error(w, layout.NewPage(w, r, "console.title").T("error.server"), http.StatusInternalServerError)
		return
	}
	out := scriptList{Scripts: []scriptItem{}}
	for _, s := range list {
		it := scriptItem{ID: s.ID, Name: s.Name, Description: s.Description, Lang: s.Lang}
		for _, f := range s.Files {
			it.Files = append(it.Files, f.Name)
		}
		out.Scripts = append(out.Scripts, it)
	}
	if start != nil {
		out.AtStart = start.ID
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}

// script is one script as the agent is sent it: text and attached files.
func (h *Handler) script(w http.ResponseWriter, r *http.Request) {
	t, ok := h.scriptSession(w, r)
	if !ok {
		return
	}
	s, err := h.Scripts.ScriptFor(r.Context(), r.PathValue("id"), t.GroupID)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, layout.NewPage(w, r, "console.title").T("ws.script.none"), http.StatusNotFound)
		return
	}
	if err != nil {
		h.Logger.Error("script", "err", err)
		http.Error(w, layout.NewPage(w, r, "console.title").T("error.server"), http.StatusInternalServerError)
		return
	}
	var run protocol.ScriptRun = s.Run()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(run)
}
