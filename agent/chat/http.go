package chat

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

//go:embed panel.js panel.css
var panelFS embed.FS

// maxBody bounds a POST body: a message of MaxChatText bytes, JSON-escaped.
const maxBody = 6*protocol.MaxChatText + 1024

// ServeHTTP serves the panel under /SECRET/chat/ of the customer's page (the page
// has checked Host, secret and Origin): panel.js, panel.css, the events stream,
// and POST send, links and opened.
func (c *Chat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/panel.js", "/panel.css":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		http.ServeFileFS(w, r, panelFS, r.URL.Path[1:])
	case "/events":
		c.serveEvents(w, r)
	case "/send":
		var b struct {
			Text string `json:"text"`
		}
		if !decodePost(w, r, &b) {
			return
		}
		lang := langOf(r)
		switch err := c.Send(b.Text); {
		case err == nil:
			w.WriteHeader(http.StatusNoContent)
		case errors.Is(err, ErrTooLong):
			http.Error(w, i18n.T(lang, "agent.chat.tooLong", protocol.MaxChatText/1024), http.StatusRequestEntityTooLarge)
		case errors.Is(err, ErrEmpty):
			http.Error(w, i18n.T(lang, "agent.chat.empty"), http.StatusBadRequest)
		case errors.Is(err, ErrHidden):
			http.Error(w, i18n.T(lang, "agent.chat.hidden"), http.StatusBadRequest)
		default:
			http.Error(w, i18n.T(lang, "agent.chat.notConnected"), http.StatusConflict)
		}
	case "/links":
		var b struct {
			Auto bool `json:"auto"`
		}
		if !decodePost(w, r, &b) {
			return
		}
		c.SetAutoOpen(b.Auto)
		w.WriteHeader(http.StatusNoContent)
	case "/opened":
		var b struct {
			Seq int `json:"seq"`
		}
		if !decodePost(w, r, &b) {
			return
		}
		if err := c.Opened(b.Seq); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

// update is one Server-Sent Event of the panel: the first one of a stream resets
// the panel and carries its strings; the others carry new entries only.
type update struct {
	Reset     bool              `json:"reset,omitempty"`
	Strings   map[string]string `json:"strings,omitempty"`
	Entries   []entry           `json:"entries"`
	Auto      bool              `json:"auto"`
	Connected bool              `json:"connected"`
}

// serveEvents streams the log: all of it at once, then new entries as they come,
// until the page goes away or the page's server shuts down.
func (c *Chat) serveEvents(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	c.watchShutdown(r)
	lang := langOf(r)
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	u := update{Reset: true, Strings: i18n.Table(lang, "agent.chat.")}
	last := 0
	for {
		c.mu.Lock()
		u.Entries = u.Entries[:0]
		for _, e := range c.entries {
			if e.Seq > last {
				switch {
				case e.render != nil:
					e.Text = e.render(lang)
				case e.key != "" && e.arg != "":
					e.Text = i18n.T(lang, e.key, e.arg)
				case e.key != "":
					e.Text = i18n.T(lang, e.key)
				}
				u.Entries = append(u.Entries, e)
				last = e.Seq
			}
		}
		u.Auto, u.Connected = c.auto, c.dc != nil
		changed := c.changed
		c.mu.Unlock()
		b, err := json.Marshal(u)
		if err != nil {
			return
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
		u.Reset, u.Strings = false, nil
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		case <-c.stop:
			return
		}
	}
}

// watchShutdown ends the event streams when the page's server shuts down, so its
// Shutdown does not wait for them.
func (c *Chat) watchShutdown(r *http.Request) {
	srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server)
	if !ok {
		return
	}
	c.shutdownOnce.Do(func() {
		srv.RegisterOnShutdown(func() { close(c.stop) })
	})
}

// decodePost checks that r is a JSON POST from the customer's page and reads
// its small body strictly into v, answering refusals itself.
func decodePost(w http.ResponseWriter, r *http.Request, v any) bool {
	return consent.PagePost(w, r, "application/json") &&
		consent.DecodeJSON(w, r, v, maxBody, i18n.T(langOf(r), "agent.chat.tooLong", protocol.MaxChatText/1024))
}

// langOf is the language the panel asks for with ?lang=, else English.
func langOf(r *http.Request) i18n.Lang {
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	return i18n.EN
}
