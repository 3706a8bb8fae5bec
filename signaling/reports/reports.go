// Package reports adds up ended sessions for administrators and group leads:
// per technician, group or period, the sessions, their waiting and handling
// times, transfers, the technicians' outcomes and the customers' ratings.
package reports

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/lifeline-support/lifeline/signaling/store"
)

// By is what a report's rows stand for.
type By string

// Row groupings.
const (
	ByTechnician By = "technician"
	ByGroup      By = "group"
	ByDay        By = "day"
	ByWeek       By = "week"
	ByMonth      By = "month"
)

// Bys lists the groupings in the order the page offers them.
var Bys = []By{ByTechnician, ByGroup, ByDay, ByWeek, ByMonth}

// ValidBy reports whether b is a known grouping.
func ValidBy(b By) bool {
	for _, x := range Bys {
		if x == b {
			return true
		}
	}
	return false
}

// Outcomes a technician gives in their survey (store.Resolutions), then
// the column of sessions without one.
const NoOutcome = "none"

// Filter chooses the sessions a report adds up: ended sessions created in
// [From, To), of one group, one technician and with one custom field value
// when those are set.
type Filter struct {
	From, To     time.Time
	GroupID      string
	TechnicianID string
	FieldID      string
	FieldValue   string
	// Groups, when not nil, are the only groups whose sessions count (a
	// lead's groups); nil means every group (an administrator).
	Groups []string
}

// matches reports whether session s counts under f.
func (f Filter) matches(s *store.Session) bool {
	if !s.State.Closed() {
		return false
	}
	if (!f.From.IsZero() && s.Created.Before(f.From)) || (!f.To.IsZero() && !s.Created.Before(f.To)) {
		return false
	}
	g := store.GroupOf(s.GroupID)
	if f.Groups != nil && !contains(f.Groups, g) {
		return false
	}
	if (f.GroupID != "" && g != f.GroupID) || (f.TechnicianID != "" && s.TechnicianID != f.TechnicianID) {
		return false
	}
	if f.FieldID != "" {
		v, ok := store.FieldValueOf(s.Fields, f.FieldID)
		if !ok || v != f.FieldValue {
			return false
		}
	}
	return true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Row is the sums of one technician, group or period.
type Row struct {
	// Key is the technician's or group's ID, or the period's first day
	// (2006-01-02); Label is what the page shows.
	Key, Label string
	// Sessions counts the ended sessions.
	Sessions int
	// PickedUp counts those a technician picked up; Waiting is the sum of
	// their waiting times (created → picked up) and Handling of their
	// handling times (picked up → ended).
	PickedUp          int
	Waiting, Handling time.Duration
	// Transfers counts the transfers accepted.
	Transfers int
	// Outcomes counts the technicians' outcomes (store.Resolutions), and
	// NoOutcome the sessions without one.
	Outcomes map[string]int
	// Ratings counts the customers' ratings (1 to 5) and RatingSum adds them.
	Ratings, RatingSum int
}

// AvgWaiting is the average waiting time, to the second; 0 if none was picked up.
func (r Row) AvgWaiting() time.Duration { return avg(r.Waiting, r.PickedUp) }

// AvgHandling is the average handling time, to the second; 0 if none was picked up.
func (r Row) AvgHandling() time.Duration { return avg(r.Handling, r.PickedUp) }

// AvgRating is the average customer rating, 0 if there is none.
func (r Row) AvgRating() float64 {
	if r.Ratings == 0 {
		return 0
	}
	return float64(r.RatingSum) / float64(r.Ratings)
}

func avg(sum time.Duration, n int) time.Duration {
	if n == 0 {
		return 0
	}
	return (sum / time.Duration(n)).Round(time.Second)
}

func (r *Row) add(s *store.Session, sv store.SessionSurveys) {
	r.Sessions++
	r.Transfers += s.Transfers
	if !s.PickedUp.IsZero() {
		r.PickedUp++
		r.Waiting += max(0, s.PickedUp.Sub(s.Created))
		end := s.Ended
		if end.IsZero() {
			end = s.StateSince()
		}
		r.Handling += max(0, end.Sub(s.PickedUp))
	}
	if r.Outcomes == nil {
		r.Outcomes = map[string]int{}
	}
	if t := sv.Technician; t != nil && contains(store.Resolutions, t.Resolution) {
		r.Outcomes[t.Resolution]++
	} else {
		r.Outcomes[NoOutcome]++
	}
	if n := sv.Customer.Satisfaction(); n >= 1 && n <= 5 {
		r.Ratings++
		r.RatingSum += n
	}
}

// Report is the rows of one report and their total.
type Report struct {
	By     By
	Filter Filter
	Rows   []Row
	Total  Row
}

// Names gives the labels of rows by technician and by group.
type Names struct {
	// Groups maps a group's ID to its name; a deleted group shows its ID.
	Groups map[string]string
}

// Build adds up sessions under filter f into rows by b. surveys returns a
// session's survey answers (the zero value when there are none). Periods
// are days, weeks (from Monday) and months of loc, by the sessions' creation.
func Build(sessions []store.Session, surveys func(sid string) store.SessionSurveys, f Filter, b By, names Names, loc *time.Location) Report {
	rep := Report{By: b, Filter: f, Total: Row{Key: "total", Outcomes: map[string]int{}}}
	rows := map[string]*Row{}
	for i := range sessions {
		s := &sessions[i]
		if !f.matches(s) {
			continue
		}
		key, label := rowOf(s, b, names, loc)
		r := rows[key]
		if r == nil {
			r = &Row{Key: key, Label: label, Outcomes: map[string]int{}}
			rows[key] = r
		}
		sv := surveys(s.ID)
		r.add(s, sv)
		rep.Total.add(s, sv)
	}
	for _, r := range rows {
		rep.Rows = append(rep.Rows, *r)
	}
	sort.Slice(rep.Rows, func(i, j int) bool {
		a, c := rep.Rows[i], rep.Rows[j]
		if b == ByTechnician || b == ByGroup {
			if a.Label != c.Label {
				return a.Label < c.Label
			}
		}
		return a.Key < c.Key
	})
	return rep
}

// rowOf is the key and label of session s's row by b.
func rowOf(s *store.Session, b By, names Names, loc *time.Location) (key, label string) {
	switch b {
	case ByGroup:
		g := store.GroupOf(s.GroupID)
		if n, ok := names.Groups[g]; ok {
			return g, n
		}
		return g, g
	case ByDay, ByWeek, ByMonth:
		start := PeriodStart(s.Created, b, loc)
		k := start.Format("2006-01-02")
		if b == ByMonth {
			return k, start.Format("2006-01")
		}
		return k, k
	}
	name := s.TechnicianName
	if name == "" {
		name = s.TechnicianID
	}
	return s.TechnicianID, name
}

// PeriodStart is the first moment of the day, week (from Monday) or month
// of loc that t falls in.
func PeriodStart(t time.Time, b By, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	switch b {
	case ByWeek:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
	case ByMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Source is where reports read sessions and surveys (the store).
type Source interface {
	AllSessions(ctx context.Context) ([]store.Session, error)
	SessionSurveys(ctx context.Context, sid string) (store.SessionSurveys, error)
	Groups(ctx context.Context) ([]store.Group, error)
}

// Make reads the sessions and their surveys from src and builds the report.
func Make(ctx context.Context, src Source, f Filter, b By, loc *time.Location) (Report, error) {
	all, err := src.AllSessions(ctx)
	if err != nil {
		return Report{}, err
	}
	gs, err := src.Groups(ctx)
	if err != nil {
		return Report{}, err
	}
	names := Names{Groups: map[string]string{}}
	for _, g := range gs {
		names.Groups[g.ID] = g.Name
	}
	surveys := map[string]store.SessionSurveys{}
	for i := range all {
		if !f.matches(&all[i]) {
			continue
		}
		sv, err := src.SessionSurveys(ctx, all[i].ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return Report{}, fmt.Errorf("surveys of %s: %w", all[i].ID, err)
		}
		surveys[all[i].ID] = sv
	}
	return Build(all, func(sid string) store.SessionSurveys { return surveys[sid] }, f, b, names, loc), nil
}
