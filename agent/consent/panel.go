package consent

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/lifeline-support/lifeline/shared/i18n"
)

// ServePanel serves a mounted feature's panel under /SECRET/<name>/ (the page
// has checked Host, secret and Origin): panel.js and panel.css from files,
// and at /events a stream of Server-Sent Events, each the JSON of what state
// returns for the page's language, sent now and again every time the
// channel state returned is closed, until the page goes away or the page's
// server shuts down. Only GET and HEAD are answered.
func ServePanel(w http.ResponseWriter, req *http.Request, files fs.FS, state func(i18n.Lang) (any, <-chan struct{})) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch req.URL.Path {
	case "/panel.js", "/panel.css":
		http.ServeFileFS(w, req, files, req.URL.Path[1:])
	case "/events":
		servePanelEvents(w, req, state)
	default:
		http.NotFound(w, req)
	}
}

func servePanelEvents(w http.ResponseWriter, req *http.Request, state func(i18n.Lang) (any, <-chan struct{})) {
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
		v, changed := state(lang)
		b, _ := json.Marshal(v)
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
