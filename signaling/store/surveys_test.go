package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// Survey answers round-trip; answers out of their kind's bounds are refused.
func TestSessionSurveys(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	if _, err := s.SessionSurveys(ctx, "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("surveys of an unknown session: %v", err)
	}
	in := SessionSurveys{SessionID: "s1",
		Customer: &CustomerSurvey{Answers: []SurveyAnswer{
			{Question: "Fixed?", Kind: AnswerYesNo, Value: "yes"},
			{Question: "How was it?", Kind: AnswerRating, Rating: 4},
			{Question: "Anything else?", Kind: AnswerText, Value: "Merci <b>"},
		}},
		Technician: &TechnicianSurvey{Resolution: "resolved", Category: "Printer"},
	}
	if err := s.PutSessionSurveys(ctx, in); err != nil {
		t.Fatal(err)
	}
	out, err := s.SessionSurveys(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if out.Customer.Satisfaction() != 4 || out.Technician.Resolution != "resolved" || out.Customer.Answers[2].Value != "Merci <b>" {
		t.Fatalf("read back: %+v", out)
	}
	if (*CustomerSurvey)(nil).Satisfaction() != 0 {
		t.Fatal("no survey has a satisfaction")
	}
	for name, bad := range map[string]SessionSurveys{
		"rating 6":     {SessionID: "s2", Customer: &CustomerSurvey{Answers: []SurveyAnswer{{Kind: AnswerRating, Rating: 6}}}},
		"yes/no maybe": {SessionID: "s2", Customer: &CustomerSurvey{Answers: []SurveyAnswer{{Kind: AnswerYesNo, Value: "maybe"}}}},
		"long text":    {SessionID: "s2", Customer: &CustomerSurvey{Answers: []SurveyAnswer{{Kind: AnswerText, Value: strings.Repeat("x", MaxSurveyText+1)}}}},
		"unknown kind": {SessionID: "s2", Customer: &CustomerSurvey{Answers: []SurveyAnswer{{Kind: "stars"}}}},
		"resolution":   {SessionID: "s2", Technician: &TechnicianSurvey{Resolution: "done"}},
		"bad key":      {SessionID: "a b"},
	} {
		if err := s.PutSessionSurveys(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}
