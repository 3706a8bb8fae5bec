// Package sessions is the technician's console: the list of sessions, creating one
// with its invitation, and the workspace where the customer's desktop is shown.
package sessions

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Service is what the console pages need of the session service.
type Service interface {
	Create(ctx context.Context, tech auth.Technician, customer, ip string) (store.Session, error)
	Sessions(ctx context.Context, tech auth.Technician) ([]store.Session, error)
	Visible(ctx context.Context, tech auth.Technician, sid string) (store.Session, error)
}

// Handler serves /console and everything under it.
type Handler struct {
	Auth      *auth.Auth
	Sessions  Service
	PublicURL string
	Logger    *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /console", h.Auth.Require(http.HandlerFunc(h.list)))
	mux.Handle("POST /console/sessions", h.Auth.Require(http.HandlerFunc(h.create)))
	mux.Handle("GET /console/sessions/{sid}", h.Auth.Require(http.HandlerFunc(h.workspace)))
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request, titleKey string) (layout.Page, auth.Technician) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, titleKey, t)
	return p, t
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	p, t := h.page(w, r, "console.title")
	ss, err := h.Sessions.Sessions(r.Context(), t)
	if err != nil {
		h.Logger.Error("list sessions", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	_ = listView(p, t, ss, "").Render(r.Context(), w)
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	p, t := h.page(w, r, "console.title")
	s, err := h.Sessions.Create(r.Context(), t, r.PostFormValue("customer"), auth.ClientIP(r))
	var denied *sessions.DeniedError
	var tooMany *sessions.TooManyError
	switch {
	case err == nil:
		http.Redirect(w, r, "/console/sessions/"+s.ID, http.StatusSeeOther)
	case errors.As(err, &denied):
		http.Error(w, denied.Error(), http.StatusForbidden)
	case errors.Is(err, sessions.ErrBadName):
		h.listWith(w, r, p, t, http.StatusBadRequest, p.T("console.badName", sessions.MaxCustomerName))
	case errors.As(err, &tooMany):
		h.listWith(w, r, p, t, http.StatusConflict, p.T("console.tooMany", tooMany.Max))
	case errors.Is(err, audit.ErrNotRecorded):
		http.Error(w, p.T("error.notAudited"), http.StatusServiceUnavailable)
	default:
		h.Logger.Error("create session", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
	}
}

// listWith answers the session list with status and a message above it.
func (h *Handler) listWith(w http.ResponseWriter, r *http.Request, p layout.Page, t auth.Technician, status int, msg string) {
	w.WriteHeader(status)
	ss, _ := h.Sessions.Sessions(r.Context(), t)
	_ = listView(p, t, ss, msg).Render(r.Context(), w)
}

func (h *Handler) workspace(w http.ResponseWriter, r *http.Request) {
	p, t := h.page(w, r, "console.title")
	s, err := h.Sessions.Visible(r.Context(), t, r.PathValue("sid"))
	if err != nil {
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
		ws.Mailto = mailto(p, h.Auth.Settings(r.Context()).OrgName, t.Name, link, ws.JoinURL, ws.Session.PIN)
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
	"sysinfo",
	"terminal",
	"fileman",
}

// featurePerm is the permission a feature module needs; without it the module
// is not loaded and its panel stays empty.
var featurePerm = map[string]access.Perm{
	"files":      access.Files,
	"clipboard":  access.Clipboard,
	"draw":       access.Drawing,
	"screenshot": access.View,
	"recording":  access.Recording,
	"sysinfo":    access.SysInfo,
	"terminal":   access.Terminal,
	"fileman":    access.FileManager,
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

// mailto builds a mailto: link with a ready subject and body: the link, and
// the join page's address with the code for when the link does not work.
func mailto(p layout.Page, org, tech, link, join, pin string) string {
	q := url.Values{}
	q.Set("subject", p.T("mail.subject", org))
	q.Set("body", p.T("mail.body", tech, org, link, join, pin))
	// mailto wants %20 for spaces, not '+'.
	return "mailto:?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// expires says until when the invitation's link and code are valid, as the
// page's language writes dates and times.
func expires(p layout.Page, s store.Session) string {
	return p.T("console.expires", i18n.DateTime(p.Lang, s.InviteExpires.Local()), i18n.Time(p.Lang, s.PINExpires.Local()))
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
	return i18n.DateTime(p.Lang, t.Local())
}
