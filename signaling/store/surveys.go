package store

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// bucketSurveys holds the survey answers of each session, keyed by session ID:
// the customer's (satisfaction) and the technician's (outcome). Reports read
// them beside the session's record.
const bucketSurveys = "lifeline_surveys"

// Limits of stored survey answers.
const (
	// MaxSurveyAnswers bounds the answers of one survey.
	MaxSurveyAnswers = 20
	// MaxSurveyText bounds a free-text answer or a technician's notes, in bytes.
	MaxSurveyText = 2000
)

// Survey answer kinds.
const (
	AnswerRating = "rating" // 1 to 5
	AnswerYesNo  = "yesno"  // "yes" or "no"
	AnswerText   = "text"   // free text
)

// SurveyAnswer is one answer of the customer's survey.
type SurveyAnswer struct {
	Question string `json:"question"`
	Kind     string `json:"kind"`
	// Rating is set for AnswerRating (1 to 5); Value for the other kinds.
	Rating int    `json:"rating,omitempty"`
	Value  string `json:"value,omitempty"`
}

// CustomerSurvey is what the customer answered at the end of a session.
type CustomerSurvey struct {
	Answers  []SurveyAnswer `json:"answers"`
	Answered time.Time      `json:"answered"`
}

// Satisfaction is the customer's first rating (1 to 5), 0 if none.
func (c *CustomerSurvey) Satisfaction() int {
	if c == nil {
		return 0
	}
	for _, a := range c.Answers {
		if a.Kind == AnswerRating {
			return a.Rating
		}
	}
	return 0
}

// TechnicianSurvey is what the technician said about the session when ending it.
type TechnicianSurvey struct {
	// Resolution is "resolved", "unresolved" or "escalated".
	Resolution string    `json:"resolution"`
	Category   string    `json:"category,omitempty"`
	Notes      string    `json:"notes,omitempty"`
	Answered   time.Time `json:"answered"`
}

// Resolutions a technician can give.
var Resolutions = []string{"resolved", "unresolved", "escalated"}

// SessionSurveys is the survey answers of one session; either part may be
// missing (not asked, not answered).
type SessionSurveys struct {
	SessionID  string            `json:"sessionId"`
	Customer   *CustomerSurvey   `json:"customer,omitempty"`
	Technician *TechnicianSurvey `json:"technician,omitempty"`
}

// Validate checks the answers' kinds and bounds.
func (s SessionSurveys) Validate() error {
	text := func(what, v string) error {
		if len(v) > MaxSurveyText || !utf8.ValidString(v) {
			return fmt.Errorf("%w: %s: not UTF-8 or over %d bytes", ErrInvalid, what, MaxSurveyText)
		}
		return nil
	}
	if c := s.Customer; c != nil {
		if len(c.Answers) > MaxSurveyAnswers {
			return fmt.Errorf("%w: %d answers, at most %d", ErrInvalid, len(c.Answers), MaxSurveyAnswers)
		}
		for i, a := range c.Answers {
			if err := text("question", a.Question); err != nil {
				return err
			}
			switch a.Kind {
			case AnswerRating:
				if a.Rating < 1 || a.Rating > 5 {
					return fmt.Errorf("%w: answer %d: rating %d, want 1 to 5", ErrInvalid, i+1, a.Rating)
				}
			case AnswerYesNo:
				if a.Value != "yes" && a.Value != "no" {
					return fmt.Errorf("%w: answer %d: %q, want yes or no", ErrInvalid, i+1, a.Value)
				}
			case AnswerText:
				if err := text("answer", a.Value); err != nil {
					return err
				}
			default:
				return fmt.Errorf("%w: answer %d: unknown kind %q", ErrInvalid, i+1, a.Kind)
			}
		}
	}
	if t := s.Technician; t != nil {
		ok := false
		for _, r := range Resolutions {
			ok = ok || t.Resolution == r
		}
		if !ok {
			return fmt.Errorf("%w: resolution %q", ErrInvalid, t.Resolution)
		}
		if err := text("category", t.Category); err != nil {
			return err
		}
		if err := text("notes", t.Notes); err != nil {
			return err
		}
	}
	return nil
}

// PutSessionSurveys stores (or replaces) the survey answers of s.SessionID.
func (s *Store) PutSessionSurveys(ctx context.Context, v SessionSurveys) error {
	if err := v.Validate(); err != nil {
		return err
	}
	if !ValidKey(v.SessionID) {
		return ErrInvalid
	}
	b, err := marshalText(v)
	if err != nil {
		return err
	}
	if _, err := s.surveys.Put(ctx, v.SessionID, b); err != nil {
		return fmt.Errorf("store the surveys of %s: %w", v.SessionID, err)
	}
	return nil
}

// SessionSurveys returns the survey answers of session sid; ErrNotFound if none.
func (s *Store) SessionSurveys(ctx context.Context, sid string) (SessionSurveys, error) {
	var v SessionSurveys
	_, err := get(ctx, s.surveys, sid, &v)
	return v, err
}
