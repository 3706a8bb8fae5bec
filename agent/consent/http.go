package consent

import (
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

//go:embed page.html
var pageFS embed.FS

var pageTmpl = template.Must(template.ParseFS(pageFS, "page.html"))

// maxBody bounds the body of a POST to the page.
const maxBody = 1 << 10

// view is the state of the session as one page in one language sees it; it is both
// the page's template data and the JSON of each event.
type view struct {
	Status     string       `json:"status"`
	StatusText string       `json:"statusText"`
	Title      string       `json:"title"`
	Org        string       `json:"org"`
	Tech       string       `json:"tech"`
	Customer   string       `json:"customer"`
	Server     string       `json:"server"`     // the support server's host name
	ServerNote string       `json:"serverNote"` // what to check about it
	Request    *viewRequest `json:"request"`
	CanStop    bool         `json:"canStop"`
	Clipboard  bool         `json:"clipboard"` // the clipboard is shared now
	SysInfo    bool         `json:"sysinfo"`   // the technician may see the system information now
	Files      bool         `json:"fm"`        // the technician may manage files now
	Ended      bool         `json:"ended"`
	// Started is when the session began (Unix milliseconds, 0 before), so the
	// page can show how long it has lasted.
	Started   int64  `json:"started"`
	EndedText string `json:"endedText"`
	// Problem says why the support server cannot be reached (the proxy).
	Problem string `json:"problem"`
	// Login asks the proxy's user name and password.
	Login *viewLogin `json:"login"`
	// Code is the connection's verification code, "" when there is none.
	Code string `json:"code"`
	// Survey is the customer's survey, nil when the session asks none.
	Survey *viewSurvey `json:"survey"`
	// Helpers names the technician's colleagues connected too ("" when none).
	Helpers string `json:"helpers"`
	// Controller names who has remote control, while control is allowed
	// and colleagues are connected ("" otherwise).
	Controller string `json:"controller"`
	// Lead says the lead of the session passed to a colleague, by name
	// ("" otherwise).
	Lead string `json:"lead"`
	// WaitLong says the channel's waiting limit passed with nobody taking
	// the request: the page offers to keep waiting or leave a message.
	// Leaving says the message is on its way; WaitError why it could not
	// be left.
	WaitLong  bool   `json:"waitLong"`
	Leaving   bool   `json:"leaving"`
	WaitError string `json:"waitError"`
}

// viewRequest is a pending question as the page shows it.
type viewRequest struct {
	ID      string `json:"id"`
	Perm    string `json:"perm"`
	Text    string `json:"text"`
	Detail  string `json:"detail"`
	Warning string `json:"warning,omitempty"` // only on the first request
	// Allow and Deny are the buttons' words.
	Allow string `json:"allow"`
	Deny  string `json:"deny"`
}

// viewLocked builds the view in lang. u.mu must be held.
func (u *UI) viewLocked(lang i18n.Lang) view {
	tech, org := u.namesLocked(lang)
	st := u.statusLocked()
	v := view{
		Status:     st,
		StatusText: i18n.T(lang, "agent.status."+st),
		Org:        org,
		Tech:       tech,
		Customer:   orUnknown(lang, u.info.CustomerName),
		Server:     orUnknown(lang, u.info.Server),
		CanStop:    u.perms.Control && st != statusEnded,
		Clipboard:  u.perms.Clipboard && st != statusEnded,
		SysInfo:    u.perms.SysInfo && st != statusEnded,
		Files:      u.perms.FileManager && st != statusEnded,
		Ended:      st == statusEnded,
		Code:       u.code,
		Survey:     u.surveyViewLocked(),
	}
	if len(u.helpers) > 0 && st != statusEnded {
		v.Helpers = strings.Join(u.helpers, ", ")
		if u.perms.Control {
			v.Controller = tech
			if u.controller != "" {
				v.Controller = u.controller
			}
		}
	}
	if u.waitedLong && !u.connected && st != statusEnded {
		v.WaitLong, v.Leaving = true, u.leaving
		if u.waitFailed != "" {
			v.WaitError = i18n.T(lang, u.waitFailed)
		}
	}
	if u.lead != "" && st != statusEnded {
		v.Lead = i18n.T(lang, "agent.lead.passed", u.lead)
	}
	if u.reconnect && st != statusEnded && st != statusReconnecting {
		// Only signaling is away: the session itself goes on.
		v.StatusText = i18n.T(lang, "agent.status.continues", v.StatusText)
	}
	if u.info.Server != "" {
		v.ServerNote = i18n.T(lang, "agent.server.note", u.info.Server)
	}
	if !u.started.IsZero() {
		v.Started = u.started.UnixMilli()
	}
	v.Title = v.StatusText + " · " + i18n.T(lang, "agent.title")
	if v.Ended {
		v.EndedText = i18n.T(lang, u.endReason)
	}
	u.problemViewLocked(lang, &v)
	if req := u.pending; req != nil {
		v.Request = &viewRequest{
			ID:     req.id,
			Perm:   string(req.perm),
			Text:   askText(lang, req, tech, org),
			Detail: askDetail(lang, req.perm),
			Allow:  i18n.T(lang, "agent.allow"),
			Deny:   i18n.T(lang, "agent.deny"),
		}
		if req.perm == protocol.PermissionReboot || req.perm == protocol.PermissionReconnect || req.perm == protocol.PermissionLauncher {
			v.Request.Allow = i18n.T(lang, "agent.ask."+string(req.perm)+".allow")
			v.Request.Deny = i18n.T(lang, "agent.ask."+string(req.perm)+".deny")
		}
		if req.first {
			v.Request.Warning = i18n.T(lang, "agent.warning", org)
		}
	}
	return v
}

// ServeHTTP serves the page, its event stream, its POST endpoints and the
// panels mounted on it, after the Loopback checks (Host, secret path,
// Origin).
func (u *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sub, ok := u.lb.Check(w, r)
	if !ok {
		return
	}
	switch sub {
	case "":
		u.servePage(w, r)
	case "events":
		u.serveEvents(w, r)
	case "answer":
		u.serveAnswer(w, r)
	case "action":
		u.serveAction(w, r)
	case "proxy":
		u.serveProxy(w, r)
	case "survey":
		u.serveSurvey(w, r)
	case "wait":
		u.serveWait(w, r)
	case i18n.ScriptName:
		// The panels' shared module (import "../i18n.js").
		i18n.Script(w, r)
	default:
		name, _, _ := strings.Cut(sub, "/")
		h := u.panel(name)
		if h == nil {
			http.NotFound(w, r)
			return
		}
		http.StripPrefix(u.lb.Prefix()+name, h).ServeHTTP(w, r)
	}
}

// langOf is the language a request asks for with ?lang=, else the configured one.
func (u *UI) langOf(r *http.Request) i18n.Lang {
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	return u.cfg.Lang
}

// pageData is the template data of page.html.
type pageData struct {
	view
	Lang   i18n.Lang
	Langs  []langLink
	T      map[string]string
	Nonce  string
	Panels []string
}

type langLink struct {
	Code    i18n.Lang
	Name    string
	Current bool
}

func (u *UI) servePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	lang := u.langOf(r)
	var n [16]byte
	if _, err := rand.Read(n[:]); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	d := pageData{Lang: lang, T: i18n.Table(lang, "agent."), Nonce: base64.StdEncoding.EncodeToString(n[:]), Panels: u.panelNames()}
	for _, l := range i18n.Langs {
		d.Langs = append(d.Langs, langLink{Code: l, Name: strings.ToUpper(string(l)), Current: l == lang})
	}
	u.mu.Lock()
	d.view = u.viewLocked(lang)
	u.mu.Unlock()

	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", fmt.Sprintf("default-src 'none'; script-src 'nonce-%[1]s'; style-src 'nonce-%[1]s'; "+
		"connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", d.Nonce))
	if err := pageTmpl.Execute(w, d); err != nil {
		u.log.Warn("customer page render", "err", err)
	}
}

// serveEvents streams the view as Server-Sent Events: the current one at once, then
// one after every change, until the page goes away or the UI closes. A session
// that ended is said before the stream closes, however soon the UI closes after
// Ended: the page shows the end, not a lost connection.
func (u *UI) serveEvents(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	lang := u.langOf(r)
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	for {
		u.mu.Lock()
		v := u.viewLocked(lang)
		changed := u.changed
		closed := u.closed
		u.mu.Unlock()
		if closed && !v.Ended {
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			return
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return
		}
		if err := rc.Flush(); err != nil || closed {
			return
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		case <-u.ctx.Done():
			// Closed: one more turn says how it ended, if it did.
		}
	}
}

// decodePost checks that r is a JSON POST from the page and reads its small
// body into v, answering refusals itself.
func decodePost(w http.ResponseWriter, r *http.Request, v any) bool {
	return PagePost(w, r, "application/json") && DecodeJSON(w, r, v, maxBody, "body too large")
}

// answerBody is the body of POST answer.
type answerBody struct {
	ID    string `json:"id"`
	Allow bool   `json:"allow"`
}

// serveAnswer records the customer's answer to the pending request; 409 if the
// request named is no longer pending (answered elsewhere, withdrawn, replaced).
func (u *UI) serveAnswer(w http.ResponseWriter, r *http.Request) {
	var b answerBody
	if !decodePost(w, r, &b) {
		return
	}
	u.mu.Lock()
	ok := u.answerLocked(b.ID, b.Allow, false)
	u.mu.Unlock()
	if !ok {
		http.Error(w, i18n.T(u.langOf(r), "agent.page.stale"), http.StatusConflict)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// actionBody is the body of POST action.
type actionBody struct {
	Action Action `json:"action"`
}

// serveAction delivers the customer's own action (stop control, end session).
func (u *UI) serveAction(w http.ResponseWriter, r *http.Request) {
	var b actionBody
	if !decodePost(w, r, &b) {
		return
	}
	switch b.Action {
	case ActionEnd, ActionRevokeControl, ActionRevokeClipboard, ActionRevokeTerminal, ActionRevokeSysInfo, ActionRemoveHelpers, ActionRevokeFileManager:
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
		return
	}
	u.mu.Lock()
	u.actLocked(b.Action)
	u.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
