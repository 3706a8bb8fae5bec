package reports

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/store"
)

var day = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) // a Monday

// ended is a closed session created at day+at, picked up after wait (never
// if wait < 0) and handled for handle.
func ended(id, tech, group string, at, wait, handle time.Duration, transfers int, fields ...store.FieldValue) store.Session {
	s := store.Session{ID: id, TechnicianID: tech, TechnicianName: strings.ToUpper(tech), GroupID: group,
		State: session.ClosedByTechnician, Created: day.Add(at), Transfers: transfers, Fields: fields}
	if wait >= 0 {
		s.PickedUp = s.Created.Add(wait)
		s.Ended = s.PickedUp.Add(handle)
	} else {
		s.State, s.Ended = session.TimedOut, s.Created.Add(time.Hour)
	}
	return s
}

func surveysOf(m map[string]store.SessionSurveys) func(string) store.SessionSurveys {
	return func(sid string) store.SessionSurveys { return m[sid] }
}

func rated(n int, resolution string) store.SessionSurveys {
	sv := store.SessionSurveys{}
	if n > 0 {
		sv.Customer = &store.CustomerSurvey{Answers: []store.SurveyAnswer{{Kind: store.AnswerText, Value: "ok"}, {Kind: store.AnswerRating, Rating: n}}}
	}
	if resolution != "" {
		sv.Technician = &store.TechnicianSurvey{Resolution: resolution}
	}
	return sv
}

func fixture() ([]store.Session, map[string]store.SessionSurveys) {
	printer := store.FieldValue{ID: "topic", Name: "Topic", Value: "Printer"}
	mail := store.FieldValue{ID: "topic", Name: "Topic", Value: "Mail"}
	ss := []store.Session{
		ended("a", "ann", "default", 0, 60*time.Second, 10*time.Minute, 0, printer),
		ended("b", "ann", "default", time.Hour, 120*time.Second, 20*time.Minute, 1, mail),
		ended("c", "bob", "north", 2*time.Hour, 30*time.Second, 5*time.Minute, 0, printer),
		ended("d", "bob", "north", 26*time.Hour, -1, 0, 0),                                         // Tuesday, never picked up
		{ID: "open", TechnicianID: "ann", GroupID: "default", State: session.Active, Created: day}, // not ended: not counted
	}
	sv := map[string]store.SessionSurveys{
		"a": rated(5, "resolved"),
		"b": rated(4, "escalated"),
		"c": rated(2, "unresolved"),
	}
	return ss, sv
}

func TestBuildByTechnician(t *testing.T) {
	ss, sv := fixture()
	rep := Build(ss, surveysOf(sv), Filter{}, ByTechnician, Names{}, time.UTC)
	if len(rep.Rows) != 2 {
		t.Fatalf("rows %+v, want ann and bob", rep.Rows)
	}
	ann, bob := rep.Rows[0], rep.Rows[1]
	if ann.Key != "ann" || ann.Sessions != 2 || ann.PickedUp != 2 || ann.AvgWaiting() != 90*time.Second ||
		ann.AvgHandling() != 15*time.Minute || ann.Transfers != 1 || ann.Ratings != 2 || ann.AvgRating() != 4.5 ||
		ann.Outcomes["resolved"] != 1 || ann.Outcomes["escalated"] != 1 {
		t.Errorf("ann: %+v", ann)
	}
	// bob's never-picked-up session counts, without times.
	if bob.Sessions != 2 || bob.PickedUp != 1 || bob.AvgWaiting() != 30*time.Second || bob.AvgHandling() != 5*time.Minute ||
		bob.Outcomes["unresolved"] != 1 || bob.Outcomes[NoOutcome] != 1 || bob.Ratings != 1 || Rating(bob) != "2.0" {
		t.Errorf("bob: %+v", bob)
	}
	tot := rep.Total
	// Waits 60+120+30 s over 3 = 70 s; handling 10+20+5 min over 3 = 11:40.
	if tot.Sessions != 4 || tot.PickedUp != 3 || tot.AvgWaiting() != 70*time.Second || tot.AvgHandling() != 11*time.Minute+40*time.Second ||
		tot.Transfers != 1 || tot.Ratings != 3 || Rating(tot) != "3.7" {
		t.Errorf("total: %+v", tot)
	}
}

func TestBuildFilters(t *testing.T) {
	ss, sv := fixture()
	tests := []struct {
		name     string
		f        Filter
		sessions int
	}{
		{"all", Filter{}, 4},
		{"period", Filter{From: day, To: day.Add(24 * time.Hour)}, 3},
		{"group", Filter{GroupID: "north"}, 2},
		{"technician", Filter{TechnicianID: "ann"}, 2},
		{"field value", Filter{FieldID: "topic", FieldValue: "Printer"}, 2},
		{"field value nobody has", Filter{FieldID: "topic", FieldValue: "Phone"}, 0},
		{"a lead's groups only", Filter{Groups: []string{"north"}}, 2},
		{"a lead asking for another group", Filter{Groups: []string{"north"}, GroupID: "default"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Build(ss, surveysOf(sv), tc.f, ByGroup, Names{}, time.UTC).Total.Sessions; got != tc.sessions {
				t.Errorf("%d sessions, want %d", got, tc.sessions)
			}
		})
	}
}

func TestBuildByPeriodAndGroup(t *testing.T) {
	ss, sv := fixture()
	days := Build(ss, surveysOf(sv), Filter{}, ByDay, Names{}, time.UTC)
	if len(days.Rows) != 2 || days.Rows[0].Key != "2026-11-02" || days.Rows[0].Sessions != 3 || days.Rows[1].Key != "2026-11-03" || days.Rows[1].Sessions != 1 {
		t.Errorf("by day: %+v", days.Rows)
	}
	weeks := Build(ss, surveysOf(sv), Filter{}, ByWeek, Names{}, time.UTC)
	if len(weeks.Rows) != 1 || weeks.Rows[0].Key != "2026-11-02" || weeks.Rows[0].Sessions != 4 {
		t.Errorf("by week: %+v", weeks.Rows)
	}
	months := Build(ss, surveysOf(sv), Filter{}, ByMonth, Names{}, time.UTC)
	if len(months.Rows) != 1 || months.Rows[0].Label != "2026-11" {
		t.Errorf("by month: %+v", months.Rows)
	}
	groups := Build(ss, surveysOf(sv), Filter{}, ByGroup, Names{Groups: map[string]string{"default": "Technicians"}}, time.UTC)
	// A deleted group ("north" has no name any more) shows its ID.
	if len(groups.Rows) != 2 || groups.Rows[0].Label != "Technicians" || groups.Rows[1].Label != "north" {
		t.Errorf("by group: %+v", groups.Rows)
	}
}

func TestPeriodStartWeekFromMonday(t *testing.T) {
	sunday := time.Date(2026, 11, 8, 23, 0, 0, 0, time.UTC)
	if got := PeriodStart(sunday, ByWeek, time.UTC); !got.Equal(day.Truncate(24 * time.Hour)) {
		t.Errorf("week of Sunday 8 November starts %v, want Monday 2 November", got)
	}
}

func TestCSVHasThePageNumbers(t *testing.T) {
	ss, sv := fixture()
	rep := Build(ss, surveysOf(sv), Filter{}, ByTechnician, Names{}, time.UTC)
	rep.Rows[0].Label = "=cmd" // a name a spreadsheet would run
	var b bytes.Buffer
	if err := WriteCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	want := "technician,sessions,picked_up,avg_waiting,avg_handling,transfers,resolved,unresolved,escalated,no_outcome,ratings,avg_rating\n" +
		"'=cmd,2,2,0:01:30,0:15:00,1,1,0,1,0,2,4.5\n" +
		"BOB,2,1,0:00:30,0:05:00,0,0,1,0,1,1,2.0\n" +
		"total,4,3,0:01:10,0:11:40,1,1,1,1,1,3,3.7\n"
	if b.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}
}

// BenchmarkBuild adds up 10,000 ended sessions of 20 technicians over 30
// days, by day.
func BenchmarkBuild(b *testing.B) {
	var ss []store.Session
	sv := map[string]store.SessionSurveys{}
	for i := range 10000 {
		id := "s" + strconv.Itoa(i)
		ss = append(ss, ended(id, "t"+strconv.Itoa(i%20), "g"+strconv.Itoa(i%3), time.Duration(i%30)*24*time.Hour, time.Duration(i%300)*time.Second, time.Duration(i%3600)*time.Second, i%2))
		sv[id] = rated(1+i%5, store.Resolutions[i%3])
	}
	b.ResetTimer()
	for b.Loop() {
		Build(ss, surveysOf(sv), Filter{}, ByDay, Names{}, time.UTC)
	}
}
