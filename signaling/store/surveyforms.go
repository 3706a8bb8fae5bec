package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/text"
)

// bucketSurveyForms holds each technician group's surveys, keyed by group ID.
const bucketSurveyForms = "lifeline_survey_forms"

// Bounds of the technician's survey categories.
const (
	// MaxSurveyCategories bounds the categories a technician picks from.
	MaxSurveyCategories = 30
	// MaxSurveyCategory bounds one category, in bytes.
	MaxSurveyCategory = 80
)

// SurveySettings is what a technician group asks at the end of its sessions,
// set by an administrator: the customer's survey (off by default) and the
// technician's.
type SurveySettings struct {
	GroupID string `json:"groupId"`
	// Customer turns the customer's survey on; Questions are its questions.
	Customer  bool                      `json:"customer,omitempty"`
	Questions []protocol.SurveyQuestion `json:"questions,omitempty"`
	// TechnicianRequired keeps the technician's survey from being skipped.
	TechnicianRequired bool `json:"technicianRequired,omitempty"`
	// Categories are what the technician picks a session's category from;
	// none lets them type one.
	Categories []string `json:"categories,omitempty"`
}

// Form is the customer's survey the group asks, nil if none.
func (s SurveySettings) Form() *protocol.SurveyForm {
	if !s.Customer || len(s.Questions) == 0 {
		return nil
	}
	return &protocol.SurveyForm{Questions: append([]protocol.SurveyQuestion(nil), s.Questions...)}
}

// Validate checks the questions and categories; a survey turned on needs a question.
func (s SurveySettings) Validate() error {
	if len(s.Questions) > protocol.MaxSurveyQuestions {
		return fmt.Errorf("%w: %d questions, at most %d", ErrInvalid, len(s.Questions), protocol.MaxSurveyQuestions)
	}
	if s.Customer && len(s.Questions) == 0 {
		return fmt.Errorf("%w: the customer's survey has no question", ErrInvalid)
	}
	for i, q := range s.Questions {
		if err := q.Check(); err != nil {
			return fmt.Errorf("%w: question %d: %v", ErrInvalid, i+1, err)
		}
	}
	if len(s.Categories) > MaxSurveyCategories {
		return fmt.Errorf("%w: %d categories, at most %d", ErrInvalid, len(s.Categories), MaxSurveyCategories)
	}
	for _, c := range s.Categories {
		if c == "" || len(c) > MaxSurveyCategory || text.CheckName(c) != nil {
			return fmt.Errorf("%w: category %q", ErrInvalid, c)
		}
	}
	return nil
}

// ParseCategories reads categories typed one a line (or separated by
// commas), dropping empty ones and repeats.
func ParseCategories(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' }) {
		c = strings.TrimSpace(c)
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// SurveySettings reads group id's surveys; a group never set asks nothing of
// the customer and lets the technician skip.
func (s *Store) SurveySettings(ctx context.Context, groupID string) (SurveySettings, error) {
	if groupID == "" {
		groupID = DefaultGroupID
	}
	v := SurveySettings{GroupID: groupID}
	_, err := get(ctx, s.surveyForms, groupID, &v)
	if errors.Is(err, ErrNotFound) {
		return SurveySettings{GroupID: groupID}, nil
	}
	return v, err
}

// PutSurveySettings stores a group's surveys.
func (s *Store) PutSurveySettings(ctx context.Context, v SurveySettings) error {
	if err := v.Validate(); err != nil {
		return err
	}
	return put(ctx, s.surveyForms, v.GroupID, v)
}

// UpdateSessionSurveys changes the survey answers of session sid with
// compare-and-set, starting from an empty record; fn may refuse with an
// error, and the result must pass Validate.
func (s *Store) UpdateSessionSurveys(ctx context.Context, sid string, fn func(*SessionSurveys) error) (SessionSurveys, error) {
	if !ValidKey(sid) {
		return SessionSurveys{}, ErrInvalid
	}
	check := func(v *SessionSurveys) error {
		if err := fn(v); err != nil {
			return err
		}
		v.SessionID = sid
		return v.Validate()
	}
	for range 10 {
		v := SessionSurveys{SessionID: sid}
		if err := check(&v); err != nil {
			return v, err
		}
		err := create(ctx, s.surveys, sid, v)
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, ErrExists) {
			return v, err
		}
		v, err = update(ctx, s.surveys, sid, func(v *SessionSurveys) error { return check(v) })
		if !errors.Is(err, ErrNotFound) {
			return v, err
		}
	}
	return SessionSurveys{}, ErrConflict
}
