package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// A group's surveys: off until an administrator sets them, checked when set.
func TestSurveySettings(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	got, err := s.SurveySettings(ctx, "")
	if err != nil || got.GroupID != DefaultGroupID || got.Form() != nil || got.TechnicianRequired {
		t.Fatalf("a group never set: %+v, %v; want no survey asked, nothing required", got, err)
	}
	in := SurveySettings{GroupID: "helpdesk", Customer: true, TechnicianRequired: true,
		Questions:  []protocol.SurveyQuestion{{Text: "How was it?", Kind: protocol.SurveyRating}},
		Categories: ParseCategories("Printer\n, Network,Printer\n\n")}
	if strings.Join(in.Categories, "|") != "Printer|Network" {
		t.Fatalf("categories read %q", in.Categories)
	}
	if err := s.PutSurveySettings(ctx, in); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SurveySettings(ctx, "helpdesk"); got.Form() == nil || !got.TechnicianRequired {
		t.Fatalf("read back %+v", got)
	}
	for name, bad := range map[string]SurveySettings{
		"on without a question": {GroupID: "g", Customer: true},
		"unknown kind":          {GroupID: "g", Questions: []protocol.SurveyQuestion{{Text: "Q", Kind: "stars"}}},
		"empty question":        {GroupID: "g", Questions: []protocol.SurveyQuestion{{Kind: protocol.SurveyText}}},
		"bidi in a question":    {GroupID: "g", Questions: []protocol.SurveyQuestion{{Text: "ok\u202e", Kind: protocol.SurveyText}}},
		"long category":         {GroupID: "g", Categories: []string{strings.Repeat("c", MaxSurveyCategory+1)}},
		"bad key":               {GroupID: "a b"},
	} {
		if err := s.PutSurveySettings(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

// UpdateSessionSurveys starts from nothing, keeps what fn refuses unchanged
// and each part once set.
func TestUpdateSessionSurveys(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	refuse := errors.New("refused")
	if _, err := s.UpdateSessionSurveys(ctx, "s1", func(*SessionSurveys) error { return refuse }); !errors.Is(err, refuse) {
		t.Fatal(err)
	}
	if _, err := s.SessionSurveys(ctx, "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a refused update stored something: %v", err)
	}
	if _, err := s.UpdateSessionSurveys(ctx, "s1", func(v *SessionSurveys) error {
		v.Technician = &TechnicianSurvey{Resolution: "resolved"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateSessionSurveys(ctx, "s1", func(v *SessionSurveys) error {
		v.Customer = &CustomerSurvey{Answers: []SurveyAnswer{{Question: "Q", Kind: AnswerRating, Rating: 9}}}
		return nil
	}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an invalid answer: %v", err)
	}
	if _, err := s.UpdateSessionSurveys(ctx, "s1", func(v *SessionSurveys) error {
		v.Customer = &CustomerSurvey{Answers: []SurveyAnswer{{Question: "Q", Kind: AnswerRating, Rating: 3}}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	v, err := s.SessionSurveys(ctx, "s1")
	if err != nil || v.Technician.Resolution != "resolved" || v.Customer.Satisfaction() != 3 || v.SessionID != "s1" {
		t.Fatalf("stored %+v, %v", v, err)
	}
}
