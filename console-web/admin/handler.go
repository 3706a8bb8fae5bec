// Package admin is the administration centre: technicians, technician groups
// and their permissions, the organisation's settings, and the audit trail with
// its CSV and JSON export. Only administrators reach it.
package admin

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/text"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/orgkey"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Handler serves /admin and everything under it.
type Handler struct {
	Auth  *auth.Auth
	Store *store.Store
	Audit *audit.Log
	// OrgKey, if set, is the organisation's signing key, whose public half
	// the page shows for offline records.
	OrgKey *orgkey.Keys
	// PublicURL is how customers reach this server: the channels' snippets
	// link to it.
	PublicURL string
	Logger    *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	a := func(f http.HandlerFunc) http.Handler { return h.Auth.RequireAdmin(f) }
	mux.Handle("GET /admin", a(h.page))
	mux.Handle("POST /admin/technicians", a(h.createTech))
	mux.Handle("POST /admin/technicians/{id}", a(h.changeTech))
	mux.Handle("POST /admin/groups", a(h.putGroup))
	mux.Handle("POST /admin/groups/{id}/delete", a(h.deleteGroup))
	mux.Handle("POST /admin/surveys", a(h.putSurveys))
	mux.Handle("POST /admin/scripts", a(h.putScript))
	mux.Handle("POST /admin/scripts/{id}", a(h.putScript))
	mux.Handle("POST /admin/scripts/{id}/delete", a(h.deleteScript))
	mux.Handle("POST /admin/settings", a(h.putSettings))
	mux.Handle("POST /admin/fields", a(h.putField))
	mux.Handle("POST /admin/fields/{id}", a(h.putField))
	mux.Handle("POST /admin/fields/{id}/delete", a(h.deleteField))
	mux.Handle("POST /admin/channels", a(h.putChannel))
	mux.Handle("POST /admin/channels/{slug}", a(h.putChannel))
	mux.Handle("POST /admin/channels/{slug}/delete", a(h.deleteChannel))
	mux.Handle("GET /admin/audit", a(h.audit))
}

// idPattern is what account and group IDs may look like; validID adds the
// store's rule (no dot at the end, no two dots in a row).
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

func validID(id string) bool { return idPattern.MatchString(id) && store.ValidKey(id) }

const maxName = 80

type pageData struct {
	Accounts []store.Account
	Groups   []store.Group
	// Surveys are each group's surveys, in the groups' order.
	Surveys []store.SurveySettings
	Fields  []store.CustomField
	// Scripts is the script library, by name.
	Scripts []store.Script
	// Channels are the channels customers ask for help on.
	Channels []store.Channel
	// PublicURL is how customers reach this server (the channels' snippets).
	PublicURL string
	Settings  store.Settings
	Self      string
	Notice    string
	Error     string
	// OrgKeyPEM and OrgKeyFingerprint are the organisation key's public half.
	OrgKeyPEM, OrgKeyFingerprint string
	// Refused is the form that was refused, as typed, with its errors; the
	// other forms show what is stored.
	Refused refusedForm
}

// groupFormID is the element ID of a group's form ("group-new" for a new one).
func groupFormID(g store.Group, isNew bool) string {
	if isNew {
		return "group-new"
	}
	return "group-" + g.ID
}

// invalid marks the input inputID of form as wrong, pointing at its message.
func invalid(f refusedForm, form, field, inputID string) templ.Attributes {
	if f.err(form, field) == "" {
		return templ.Attributes{}
	}
	return templ.Attributes{"aria-invalid": "true", "aria-describedby": inputID + "-error"}
}

// actionClass is how a technician's action button looks: the ones that take
// something away in the danger colour, the others as secondary buttons.
func actionClass(action string) string {
	switch action {
	case "disable", "delete":
		return "secondary danger-text"
	}
	return "secondary"
}

// refusedForm is a form the server refused: which one (its element ID), what
// was typed, and a message for each field that was wrong, shown beside it.
type refusedForm struct {
	ID     string
	Values url.Values
	Errs   map[string]string
}

// value is what was typed in field of form id, or stored when that form was
// not the one refused.
func (f refusedForm) value(id, field, stored string) string {
	if f.ID != id {
		return stored
	}
	return f.Values.Get(field)
}

// err is the message for field of form id, or "".
func (f refusedForm) err(id, field string) string {
	if f.ID != id {
		return ""
	}
	return f.Errs[field]
}

// checked is whether a check box of form id is ticked: as sent when that form
// was refused, else as stored.
func (f refusedForm) checked(id, field, value string, stored bool) bool {
	if f.ID != id {
		return stored
	}
	for _, v := range f.Values[field] {
		if v == value {
			return true
		}
	}
	return false
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, notice, errMsg string) {
	h.renderWith(w, r, status, notice, errMsg, refusedForm{})
}

// renderWith is render with a refused form shown as it was typed.
func (h *Handler) renderWith(w http.ResponseWriter, r *http.Request, status int, notice, errMsg string, f refusedForm) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "admin.title", t)
	d := pageData{Self: t.ID, Notice: notice, Error: errMsg, Settings: h.Auth.Settings(r.Context()), Refused: f, PublicURL: h.PublicURL}
	if h.OrgKey != nil {
		d.OrgKeyPEM, d.OrgKeyFingerprint = h.OrgKey.PEM(), h.OrgKey.Fingerprint()
	}
	var err error
	if d.Accounts, err = h.Store.Accounts(r.Context()); err == nil {
		d.Groups, err = h.Store.Groups(r.Context())
	}
	if err == nil {
		d.Surveys, err = h.surveysOf(r, d.Groups)
	}
	if err == nil {
		d.Fields, err = h.Store.CustomFields(r.Context())
	}
	if err == nil {
		d.Scripts, err = h.Store.Scripts(r.Context())
	}
	if err == nil {
		d.Channels, err = h.Store.Channels(r.Context())
	}
	if err != nil {
		h.Logger.Error("admin page", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	_ = view(p, d).Render(r.Context(), w)
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	p := layout.NewPage(w, r, "admin.title")
	notice := ""
	if k := r.URL.Query().Get("done"); k != "" && strings.HasPrefix(k, "admin.done.") {
		notice = p.T(k)
	}
	h.render(w, r, http.StatusOK, notice, "")
}

// done records the change and goes back to the page with a notice.
func (h *Handler) done(w http.ResponseWriter, r *http.Request, typ audit.Type, detail, key string) {
	t, _ := auth.From(r.Context())
	if err := h.Audit.Record(r.Context(), audit.Event{Type: typ, Actor: t.ID, IP: auth.ClientIP(r), Detail: detail}); err != nil {
		h.Logger.Error("audit", "err", err)
	}
	http.Redirect(w, r, "/admin?done="+url.QueryEscape(key), http.StatusSeeOther)
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, key string, args ...any) {
	p := layout.NewPage(w, r, "admin.title")
	h.render(w, r, status, "", p.T(key, args...))
}

// refuse shows form id again as typed, each message of errs (field → i18n
// key) beside its field, and the first one at the top of the page.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, id string, errs map[string]string, order []string, args map[string][]any) {
	p := layout.NewPage(w, r, "admin.title")
	f := refusedForm{ID: id, Values: r.PostForm, Errs: map[string]string{}}
	top := ""
	for _, field := range order {
		if k, ok := errs[field]; ok {
			f.Errs[field] = p.T(k, args[field]...)
			if top == "" {
				top = f.Errs[field]
			}
		}
	}
	h.renderWith(w, r, status, "", top, f)
}

// validName reports whether s may be shown to others as a name: not empty,
// at most maxName characters, UTF-8 without hidden characters.
func validName(s string) bool {
	return s != "" && utf8.RuneCountInString(s) <= maxName && text.CheckName(s) == nil
}

func (h *Handler) createTech(w http.ResponseWriter, r *http.Request) {
	id := strings.ToLower(strings.TrimSpace(r.PostFormValue("id")))
	name := strings.TrimSpace(r.PostFormValue("name"))
	role := store.Role(r.PostFormValue("role"))
	group := r.PostFormValue("group")
	order := []string{"id", "name", "password", "role", "group"}
	errs := map[string]string{}
	if !validID(id) {
		errs["id"] = "admin.badID"
	}
	if !validName(name) {
		errs["name"] = "admin.badName"
	}
	if role != store.RoleAdmin && role != store.RoleTechnician {
		errs["role"] = "admin.badTech"
	}
	if _, err := h.Store.Group(r.Context(), group); err != nil {
		errs["group"] = "admin.badGroup"
	}
	if len(errs) > 0 {
		h.refuse(w, r, http.StatusBadRequest, "new-tech", errs, order, nil)
		return
	}
	err := h.Auth.CreateTechnician(r.Context(), id, name, r.PostFormValue("password"), role, group)
	switch {
	case errors.Is(err, auth.ErrWeakPassword):
		h.refuse(w, r, http.StatusBadRequest, "new-tech", map[string]string{"password": "admin.weakPassword"}, order, map[string][]any{"password": {auth.MinPassword}})
	case errors.Is(err, store.ErrExists):
		h.refuse(w, r, http.StatusConflict, "new-tech", map[string]string{"id": "admin.exists"}, order, map[string][]any{"id": {id}})
	case err != nil:
		h.Logger.Error("create technician", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
	default:
		h.done(w, r, audit.AccountChanged, "created "+id+" ("+string(role)+", group "+group+")", "admin.done.created")
	}
}

func (h *Handler) changeTech(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	id := r.PathValue("id")
	action := r.PostFormValue("action")
	if id == t.ID && (action == "disable" || action == "delete" || action == "role") {
		h.fail(w, r, http.StatusBadRequest, "admin.notYourself")
		return
	}
	ctx := r.Context()
	var err error
	detail := action + " " + id
	switch action {
	case "disable", "enable":
		_, err = h.Store.SetDisabled(ctx, id, action == "disable")
	case "delete":
		err = h.Store.DeleteAccount(ctx, id)
	case "unlock":
		err = h.Auth.Unlock(ctx, id)
	case "logout":
		err = h.Auth.LogoutEverywhere(ctx, id)
	case "reset2fa":
		_, err = h.Store.UpdateAccount(ctx, id, func(a *store.Account) error {
			a.TOTP, a.TOTPPending, a.RecoveryHashes = "", "", nil
			return nil
		})
	case "password":
		var hash []byte
		hash, err = auth.HashPassword(r.PostFormValue("password"))
		if errors.Is(err, auth.ErrWeakPassword) {
			h.fail(w, r, http.StatusBadRequest, "admin.weakPassword", auth.MinPassword)
			return
		}
		if err == nil {
			_, err = h.Store.UpdateAccount(ctx, id, func(a *store.Account) error {
				a.PasswordHash, a.LoginsValidAfter = hash, time.Now()
				return nil
			})
			if err == nil {
				err = h.Auth.Unlock(ctx, id)
			}
		}
	case "group":
		g := r.PostFormValue("group")
		if _, gerr := h.Store.Group(ctx, g); gerr != nil {
			h.fail(w, r, http.StatusBadRequest, "admin.badGroup")
			return
		}
		detail += " → " + g
		_, err = h.Store.UpdateAccount(ctx, id, func(a *store.Account) error { a.GroupID = g; return nil })
	case "name":
		name := strings.TrimSpace(r.PostFormValue("name"))
		if !validName(name) {
			h.fail(w, r, http.StatusBadRequest, "admin.badTech")
			return
		}
		detail += " → " + name
		_, err = h.Store.UpdateAccount(ctx, id, func(a *store.Account) error { a.Name = name; return nil })
	default:
		h.fail(w, r, http.StatusBadRequest, "admin.badAction")
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "admin.noSuchTech", id)
		return
	}
	if err != nil {
		h.Logger.Error("change technician", "action", action, "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	h.done(w, r, audit.AccountChanged, detail, "admin.done.changed")
}

func (h *Handler) putGroup(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, http.StatusBadRequest, "admin.badGroup")
		return
	}
	id := strings.ToLower(strings.TrimSpace(r.PostFormValue("id")))
	name := strings.TrimSpace(r.PostFormValue("name"))
	form := "group-" + id
	if r.PostFormValue("new") != "" {
		form = "group-new"
	}
	errs := map[string]string{}
	if !validID(id) {
		errs["id"] = "admin.badID"
	}
	if !validName(name) {
		errs["name"] = "admin.badName"
	}
	if len(errs) > 0 {
		h.refuse(w, r, http.StatusBadRequest, form, errs, []string{"id", "name"}, nil)
		return
	}
	g := store.Group{ID: id, Name: name, Permissions: access.Set{}}
	for _, v := range r.PostForm["perm"] {
		if !access.Valid(access.Perm(v)) {
			h.fail(w, r, http.StatusBadRequest, "admin.badGroup")
			return
		}
		g.Permissions[access.Perm(v)] = true
	}
	for _, v := range r.PostForm["lead"] {
		if _, err := h.Store.Account(r.Context(), v); err != nil {
			h.refuse(w, r, http.StatusBadRequest, form, map[string]string{"lead": "admin.badLead"}, []string{"lead"}, nil)
			return
		}
		if !slices.Contains(g.Leads, v) {
			g.Leads = append(g.Leads, v)
		}
	}
	if err := h.Store.PutGroup(r.Context(), g); err != nil {
		h.Logger.Error("put group", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	h.done(w, r, audit.AccountChanged, fmt.Sprintf("group %s: %v, leads %v", id, g.Permissions.List(), g.Leads), "admin.done.group")
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := h.Store.DeleteGroup(r.Context(), id); err != nil {
		h.fail(w, r, http.StatusBadRequest, "admin.cannotDeleteGroup")
		return
	}
	h.done(w, r, audit.AccountChanged, "deleted group "+id, "admin.done.group")
}

// programsText is the organisation's private programs as the settings form
// shows them (protocol.ParsePrograms reads them back).
func programsText(st store.Settings) string { return strings.Join(st.PrivatePrograms, ", ") }

func (h *Handler) putSettings(w http.ResponseWriter, r *http.Request) {
	st := h.Auth.Settings(r.Context())
	org := strings.TrimSpace(r.PostFormValue("org"))
	hours, err1 := strconv.Atoi(r.PostFormValue("loginHours"))
	maxSess, err2 := strconv.Atoi(r.PostFormValue("maxSessions"))
	errs := map[string]string{}
	if !validName(org) {
		errs["org"] = "admin.badName"
	}
	if err1 != nil || hours < 1 || hours > 168 {
		errs["loginHours"] = "admin.badSettings"
	}
	if err2 != nil || maxSess < 0 || maxSess > 1000 {
		errs["maxSessions"] = "admin.badSettings"
	}
	if len(errs) > 0 {
		h.refuse(w, r, http.StatusBadRequest, "settings-form", errs, []string{"org", "loginHours", "maxSessions"}, nil)
		return
	}
	programs, err := protocol.ParsePrograms(r.PostFormValue("privatePrograms"))
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, "admin.badPrivatePrograms")
		return
	}
	st.OrgName, st.LoginHours, st.MaxActiveSessions, st.PrivatePrograms = org, hours, maxSess, programs
	st.RequireTOTP = r.PostFormValue("requireTotp") == "on"
	if err := h.Store.PutSettings(r.Context(), st); err != nil {
		h.Logger.Error("put settings", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	h.done(w, r, audit.SettingsChanged, fmt.Sprintf("org=%q loginHours=%d maxSessions=%d requireTotp=%v privatePrograms=%q", org, hours, maxSess, st.RequireTOTP, programs), "admin.done.settings")
}

func (h *Handler) audit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := audit.Filter{Type: q.Get("type"), Actor: q.Get("actor"), SessionID: q.Get("session"), Limit: 1000}
	if d, err := time.Parse("2006-01-02", q.Get("since")); err == nil {
		f.Since = d
	}
	if d, err := time.Parse("2006-01-02", q.Get("until")); err == nil {
		f.Until = d.Add(24 * time.Hour)
	}
	format := q.Get("format")
	if format != "" {
		f.Limit = 100_000
	}
	events, err := h.Audit.Query(r.Context(), f)
	if err != nil {
		h.Logger.Error("audit query", "err", err)
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	name := "lifeline-audit-" + time.Now().UTC().Format("20060102-150405")
	switch format {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		_ = audit.WriteCSV(w, events)
		return
	case "json":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
		_ = audit.WriteJSON(w, events)
		return
	}
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "audit.title", t)
	// Newest first on screen.
	for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
		events[i], events[j] = events[j], events[i]
	}
	_ = auditView(p, q, events).Render(r.Context(), w)
}

func permKey(p access.Perm) string { return "perm." + string(p) }

func exportURL(q url.Values, format string) string {
	v := url.Values{}
	for k, vs := range q {
		if k != "format" {
			v[k] = vs
		}
	}
	v.Set("format", format)
	return "/admin/audit?" + v.Encode()
}

func fmtTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") }

// leadChoices are the accounts that may lead a group: technicians (an
// administrator sees every report already).
func leadChoices(accounts []store.Account) []store.Account {
	var out []store.Account
	for _, a := range accounts {
		if a.Role != store.RoleAdmin {
			out = append(out, a)
		}
	}
	return out
}

// fieldFormID is the element ID of a custom field's form ("field-new" for a new one).
func fieldFormID(f store.CustomField, isNew bool) string {
	if isNew {
		return "field-new"
	}
	return "field-" + f.ID
}

// fieldAction is where a custom field's form is sent.
func fieldAction(f store.CustomField, isNew bool) string {
	if isNew {
		return "/admin/fields"
	}
	return "/admin/fields/" + f.ID
}

// optionsText is a choice field's options as the form shows them, one a line.
func optionsText(f store.CustomField) string { return strings.Join(f.Options, "\n") }

// parseOptions reads a choice field's options, one a line, blank lines
// left out; "" with the message key if one is refused.
func parseOptions(s string) ([]string, string) {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		o := strings.TrimSpace(line)
		if o == "" {
			continue
		}
		if utf8.RuneCountInString(o) > store.MaxFieldValue || text.CheckName(o) != nil {
			return nil, "admin.field.badOption"
		}
		if slices.Contains(out, o) {
			return nil, "admin.field.sameOption"
		}
		out = append(out, o)
	}
	if len(out) == 0 || len(out) > store.MaxFieldOptions {
		return nil, "admin.field.options"
	}
	return out, ""
}

// putField creates a custom session field (POST /admin/fields) or changes
// one (POST /admin/fields/{id}: its name, options and whether it is
// required; its kind stays). A refused form is shown again as typed, the
// messages beside the fields.
func (h *Handler) putField(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	isNew := id == ""
	form := fieldFormID(store.CustomField{ID: id}, isNew)
	name := strings.TrimSpace(r.PostFormValue("name"))
	kind := r.PostFormValue("kind")
	required := r.PostFormValue("required") == "on"
	errs := map[string]string{}
	if !validName(name) {
		errs["name"] = "admin.badName"
	}
	fields, err := h.Store.CustomFields(r.Context())
	if err != nil {
		h.Logger.Error("custom fields", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	if !isNew {
		i := slices.IndexFunc(fields, func(f store.CustomField) bool { return f.ID == id })
		if i < 0 {
			h.fail(w, r, http.StatusNotFound, "admin.field.gone")
			return
		}
		kind = fields[i].Kind
	}
	var options []string
	switch kind {
	case store.FieldText:
	case store.FieldChoice:
		var key string
		if options, key = parseOptions(r.PostFormValue("options")); key != "" {
			errs["options"] = key
		}
	default:
		errs["kind"] = "admin.field.badKind"
	}
	for _, f := range fields {
		if f.ID != id && strings.EqualFold(f.Name, name) {
			errs["name"] = "admin.field.sameName"
		}
	}
	if isNew && len(fields) >= store.MaxFields {
		errs["name"] = "admin.field.tooMany"
	}
	if len(errs) > 0 {
		h.refuse(w, r, http.StatusBadRequest, form, errs, []string{"name", "kind", "options"},
			map[string][]any{"options": {store.MaxFieldOptions}, "name": {store.MaxFields}})
		return
	}
	f := store.CustomField{ID: id, Name: name, Kind: kind, Options: options, Required: required}
	if isNew {
		f.ID = "f" + strings.ToLower(rand.Text()[:12])
	}
	_, err = h.Store.UpdateCustomFields(r.Context(), func(fs []store.CustomField) ([]store.CustomField, error) {
		if isNew {
			return append(fs, f), nil
		}
		for i := range fs {
			if fs[i].ID == id {
				fs[i] = f
				return fs, nil
			}
		}
		return nil, store.ErrNotFound
	})
	if err != nil {
		h.Logger.Error("put custom field", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	h.done(w, r, audit.SettingsChanged, fmt.Sprintf("custom field %s %q (%s, required %v, options %q)", f.ID, name, kind, required, options), "admin.done.fields")
}

// deleteField deletes a custom field's definition; sessions keep their
// values, with the field's name, readable in the history and the reports.
func (h *Handler) deleteField(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var gone store.CustomField
	_, err := h.Store.UpdateCustomFields(r.Context(), func(fs []store.CustomField) ([]store.CustomField, error) {
		i := slices.IndexFunc(fs, func(f store.CustomField) bool { return f.ID == id })
		if i < 0 {
			return nil, store.ErrNotFound
		}
		gone = fs[i]
		return slices.Delete(fs, i, i+1), nil
	})
	if errors.Is(err, store.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "admin.field.gone")
		return
	}
	if err != nil {
		h.Logger.Error("delete custom field", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	h.done(w, r, audit.SettingsChanged, fmt.Sprintf("deleted custom field %s %q", id, gone.Name), "admin.done.fields")
}
