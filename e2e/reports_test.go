package e2e

import (
	"context"
	"encoding/csv"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/reports"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// TestCustomFieldsAndReport: the administrator defines a required choice
// field on the admin page; the queue's invitation form refuses it missing
// beside the field and keeps the name typed; a real customer's session is
// picked up, its field changed from the queue and ended. With scripted ended
// sessions of known times, outcomes and ratings (written to the store as the
// session service and the surveys do), the report shows the known numbers on
// the page and in its CSV, a lead sees their group only, and a technician
// who leads nothing is refused. With LIFELINE_SCREENSHOTS=1 it saves the
// report and the admin page's custom fields, light and dark, into
// e2e/screenshots/.
func TestCustomFieldsAndReport(t *testing.T) {
	natsURL := natstest.Server(t)
	stack := StartWith(t, Options{SignalingArgs: []string{"--nats-url", natsURL}})
	db := openStore(t, natsURL)
	ctx := context.Background()

	admin := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword)
	admin.PutGroup(t, "north", "start_sessions", "invite_link", "view", "control")
	admin.CreateTechnician(t, "lea", "Léa Lead", "lea-password-1", "")
	admin.CreateTechnician(t, "tom", "Tom Tech", "tom-password-1", "")
	if code, body := admin.Post(t, "/admin/groups", url.Values{"id": {"north"}, "name": {"North"}, "perm": {"start_sessions", "view"}, "lead": {"lea"}}); code != 200 {
		t.Fatalf("make Léa the lead of North: %d %s", code, body)
	}

	// The administrator defines the field on the admin page.
	tech := stack.Technician(t)
	page := tech.Page()
	run(t, page, "open the administration", chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(stack.URL+"/admin"), chromedp.WaitVisible(chromedp.ID("field-new")))
	run(t, page, "a choice without options",
		chromedp.SendKeys(chromedp.ID("field-new-name"), "Topic"),
		chromedp.SetValue(chromedp.ID("field-new-kind"), "choice"),
		clickSteady(`#field-new button[type=submit]`),
		chromedp.WaitVisible(chromedp.ID("field-new-options-error")))
	if v := Eval[string](t, tech, "the refused field's name", `document.getElementById("field-new-name").value`); v != "Topic" {
		t.Errorf("the refused form holds %q, want what was typed", v)
	}
	Eval[bool](t, tech, "tick Required", `document.getElementById("field-new-required").checked = true`)
	run(t, page, "add the field",
		chromedp.SendKeys(chromedp.ID("field-new-options"), "Printer\nMail"),
		clickSteady(`#field-new button[type=submit]`),
		chromedp.WaitVisible(chromedp.ID("admin-notice")))
	defs, err := db.CustomFields(ctx)
	if err != nil || len(defs) != 1 || !defs[0].Required || !slices.Equal(defs[0].Options, []string{"Printer", "Mail"}) {
		t.Fatalf("fields %+v, %v", defs, err)
	}
	topic := defs[0].ID

	// The queue's invitation form: the field missing, then given.
	tech.OpenQueue(t)
	run(t, page, "create without the topic",
		chromedp.SendKeys(chromedp.ID("queue-customer"), "Marie Dupont"),
		click("queue-create"),
		chromedp.WaitVisible(chromedp.ID("queue-field-"+topic+"-error")))
	if msg := Eval[string](t, tech, "the message beside the field", `document.getElementById("queue-field-`+topic+`-error").textContent`); msg != "Fill in this field." {
		t.Errorf("beside the field: %q", msg)
	}
	tech.Shot(t, "queue-field-refused")
	if v := Eval[string](t, tech, "the customer's name", `document.getElementById("queue-customer").value`); v != "Marie Dupont" {
		t.Errorf("the form lost the name typed: %q", v)
	}
	run(t, page, "create with the topic", chromedp.SetValue(chromedp.ID("queue-field-"+topic), "Printer"), click("queue-create"))
	var sid string
	waitFor(t, "the new session's tab", func() bool {
		tabs := tech.Tabs(t)
		if len(tabs) > 0 {
			sid = tabs[0]
		}
		return sid != ""
	})
	var inv []string
	waitFor(t, "the invitation in the tab", func() bool {
		inv = tech.inFrame(t, sid, `[d.getElementById("invite-link")?.value ?? "", d.getElementById("invite-pin")?.textContent ?? ""]`)
		return inv[0] != ""
	})
	c := stack.Customer(t, Invitation{Link: inv[0], PIN: strings.TrimSpace(inv[1])})
	c.OpenPage(t)
	c.Allow(t)
	tech.WaitQueueState(t, sid, "active") // its open tab picked it up

	// The holder changes the field from the queue.
	tech.ShowTab(t, "queue")
	sel := `#queue-rows tr[data-sid="` + sid + `"] td.q-field select`
	waitVisible(t, tech.p, sel)
	Eval[bool](t, tech, "change the topic in the queue", `(() => { const s = document.querySelector('`+sel+`');
		s.value = "Mail"; s.dispatchEvent(new Event("change")); return true; })()`)
	waitFor(t, "the queue shows the new topic", func() bool {
		return Eval[string](t, tech, "the session's topic", `(lifelineQueue.view.sessions.find((s) => s.id === "`+sid+`")?.fields ?? []).map((f) => f.value).join()`) == "Mail"
	})
	tech.Shot(t, "queue-fields")
	tech.QueueAction(t, sid, "q-end")
	tech.WaitQueueState(t, sid, "closed_by_technician")
	real, err := db.Session(ctx, sid)
	if err != nil || real.PickedUp.IsZero() || real.Ended.IsZero() || real.PickedUpBy != "admin" {
		t.Fatalf("the real session keeps %+v, %v", real, err)
	}
	// The surveys, as the survey feature writes them.
	putSurveys(t, db, sid, 5, "resolved")

	// Scripted ended sessions of a past week, with known times.
	monday := time.Date(2026, 11, 2, 9, 0, 0, 0, time.Local)
	printer := []store.FieldValue{{ID: topic, Name: "Topic", Value: "Printer"}}
	mail := []store.FieldValue{{ID: topic, Name: "Topic", Value: "Mail"}}
	for _, s := range []struct {
		id, tech, name, group string
		at, wait, handle      time.Duration
		transfers             int
		fields                []store.FieldValue
		rating                int
		outcome               string
	}{
		{"script-a", "ann", "Ann Agent", "default", 0, 60 * time.Second, 10 * time.Minute, 0, printer, 5, "resolved"},
		{"script-b", "ann", "Ann Agent", "default", 25 * time.Hour, 120 * time.Second, 20 * time.Minute, 1, mail, 4, "escalated"},
		{"script-c", "bob", "Bob North", "north", 50 * time.Hour, 30 * time.Second, 5 * time.Minute, 0, printer, 2, "unresolved"},
		{"script-d", "bob", "Bob North", "north", 75 * time.Hour, -1, 0, 0, nil, 0, ""}, // never picked up
	} {
		ss := store.Session{ID: s.id, TechnicianID: s.tech, TechnicianName: s.name, CustomerName: "Scripted", GroupID: s.group,
			State: session.ClosedByTechnician, Created: monday.Add(s.at), Transfers: s.transfers, Fields: s.fields}
		if s.wait >= 0 {
			ss.PickedUp, ss.PickedUpBy = ss.Created.Add(s.wait), s.tech
			ss.Ended = ss.PickedUp.Add(s.handle)
		} else {
			ss.State, ss.Ended = session.TimedOut, ss.Created.Add(time.Hour)
		}
		ss.Changed, ss.Since = ss.Ended, ss.Ended
		if err := db.CreateSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
		if s.rating > 0 {
			putSurveys(t, db, s.id, s.rating, s.outcome)
		}
	}

	week := "from=2026-11-02&to=2026-11-08"
	want := [][]string{
		{"technician", "sessions", "picked_up", "avg_waiting", "avg_handling", "transfers", "resolved", "unresolved", "escalated", "no_outcome", "ratings", "avg_rating"},
		{"Ann Agent", "2", "2", "0:01:30", "0:15:00", "1", "1", "0", "1", "0", "2", "4.5"},
		{"Bob North", "2", "1", "0:00:30", "0:05:00", "0", "0", "1", "0", "1", "1", "2.0"},
		{"total", "4", "3", "0:01:10", "0:11:40", "1", "1", "1", "1", "1", "3", "3.7"},
	}
	checkReport(t, tech, stack.URL+"/reports?"+week+"&by=technician", want)
	checkReport(t, tech, stack.URL+"/reports?"+week+"&by=technician&field="+topic+"&value=Printer", [][]string{want[0],
		{"Ann Agent", "1", "1", "0:01:00", "0:10:00", "0", "1", "0", "0", "0", "1", "5.0"},
		{"Bob North", "1", "1", "0:00:30", "0:05:00", "0", "0", "1", "0", "0", "1", "2.0"},
		{"total", "2", "2", "0:00:45", "0:07:30", "0", "1", "1", "0", "0", "2", "3.5"}})
	// Today's real session, by its changed topic.
	today := time.Now().Format("2006-01-02")
	wait, handle := reports.Duration(real.PickedUp.Sub(real.Created)), reports.Duration(real.Ended.Sub(real.PickedUp))
	checkReport(t, tech, stack.URL+"/reports?from="+today+"&to="+today+"&by=technician&field="+topic+"&value=Mail", [][]string{want[0],
		{"Administrator", "1", "1", wait, handle, "0", "1", "0", "0", "0", "1", "5.0"},
		{"total", "1", "1", wait, handle, "0", "1", "0", "0", "0", "1", "5.0"}})

	// The report, light and dark; the admin page's custom fields.
	run(t, page, "the week's report", chromedp.Navigate(stack.URL+"/reports?"+week+"&by=technician"), chromedp.WaitVisible(chromedp.ID("chart-sessions")))
	if n := Eval[int](t, tech, "the chart's bars", `document.querySelectorAll("#chart-sessions rect").length`); n != 2 {
		t.Errorf("the sessions chart has %d bars, want 2", n)
	}
	if os.Getenv("LIFELINE_SCREENSHOTS") != "" {
		for _, theme := range []string{"light", "dark"} {
			if _, err := chromedp.Call(page, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: theme}}}); err != nil {
				t.Fatal(err)
			}
			run(t, page, "the report", chromedp.Navigate(stack.URL+"/reports?"+week+"&by=technician"), chromedp.WaitVisible(chromedp.ID("chart-sessions")))
			saveShot(t, "report-"+theme, get(t, page, "screenshot the report", chromedp.FullScreenshot(100)))
			run(t, page, "the admin page", chromedp.Navigate(stack.URL+"/admin"), chromedp.WaitVisible(chromedp.ID("custom-fields")))
			saveShot(t, "admin-fields-"+theme, get(t, page, "screenshot the custom fields", chromedp.Screenshot(chromedp.ID("custom-fields"))))
		}
	}

	// Léa leads North: she sees Bob's sessions and nothing of Ann's.
	lea := stack.TechnicianAs(t, "lea", "lea-password-1")
	checkReport(t, lea, stack.URL+"/reports?"+week+"&by=technician", [][]string{want[0], want[2],
		{"total", "2", "1", "0:00:30", "0:05:00", "0", "0", "1", "0", "1", "1", "2.0"}})
	// Tom leads nothing: no link, and the server refuses the page and the CSV.
	tom := stack.TechnicianAs(t, "tom", "tom-password-1")
	navigate(t, tom.p, stack.URL+"/console/queue")
	waitVisible(t, tom.p, "#queue-rows")
	if Eval[bool](t, tom, "the reports link", `!!document.getElementById("reports-link")`) {
		t.Error("Tom's header links to the reports")
	}
	navigate(t, tom.p, stack.URL+"/reports?"+week)
	if text := Eval[string](t, tom, "the refusal", `document.body.innerText`); !strings.Contains(text, "administrators and group leads") {
		t.Errorf("Tom reads %q", text)
	}
	if got := Eval[[]string](t, tom, "the CSV", `(async () => { const r = await fetch("/reports?format=csv&`+week+`"); return [String(r.status), await r.text()]; })()`); got[0] != "403" || strings.Contains(got[1], "Ann Agent") {
		t.Errorf("Tom's CSV: %q", got)
	}
}

// checkReport opens a report and checks its table and its CSV (fetched by
// the page's own link) both hold want, header and total included.
func checkReport(t *testing.T, tc *Technician, u string, want [][]string) {
	t.Helper()
	navigate(t, tc.p, u)
	waitVisible(t, tc.p, "#report")
	cells := Eval[[][]string](t, tc, "the report's table", `[...document.querySelectorAll("#report tbody tr, #report tfoot tr")].map((tr) => [...tr.children].map((c) => c.textContent.trim()))`)
	got := Eval[string](t, tc, "the report's CSV", `(async () => (await fetch(document.getElementById("report-csv").href)).text())()`)
	rows, err := csv.NewReader(strings.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatalf("CSV %q: %v", got, err)
	}
	if !slices.EqualFunc(rows, want, slices.Equal[[]string]) {
		t.Errorf("%s: CSV\n%q\nwant\n%q", u, rows, want)
	}
	page := append([][]string{want[0]}, cells...)
	page[len(page)-1][0] = "total" // the page writes it in the reader's language
	if !slices.EqualFunc(page[1:], want[1:], slices.Equal[[]string]) {
		t.Errorf("%s: the page shows\n%q\nwant\n%q", u, cells, want[1:])
	}
}

// putSurveys writes a session's survey answers as the survey feature does.
func putSurveys(t *testing.T, db *store.Store, sid string, rating int, outcome string) {
	t.Helper()
	now := time.Now()
	if err := db.PutSessionSurveys(context.Background(), store.SessionSurveys{SessionID: sid,
		Customer:   &store.CustomerSurvey{Answers: []store.SurveyAnswer{{Question: "How satisfied are you?", Kind: store.AnswerRating, Rating: rating}}, Answered: now},
		Technician: &store.TechnicianSurvey{Resolution: outcome, Answered: now}}); err != nil {
		t.Fatal(err)
	}
}

// openStore opens the stack's store on its NATS, as a second node would.
func openStore(t *testing.T, natsURL string) *store.Store {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	s, err := store.Open(context.Background(), nc, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// saveShot writes a screenshot into e2e/screenshots/.
func saveShot(t *testing.T, name string, png []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join("screenshots", name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
