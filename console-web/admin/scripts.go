package admin

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// scriptLangs are the languages an administrator picks from.
var scriptLangs = []string{protocol.ScriptBash, protocol.ScriptSh, protocol.ScriptPowerShell}

// scriptFormID is the element ID of a script's form ("script-new" for a new one).
func scriptFormID(s store.Script) string {
	if s.ID == "" {
		return "script-new"
	}
	return "script-" + s.ID
}

// scriptFileNames lists a script's attached files, for the form.
func scriptFileNames(s store.Script) []string {
	out := make([]string, len(s.Files))
	for i, f := range s.Files {
		out[i] = f.Name
	}
	return out
}

// scriptAction is where a script's form posts.
func scriptAction(s store.Script) string {
	if s.ID == "" {
		return "/admin/scripts"
	}
	return "/admin/scripts/" + s.ID
}

// putScript saves a new script (no id in the path) or changes one: the
// attached files kept (keep) and the ones uploaded (files).
func (h *Handler) putScript(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(2 * protocol.MaxScriptAttachments); err != nil {
		h.fail(w, r, http.StatusBadRequest, "admin.badScript")
		return
	}
	ctx := r.Context()
	v := store.Script{ID: r.PathValue("id")}
	if v.ID == "" {
		v.ID = store.NewScriptID()
	} else {
		old, err := h.Store.Script(ctx, v.ID)
		if errors.Is(err, store.ErrNotFound) {
			h.fail(w, r, http.StatusNotFound, "admin.noSuchScript")
			return
		}
		if err != nil {
			h.Logger.Error("read script", "err", err)
			h.fail(w, r, http.StatusInternalServerError, "error.server")
			return
		}
		keep := r.PostForm["keep"]
		for _, f := range old.Files {
			if slices.Contains(keep, f.Name) {
				v.Files = append(v.Files, f)
			}
		}
	}
	v.Name = strings.TrimSpace(r.PostFormValue("name"))
	v.Description = strings.TrimSpace(r.PostFormValue("description"))
	v.Lang = r.PostFormValue("lang")
	// Browsers send CR LF in a textarea: a shell script keeps LF only.
	v.Text = r.PostFormValue("text")
	if v.Lang != protocol.ScriptPowerShell {
		v.Text = strings.ReplaceAll(v.Text, "\r\n", "\n")
	}
	groups, err := h.Store.Groups(ctx)
	if err != nil {
		h.Logger.Error("groups", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	for _, g := range groups {
		if slices.Contains(r.PostForm["groups"], g.ID) {
			v.Groups = append(v.Groups, g.ID)
		}
		if slices.Contains(r.PostForm["atStart"], g.ID) {
			v.AtStart = append(v.AtStart, g.ID)
		}
	}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["files"] {
			if fh.Size > protocol.MaxScriptAttachments {
				h.fail(w, r, http.StatusBadRequest, "admin.badScript")
				return
			}
			f, err := fh.Open()
			if err != nil {
				h.fail(w, r, http.StatusBadRequest, "admin.badScript")
				return
			}
			data, err := io.ReadAll(io.LimitReader(f, protocol.MaxScriptAttachments+1))
			_ = f.Close()
			if err != nil {
				h.fail(w, r, http.StatusBadRequest, "admin.badScript")
				return
			}
			v.Files = slices.DeleteFunc(v.Files, func(o protocol.ScriptFile) bool { return strings.EqualFold(o.Name, fh.Filename) })
			v.Files = append(v.Files, protocol.ScriptFile{Name: fh.Filename, Data: data})
		}
	}
	if err := h.Store.PutScript(ctx, v); err != nil {
		if errors.Is(err, store.ErrInvalid) {
			h.Logger.Info("script refused", "err", err)
			h.fail(w, r, http.StatusBadRequest, "admin.badScript")
			return
		}
		h.Logger.Error("save script", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	h.done(w, r, audit.SettingsChanged, fmt.Sprintf("script %s %q (%s): %d files, groups %v, at session start for %v",
		v.ID, v.Name, v.Lang, len(v.Files), v.Groups, v.AtStart), "admin.done.script")
}

func (h *Handler) deleteScript(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v, err := h.Store.Script(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "admin.noSuchScript")
		return
	}
	if err == nil {
		err = h.Store.DeleteScript(r.Context(), id)
	}
	if err != nil {
		h.Logger.Error("delete script", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	h.done(w, r, audit.SettingsChanged, fmt.Sprintf("script %s %q deleted", id, v.Name), "admin.done.scriptDeleted")
}
