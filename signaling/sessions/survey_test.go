package sessions

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
	"github.com/lifeline-support/lifeline/signaling/storetest"
)

// The survey's rules: the customer answers only the questions their session
// was given, once, within bounds, at the end or once the technician sent it;
// only the session's technician answers theirs, once, after the end; a
// customer who ends with a survey to answer keeps their socket for it.
func TestSurveyRules(t *testing.T) {
	st, nc := storetest.Open(t)
	ctx := t.Context()
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	s := New(Config{NC: nc, Store: st, Auth: auth.New(auth.Config{Logger: log}, st), Logger: log})
	t.Cleanup(s.Close)
	for _, a := range []store.Account{{ID: "alice", Name: "Alice", GroupID: "helpdesk"}, {ID: "bob", Name: "Bob"}} {
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutGroup(ctx, store.Group{ID: "helpdesk", Name: "Helpdesk"}); err != nil {
		t.Fatal(err)
	}
	questions := []protocol.SurveyQuestion{{Text: "How was it?", Kind: protocol.SurveyRating}, {Text: "Fixed?", Kind: protocol.SurveyYesNo}, {Text: "Anything else?", Kind: protocol.SurveyText}}
	if err := st.PutSurveySettings(ctx, store.SurveySettings{GroupID: "helpdesk", Customer: true, Questions: questions, TechnicianRequired: true, Categories: []string{"Printer", "Network"}}); err != nil {
		t.Fatal(err)
	}
	alice := auth.Technician{Account: store.Account{ID: "alice", Name: "Alice", GroupID: "helpdesk"}}
	bob := auth.Technician{Account: store.Account{ID: "bob", Name: "Bob"}}
	newSession := func(sid, tech string) store.Session {
		t.Helper()
		ss := store.Session{ID: sid, TechnicianID: tech, CustomerName: "Marie", State: session.Active, AgentConnected: true}
		if err := st.CreateSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
		return ss
	}
	answers := func(id string, replies ...protocol.SurveyReply) protocol.Message {
		return protocol.Message{Envelope: protocol.Envelope{Type: protocol.TypeSurveyAnswers, ID: id}, Body: &protocol.SurveyAnswers{Answers: replies}}
	}
	good := []protocol.SurveyReply{{Rating: 4}, {Value: "yes"}, {Value: "Merci !"}}

	// Alice's group asks the survey: her session's agent is given it, and
	// the session keeps it. Bob's (the default group) asks none.
	ss := newSession("s1", "alice")
	if f := s.giveSurvey(ctx, ss); f == nil || len(f.Questions) != 3 {
		t.Fatalf("alice's session is given %+v, want the helpdesk's 3 questions", f)
	}
	if got, _ := st.Session(ctx, "s1"); got.SurveyForm == nil {
		t.Fatal("the session does not keep the survey it gave")
	}
	other := newSession("s2", "bob")
	if f := s.giveSurvey(ctx, other); f != nil {
		t.Fatalf("bob's session is given %+v, want none", f)
	}

	// Before the end, and not sent: refused.
	if _, err := s.FromAgent(ctx, "s1", "", answers("1", good...)); !errors.Is(err, ErrSurveyNotYet) {
		t.Fatalf("answers before the end: %v, want ErrSurveyNotYet", err)
	}
	// The customer ends: the socket stays open for the survey.
	ended, err := s.FromAgent(ctx, "s1", "", protocol.Message{Envelope: protocol.Envelope{Type: protocol.TypeSessionEnd, ID: "e"}, Body: &protocol.SessionEnd{Reason: protocol.EndByCustomer}})
	if err != nil || ended {
		t.Fatalf("customer's end with a survey to answer: ended %v, %v; want the socket kept", ended, err)
	}
	saved, err := nc.SubscribeSync(AgentSubject("s1"))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		replies []protocol.SurveyReply
		want    error
	}{
		"rating 6":           {[]protocol.SurveyReply{{Rating: 6}, {Value: "yes"}, {}}, ErrBadSurvey},
		"rating 0":           {[]protocol.SurveyReply{{}, {Value: "yes"}, {}}, ErrBadSurvey},
		"maybe":              {[]protocol.SurveyReply{{Rating: 3}, {Value: "maybe"}, {}}, ErrBadSurvey},
		"one answer missing": {[]protocol.SurveyReply{{Rating: 3}, {Value: "no"}}, ErrBadSurvey},
		"bidi override":      {[]protocol.SurveyReply{{Rating: 3}, {Value: "no"}, {Value: "fine \u202egnp.exe"}}, ErrBadSurvey},
		"text too long":      {[]protocol.SurveyReply{{Rating: 3}, {Value: "no"}, {Value: strings.Repeat("x", protocol.MaxSurveyText+1)}}, ErrBadSurvey},
	} {
		if _, err := s.FromAgent(ctx, "s1", "", answers("bad", c.replies...)); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if _, err := st.SessionSurveys(ctx, "s1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("refused answers were stored: %v", err)
	}
	if _, err := s.FromAgent(ctx, "s1", "", answers("42", good...)); err != nil {
		t.Fatalf("good answers: %v", err)
	}
	m, err := saved.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal("the agent was not told the answers were saved")
	}
	var env protocol.Envelope
	if err := json.Unmarshal(m.Data, &env); err != nil || env.Type != protocol.TypeSurveySaved || env.ID != "42" {
		t.Fatalf("agent heard %s, want survey.saved for 42", m.Data)
	}
	// A second submission is refused; the first answers stay.
	if _, err := s.FromAgent(ctx, "s1", "", answers("43", protocol.SurveyReply{Rating: 1}, protocol.SurveyReply{Value: "no"}, protocol.SurveyReply{})); !errors.Is(err, ErrSurveyAnswered) || Code(err) != protocol.CodeUsed {
		t.Fatalf("second answers: %v, want ErrSurveyAnswered", err)
	}
	v, err := st.SessionSurveys(ctx, "s1")
	if err != nil || v.Customer.Satisfaction() != 4 || len(v.Customer.Answers) != 3 || v.Customer.Answers[2].Value != "Merci !" {
		t.Fatalf("stored %+v, %v; want the first answers", v.Customer, err)
	}
	// Once answered, the customer's end no longer keeps a socket.
	if s.awaitsSurvey(ctx, mustSession(t, st, "s1")) {
		t.Fatal("an answered survey is still awaited")
	}

	// A session that asked none refuses answers, and its customer's end
	// closes the socket as before.
	if _, err := s.FromAgent(ctx, "s2", "", answers("1", good...)); !errors.Is(err, ErrNoSurvey) {
		t.Fatalf("answers for a session that asked none: %v", err)
	}
	if ended, _ := s.FromAgent(ctx, "s2", "", protocol.Message{Envelope: protocol.Envelope{Type: protocol.TypeSessionEnd}, Body: &protocol.SessionEnd{Reason: protocol.EndByCustomer}}); !ended {
		t.Fatal("a customer's end with no survey keeps the socket")
	}

	// The technician's survey: only the session's technician, after the end, once.
	tech := TechnicianAnswers{Resolution: "resolved", Category: "Printer", Notes: "Driver reinstalled."}
	if err := s.TechnicianSurvey(ctx, bob, "s1", tech); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another technician's survey: %v, want ErrNotFound", err)
	}
	run := newSession("s3", "alice")
	if err := s.TechnicianSurvey(ctx, alice, run.ID, tech); !errors.Is(err, ErrNotEnded) {
		t.Fatalf("survey of a running session: %v, want ErrNotEnded", err)
	}
	for name, bad := range map[string]TechnicianAnswers{
		"resolution":     {Resolution: "done"},
		"category":       {Resolution: "resolved", Category: "Coffee"},
		"notes bidi":     {Resolution: "resolved", Notes: "ok \u202e"},
		"notes too long": {Resolution: "resolved", Notes: strings.Repeat("x", store.MaxSurveyText+1)},
	} {
		if err := s.TechnicianSurvey(ctx, alice, "s1", bad); !errors.Is(err, ErrBadSurvey) {
			t.Errorf("%s: %v, want ErrBadSurvey", name, err)
		}
	}
	if err := s.TechnicianSurvey(ctx, alice, "s1", tech); err != nil {
		t.Fatal(err)
	}
	if err := s.TechnicianSurvey(ctx, alice, "s1", TechnicianAnswers{Resolution: "escalated"}); !errors.Is(err, ErrSurveyAnswered) {
		t.Fatalf("second technician's survey: %v", err)
	}
	view, err := s.Surveys(ctx, alice, "s1")
	if err != nil || !view.Required || view.Answers.Technician.Resolution != "resolved" || view.Answers.Customer.Satisfaction() != 4 {
		t.Fatalf("survey view %+v, %v", view, err)
	}
}

// The technician may send the survey before the end: the agent is told to
// show it, and the customer's answers are taken while the session runs.
func TestSurveySentEarly(t *testing.T) {
	st, nc := storetest.Open(t)
	ctx := t.Context()
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	s := New(Config{NC: nc, Store: st, Auth: auth.New(auth.Config{Logger: log}, st), Logger: log})
	t.Cleanup(s.Close)
	if err := st.CreateAccount(ctx, store.Account{ID: "alice", Name: "Alice"}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSurveySettings(ctx, store.SurveySettings{GroupID: store.DefaultGroupID, Customer: true, Questions: []protocol.SurveyQuestion{{Text: "Happy?", Kind: protocol.SurveyYesNo}}}); err != nil {
		t.Fatal(err)
	}
	alice := auth.Technician{Account: store.Account{ID: "alice", Name: "Alice"}}
	ss := store.Session{ID: "s1", TechnicianID: "alice", CustomerName: "Marie", State: session.Active, AgentConnected: true}
	if err := st.CreateSession(ctx, ss); err != nil {
		t.Fatal(err)
	}
	if s.giveSurvey(ctx, ss) == nil {
		t.Fatal("no survey given")
	}
	if err := s.SendSurvey(ctx, auth.Technician{Account: store.Account{ID: "bob"}}, "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another technician sends it: %v", err)
	}
	agent, err := nc.Subscribe(AgentSubject("s1"), func(m *nats.Msg) { _ = m.Respond(nil) })
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Unsubscribe()
	if err := s.SendSurvey(ctx, alice, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FromAgent(ctx, "s1", "", protocol.Message{Envelope: protocol.Envelope{Type: protocol.TypeSurveyAnswers, ID: "1"}, Body: &protocol.SurveyAnswers{Answers: []protocol.SurveyReply{{Value: "yes"}}}}); err != nil {
		t.Fatalf("answers after the technician sent the survey: %v", err)
	}
	if err := s.SendSurvey(ctx, alice, "s1"); !errors.Is(err, ErrSurveyAnswered) {
		t.Fatalf("sending an answered survey: %v", err)
	}
}

func mustSession(t *testing.T, st *store.Store, sid string) store.Session {
	t.Helper()
	ss, err := st.Session(t.Context(), sid)
	if err != nil {
		t.Fatal(err)
	}
	return ss
}
