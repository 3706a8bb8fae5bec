// Package queue is the technician's queue: the sessions they own or are
// offered, with filters and actions, and a tab per open session workspace;
// plus the technician's status (online, away, busy) that transfers respect.
package queue

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/lifeline-support/lifeline/console-web/fields"
	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Handler serves /console/queue and its JSON.
type Handler struct {
	Auth   *auth.Auth
	Store  *store.Store
	Logger *slog.Logger
	// BusyAt is the number of working sessions at which a technician shows busy.
	BusyAt int
	// MaxTabs is how many session tabs the queue page opens at most.
	MaxTabs int
	// Sessions tells which sessions a group lead may watch.
	Sessions Monitors
}

// Monitors is the part of the session service the queue uses.
type Monitors interface {
	MayMonitor(ctx context.Context, tech auth.Technician, ss store.Session) bool
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /console/queue", h.Auth.Require(http.HandlerFunc(h.page)))
	mux.Handle("GET /console/queue.json", h.Auth.Require(http.HandlerFunc(h.json)))
	mux.Handle("POST /console/status", h.Auth.Require(http.HandlerFunc(h.status)))
}

// recentlyClosed is how long a closed session stays in the queue.
const recentlyClosed = 30 * time.Minute

// Item is one session in the queue JSON.
type Item struct {
	ID             string `json:"id"`
	Customer       string `json:"customer"`
	State          string `json:"state"` // as this technician sees it
	Since          int64  `json:"since"` // Unix ms
	Created        int64  `json:"created"`
	Technician     string `json:"technician"`
	Mine           bool   `json:"mine"`
	AgentConnected bool   `json:"agentConnected"`
	Hostname       string `json:"hostname,omitempty"`
	TransferFrom   string `json:"transferFrom,omitempty"`
	TransferTo     string `json:"transferTo,omitempty"`
	Comment        string `json:"comment,omitempty"`
	// Fields are the session's custom field values (those of deleted
	// fields too, with their names).
	Fields []store.FieldValue `json:"fields"`
	// Helping says this technician is a colleague in the session (not its
	// lead); InvitedBy names who invited them, while they are invited.
	Helping   bool   `json:"helping,omitempty"`
	InvitedBy string `json:"invitedBy,omitempty"`
	// Watch says this technician, a lead of the session's technician's
	// group, may watch it.
	Watch bool `json:"watch,omitempty"`
	// Channel names the channel the customer asked for help on; Take says
	// it waits in this technician's channel queue, for the first of its
	// groups to take. Callback says the customer left a message to be
	// called back; Email and Problem are what they typed.
	Channel  string `json:"channel,omitempty"`
	Take     bool   `json:"take,omitempty"`
	Callback bool   `json:"callback,omitempty"`
	Email    string `json:"email,omitempty"`
	Problem  string `json:"problem,omitempty"`
	// Returning, for a request from a "Get help" launcher, names the
	// computer it was installed on, who helped it last and when (Unix
	// milliseconds).
	Returning *Returning `json:"returning,omitempty"`
}

// Returning is what the queue says of a returning computer.
type Returning struct {
	Host     string `json:"host"`
	HelpedBy string `json:"helpedBy"`
	Helped   int64  `json:"helped"`
}

// Tech is another technician and their status.
type Tech struct {
	ID     string       `json:"id"`
	Name   string       `json:"name"`
	Status store.Status `json:"status"`
}

// View is the queue JSON.
type View struct {
	Me        Tech   `json:"me"`
	AutoStart bool   `json:"autoStart"`
	Sessions  []Item `json:"sessions"`
	Techs     []Tech `json:"technicians"`
	Now       int64  `json:"now"`
	MaxTabs   int    `json:"maxTabs"`
	// Fields are the custom session fields: a column each, editable in
	// the technician's own open sessions.
	Fields []store.CustomField `json:"fields"`
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "queue.title", t)
	defs, err := h.Store.CustomFields(r.Context())
	if err != nil {
		h.Logger.Error("custom fields", "err", err)
	}
	p.Header = tabs(p, fields.Form{Defs: defs, IDPrefix: "queue-field-", Compact: true})
	strs := i18n.Table(p.Lang, "queue.")
	for _, prefix := range []string{"state.", "fields."} {
		for k, v := range i18n.Table(p.Lang, prefix) {
			strs[k] = v
		}
	}
	_ = queueView(p, strs, t.Perms.JSON()).Render(r.Context(), w)
}

// json answers the queue and counts as the console being there (presence).
func (h *Handler) json(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	ctx := r.Context()
	now := time.Now()
	me, err := h.Store.UpdatePresence(ctx, t.ID, func(p *store.Presence) error {
		p.Name, p.Seen = t.Name, now
		if p.Status == "" {
			p.Status = store.StatusOnline
		}
		return nil
	})
	if err != nil {
		h.fail(w, "presence", err)
		return
	}
	all, err := h.Store.AllSessions(ctx)
	if err != nil {
		h.fail(w, "list sessions", err)
		return
	}
	defs, err := h.Store.CustomFields(ctx)
	if err != nil {
		h.fail(w, "custom fields", err)
		return
	}
	others := t.Can(access.OtherQueues)
	working := map[string]int{}
	v := View{Me: Tech{ID: t.ID, Name: t.Name}, AutoStart: me.AutoStart, Now: now.UnixMilli(), MaxTabs: h.MaxTabs, Sessions: []Item{}, Techs: []Tech{}, Fields: defs}
	if v.Fields == nil {
		v.Fields = []store.CustomField{}
	}
	for _, s := range all {
		if s.Working() {
			working[s.TechnicianID]++
		}
		// Others' sessions only with the permission, and read only: the
		// console's socket and the workspace refuse a session that is not
		// the technician's own.
		watch := !s.State.Closed() && !s.VisibleTo(t.ID) && t.Can(access.Monitor) && h.Sessions != nil && h.Sessions.MayMonitor(ctx, t, s)
		// A channel's session waits for the first technician of its
		// groups once its customer's program is there (or they left a
		// message).
		take := s.OfferedTo(t.GroupID) && (s.State == session.Waiting || s.Callback)
		if (!s.VisibleTo(t.ID) && !others && !watch && !take) || (s.State.Closed() && now.Sub(s.StateSince()) > recentlyClosed) {
			continue
		}
		receiver := s.Transfer != nil && s.Transfer.ToID == t.ID
		it := Item{
			ID: s.ID, Customer: s.CustomerName, State: string(session.ViewedBy(s.State, receiver)),
			Since: s.StateSince().UnixMilli(), Created: s.Created.UnixMilli(),
			Technician: s.TechnicianName, Mine: s.TechnicianID == t.ID,
			AgentConnected: s.AgentConnected, Hostname: s.Hostname, Fields: s.Fields,
		}
		if it.Fields == nil {
			it.Fields = []store.FieldValue{}
		}
		if s.Transfer != nil {
			it.TransferFrom, it.TransferTo, it.Comment = s.Transfer.FromName, s.Transfer.ToName, s.Transfer.Comment
		}
		collabItem(&it, s, t.ID)
		it.Watch = watch
		it.Channel, it.Take, it.Callback, it.Email, it.Problem = s.ChannelName, take, s.Callback, s.Email, s.Problem
		if r := s.Returning; r != nil {
			it.Returning = &Returning{Host: r.Host, HelpedBy: r.HelpedBy, Helped: r.Helped.UnixMilli()}
		}
		v.Sessions = append(v.Sessions, it)
	}
	v.Me.Status = me.Effective(now, working[t.ID], h.BusyAt)
	ps, err := h.Store.Presences(ctx)
	if err != nil {
		h.fail(w, "presences", err)
		return
	}
	for _, p := range ps {
		if p.TechnicianID == t.ID {
			continue
		}
		v.Techs = append(v.Techs, Tech{ID: p.TechnicianID, Name: p.Name, Status: p.Effective(now, working[p.TechnicianID], h.BusyAt)})
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// StatusChange is the body of POST /console/status.
type StatusChange struct {
	Status    store.Status `json:"status"`
	AutoStart *bool        `json:"autoStart,omitempty"`
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	var c StatusChange
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || (c.Status != "" && c.Status != store.StatusOnline && c.Status != store.StatusAway) {
		http.Error(w, "status must be online or away", http.StatusBadRequest)
		return
	}
	_, err := h.Store.UpdatePresence(r.Context(), t.ID, func(p *store.Presence) error {
		p.Name, p.Seen = t.Name, time.Now()
		if c.Status != "" {
			p.Status = c.Status
		}
		if c.AutoStart != nil {
			p.AutoStart = *c.AutoStart
		}
		return nil
	})
	if err != nil {
		h.fail(w, "set status", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) fail(w http.ResponseWriter, what string, err error) {
	h.Logger.Error(what, "err", err)
	http.Error(w, "the server could not read the queue; try again in a moment", http.StatusInternalServerError)
}

// collabItem shows a session's collaboration in its row for technician me:
// Collaboration (Rescue's state) while colleagues work on an active session,
// Invitation with the comment to a colleague invited to it.
func collabItem(it *Item, s store.Session, me string) {
	for _, i := range s.Collab.Invited {
		if i.ID == me && !s.State.Closed() {
			it.State, it.InvitedBy, it.Comment = string(session.Invitation), i.By, i.Comment
			return
		}
	}
	it.Helping = s.Collaborating(me)
	if len(s.Collab.Members) > 0 && s.State == session.Active {
		it.State = string(session.Collaboration)
	}
}
