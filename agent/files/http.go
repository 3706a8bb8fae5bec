package files

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

//go:embed static/panel.js static/panel.css
var static embed.FS

// panelView is the state the customer's panel shows; one JSON event each.
type panelView struct {
	DefaultDir string        `json:"defaultDir"`
	Connected  bool          `json:"connected"`
	In         *transferView `json:"in"`
	Out        *transferView `json:"out"`
	Log        []logLine     `json:"log"`
	Closed     bool          `json:"closed"`
}

type logLine struct {
	At   int64  `json:"at"`
	Text string `json:"text"`
	// Detail is what the line keeps out of the customer's way (the
	// file's SHA-256), shown when they open it.
	Detail string `json:"detail,omitempty"`
}

// render renders a log entry in lang, reasons included.
func render(lang i18n.Lang, e entry) string {
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		if r, ok := a.(reasonKey); ok {
			a = i18n.T(lang, "agent.files.reason."+string(r))
		}
		args[i] = a
	}
	return i18n.T(lang, e.Key, args...)
}

func (f *Feature) view(lang i18n.Lang) (panelView, chan struct{}, bool) {
	dir, _ := f.cfg.DownloadDir()
	f.mu.Lock()
	defer f.mu.Unlock()
	v := panelView{DefaultDir: dir, Connected: f.ctl != nil, Closed: f.closed}
	if in := f.in; in != nil {
		in.mu.Lock()
		st := in.state
		in.mu.Unlock()
		v.In = in.progress.view(lang, in.id, in.name, st)
	}
	if o := f.out; o != nil {
		o.mu.Lock()
		st := o.state
		o.mu.Unlock()
		v.Out = o.progress.view(lang, o.id, o.name, st)
	}
	for _, e := range f.history {
		l := logLine{At: e.At.UnixMilli(), Text: render(lang, e)}
		if e.SHA != "" {
			l.Detail = i18n.T(lang, "agent.files.log.sha", e.SHA)
		}
		v.Log = append(v.Log, l)
	}
	return v, f.changed, v.In != nil || v.Out != nil
}

// ServeHTTP serves the panel under the customer page's /SECRET/files/ (the page
// has checked Host, secret and Origin): panel.js, panel.css, i18n (the panel's
// strings), events (SSE of panelView), POST accept/decline/cancel (JSON
// {"id","dir"}), GET folders?path= (the folder chooser) and POST send?name= (the file as the body, streamed to the
// technician; answers when the technician has checked it).
func (f *Feature) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lang := i18n.FromEnv()
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		lang = l
	} else if f.cfg.Lang != "" {
		lang = f.cfg.Lang
	}
	switch r.URL.Path {
	case "/panel.js", "/panel.css":
		b, _ := static.ReadFile("static" + r.URL.Path)
		if r.URL.Path == "/panel.js" {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		} else {
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
		}
		_, _ = w.Write(b)
	case "/i18n":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(i18n.Table(lang, "agent.files."))
	case "/events":
		f.serveEvents(w, r, lang)
	case "/accept", "/decline", "/cancel":
		f.serveAction(w, r, lang)
	case "/send":
		f.serveSend(w, r, lang)
	case "/folders":
		f.serveFolders(w, r, lang)
	default:
		http.NotFound(w, r)
	}
}

func (f *Feature) serveEvents(w http.ResponseWriter, r *http.Request, lang i18n.Lang) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		v, changed, active := f.view(lang)
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return
		}
		if err := rc.Flush(); err != nil || v.Closed {
			return
		}
		var tc <-chan time.Time
		if active {
			tc = tick.C
		}
		select {
		case <-changed:
		case <-tc:
		case <-r.Context().Done():
			return
		}
	}
}

type actionBody struct {
	ID  string `json:"id"`
	Dir string `json:"dir,omitempty"`
}

func (f *Feature) serveAction(w http.ResponseWriter, r *http.Request, lang i18n.Lang) {
	var b actionBody
	if !consent.PagePost(w, r, "application/json") || !consent.DecodeJSON(w, r, &b, 8<<10, "bad request") {
		return
	}
	if b.ID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	in, out := f.in, f.out
	f.mu.Unlock()
	var err error
	switch {
	case in != nil && in.id == b.ID && r.URL.Path == "/accept":
		err = in.accept(b.Dir)
	case in != nil && in.id == b.ID && r.URL.Path == "/decline":
		in.end(&protocol.FileMessage{Kind: protocol.FileDecline, ID: in.id}, "agent.files.log.declinedIn", in.name)
	case in != nil && in.id == b.ID && r.URL.Path == "/cancel":
		in.end(&protocol.FileMessage{Kind: protocol.FileCancel, ID: in.id}, "agent.files.log.cancelledByYou", in.name)
	case out != nil && out.id == b.ID && r.URL.Path == "/cancel":
		out.cancel()
	default:
		err = errStale
	}
	switch {
	case errors.Is(err, errBadFolder):
		http.Error(w, i18n.T(lang, "agent.files.badFolder"), http.StatusBadRequest)
	case errors.Is(err, errStale):
		http.Error(w, i18n.T(lang, "agent.files.stale"), http.StatusConflict)
	case err != nil:
		f.log.Warn("file accept", "err", err)
		http.Error(w, i18n.T(lang, "agent.files.reason."+string(reasonOf(err))), http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (f *Feature) serveSend(w http.ResponseWriter, r *http.Request, lang i18n.Lang) {
	if !consent.PagePost(w, r, "application/octet-stream") {
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" || r.ContentLength < 0 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	err := f.send(r.Context(), name, r.ContentLength, r.Body)
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, errBusy):
		http.Error(w, i18n.T(lang, "agent.files.busy"), http.StatusConflict)
	case errors.Is(err, errNotConnected):
		http.Error(w, i18n.T(lang, "agent.files.notConnected"), http.StatusServiceUnavailable)
	case errors.Is(err, errCancelled):
		http.Error(w, i18n.T(lang, "agent.files.cancelled"), http.StatusConflict)
	case errors.Is(err, errDeclined):
		http.Error(w, i18n.T(lang, "agent.files.declined"), http.StatusConflict)
	default:
		http.Error(w, i18n.T(lang, "agent.files.failed"), http.StatusBadGateway)
	}
}
