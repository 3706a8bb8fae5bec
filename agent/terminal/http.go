package terminal

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/lifeline-support/lifeline/shared/i18n"
)

//go:embed panel.js panel.css
var panelFS embed.FS

// ServeHTTP serves the terminal panel under /SECRET/terminal/ of the
// customer's page (the page has checked Host, secret and Origin): panel.js,
// panel.css and the events stream. The panel's button posts the page's own
// revoke_terminal action.
func (t *Terminal) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch req.URL.Path {
	case "/panel.js", "/panel.css":
		http.ServeFileFS(w, req, panelFS, req.URL.Path[1:])
	case "/events":
		t.serveEvents(w, req)
	default:
		http.NotFound(w, req)
	}
}

// panelState is one Server-Sent Event: how many terminals are open, and
// what to say.
type panelState struct {
	Open   int    `json:"open"`
	Text   string `json:"text"`
	Button string `json:"button"`
}

// serveEvents sends the state now and at every change, until the page goes
// away or the page's server shuts down.
func (t *Terminal) serveEvents(w http.ResponseWriter, req *http.Request) {
	lang := i18n.EN
	if l, ok := i18n.Parse(req.URL.Query().Get("lang")); ok {
		lang = l
	}
	stop := make(chan struct{})
	if srv, ok := req.Context().Value(http.ServerContextKey).(*http.Server); ok {
		srv.RegisterOnShutdown(func() { close(stop) })
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	for {
		t.mu.Lock()
		n, changed := len(t.open), t.changed
		t.mu.Unlock()
		b, _ := json.Marshal(panelState{Open: n, Text: i18n.T(lang, "agent.term.open", n), Button: i18n.T(lang, "agent.term.close")})
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case <-changed:
		case <-req.Context().Done():
			return
		case <-stop:
			return
		}
	}
}
