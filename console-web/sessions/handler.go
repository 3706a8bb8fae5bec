// Package sessions is the technician's console: the list of sessions, creating one
// with its invitation, and the workspace where the customer's desktop is shown.
package sessions

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/shared/text"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Handler serves /console and everything under it.
type Handler struct {
	Auth      *auth.Auth
	Store     *store.Store
	Invites   *invite.Service
	PublicURL string
	Audit     *audit.Log
	Logger    *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /console", h.Auth.Require(http.HandlerFunc(h.list)))
	mux.Handle("POST /console/sessions", h.Auth.RequirePerm(access.StartSessions, http.HandlerFunc(h.create)))
	mux.Handle("GET /console/sessions/{sid}", h.Auth.Require(http.HandlerFunc(h.workspace)))
}

// maxCustomerName bounds the customer's name, in characters.
const maxCustomerName = 80

func (h *Handler) page(w http.ResponseWriter, r *http.Request, titleKey string) (layout.Page, auth.Technician) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, titleKey, t)
	return p, t
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	p, t := h.page(w, r, "console.title")
	ss, err := h.Store.Sessions(r.Context(), t.ID)
	if err != nil {
		h.Logger.Error("list sessions", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	_ = listView(p, t, ss, "").Render(r.Context(), w)
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	p, t := h.page(w, r, "console.title")
	name := strings.TrimSpace(r.PostFormValue("customer"))
	if name == "" || utf8.RuneCountInString(name) > maxCustomerName || text.CheckName(name) != nil {
		w.WriteHeader(http.StatusBadRequest)
		ss, _ := h.Store.Sessions(r.Context(), t.ID)
		_ = listView(p, t, ss, p.T("console.badName", maxCustomerName)).Render(r.Context(), w)
		return
	}
	if max := h.Auth.Settings(r.Context()).MaxActiveSessions; max > 0 {
		n, err := h.Store.ActiveSessions(r.Context(), t.ID)
		if err == nil && n >= max {
			w.WriteHeader(http.StatusConflict)
			ss, _ := h.Store.Sessions(r.Context(), t.ID)
			_ = listView(p, t, ss, p.T("console.tooMany", max)).Render(r.Context(), w)
			return
		}
	}
	sid, err := invite.NewToken()
	if err != nil {
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	inv, err := h.Invites.Issue(r.Context(), sid)
	if err == nil && !t.Can(access.InvitePIN) {
		// No PIN for this technician: withdraw the one issued with the link.
		_, _ = h.Store.TakePIN(r.Context(), inv.PIN)
		inv.PIN = ""
	}
	if err == nil {
		now := time.Now()
		err = h.Store.CreateSession(r.Context(), store.Session{
			ID: sid, TechnicianID: t.ID, TechnicianName: t.Name, CustomerName: name,
			State: session.Connecting, Created: now, Changed: now,
			InviteToken: inv.Token, InviteExpires: inv.Expires, PIN: inv.PIN, PINExpires: inv.PINExpires,
		})
	}
	if err != nil {
		h.Logger.Error("create session", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	h.Logger.Info("session created", "sid", sid, "tech", t.ID)
	if err := h.Audit.Record(r.Context(), audit.Event{Type: audit.SessionCreated, Actor: t.ID, SessionID: sid, IP: auth.ClientIP(r), Detail: name}); err != nil {
		h.Logger.Error("audit", "err", err)
	}
	http.Redirect(w, r, "/console/sessions/"+sid, http.StatusSeeOther)
}

func (h *Handler) workspace(w http.ResponseWriter, r *http.Request) {
	p, t := h.page(w, r, "console.title")
	s, err := h.Store.Session(r.Context(), r.PathValue("sid"))
	if err != nil || !s.VisibleTo(t.ID) {
		w.WriteHeader(http.StatusNotFound)
		_ = layout.Message(p, p.T("console.notFound"), p.T("console.notFoundText")).Render(r.Context(), w)
		return
	}
	p.Title = s.CustomerName + " · " + p.Title
	link := strings.TrimRight(h.PublicURL, "/") + "/s/" + s.InviteToken
	ws := workspaceData{
		Session: s,
		JoinURL: strings.TrimRight(h.PublicURL, "/") + "/join",
		Strings: i18n.Table(p.Lang, "ws."),
		Tech:    t,
	}
	// What the technician may not use is not sent at all, not just hidden.
	if t.Can(access.InviteLink) {
		ws.Link = link
	}
	if !t.Can(access.InvitePIN) {
		ws.Session.PIN = ""
	}
	if t.Can(access.InviteEmail) {
		ws.Mailto = mailto(p, h.Auth.Settings(r.Context()).OrgName, t.Name, link, ws.Session.PIN)
	}
	_ = workspaceView(p, ws).Render(r.Context(), w)
}

// featureScripts are the workspace's feature modules (static/<name>.js); each
// registers itself (features.js) before console.js runs.
var featureScripts = []string{
	"chat",
	"files",
	"clipboard",
	"view",
	"path",
	"draw",
	"screenshot",
	"recording",
	"notes",
}

// featurePerm is the permission a feature module needs; without it the module
// is not loaded and its panel stays empty.
var featurePerm = map[string]access.Perm{
	"files":      access.Files,
	"clipboard":  access.Clipboard,
	"draw":       access.Drawing,
	"screenshot": access.View,
	"recording":  access.Recording,
}

// scriptsFor lists the feature modules the technician may use.
func scriptsFor(t auth.Technician) []string {
	var out []string
	for _, f := range featureScripts {
		if p, ok := featurePerm[f]; ok && !t.Can(p) {
			continue
		}
		out = append(out, f)
	}
	return out
}

type workspaceData struct {
	Tech    auth.Technician
	Session store.Session
	Link    string
	JoinURL string
	Mailto  string
	Strings map[string]string
}

// mailto builds a mailto: link with a ready subject and body.
func mailto(p layout.Page, org, tech, link, pin string) string {
	q := url.Values{}
	q.Set("subject", p.T("mail.subject", org))
	q.Set("body", p.T("mail.body", tech, org, link, pin))
	// mailto wants %20 for spaces, not '+'.
	return "mailto:?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// stateKey is the catalog key naming a session state.
func stateKey(s session.State) string { return "state." + string(s) }

func ago(p layout.Page, t time.Time) string {
	d := time.Since(t).Round(time.Minute)
	if d < time.Minute {
		return p.T("time.justNow")
	}
	if d < time.Hour {
		return p.T("time.minutesAgo", int(d.Minutes()))
	}
	return t.Local().Format("2006-01-02 15:04")
}
