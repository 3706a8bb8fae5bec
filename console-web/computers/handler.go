// Package computers is the Computers page: the unattended computers a
// technician may reach (name, system, group, online or not, last seen, last
// user, who may connect), searchable; Connect opens an unattended session
// on one; an administrator revokes a computer and sets each group's policy.
package computers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Service is the part of the session service the page uses: it owns every
// rule (who sees which computer, connecting, revoking, policies).
type Service interface {
	Devices(ctx context.Context, tech auth.Technician, query string) ([]store.Device, error)
	ConnectDevice(ctx context.Context, tech auth.Technician, id, ip string) (store.Session, error)
	RevokeDevice(ctx context.Context, tech *auth.Technician, id, ip string) error
	DevicePolicy(ctx context.Context, group string) (store.DevicePolicy, error)
	SetDevicePolicy(ctx context.Context, tech auth.Technician, group string, p store.DevicePolicy, ip string) error
}

// Groups lists the technician groups (the store), for policies and "who
// may connect".
type Groups interface {
	Groups(ctx context.Context) ([]store.Group, error)
}

// Handler serves /console/computers.
type Handler struct {
	Auth     *auth.Auth
	Sessions Service
	Groups   Groups
	Logger   *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /console/computers", h.Auth.Require(http.HandlerFunc(h.list)))
	mux.Handle("POST /console/computers/{id}/connect", h.Auth.Require(http.HandlerFunc(h.connect)))
	mux.Handle("POST /console/computers/{id}/revoke", h.Auth.Require(http.HandlerFunc(h.revoke)))
	mux.Handle("POST /console/computers/policy", h.Auth.Require(http.HandlerFunc(h.policy)))
}

// row is one computer as the page shows it.
type row struct {
	store.Device
	GroupName string
}

// policyRow is one group's policy.
type policyRow struct {
	Group  store.Group
	Policy store.DevicePolicy
}

type pageData struct {
	Query    string
	Rows     []row
	Policies []policyRow
	Message  string
	Admin    bool
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	h.show(w, r, http.StatusOK, "")
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request, status int, msg string) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "computers.title", t)
	if !t.Can(access.Unattended) && !t.IsAdmin() {
		w.WriteHeader(http.StatusForbidden)
		_ = layout.Message(p, p.T("computers.title"), p.T("computers.forbidden")).Render(r.Context(), w)
		return
	}
	q := r.URL.Query().Get("q")
	devs, err := h.Sessions.Devices(r.Context(), t, q)
	if err != nil {
		h.Logger.Error("list computers", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	names := map[string]string{}
	groups, _ := h.Groups.Groups(r.Context())
	for _, g := range groups {
		names[g.ID] = g.Name
	}
	d := pageData{Query: q, Message: msg, Admin: t.IsAdmin()}
	for _, dev := range devs {
		n := names[dev.GroupID]
		if n == "" {
			n = dev.GroupID
		}
		d.Rows = append(d.Rows, row{Device: dev, GroupName: n})
	}
	if t.IsAdmin() {
		for _, g := range groups {
			pol, err := h.Sessions.DevicePolicy(r.Context(), g.ID)
			if err == nil {
				d.Policies = append(d.Policies, policyRow{Group: g, Policy: pol})
			}
		}
	}
	w.WriteHeader(status)
	_ = view(p, d).Render(r.Context(), w)
}

func (h *Handler) connect(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	ss, err := h.Sessions.ConnectDevice(r.Context(), t, r.PathValue("id"), auth.ClientIP(r))
	p := layout.ForTechnician(w, r, "computers.title", t)
	switch {
	case err == nil:
		http.Redirect(w, r, "/console/sessions/"+ss.ID, http.StatusSeeOther)
	case errors.Is(err, sessions.ErrNotFound):
		h.show(w, r, http.StatusNotFound, p.T("computers.notFound"))
	case errors.Is(err, sessions.ErrDeviceOffline):
		h.show(w, r, http.StatusConflict, p.T("computers.offlineNow"))
	case errors.Is(err, sessions.ErrOutsideWindow):
		h.show(w, r, http.StatusConflict, p.T("computers.outsideWindow"))
	case errors.Is(err, sessions.ErrDeviceRevoked):
		h.show(w, r, http.StatusConflict, p.T("computers.revokedNow"))
	default:
		h.Logger.Error("connect to computer", "err", err)
		h.show(w, r, http.StatusInternalServerError, p.T("error.server"))
	}
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "computers.title", t)
	if !t.IsAdmin() {
		h.show(w, r, http.StatusForbidden, p.T("computers.adminOnly"))
		return
	}
	err := h.Sessions.RevokeDevice(r.Context(), &t, r.PathValue("id"), auth.ClientIP(r))
	switch {
	case err == nil:
		http.Redirect(w, r, "/console/computers", http.StatusSeeOther)
	case errors.Is(err, sessions.ErrNotFound):
		h.show(w, r, http.StatusNotFound, p.T("computers.notFound"))
	default:
		h.Logger.Error("revoke computer", "err", err)
		h.show(w, r, http.StatusInternalServerError, p.T("error.server"))
	}
}

func (h *Handler) policy(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "computers.title", t)
	secs, _ := strconv.Atoi(r.PostFormValue("askSeconds"))
	pol := store.DevicePolicy{Mode: r.PostFormValue("mode"), AskSeconds: secs, AllowOnTimeout: r.PostFormValue("allowOnTimeout") != ""}
	err := h.Sessions.SetDevicePolicy(r.Context(), t, r.PostFormValue("group"), pol, auth.ClientIP(r))
	switch {
	case err == nil:
		http.Redirect(w, r, "/console/computers", http.StatusSeeOther)
	case errors.Is(err, auth.ErrForbidden):
		h.show(w, r, http.StatusForbidden, p.T("computers.adminOnly"))
	case errors.Is(err, store.ErrInvalid):
		h.show(w, r, http.StatusBadRequest, p.T("computers.badPolicy", store.MaxAskSeconds))
	default:
		h.Logger.Error("set unattended policy", "err", err)
		h.show(w, r, http.StatusInternalServerError, p.T("error.server"))
	}
}

// Policies lists the policies in the order the form offers them.
var Policies = []string{protocol.PolicySilent, protocol.PolicyNotify, protocol.PolicyAsk}

// when is a time for the page ("" for none).
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04")
}
