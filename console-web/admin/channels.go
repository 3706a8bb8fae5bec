package admin

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/sessions"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// weekdays are the days a channel's form offers, Monday first.
var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// channelFormID is the element ID of a channel's form ("channel-new" for a new one).
func channelFormID(c store.Channel, isNew bool) string {
	if isNew {
		return "channel-new"
	}
	return "channel-" + c.Slug
}

// channelAction is where a channel's form posts.
func channelAction(c store.Channel, isNew bool) string {
	if isNew {
		return "/admin/channels"
	}
	return "/admin/channels/" + c.Slug
}

// dayValue is a weekday as the form sends it.
func dayValue(d time.Weekday) string { return strconv.Itoa(int(d)) }

// dayKey is the i18n key of a weekday's name.
func dayKey(d time.Weekday) string { return "admin.channel.day." + strings.ToLower(d.String()[:3]) }

// hasDay reports whether the hours open on d.
func hasDay(h store.Hours, d time.Weekday) bool { return slices.Contains(h.Days, d) }

// waitLimitText is a channel's waiting limit as its form shows it.
func waitLimitText(c store.Channel) string {
	if c.WaitLimit == 0 {
		return ""
	}
	return strconv.Itoa(c.WaitLimit)
}

// snippet is what an administrator pastes into a web site for channel c,
// whose customers reach this server at base: a link to the channel's page
// and a small form that posts what the customer types to it (the page asks
// the rest: custom fields, a refused value).
func snippet(p layout.Page, base string, c store.Channel) string {
	u := html.EscapeString(strings.TrimRight(base, "/") + "/help/" + c.Slug)
	var b strings.Builder
	fmt.Fprintf(&b, "<a href=\"%s\">%s</a>\n", u, html.EscapeString(c.Name))
	fmt.Fprintf(&b, "<form action=\"%s\" method=\"post\">\n", u)
	fmt.Fprintf(&b, "  <input name=\"name\" maxlength=\"%d\" required placeholder=\"%s\">\n", sessions.MaxCustomerName, html.EscapeString(p.T("help.name")))
	if c.AskEmail {
		fmt.Fprintf(&b, "  <input name=\"email\" type=\"email\" maxlength=\"%d\" required placeholder=\"%s\">\n", sessions.MaxEmail, html.EscapeString(p.T("help.email")))
	}
	if c.AskProblem {
		fmt.Fprintf(&b, "  <textarea name=\"problem\" maxlength=\"%d\" placeholder=\"%s\"></textarea>\n", sessions.MaxProblem, html.EscapeString(p.T("help.problem")))
	}
	fmt.Fprintf(&b, "  <button type=\"submit\">%s</button>\n</form>", html.EscapeString(p.T("help.submit")))
	return b.String()
}

// waitingText is a channel's waiting cap as its form shows it.
func waitingText(c store.Channel) string {
	if c.MaxWaiting == 0 {
		return ""
	}
	return strconv.Itoa(c.MaxWaiting)
}

// putChannel creates a channel (POST /admin/channels) or changes one (POST
// /admin/channels/{slug}; its address stays). A refused form is shown again
// as typed, the messages beside the fields.
func (h *Handler) putChannel(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, http.StatusBadRequest, "admin.channel.bad")
		return
	}
	slug := r.PathValue("slug")
	isNew := slug == ""
	if isNew {
		slug = strings.TrimSpace(r.PostFormValue("slug"))
	}
	form := channelFormID(store.Channel{Slug: slug}, isNew)
	c := store.Channel{
		Slug: slug, Name: strings.TrimSpace(r.PostFormValue("name")), Groups: r.PostForm["group"],
		ClosedText: strings.TrimSpace(r.PostFormValue("closedText")),
		AskEmail:   r.PostFormValue("askEmail") == "on", AskProblem: r.PostFormValue("askProblem") == "on",
		Fields: r.PostForm["field"],
		Hours:  store.Hours{Zone: strings.TrimSpace(r.PostFormValue("zone")), From: r.PostFormValue("from"), To: r.PostFormValue("to")},
	}
	errs := map[string]string{}
	for _, d := range r.PostForm["day"] {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 6 {
			errs["hours"] = "admin.channel.badHours"
			continue
		}
		c.Hours.Days = append(c.Hours.Days, time.Weekday(n))
	}
	if v := strings.TrimSpace(r.PostFormValue("maxWaiting")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxChannelWaiting {
			errs["maxWaiting"] = "admin.channel.badWaiting"
		}
		c.MaxWaiting = n
	}
	if v := strings.TrimSpace(r.PostFormValue("waitLimit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < store.MinChannelWaitLimit || n > store.MaxChannelWaitLimit {
			errs["waitLimit"] = "admin.channel.badWaitLimit"
		}
		c.WaitLimit = n
	}
	ctx := r.Context()
	groups, err := h.Store.Groups(ctx)
	var defs []store.CustomField
	if err == nil {
		defs, err = h.Store.CustomFields(ctx)
	}
	if err != nil {
		h.Logger.Error("channel", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	switch {
	case !store.ValidSlug(c.Slug):
		errs["slug"] = "admin.channel.badSlug"
	case !validName(c.Name):
		errs["name"] = "admin.badName"
	}
	if len(c.Groups) == 0 {
		errs["group"] = "admin.channel.noGroup"
	}
	for _, g := range c.Groups {
		if !slices.ContainsFunc(groups, func(x store.Group) bool { return x.ID == g }) {
			errs["group"] = "admin.channel.noGroup"
		}
	}
	for _, id := range c.Fields {
		if !slices.ContainsFunc(defs, func(x store.CustomField) bool { return x.ID == id }) {
			errs["field"] = "admin.channel.badField"
		}
	}
	if c.Hours.Validate() != nil {
		errs["hours"] = "admin.channel.badHours"
	}
	if _, ok := errs["name"]; !ok && c.Validate() != nil && len(errs) == 0 {
		errs["closedText"] = "admin.channel.badText"
	}
	if len(errs) > 0 {
		h.refuse(w, r, http.StatusBadRequest, form, errs, []string{"slug", "name", "group", "hours", "closedText", "field", "maxWaiting", "waitLimit"},
			map[string][]any{"closedText": {store.MaxChannelText}, "maxWaiting": {store.MaxChannelWaiting}, "waitLimit": {store.MinChannelWaitLimit, store.MaxChannelWaitLimit}})
		return
	}
	_, err = h.Store.UpdateChannels(ctx, func(cs []store.Channel) ([]store.Channel, error) {
		i := slices.IndexFunc(cs, func(x store.Channel) bool { return x.Slug == c.Slug })
		switch {
		case isNew && i >= 0:
			return nil, store.ErrExists
		case isNew:
			return append(cs, c), nil
		case i < 0:
			return nil, store.ErrNotFound
		}
		cs[i] = c
		return cs, nil
	})
	switch {
	case errors.Is(err, store.ErrExists):
		h.refuse(w, r, http.StatusConflict, form, map[string]string{"slug": "admin.channel.sameSlug"}, []string{"slug"}, nil)
		return
	case errors.Is(err, store.ErrNotFound):
		h.fail(w, r, http.StatusNotFound, "admin.channel.gone")
		return
	case errors.Is(err, store.ErrInvalid):
		h.refuse(w, r, http.StatusBadRequest, form, map[string]string{"name": "admin.channel.tooMany"}, []string{"name"},
			map[string][]any{"name": {store.MaxChannels}})
		return
	case err != nil:
		h.Logger.Error("put channel", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	h.done(w, r, audit.SettingsChanged, fmt.Sprintf("channel %s %q: groups %q, hours %v, fields %q", c.Slug, c.Name, c.Groups, c.Hours, c.Fields), "admin.done.channels")
}

// deleteChannel deletes a channel; the sessions it brought keep its name.
func (h *Handler) deleteChannel(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	_, err := h.Store.UpdateChannels(r.Context(), func(cs []store.Channel) ([]store.Channel, error) {
		i := slices.IndexFunc(cs, func(c store.Channel) bool { return c.Slug == slug })
		if i < 0 {
			return nil, store.ErrNotFound
		}
		return slices.Delete(cs, i, i+1), nil
	})
	if errors.Is(err, store.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "admin.channel.gone")
		return
	}
	if err != nil {
		h.Logger.Error("delete channel", "err", err)
		h.fail(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	h.done(w, r, audit.SettingsChanged, "deleted channel "+slug, "admin.done.channels")
}

// hasField reports whether channel c asks custom field id.
func hasField(c store.Channel, id string) bool { return slices.Contains(c.Fields, id) }
