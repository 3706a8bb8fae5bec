package protocol

import (
	"fmt"

	"github.com/lifeline-support/lifeline/shared/text"
)

// The customer's survey: the server gives the agent the questions of the
// technician's group in every welcome (AgentWelcome.Survey); the customer's
// page shows them when the session ends, or earlier when the technician sends
// the survey (TypeSurveyShow); the agent sends the answers (TypeSurveyAnswers)
// and the server, which checks them against the questions it gave, stores them
// once (TypeSurveySaved) or refuses them with an error.
const (
	// TypeSurveyShow (server → agent) shows the survey on the customer's page
	// now: the technician sent it before the end.
	TypeSurveyShow Type = "survey.show"
	// TypeSurveyAnswers (agent → server) carries the customer's answers.
	TypeSurveyAnswers Type = "survey.answers"
	// TypeSurveySaved (server → agent) says the answers were stored; its ID
	// is the answers' message ID.
	TypeSurveySaved Type = "survey.saved"
)

// Kinds of survey question.
const (
	SurveyRating = "rating" // 1 to 5
	SurveyYesNo  = "yesno"  // "yes" or "no"
	SurveyText   = "text"   // free text, may be left empty
)

// Bounds of a survey.
const (
	// MaxSurveyQuestions bounds the questions of a survey.
	MaxSurveyQuestions = 20
	// MaxSurveyQuestion bounds a question's text, in bytes.
	MaxSurveyQuestion = 300
	// MaxSurveyText bounds a free-text answer, in bytes.
	MaxSurveyText = 2000
)

// SurveyQuestion is one question of the customer's survey.
type SurveyQuestion struct {
	Text string `json:"text"`
	Kind string `json:"kind"`
}

// Check reports what is wrong with a question: an empty, long or hiding text,
// an unknown kind.
func (q SurveyQuestion) Check() error {
	switch {
	case q.Kind != SurveyRating && q.Kind != SurveyYesNo && q.Kind != SurveyText:
		return fmt.Errorf("kind %q", q.Kind)
	case q.Text == "" || len(q.Text) > MaxSurveyQuestion:
		return fmt.Errorf("a question has 1 to %d bytes", MaxSurveyQuestion)
	}
	return text.CheckName(q.Text)
}

// SurveyForm is the customer's survey: its questions, in order.
type SurveyForm struct {
	Questions []SurveyQuestion `json:"questions"`
}

func (f *SurveyForm) validate() error {
	if len(f.Questions) == 0 || len(f.Questions) > MaxSurveyQuestions {
		return fmt.Errorf("a survey has 1 to %d questions", MaxSurveyQuestions)
	}
	for i, q := range f.Questions {
		if err := q.Check(); err != nil {
			return fmt.Errorf("question %d: %w", i+1, err)
		}
	}
	return nil
}

// SurveyShow is the payload of TypeSurveyShow.
type SurveyShow struct{}

// SurveyReply is the customer's answer to one question, in the questions'
// order: Rating for SurveyRating, Value for the others.
type SurveyReply struct {
	Rating int    `json:"rating,omitempty"`
	Value  string `json:"value,omitempty"`
}

// SurveyAnswers is the payload of TypeSurveyAnswers. Only its shape is
// checked here; the server checks each answer against its question.
type SurveyAnswers struct {
	Answers []SurveyReply `json:"answers"`
}

func (a *SurveyAnswers) validate() error {
	if len(a.Answers) > MaxSurveyQuestions {
		return fmt.Errorf("at most %d answers", MaxSurveyQuestions)
	}
	for i, r := range a.Answers {
		if len(r.Value) > MaxSurveyText {
			return fmt.Errorf("answer %d is over %d bytes", i+1, MaxSurveyText)
		}
	}
	return nil
}

// SurveySaved is the payload of TypeSurveySaved.
type SurveySaved struct{}
