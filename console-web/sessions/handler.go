// Package sessions is the technician's console: the list of sessions, creating one
// with its invitation, and the workspace where the customer's desktop is shown.
package sessions

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/console-web/fields"
	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Service is what the console pages need of the session service.
type Service interface {
	Create(ctx context.Context, tech auth.Technician, customer, ip string, fields map[string]string) (store.Session, error)
	Sessions(ctx context.Context, tech auth.Technician) ([]store.Session, error)
	Visible(ctx context.Context, tech auth.Technician, sid string) (store.Session, error)
	SetField(ctx context.Context, tech auth.Technician, sid, id, value string) (store.Session, error)
}

// Fields reads the organisation's custom session fields (the store does).
type Fields interface {
	CustomFields(ctx context.Context) ([]store.CustomField, error)
}

// Handler serves /console and everything under it.
type Handler struct {
	Auth     *auth.Auth
	Sessions Service
	Fields   Fields
	// Scripts is the script library; nil leaves the Scripts panel empty.
	Scripts Scripts
	// Channels are the channels a "Get help" launcher may ask for help
	// on; nil offers none.
	Channels  Channels
	PublicURL string
	Logger    *slog.Logger
	// Externals and PINs serve external collaborators; nil Externals
	// serves none.
	Externals Externals
	PINs      PINs
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /console", h.Auth.Require(http.HandlerFunc(h.list)))
	mux.Handle("POST /console/sessions", h.Auth.Require(http.HandlerFunc(h.create)))
	mux.Handle("GET /console/sessions/{sid}", h.Auth.Require(http.HandlerFunc(h.workspace)))
	mux.Handle("POST /console/sessions/{sid}/fields", h.Auth.Require(http.HandlerFunc(h.setField)))
	mux.Handle("GET /console/sessions/{sid}/scripts", h.Auth.Require(http.HandlerFunc(h.scripts)))
	mux.Handle("GET /console/sessions/{sid}/scripts/{id}", h.Auth.Require(http.HandlerFunc(h.script)))
	if h.Externals != nil {
		h.registerExternal(mux)
	}
	mux.Handle("GET /console/launcher-channels", h.Auth.Require(http.HandlerFunc(h.launcherChannels)))
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
	_ = listView(p, t, ss, "", h.form(r, nil)).Render(r.Context(), w)
}

// form is the invitation form's custom fields: empty, or as typed (r's
// form) with the messages of errs.
func (h *Handler) form(r *http.Request, errs map[string]string) fields.Form {
	defs, err := h.Fields.CustomFields(r.Context())
	if err != nil {
		h.Logger.Error("custom fields", "err", err)
	}
	f := fields.Form{Defs: defs, Values: map[string]string{}, Errs: errs, IDPrefix: "new-field-"}
	if r.Method == http.MethodPost {
		f.Values, f.Customer = fields.FromForm(r), r.PostFormValue("customer")
	}
	return f
}

// wantsJSON reports whether the request comes from a page script that reads
// refusals as JSON (the queue's invitation form).
func wantsJSON(r *http.Request) bool { return r.Header.Get("Accept") == "application/json" }

// Refusal is the JSON answer to a refused form: a message, and one per
// custom field refused (field ID → message).
type Refusal struct {
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	p, t := h.page(w, r, "console.title")
	_ = r.ParseForm()
	s, err := h.Sessions.Create(r.Context(), t, r.PostFormValue("customer"), auth.ClientIP(r), fields.FromForm(r))
	var denied *sessions.DeniedError
	var tooMany *sessions.TooManyError
	var bad sessions.FieldsError
	switch {
	case err == nil:
		http.Redirect(w, r, "/console/sessions/"+s.ID, http.StatusSeeOther)
	case errors.As(err, &denied):
		http.Error(w, denied.Error(), http.StatusForbidden)
	case errors.Is(err, sessions.ErrBadName):
		h.listWith(w, r, p, t, http.StatusBadRequest, p.T("console.badName", sessions.MaxCustomerName), nil)
	case errors.As(err, &bad):
		h.listWith(w, r, p, t, http.StatusBadRequest, p.T("fields.fix"), fields.Messages(p, bad))
	case errors.As(err, &tooMany):
		h.listWith(w, r, p, t, http.StatusConflict, p.T("console.tooMany", tooMany.Max), nil)
	case errors.Is(err, audit.ErrNotRecorded):
		http.Error(w, p.T("error.notAudited"), http.StatusServiceUnavailable)
	default:
		h.Logger.Error("create session", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
	}
}

// listWith answers the session list with status and a message above it,
// the invitation form as it was typed and the messages of its custom fields
// (field ID → message) beside them; a page script gets them as a Refusal.
func (h *Handler) listWith(w http.ResponseWriter, r *http.Request, p layout.Page, t auth.Technician, status int, msg string, fieldErrs map[string]string) {
	if wantsJSON(r) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(Refusal{Message: msg, Fields: fieldErrs})
		return
	}
	w.WriteHeader(status)
	ss, _ := h.Sessions.Sessions(r.Context(), t)
	_ = listView(p, t, ss, msg, h.form(r, fieldErrs)).Render(r.Context(), w)
}

// FieldChange is the body of POST /console/sessions/{sid}/fields: one custom
// field's new value ("" clears an optional field).
type FieldChange struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// setField changes a custom field of a session of the technician's (the
// queue's editor); a refusal is a Refusal.
func (h *Handler) setField(w http.ResponseWriter, r *http.Request) {
	p, t := h.page(w, r, "console.title")
	var c FieldChange
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	dec.DisallowUnknownFields()
	refuse := func(status int, msg string, errs map[string]string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(Refusal{Message: msg, Fields: errs})
	}
	if err := dec.Decode(&c); err != nil {
		refuse(http.StatusBadRequest, p.T("fields.unknown"), nil)
		return
	}
	_, err := h.Sessions.SetField(r.Context(), t, r.PathValue("sid"), c.ID, c.Value)
	var bad sessions.FieldsError
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.As(err, &bad):
		msgs := fields.Messages(p, bad)
		refuse(http.StatusBadRequest, msgs[c.ID], msgs)
	case errors.Is(err, sessions.ErrNoField):
		refuse(http.StatusBadRequest, p.T("fields.unknown"), nil)
	case errors.Is(err, sessions.ErrNotFound):
		refuse(http.StatusNotFound, p.T("console.notFoundText"), nil)
	case errors.Is(err, sessions.ErrClosed):
		refuse(http.StatusConflict, p.T("fields.closed"), nil)
	default:
		h.Logger.Error("set custom field", "err", err)
		refuse(http.StatusInternalServerError, p.T("error.server"), nil)
	}
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
		// Anyone but its technician (and who it is being transferred to)
		// sees the session as a colleague: in it, invited, or watching.
		Helper: s.TechnicianID != t.ID && (s.Transfer == nil || s.Transfer.ToID != t.ID),
	}
	// The unattended window's day names.
	maps.Copy(ws.Strings, i18n.Table(p.Lang, "day."))
	if ws.Helper {
		// A colleague helps with the screen and what the lead granted them:
		// the invitation is the lead's.
		ws.Granted = grantedTo(s, t.ID)
		ws.Session.PIN = ""
		_ = workspaceView(p, ws).Render(r.Context(), w)
		return
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
	"survey",
	"sysinfo",
	"terminal",
	"scripts",
	"collab",
	"fileman",
	"pointers",
	"share",
	"voice",
	"unattended",
	"reboot",
	"launcher",
}

// helperScripts are the feature modules of every colleague's workspace:
// their connection carries the screen, and input once the lead hands
// control over.
var helperScripts = []string{"view", "collab", "pointers"}

// helperGranted are the feature modules a colleague's workspace loads when
// the lead granted them what they need (protocol.Denied* names); the agent
// closes any other channel, and checks these on every message.
var helperGranted = []struct{ script, grant string }{
	{"chat", protocol.DeniedChat},
	{"files", protocol.DeniedFiles},
	{"clipboard", protocol.DeniedClipboard},
	{"draw", protocol.DeniedDrawing},
}

// helperOwn are the feature modules a collaborator's workspace loads when
// their own group allows them, whatever the lead granted: joining the
// lead's call and showing their screen to the customer (a group lead who
// only watches has neither).
var helperOwn = []string{"voice", "share"}

// grantedTo is what the lead of session s granted colleague id (Grantable
// names), as a collaborator or, not in yet, as invited.
func grantedTo(s store.Session, id string) []string {
	if m, ok := s.Collab.Member(id); ok {
		if m.Role == protocol.RoleMonitor {
			return nil
		}
		out := []string{} // nil is a group lead who watches
		for _, g := range protocol.Grantable {
			if !slices.Contains(m.Denied, g) {
				out = append(out, g)
			}
		}
		return out
	}
	for _, i := range s.Collab.Invited {
		if i.ID == id {
			return i.Grant
		}
	}
	return nil
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
	"scripts":    access.Scripts,
	"collab":     access.Collaborate,
	"fileman":    access.FileManager,
	"share":      access.ShowScreen,
	"voice":      access.Voice,
	"unattended": access.Unattended,
	"reboot":     access.Reboot,
	"launcher":   access.Launcher,
}

// scriptsFor lists the feature modules the technician may use, in a
// session they lead or, helper, help with.
func scriptsFor(t auth.Technician, helper bool, granted []string) []string {
	if helper {
		out := slices.Clone(helperScripts)
		for _, g := range helperGranted {
			if slices.Contains(granted, g.grant) && (featurePerm[g.script] == "" || t.Can(featurePerm[g.script])) {
				out = append(out, g.script)
			}
		}
		for _, f := range helperOwn {
			if granted != nil && t.Can(featurePerm[f]) {
				out = append(out, f)
			}
		}
		return out
	}
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
	// Helper says the technician is a colleague in (or invited to) the
	// session, not its lead.
	Helper bool
	// Granted is what the lead granted them, a colleague (Grantable names).
	Granted []string
	// External says they are an external collaborator, in their limited
	// console; Socket is the console socket's path ("" for /ws/console).
	External bool
	Socket   string
}

// SocketPath is the path of the workspace's console socket.
func (ws workspaceData) SocketPath() string {
	if ws.Socket == "" {
		return "/ws/console"
	}
	return ws.Socket
}

// HelperMay reports whether the colleague's workspace shows what grant (a
// Grantable name) needs: the lead granted it and their group allows it.
func (ws workspaceData) HelperMay(grant string, p access.Perm) bool {
	return ws.Helper && slices.Contains(ws.Granted, grant) && ws.Tech.Can(p)
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
