// Package canned serves each technician's canned replies to the workspace as a
// small JSON API: read, replace, and export as a JSON file.
package canned

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// maxBody bounds a PUT body: MaxCannedTotal of text, JSON-escaped, with room.
const maxBody = 2 << 20

// Handler serves /console/canned.
type Handler struct {
	Auth   *auth.Auth
	Store  *store.Store
	Logger *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /console/canned", h.Auth.Require(http.HandlerFunc(h.get)))
	mux.Handle("PUT /console/canned", h.Auth.Require(http.HandlerFunc(h.put)))
}

// List is the JSON of GET and PUT: the technician's replies and their revision,
// which a PUT must name (0 for the first save) so no other window's save is lost.
type List struct {
	Rev   uint64              `json:"rev"`
	Items []store.CannedReply `json:"items"`
}

// Export is the JSON file of an export, and what an import reads.
type Export struct {
	Format string              `json:"format"`
	Items  []store.CannedReply `json:"items"`
}

// ExportFormat names the export file's format.
const ExportFormat = "lifeline-canned-replies/1"

// get answers the technician's list; with ?download=1, as a JSON file to save.
func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	c, rev, err := h.Store.Canned(r.Context(), t.ID)
	if err != nil {
		h.Logger.Error("read canned replies", "tech", t.ID, "err", err)
		http.Error(w, "the server could not read your canned replies", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.Query().Get("download") != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="lifeline-canned-replies.json"`)
		writeJSON(w, Export{Format: ExportFormat, Items: c.Items})
		return
	}
	writeJSON(w, List{Rev: rev, Items: c.Items})
}

// put replaces the technician's list; 409 if it changed since the revision named.
func (h *Handler) put(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	var l List
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "too many canned replies: the list is over 2 MiB", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "expected JSON {\"rev\": n, \"items\": [{\"name\": …, \"text\": …}]}: "+err.Error(), http.StatusBadRequest)
		return
	}
	rev, err := h.Store.PutCanned(r.Context(), t.ID, l.Items, l.Rev)
	switch {
	case errors.Is(err, store.ErrInvalid):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case errors.Is(err, store.ErrConflict):
		http.Error(w, "your canned replies changed in another window; reload them", http.StatusConflict)
		return
	case err != nil:
		h.Logger.Error("save canned replies", "tech", t.ID, "err", err)
		http.Error(w, "the server could not save your canned replies", http.StatusInternalServerError)
		return
	}
	if l.Items == nil {
		l.Items = []store.CannedReply{}
	}
	writeJSON(w, List{Rev: rev, Items: l.Items})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}
