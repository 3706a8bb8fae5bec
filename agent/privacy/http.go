package privacy

import (
	"embed"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

//go:embed panel.js panel.css
var panelFS embed.FS

// maxBody bounds a POST body of the panel: an ID and a flag.
const maxBody = 256

// ServeHTTP serves the "Hide windows from the technician" panel under
// /SECRET/privacy/ of the customer's page (the page has checked Host,
// secret and Origin): panel.js, panel.css, GET state (the windows and the
// preset), GET icon?id= (a window's program's picture, PNG), POST window ({"id","private"}) and POST preset ({"on"}).
func (p *Privacy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lang := i18n.EN
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		lang = l
	}
	switch r.URL.Path {
	case "/panel.js", "/panel.css":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		http.ServeFileFS(w, r, panelFS, r.URL.Path[1:])
	case "/state":
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p.serveState(w, lang)
	case "/icon":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		id, err := strconv.ParseUint(r.URL.Query().Get("id"), 10, 64)
		if err != nil {
			http.Error(w, "bad window id", http.StatusBadRequest)
			return
		}
		// Kept by the page a while, found or not: the list asks again
		// every two seconds.
		w.Header().Set("Cache-Control", "private, max-age=300")
		b, err := p.Icon(id)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(b)
	case "/window":
		var b struct {
			ID      string `json:"id"`
			Private bool   `json:"private"`
		}
		if !consent.PagePost(w, r, "application/json") || !consent.DecodeJSON(w, r, &b, maxBody, "body too large") {
			return
		}
		id, err := strconv.ParseUint(b.ID, 10, 64)
		if err != nil {
			http.Error(w, "bad window id", http.StatusBadRequest)
			return
		}
		switch err := p.SetPrivate(id, b.Private); {
		case errors.Is(err, ErrUnknownWindow):
			http.Error(w, i18n.T(lang, "agent.privacy.gone"), http.StatusConflict)
		case err != nil:
			http.Error(w, i18n.T(lang, "agent.privacy.unavailable"), http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	case "/preset":
		var b struct {
			On bool `json:"on"`
		}
		if !consent.PagePost(w, r, "application/json") || !consent.DecodeJSON(w, r, &b, maxBody, "body too large") {
			return
		}
		p.SetPreset(b.On)
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

// panelState is the body of GET state.
type panelState struct {
	Strings  map[string]string `json:"strings"`
	Preset   bool              `json:"preset"`
	Programs string            `json:"programs"`
	Windows  []Window          `json:"windows"`
	// Error says why the windows cannot be listed ("" if they can).
	Error string `json:"error,omitempty"`
}

func (p *Privacy) serveState(w http.ResponseWriter, lang i18n.Lang) {
	s := panelState{Strings: i18n.Table(lang, "agent.privacy."), Preset: p.Preset(), Programs: strings.Join(p.programs(), ", "), Windows: []Window{}}
	if ws, err := p.Windows(); err != nil {
		s.Error = i18n.T(lang, "agent.privacy.unavailable")
	} else if ws != nil {
		s.Windows = ws
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s)
}
