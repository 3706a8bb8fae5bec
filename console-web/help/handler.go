// Package help is a channel's public page, /help/<slug>: the customer asks
// for help with the channel's form and downloads the program as from an
// invitation, or, when nobody can take the request, reads the channel's
// text and leaves a message to be called back.
package help

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/console-web/fields"
	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Channels is the part of the session service the page uses.
type Channels interface {
	Channel(ctx context.Context, slug string, now time.Time) (sessions.ChannelForm, error)
	Request(ctx context.Context, slug, addr string, r sessions.ChannelRequest) (store.Session, error)
	LauncherRequest(ctx context.Context, slug, addr string, r protocol.LauncherRequest) (store.Session, error)
	RemoveLauncher(ctx context.Context, id, addr string) error
}

// Handler serves /help/{slug}.
type Handler struct {
	Channels Channels
	// Settings returns the organisation's settings; the name customers see comes from there.
	Settings func(context.Context) store.Settings
	Logger   *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /help/{slug}", h.page)
	mux.HandleFunc("POST /help/{slug}", h.request)
	mux.HandleFunc("POST /help/{slug}/launcher", h.launcher)
	mux.HandleFunc("POST /help/{slug}/launcher/remove", h.launcherRemoved)
}

// launcher takes a "Get help" launcher's request (protocol.LauncherRequest,
// JSON): the invitation code its program joins with, or why not, in the
// customer's language (Accept-Language), with HelpPage when the channel's
// page offers something instead (a message when it is closed).
func (h *Handler) launcher(w http.ResponseWriter, r *http.Request) {
	p := layout.NewPage(w, r, "help.title")
	var req protocol.LauncherRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, protocol.LauncherReply{Error: p.T("help.tooLarge")})
		return
	}
	ss, err := h.Channels.LauncherRequest(r.Context(), r.PathValue("slug"), auth.ClientIP(r), req)
	var rl *invite.RateLimitError
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, protocol.LauncherReply{Code: ss.InviteToken})
	case errors.As(err, &rl):
		secs := max(int(rl.RetryAfter.Round(time.Second)/time.Second), 1)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeJSON(w, http.StatusTooManyRequests, protocol.LauncherReply{Error: p.T("help.tooMany", secs)})
	case errors.Is(err, sessions.ErrChannelClosed):
		writeJSON(w, http.StatusServiceUnavailable, protocol.LauncherReply{Error: p.T("help.closedDefault"), HelpPage: true})
	case errors.Is(err, sessions.ErrChannelFull):
		writeJSON(w, http.StatusServiceUnavailable, protocol.LauncherReply{Error: p.T("help.full"), HelpPage: true})
	case errors.Is(err, sessions.ErrNoChannel):
		writeJSON(w, http.StatusNotFound, protocol.LauncherReply{Error: p.T("help.noChannelText")})
	case errors.Is(err, sessions.ErrNoLauncher):
		writeJSON(w, http.StatusNotFound, protocol.LauncherReply{Error: p.T("help.launcherUnknown"), HelpPage: true})
	default:
		h.Logger.Error("launcher request", "err", err)
		writeJSON(w, http.StatusInternalServerError, protocol.LauncherReply{Error: p.T("error.server")})
	}
}

// launcherRemoved hears that the customer removed their launcher.
func (h *Handler) launcherRemoved(w http.ResponseWriter, r *http.Request) {
	var req protocol.LauncherRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var rl *invite.RateLimitError
	switch err := h.Channels.RemoveLauncher(r.Context(), req.ID, auth.ClientIP(r)); {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.As(err, &rl):
		w.WriteHeader(http.StatusTooManyRequests)
	case errors.Is(err, sessions.ErrNoLauncher):
		w.WriteHeader(http.StatusNotFound)
	default:
		h.Logger.Error("launcher removed", "err", err)
		w.WriteHeader(http.StatusInternalServerError)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// formData is what the page shows: the channel's form, what was typed and
// why it was refused.
type formData struct {
	Org  string
	Form sessions.ChannelForm
	// Name, Email, Problem and Fields are what the customer typed.
	Name, Email, Problem string
	Fields               map[string]string
	// Error is the message at the top; Errs those beside the fields.
	Error string
	Errs  map[string]string
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	p := layout.NewPage(w, r, "help.title")
	f, err := h.Channels.Channel(r.Context(), r.PathValue("slug"), time.Now())
	if err != nil {
		h.noChannel(w, r, p, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	_ = view(p, formData{Org: h.Settings(r.Context()).OrgName, Form: f, Errs: map[string]string{}}).Render(r.Context(), w)
}

// customFields is the custom fields' form of d.
func customFields(d formData) fields.Form {
	return fields.Form{Defs: d.Form.Fields, Values: d.Fields, Errs: d.Errs, IDPrefix: "help-field-"}
}

func (h *Handler) noChannel(w http.ResponseWriter, r *http.Request, p layout.Page, err error) {
	if errors.Is(err, sessions.ErrNoChannel) {
		w.WriteHeader(http.StatusNotFound)
		_ = layout.Message(p, p.T("help.noChannel"), p.T("help.noChannelText")).Render(r.Context(), w)
		return
	}
	h.Logger.Error("channel page", "err", err)
	w.WriteHeader(http.StatusInternalServerError)
	_ = layout.Message(p, p.T("error.title"), p.T("error.server")).Render(r.Context(), w)
}

// request takes the form: a request opens the invitation's page (the
// download), a message thanks the customer.
func (h *Handler) request(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	p := layout.NewPage(w, r, "help.title")
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_ = layout.Message(p, p.T("error.title"), p.T("help.tooLarge")).Render(r.Context(), w)
		return
	}
	slug := r.PathValue("slug")
	req := sessions.ChannelRequest{
		Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Problem: r.PostFormValue("problem"),
		Fields: fields.FromForm(r), Callback: r.PostFormValue("callback") == "1",
	}
	ss, err := h.Channels.Request(r.Context(), slug, auth.ClientIP(r), req)
	if err == nil {
		if ss.Callback {
			_ = thanks(p, ss.ChannelName).Render(r.Context(), w)
			return
		}
		http.Redirect(w, r, "/s/"+ss.InviteToken, http.StatusSeeOther)
		return
	}
	f, ferr := h.Channels.Channel(r.Context(), slug, time.Now())
	if ferr != nil {
		h.noChannel(w, r, p, ferr)
		return
	}
	d := formData{Org: h.Settings(r.Context()).OrgName, Form: f, Name: req.Name, Email: req.Email, Problem: req.Problem, Fields: req.Fields, Errs: map[string]string{}}
	status := http.StatusBadRequest
	var fe sessions.FieldsError
	var rl *invite.RateLimitError
	switch {
	case errors.As(err, &fe):
		d.Errs = fields.Messages(p, fe)
		d.Error = p.T("help.checkFields")
	case errors.Is(err, sessions.ErrBadName):
		d.Errs["name"] = p.T("help.badName", sessions.MaxCustomerName)
		d.Error = d.Errs["name"]
	case errors.Is(err, sessions.ErrBadEmail):
		d.Errs["email"] = p.T("help.badEmail")
		d.Error = d.Errs["email"]
	case errors.Is(err, sessions.ErrBadProblem):
		d.Errs["problem"] = p.T("help.badProblem", sessions.MaxProblem)
		d.Error = d.Errs["problem"]
	case errors.As(err, &rl):
		secs := max(int(rl.RetryAfter.Round(time.Second)/time.Second), 1)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		status, d.Error = http.StatusTooManyRequests, p.T("help.tooMany", secs)
	case errors.Is(err, sessions.ErrChannelClosed):
		// Closed since the page was shown: the page now offers the message.
		status = http.StatusServiceUnavailable
	case errors.Is(err, sessions.ErrChannelFull):
		status, d.Error = http.StatusServiceUnavailable, p.T("help.full")
	case errors.Is(err, sessions.ErrNoChannel):
		h.noChannel(w, r, p, err)
		return
	default:
		h.Logger.Error("channel request", "channel", slug, "err", err)
		status, d.Error = http.StatusInternalServerError, p.T("error.server")
	}
	w.WriteHeader(status)
	_ = view(p, d).Render(r.Context(), w)
}

// closedText is what the page says when nobody can take a request: the
// administrator's words, or ours.
func closedText(p layout.Page, c store.Channel) string {
	if t := strings.TrimSpace(c.ClosedText); t != "" {
		return t
	}
	return p.T("help.closedDefault")
}

// value is what the customer typed in input name.
func value(d formData, name string) string {
	switch name {
	case "name":
		return d.Name
	case "email":
		return d.Email
	}
	return ""
}

// autocomplete is the browser's hint for input name.
func autocomplete(name string) string {
	if name == "email" {
		return "email"
	}
	return "name"
}
