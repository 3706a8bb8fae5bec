package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// The customer's survey through the path the customer's page uses: the
// administrator turns it on for the group, the agent is given its questions
// in the welcome; the customer ends the session and their program's socket
// stays open for the survey; an out-of-bounds rating is refused, the answers
// are kept once, and a second submission is refused.
func TestCustomerSurveyThroughTheAgent(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	if code, page := admin.Post(t, "/admin/surveys", url.Values{"group": {"default"}, "customer": {"on"},
		"q": {"How was it?", "", "Fixed?"}, "kind": {"rating", "rating", "yesno"}}); code != 200 || !strings.Contains(page, "Surveys saved") {
		t.Fatalf("saving the surveys: %d", code)
	}
	sid, token, _ := admin.NewSession(t, "Marie Dupont")
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token, Hostname: "marie-pc"})
	w := agent.Expect(protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome)
	if w.Survey == nil || len(w.Survey.Questions) != 2 || w.Survey.Questions[1].Kind != protocol.SurveyYesNo {
		t.Fatalf("the welcome gives the survey %+v, want the group's two questions", w.Survey)
	}

	agent.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByCustomer})
	reply := func(id string) protocol.Message {
		t.Helper()
		for {
			m, err := agent.Read(10 * time.Second)
			if err != nil {
				t.Fatalf("no answer to %s: %v (the socket closed?)", id, err)
			}
			if m.ID == id {
				return m
			}
		}
	}
	id := agent.Send(protocol.TypeSurveyAnswers, sid, protocol.SurveyAnswers{Answers: []protocol.SurveyReply{{Rating: 9}, {Value: "yes"}}})
	if e, ok := reply(id).Body.(*protocol.Error); !ok || e.Code != protocol.CodeBadMessage || !strings.Contains(e.Message, "1 to 5") {
		t.Fatalf("a rating of 9: %+v, want bad_message saying 1 to 5", e)
	}
	id = agent.Send(protocol.TypeSurveyAnswers, sid, protocol.SurveyAnswers{Answers: []protocol.SurveyReply{{Rating: 5}, {Value: "yes"}}})
	if m := reply(id); m.Type != protocol.TypeSurveySaved {
		t.Fatalf("good answers: %s %+v, want survey.saved", m.Type, m.Body)
	}
	id = agent.Send(protocol.TypeSurveyAnswers, sid, protocol.SurveyAnswers{Answers: []protocol.SurveyReply{{Rating: 1}, {Value: "no"}}})
	if e, ok := reply(id).Body.(*protocol.Error); !ok || e.Code != protocol.CodeUsed {
		t.Fatalf("second answers: %+v, want used", e)
	}
	// The technician reads the first answers.
	if code, body := admin.Get(t, "/console/sessions/"+sid+"/survey"); code != 200 || !strings.Contains(body, `"rating":5`) || strings.Contains(body, `"rating":1`) {
		t.Fatalf("the technician reads %d %s, want the first answers", code, body)
	}
}

// The technician's survey over the workspace's endpoint: only the session's
// technician, once it ended, once; each refusal is a sentence in the
// technician's language.
func TestTechnicianSurveyEndpoint(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.CreateTechnician(t, "claire", "Claire Martin", techPassword, "default")
	claire := st.LogInAs(t, n, "claire", techPassword)
	sid, _, _ := admin.NewSession(t, "Marie Dupont")
	send := func(tc *st.Tech, lang, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", tc.Base+"/console/sessions/"+sid+"/survey?lang="+lang, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", tc.CSRF)
		res, err := tc.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, strings.TrimSpace(st.ReadAll(t, res))
	}
	good := `{"resolution":"resolved","category":"Printer","notes":"Driver reinstalled."}`
	if code, text := send(admin, "fr", good); code != http.StatusConflict || text != "Terminez d'abord la session." {
		t.Fatalf("before the end: %d %q", code, text)
	}
	c := admin.Dial(t, "/ws/console")
	c.Expect(protocol.TypeConsoleWelcome)
	c.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	for {
		if s := c.Expect(protocol.TypeSessionState).Body.(*protocol.SessionState); strings.HasPrefix(s.State, "closed") {
			break
		}
	}
	if code, _ := send(claire, "en", good); code != http.StatusNotFound {
		t.Fatalf("another technician's survey: %d, want 404", code)
	}
	if code, text := send(admin, "en", `{"resolution":"done"}`); code != http.StatusBadRequest || !strings.Contains(text, "cannot be kept") {
		t.Fatalf("an unknown outcome: %d %q", code, text)
	}
	if code, text := send(admin, "en", good); code != http.StatusNoContent {
		t.Fatalf("the survey: %d %q", code, text)
	}
	if code, text := send(admin, "en", `{"resolution":"escalated"}`); code != http.StatusConflict || !strings.Contains(text, "first answers are kept") {
		t.Fatalf("a second survey: %d %q", code, text)
	}
	if code, body := admin.Get(t, "/console/sessions/"+sid+"/survey"); code != http.StatusOK || !strings.Contains(body, `"resolution":"resolved"`) {
		t.Fatalf("stored: %d %s", code, body)
	}
}
