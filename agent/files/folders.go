package files

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lifeline-support/lifeline/shared/i18n"
)

// maxFolders bounds the subfolders one listing names.
const maxFolders = 500

// folderList is a folder as the panel's folder chooser shows it.
type folderList struct {
	Path   string   `json:"path"`
	Parent string   `json:"parent,omitempty"` // "" at the root
	Dirs   []string `json:"dirs"`             // subfolder names, hidden ones left out
	Places []place  `json:"places"`
}

// place is a folder the chooser offers at once.
type place struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

// places are the default folder, then the home folder's Desktop and
// Documents and the home folder itself, those that exist.
func (f *Feature) places(lang i18n.Lang) []place {
	var ps []place
	add := func(key, path string) {
		if fi, err := os.Stat(path); err != nil || !fi.IsDir() || slices.ContainsFunc(ps, func(p place) bool { return p.Path == path }) {
			return
		}
		ps = append(ps, place{Name: i18n.T(lang, "agent.files.place."+key), Path: path})
	}
	if d, err := f.cfg.DownloadDir(); err == nil {
		add("downloads", d)
	}
	if home, err := os.UserHomeDir(); err == nil {
		add("desktop", filepath.Join(home, "Desktop"))
		add("documents", filepath.Join(home, "Documents"))
		add("home", home)
	}
	return ps
}

// serveFolders lists a folder for the folder chooser: GET folders?path=
// (absolute; none means the default folder).
func (f *Feature) serveFolders(w http.ResponseWriter, r *http.Request, lang i18n.Lang) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	path := r.URL.Query().Get("path")
	if path == "" {
		d, err := f.cfg.DownloadDir()
		if err != nil {
			http.Error(w, i18n.T(lang, "agent.files.badFolder"), http.StatusNotFound)
			return
		}
		path = d
	}
	if !filepath.IsAbs(path) {
		http.Error(w, i18n.T(lang, "agent.files.folder.badPath"), http.StatusBadRequest)
		return
	}
	path = filepath.Clean(path)
	es, err := os.ReadDir(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		http.Error(w, i18n.T(lang, "agent.files.badFolder"), http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, i18n.T(lang, "agent.files.folder.denied"), http.StatusForbidden)
		return
	}
	l := folderList{Path: path, Dirs: []string{}, Places: f.places(lang)}
	if p := filepath.Dir(path); p != path {
		l.Parent = p
	}
	for _, e := range es {
		if strings.HasPrefix(e.Name(), ".") || len(l.Dirs) == maxFolders {
			continue
		}
		if e.IsDir() {
			l.Dirs = append(l.Dirs, e.Name())
		} else if e.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(filepath.Join(path, e.Name())); err == nil && fi.IsDir() {
				l.Dirs = append(l.Dirs, e.Name())
			}
		}
	}
	slices.SortFunc(l.Dirs, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(l)
}
