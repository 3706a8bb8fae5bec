package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/console-web/notes"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/access"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// openStore opens the node's store beside it, on the same NATS, as another
// node would: to read what sessions keep and to write survey answers.
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

// postJSON sends body to path as the queue's script does and returns the
// status and the answer.
func postJSON(t *testing.T, tc *st.Tech, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, tc.Base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", tc.CSRF)
	resp, err := tc.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, st.ReadAll(t, resp)
}

// Custom fields: the administrator defines them; the invitation form refuses
// a required one missing beside it and keeps what was typed; the session's
// holder (only) edits them from the queue; a deleted definition leaves the
// values readable. A session keeps who picked it up when, the transfers,
// its group and when it ended; reports add them up for administrators and
// a group's leads only.
func TestCustomFieldsAndReports(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	db := openStore(t, natsURL)
	admin := st.LogIn(t, n)
	most := []string{}
	for _, p := range access.All {
		if p != access.OtherQueues {
			most = append(most, string(p))
		}
	}
	admin.PutGroup(t, "north", most...)
	admin.CreateTechnician(t, "bob", "Bob North", "bob's password!", "north")
	admin.CreateTechnician(t, "lea", "Léa Lead", "léa's password!", "")
	admin.CreateTechnician(t, "tom", "Tom Tech", "tom's password!", "")
	// Léa (in the default group) leads north.
	if code, body := admin.Post(t, "/admin/groups", url.Values{"id": {"north"}, "name": {"North"}, "perm": most, "lead": {"lea"}}); code != http.StatusOK {
		t.Fatalf("make léa a lead: %d %s", code, body)
	}

	// Fields: a refused definition shows its message beside the field.
	if code, body := admin.Post(t, "/admin/fields", url.Values{"name": {"Topic"}, "kind": {"choice"}, "options": {"\n"}}); code != http.StatusBadRequest ||
		!strings.Contains(body, `id="field-new-options-error"`) || !strings.Contains(body, `value="Topic"`) {
		t.Fatalf("a choice without options: %d %s", code, body)
	}
	for _, f := range []url.Values{
		{"name": {"Ticket"}, "kind": {"text"}, "required": {"on"}},
		{"name": {"Topic"}, "kind": {"choice"}, "options": {"Printer\r\nMail\n\n"}},
		{"name": {"Old"}, "kind": {"text"}},
	} {
		if code, body := admin.Post(t, "/admin/fields", f); code != http.StatusOK || !strings.Contains(body, `id="admin-notice"`) {
			t.Fatalf("add field %v: %d %s", f, code, body)
		}
	}
	defs, err := db.CustomFields(context.Background())
	if err != nil || len(defs) != 3 || defs[1].Kind != store.FieldChoice || len(defs[1].Options) != 2 || !defs[0].Required {
		t.Fatalf("fields %+v, %v", defs, err)
	}
	ticket, topic, old := defs[0].ID, defs[1].ID, defs[2].ID

	// The invitation form: the required ticket missing.
	form := url.Values{"customer": {"Marie Dupont"}, "field." + topic: {"Mail"}, "csrf": {admin.CSRF}}
	resp, err := admin.Client.PostForm(n.URL+"/console/sessions", form)
	if err != nil {
		t.Fatal(err)
	}
	body := st.ReadAll(t, resp)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="new-field-`+ticket+`-error"`) ||
		!strings.Contains(body, "Fill in this field.") || !strings.Contains(body, `value="Marie Dupont"`) || !strings.Contains(body, `value="Mail" selected`) {
		t.Fatalf("required field missing: %d %s", resp.StatusCode, body)
	}
	// The queue's form gets the same as JSON.
	req, _ := http.NewRequest(http.MethodPost, n.URL+"/console/sessions", strings.NewReader(url.Values{"customer": {"Marie"}, "field." + ticket: {"T\u202e1"}, "field." + topic: {"Fax"}, "csrf": {admin.CSRF}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err = admin.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var refusal struct{ Fields map[string]string }
	if b := st.ReadAll(t, resp); resp.StatusCode != http.StatusBadRequest || json.Unmarshal([]byte(b), &refusal) != nil ||
		!strings.Contains(refusal.Fields[ticket], "direction-changing") || !strings.Contains(refusal.Fields[topic], "listed values") {
		t.Fatalf("queue form refusal: %d %s", resp.StatusCode, b)
	}

	form.Set("field."+ticket, "T-42")
	form.Set("field."+old, "legacy")
	resp, err = admin.Client.PostForm(n.URL+"/console/sessions", form)
	if err != nil {
		t.Fatal(err)
	}
	st.ReadAll(t, resp)
	sid := strings.TrimPrefix(resp.Request.URL.Path, "/console/sessions/")
	ss, err := db.Session(context.Background(), sid)
	if err != nil || ss.GroupID != store.DefaultGroupID || len(ss.Fields) != 3 || ss.Fields[0].Value != "T-42" || ss.Fields[1].Value != "Mail" {
		t.Fatalf("session %+v, %v", ss, err)
	}
	token := ss.InviteToken

	// The customer joins, the admin picks the session up and transfers it to Bob.
	ac := admin.Dial(t, "/ws/console")
	ac.Expect(protocol.TypeConsoleWelcome)
	bob := st.LogInAs(t, n, "bob", "bob's password!")
	bc := bob.Dial(t, "/ws/console")
	bc.Expect(protocol.TypeConsoleWelcome)
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	deviceKey := strings.Repeat("d", 43)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc", DeviceKey: deviceKey})
	agent.Expect(protocol.TypeAgentWelcome)
	expect := func(c *st.Conn, want string) {
		t.Helper()
		for range 10 {
			if s := c.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); s.State == want {
				return
			}
		}
		t.Fatalf("no state %s", want)
	}
	expect(ac, "waiting")
	ac.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	expect(ac, "active")
	queueOf(t, bob) // online
	ac.Send(protocol.TypeSessionTransfer, sid, protocol.SessionTransfer{To: "bob"})
	expect(bc, "outgoing")
	bc.Send(protocol.TypeSessionStart, sid, protocol.SessionStart{})
	expect(bc, "active")

	// The holder edits a field from the queue; nobody else may.
	if code, b := postJSON(t, bob, "/console/sessions/"+sid+"/fields", `{"id":"`+topic+`","value":"Printer"}`); code != http.StatusNoContent {
		t.Fatalf("bob sets the topic: %d %s", code, b)
	}
	if code, b := postJSON(t, bob, "/console/sessions/"+sid+"/fields", `{"id":"`+topic+`","value":"Fax"}`); code != http.StatusBadRequest || !strings.Contains(b, "listed values") {
		t.Fatalf("a value that is not an option: %d %s", code, b)
	}
	if code, b := postJSON(t, bob, "/console/sessions/"+sid+"/fields", `{"id":"`+ticket+`","value":" "}`); code != http.StatusBadRequest || !strings.Contains(b, "Fill in") {
		t.Fatalf("emptying a required field: %d %s", code, b)
	}
	if code, b := postJSON(t, admin, "/console/sessions/"+sid+"/fields", `{"id":"`+topic+`","value":"Mail"}`); code != http.StatusNotFound {
		t.Fatalf("the admin, no longer the holder, edits: %d %s", code, b)
	}
	if it := find(t, queueOf(t, bob), sid); len(it.Fields) != 3 || it.Fields[1].Value != "Printer" {
		t.Fatalf("bob's queue shows %+v", it.Fields)
	}

	bc.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	expect(bc, "closed_by_technician")
	ss, err = db.Session(context.Background(), sid)
	if err != nil || ss.PickedUpBy != "admin" || ss.PickedUp.IsZero() || ss.Ended.Before(ss.PickedUp) || ss.Transfers != 1 || ss.GroupID != "north" || ss.TechnicianID != "bob" {
		t.Fatalf("what the ended session keeps: %+v, %v", ss, err)
	}
	if code, b := postJSON(t, bob, "/console/sessions/"+sid+"/fields", `{"id":"`+topic+`","value":"Mail"}`); code != http.StatusConflict {
		t.Fatalf("editing an ended session: %d %s", code, b)
	}

	// Deleting a definition keeps the value in the session.
	if code, b := admin.Post(t, "/admin/fields/"+old+"/delete", nil); code != http.StatusOK {
		t.Fatalf("delete field: %d %s", code, b)
	}
	if ss, _ := db.Session(context.Background(), sid); len(ss.Fields) != 3 || ss.Fields[2].Name != "Old" || ss.Fields[2].Value != "legacy" {
		t.Fatalf("after deleting the field: %+v", ss.Fields)
	}

	// The next session with the same computer lists them in its history,
	// the deleted field's too.
	resp, err = bob.Client.PostForm(n.URL+"/console/sessions", url.Values{"customer": {"Marie Dupont"}, "field." + ticket: {"T-43"}, "csrf": {bob.CSRF}})
	if err != nil {
		t.Fatal(err)
	}
	st.ReadAll(t, resp)
	next := strings.TrimPrefix(resp.Request.URL.Path, "/console/sessions/")
	nextSession, _ := db.Session(context.Background(), next)
	agent2 := st.Dial(t, n.URL+"/ws/agent", nil)
	agent2.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: nextSession.InviteToken, Hostname: "marie-pc", DeviceKey: deviceKey})
	agent2.Expect(protocol.TypeAgentWelcome)
	code, hb := bob.Get(t, "/console/sessions/"+next+"/notes")
	var hv notes.View
	if code != http.StatusOK || json.Unmarshal([]byte(hb), &hv) != nil || len(hv.History) != 1 || len(hv.History[0].Fields) != 3 ||
		hv.History[0].Fields[1].Value != "Printer" || hv.History[0].Fields[2].Name != "Old" || hv.History[0].Fields[2].Value != "legacy" {
		t.Fatalf("the history of the same computer: %d %s", code, hb)
	}

	// Surveys, written as the survey feature does.
	if err := db.PutSessionSurveys(context.Background(), store.SessionSurveys{SessionID: sid,
		Customer:   &store.CustomerSurvey{Answers: []store.SurveyAnswer{{Question: "How was it?", Kind: store.AnswerRating, Rating: 4}}, Answered: time.Now()},
		Technician: &store.TechnicianSurvey{Resolution: "resolved", Answered: time.Now()}}); err != nil {
		t.Fatal(err)
	}

	report := func(tc *st.Tech, query string) (int, [][]string) {
		t.Helper()
		code, b := tc.Get(t, "/reports?format=csv&"+query)
		if code != http.StatusOK {
			return code, nil
		}
		rows, err := csv.NewReader(strings.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("CSV %q: %v", b, err)
		}
		return code, rows
	}
	code, rows := report(admin, "by=group")
	if code != http.StatusOK || len(rows) != 3 || rows[1][0] != "North" || rows[2][0] != "total" {
		t.Fatalf("admin's report: %d %q", code, rows)
	}
	// sessions, picked up, …, transfers, resolved, …, ratings, average rating
	if got := rows[1]; got[1] != "1" || got[2] != "1" || got[5] != "1" || got[6] != "1" || got[10] != "1" || got[11] != "4.0" {
		t.Fatalf("north's row: %q", got)
	}
	if _, rows := report(admin, "field="+topic+"&value=Mail"); rows[len(rows)-1][1] != "0" {
		t.Fatalf("filtered on a value it does not have: %q", rows)
	}
	if _, rows := report(admin, "field="+topic+"&value=Printer"); rows[len(rows)-1][1] != "1" {
		t.Fatalf("filtered on its value: %q", rows)
	}

	// Léa leads north: she sees north, and nothing of another group.
	lea := st.LogInAs(t, n, "lea", "léa's password!")
	if code, rows := report(lea, "by=group"); code != http.StatusOK || len(rows) != 3 || rows[1][0] != "North" {
		t.Fatalf("léa's report: %d %q", code, rows)
	}
	if code, _ := report(lea, "group=default"); code != http.StatusForbidden {
		t.Fatalf("léa asking for the default group's report: %d", code)
	}
	// Tom leads nothing; Bob is in north but does not lead it.
	for _, tc := range []*st.Tech{st.LogInAs(t, n, "tom", "tom's password!"), bob} {
		if code, b := tc.Get(t, "/reports"); code != http.StatusForbidden || !strings.Contains(b, "administrators and group leads") {
			t.Fatalf("a technician who leads nothing: %d %s", code, b)
		}
	}
	// Only administrators define fields.
	if code, _ := bob.Post(t, "/admin/fields", url.Values{"name": {"Mine"}, "kind": {"text"}}); code != http.StatusForbidden {
		t.Fatalf("a technician defines a field: %d", code)
	}
	// Both languages have every word of the page.
	for _, lang := range []string{"en", "fr"} {
		if code, b := admin.Get(t, "/reports?lang="+lang); code != http.StatusOK || strings.Contains(b, ">reports.") || strings.Contains(b, ">fields.") {
			t.Fatalf("the report page in %s: %d %s", lang, code, b)
		}
	}
	if _, b := admin.Get(t, "/reports?lang=fr&by=group"); !strings.Contains(b, "4,0") {
		t.Error("the French page writes the average rating without a decimal comma")
	}
	if _, b := admin.Get(t, "/admin"); !strings.Contains(b, `id="admin-reports-link"`) {
		t.Error("the administration page has no link to the reports")
	}
	if _, b := lea.Get(t, "/console/queue"); !strings.Contains(b, `id="reports-link"`) {
		t.Error("Léa's pages have no link to the reports")
	}
	if _, b := bob.Get(t, "/console/queue"); strings.Contains(b, `id="reports-link"`) {
		t.Error("bob's pages link to reports he may not see")
	}
}
