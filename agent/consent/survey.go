package consent

import (
	"errors"
	"net/http"
	"time"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// The customer's survey on the page: the questions the server gave (SetSurvey)
// show when the session ends, or earlier when the technician sends them
// (ShowSurvey). The customer's answers, or their "No thanks", go to whoever
// reads Surveys (the session, which sends them to the server); the page hears
// how it went and says it in the customer's language.

// Survey states as the page shows them.
const (
	surveySent    = "sent"
	surveySkipped = "skipped"
)

// surveyWait bounds how long the page waits for the server's answer.
const surveyWait = 20 * time.Second

// maxSurveyBody bounds the body of POST survey.
const maxSurveyBody = protocol.MaxSurveyQuestions*(protocol.MaxSurveyText+64) + 1024

// SurveySubmit is the customer's answers to the survey, or their "No thanks"
// (Skip). Whoever reads it calls Done once with how sending them went.
type SurveySubmit struct {
	Answers []protocol.SurveyReply
	Skip    bool
	done    chan error
}

// Done reports how sending the answers went: nil, or a *SurveyRefused.
func (s SurveySubmit) Done(err error) {
	select {
	case s.done <- err:
	default:
	}
}

// SurveyRefused is the server's refusal of the customer's answers.
type SurveyRefused struct {
	Code    protocol.ErrorCode
	Message string
}

func (e *SurveyRefused) Error() string { return string(e.Code) + ": " + e.Message }

// ErrSurveyOffline means the answers could not reach the server.
var ErrSurveyOffline = errors.New("survey: the support server cannot be reached")

// viewSurvey is the survey as the page shows it.
type viewSurvey struct {
	Questions []protocol.SurveyQuestion `json:"questions"`
	// Show says to show the questions now (the session ended, or the
	// technician sent them); Done is "sent" or "skipped" once settled.
	Show bool   `json:"show"`
	Done string `json:"done,omitempty"`
}

// SetSurvey gives the survey the server asks (nil: none). A survey already
// settled stays as it is.
func (u *UI) SetSurvey(f *protocol.SurveyForm) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.surveyDone != "" {
		return
	}
	u.survey = f
	u.notifyLocked()
}

// ShowSurvey shows the survey now, before the end: the technician sent it.
func (u *UI) ShowSurvey() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.surveyShown = true
	u.notifyLocked()
}

// SurveyPending reports whether a survey is asked and not settled yet.
func (u *UI) SurveyPending() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.survey != nil && u.surveyDone == "" && !u.closed
}

// Surveys delivers the customer's answers (or their "No thanks") to send.
func (u *UI) Surveys() <-chan SurveySubmit { return u.surveys }

// surveyViewLocked is the survey for the page, nil when none. u.mu must be held.
func (u *UI) surveyViewLocked() *viewSurvey {
	if u.survey == nil {
		return nil
	}
	return &viewSurvey{Questions: u.survey.Questions, Show: u.surveyShown || u.ended, Done: u.surveyDone}
}

// surveyBody is the body of POST survey.
type surveyBody struct {
	Answers []protocol.SurveyReply `json:"answers"`
	Skip    bool                   `json:"skip,omitempty"`
}

// serveSurvey hands the customer's answers to the session and answers with
// how the server took them: 204, or a sentence in the page's language.
func (u *UI) serveSurvey(w http.ResponseWriter, r *http.Request) {
	var b surveyBody
	if !PagePost(w, r, "application/json") || !DecodeJSON(w, r, &b, maxSurveyBody, "too long") {
		return
	}
	lang := u.langOf(r)
	u.mu.Lock()
	shown := u.survey != nil && (u.surveyShown || u.ended) && u.surveyDone == ""
	u.mu.Unlock()
	if !shown {
		http.Error(w, i18n.T(lang, "agent.survey.err.none"), http.StatusConflict)
		return
	}
	sub := SurveySubmit{Answers: b.Answers, Skip: b.Skip, done: make(chan error, 1)}
	select {
	case u.surveys <- sub:
	case <-r.Context().Done():
		return
	case <-time.After(surveyWait):
		http.Error(w, i18n.T(lang, "agent.survey.err.offline"), http.StatusServiceUnavailable)
		return
	}
	var err error
	select {
	case err = <-sub.done:
	case <-r.Context().Done():
		return
	case <-time.After(surveyWait):
		err = ErrSurveyOffline
	}
	var refused *SurveyRefused
	switch {
	case err == nil:
		u.mu.Lock()
		u.surveyDone = surveySent
		if b.Skip {
			u.surveyDone = surveySkipped
		}
		u.notifyLocked()
		u.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case errors.As(err, &refused) && refused.Code == protocol.CodeUsed:
		http.Error(w, i18n.T(lang, "agent.survey.err.used"), http.StatusConflict)
	case errors.As(err, &refused) && refused.Code == protocol.CodeBadMessage:
		http.Error(w, i18n.T(lang, "agent.survey.err.bad", refused.Message), http.StatusBadRequest)
	case errors.As(err, &refused) && refused.Code == protocol.CodeForbidden:
		http.Error(w, i18n.T(lang, "agent.survey.err.none"), http.StatusForbidden)
	default:
		http.Error(w, i18n.T(lang, "agent.survey.err.offline"), http.StatusServiceUnavailable)
	}
}
