// Package reports is the reports page: sessions per technician, group or
// period with their waiting and handling times, transfers, outcomes and
// customer ratings, as a table, charts and CSV. Administrators see every
// group's; a group's leads see their groups'.
package reports

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/lifeline-support/lifeline/console-web/layout"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/reports"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Store is what the page reads: sessions, surveys, groups, accounts and the
// custom fields (the store).
type Store interface {
	reports.Source
	Accounts(ctx context.Context) ([]store.Account, error)
	CustomFields(ctx context.Context) ([]store.CustomField, error)
}

// Handler serves /reports.
type Handler struct {
	Auth   *auth.Auth
	Store  Store
	Audit  *audit.Log
	Logger *slog.Logger
	// Location is where days, weeks and months begin (default time.Local).
	Location *time.Location
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /reports", h.Auth.Require(http.HandlerFunc(h.page)))
}

// DefaultDays is the period a report covers when none is given: the last
// 30 days, today included.
const DefaultDays = 30

// query is a report's request as the filter form sends it.
type query struct {
	From, To        string // 2006-01-02, both days included
	By              reports.By
	Group, Tech     string
	Field, Value    string
	Format          string
	from, toExclude time.Time
}

func (h *Handler) loc() *time.Location {
	if h.Location != nil {
		return h.Location
	}
	return time.Local
}

// parse reads the query; a bad date or grouping is the default one.
func (h *Handler) parse(v url.Values, now time.Time) query {
	q := query{From: v.Get("from"), To: v.Get("to"), By: reports.By(v.Get("by")), Group: v.Get("group"),
		Tech: v.Get("tech"), Field: v.Get("field"), Value: v.Get("value"), Format: v.Get("format")}
	loc := h.loc()
	today := reports.PeriodStart(now, reports.ByDay, loc)
	to, err := time.ParseInLocation("2006-01-02", q.To, loc)
	if err != nil {
		to = today
	}
	from, err := time.ParseInLocation("2006-01-02", q.From, loc)
	if err != nil || from.After(to) {
		from = to.AddDate(0, 0, -(DefaultDays - 1))
	}
	q.From, q.To = from.Format("2006-01-02"), to.Format("2006-01-02")
	q.from, q.toExclude = from, to.AddDate(0, 0, 1)
	if !reports.ValidBy(q.By) {
		q.By = reports.ByTechnician
	}
	if q.Field == "" {
		q.Value = ""
	}
	return q
}

// values is the query as a URL's (for the CSV link).
func (q query) values() url.Values {
	v := url.Values{"from": {q.From}, "to": {q.To}, "by": {string(q.By)}}
	for k, x := range map[string]string{"group": q.Group, "tech": q.Tech, "field": q.Field, "value": q.Value} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

func csvURL(q query) string {
	v := q.values()
	v.Set("format", "csv")
	return "/reports?" + v.Encode()
}

// pageData is what the page shows.
type pageData struct {
	Q       query
	Report  reports.Report
	Groups  []store.Group
	Techs   []store.Account
	Fields  []store.CustomField
	Charts  []chart
	Outcome []string
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	t, _ := auth.From(r.Context())
	p := layout.ForTechnician(w, r, "reports.title", t)
	if !t.SeesReports() {
		h.refuse(w, r, p, t, "reports")
		return
	}
	ctx := r.Context()
	q := h.parse(r.URL.Query(), time.Now())
	if q.Group != "" && !t.MayReportOn(q.Group) {
		h.refuse(w, r, p, t, "reports group "+q.Group)
		return
	}
	f := reports.Filter{From: q.from, To: q.toExclude, GroupID: q.Group, TechnicianID: q.Tech, FieldID: q.Field, FieldValue: q.Value}
	if !t.IsAdmin() {
		f.Groups = t.Leads
	}
	rep, err := reports.Make(ctx, h.Store, f, q.By, h.loc())
	if err != nil {
		h.Logger.Error("report", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	if q.Format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="lifeline-report-%s-%s-%s.csv"`, q.By, q.From, q.To))
		_ = reports.WriteCSV(w, rep)
		return
	}
	d := pageData{Q: q, Report: rep, Outcome: append(append([]string{}, store.Resolutions...), reports.NoOutcome)}
	groups, err := h.Store.Groups(ctx)
	if err == nil {
		d.Fields, err = h.Store.CustomFields(ctx)
	}
	var accounts []store.Account
	if err == nil {
		accounts, err = h.Store.Accounts(ctx)
	}
	if err != nil {
		h.Logger.Error("report filters", "err", err)
		http.Error(w, p.T("error.server"), http.StatusInternalServerError)
		return
	}
	for _, g := range groups {
		if t.MayReportOn(g.ID) {
			d.Groups = append(d.Groups, g)
		}
	}
	for _, a := range accounts {
		if t.IsAdmin() || slices.Contains(t.Leads, store.GroupOf(a.GroupID)) {
			d.Techs = append(d.Techs, a)
		}
	}
	d.Charts = charts(p, rep)
	_ = view(p, d).Render(ctx, w)
}

// refuse answers 403 to a technician who may not see these reports, and
// records the attempt.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, p layout.Page, t auth.Technician, what string) {
	if h.Audit != nil {
		if err := h.Audit.Record(r.Context(), audit.Event{Type: audit.PermissionDenied, Actor: t.ID, IP: auth.ClientIP(r), Detail: what}); err != nil {
			h.Logger.Error("audit", "err", err)
		}
	}
	w.WriteHeader(http.StatusForbidden)
	_ = layout.Message(p, p.T("reports.title"), p.T("reports.forbidden")).Render(r.Context(), w)
}
