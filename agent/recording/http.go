package recording

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/lifeline-support/lifeline/shared/i18n"
)

//go:embed panel.js panel.css
var panelFS embed.FS

// ServeHTTP serves the recording banner under /SECRET/recording/ of the
// customer's page (the page has checked Host, secret and Origin): panel.js,
// panel.css and the events stream.
func (r *Recording) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch req.URL.Path {
	case "/panel.js", "/panel.css":
		http.ServeFileFS(w, req, panelFS, req.URL.Path[1:])
	case "/events":
		r.serveEvents(w, req)
	default:
		http.NotFound(w, req)
	}
}

// state is one Server-Sent Event: whether recording is on, and what to say.
type state struct {
	On   bool   `json:"on"`
	Text string `json:"text"`
}

// serveEvents sends the state now and at every change, until the page goes away
// or the page's server shuts down.
func (r *Recording) serveEvents(w http.ResponseWriter, req *http.Request) {
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
		r.mu.Lock()
		on, changed := r.on, r.changed
		r.mu.Unlock()
		b, _ := json.Marshal(state{On: on, Text: i18n.T(lang, "agent.rec.banner")})
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
