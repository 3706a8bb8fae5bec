package sessions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/text"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// The surveys of a session: the customer's, whose questions the technician's
// group sets (given to the agent in each welcome, kept on the session, and
// the only ones its answers are checked against), and the technician's,
// answered by the session's technician once it ended. Each is stored once.

// surveySettings reads the surveys of technician techID's group; a missing
// account or group asks nothing.
func (s *Service) surveySettings(ctx context.Context, techID string) (store.SurveySettings, error) {
	acc, err := read(ctx, func(ctx context.Context) (store.Account, error) { return s.cfg.Store.Account(ctx, techID) })
	if errors.Is(err, store.ErrNotFound) {
		return store.SurveySettings{}, nil
	}
	if err != nil {
		return store.SurveySettings{}, err
	}
	return read(ctx, func(ctx context.Context) (store.SurveySettings, error) {
		return s.cfg.Store.SurveySettings(ctx, acc.GroupID)
	})
}

// giveSurvey is the customer's survey the agent of session ss is given now
// (its technician's group's, nil if none), kept on the session so that the
// answers are checked against what the customer was shown.
func (s *Service) giveSurvey(ctx context.Context, ss store.Session) *protocol.SurveyForm {
	set, err := s.surveySettings(ctx, ss.TechnicianID)
	if err != nil {
		s.log.Error("read the group's survey; the customer is asked none", "sid", ss.ID, "err", err)
	}
	form := set.Form()
	if sameForm(ss.SurveyForm, form) {
		return form
	}
	_, err = s.cfg.Store.UpdateSession(ctx, ss.ID, func(ss *store.Session) error {
		if ss.State.Closed() {
			return errUnchanged
		}
		ss.SurveyForm = form
		if form == nil {
			ss.SurveySent = false
		}
		return nil
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		s.log.Error("keep the session's survey", "sid", ss.ID, "err", err)
	}
	return form
}

func sameForm(a, b *protocol.SurveyForm) bool {
	if a == nil || b == nil {
		return a == b
	}
	return slices.Equal(a.Questions, b.Questions)
}

// customerAnswered reports whether session sid's customer survey is stored.
func (s *Service) customerAnswered(ctx context.Context, sid string) bool {
	v, err := s.cfg.Store.SessionSurveys(ctx, sid)
	return err == nil && v.Customer != nil
}

// awaitsSurvey reports whether the customer of session ss, which ended, has
// a survey still to answer: their program's socket stays open for it.
func (s *Service) awaitsSurvey(ctx context.Context, ss store.Session) bool {
	return ss.SurveyForm != nil && !s.customerAnswered(ctx, ss.ID)
}

// SendSurvey shows the customer's survey on the customer's page now, before
// the end: only for the session's technician, while it runs, when the
// session asks one and it is not answered yet.
func (s *Service) SendSurvey(ctx context.Context, tech auth.Technician, sid string) error {
	ss, err := s.Owned(ctx, tech, sid)
	if err != nil {
		return err
	}
	switch {
	case ss.State.Closed():
		return ErrClosed
	case ss.SurveyForm == nil:
		return ErrNoSurvey
	case !ss.AgentConnected:
		return ErrNotConnected
	case s.customerAnswered(ctx, sid):
		return ErrSurveyAnswered
	}
	if _, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		if ss.State.Closed() {
			return ErrClosed
		}
		ss.SurveySent = true
		return nil
	}); err != nil {
		return err
	}
	s.record(audit.Event{Type: audit.SurveySent, Actor: tech.ID, SessionID: sid})
	return s.deliver(AgentSubject(sid), protocol.TypeSurveyShow, "", sid, protocol.SurveyShow{})
}

// customerSurvey stores the answers of session sid's customer (from its
// agent, message id) once, checked against the questions the session gave;
// the agent hears survey.saved.
func (s *Service) customerSurvey(ctx context.Context, sid, id string, a *protocol.SurveyAnswers) error {
	ss, err := s.Session(ctx, sid)
	if err != nil {
		return ErrBusy
	}
	switch {
	case ss.SurveyForm == nil:
		return ErrNoSurvey
	case !ss.State.Closed() && !ss.SurveySent:
		return ErrSurveyNotYet
	}
	answers, err := checkAnswers(ss.SurveyForm, a)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Store.UpdateSessionSurveys(ctx, sid, func(v *store.SessionSurveys) error {
		if v.Customer != nil {
			return ErrSurveyAnswered
		}
		v.Customer = &store.CustomerSurvey{Answers: answers, Answered: time.Now()}
		return nil
	}); err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return fmt.Errorf("%w: %v", ErrBadSurvey, err)
		}
		return err
	}
	s.record(audit.Event{Type: audit.SurveyAnswered, Actor: "customer", SessionID: sid, Detail: "customer"})
	s.publish(AgentSubject(sid), protocol.TypeSurveySaved, id, sid, protocol.SurveySaved{})
	return nil
}

// checkAnswers matches the customer's answers to form's questions: one per
// question, ratings 1 to 5, yes or no, texts that hide nothing and fit
// protocol.MaxSurveyText (an empty text is no answer).
func checkAnswers(form *protocol.SurveyForm, a *protocol.SurveyAnswers) ([]store.SurveyAnswer, error) {
	if len(a.Answers) != len(form.Questions) {
		return nil, fmt.Errorf("%w: %d answers for %d questions", ErrBadSurvey, len(a.Answers), len(form.Questions))
	}
	out := make([]store.SurveyAnswer, 0, len(a.Answers))
	for i, q := range form.Questions {
		r := a.Answers[i]
		ans := store.SurveyAnswer{Question: q.Text, Kind: q.Kind}
		switch q.Kind {
		case protocol.SurveyRating:
			if r.Rating < 1 || r.Rating > 5 || r.Value != "" {
				return nil, fmt.Errorf("%w: question %d wants a rating from 1 to 5", ErrBadSurvey, i+1)
			}
			ans.Rating = r.Rating
		case protocol.SurveyYesNo:
			if (r.Value != "yes" && r.Value != "no") || r.Rating != 0 {
				return nil, fmt.Errorf("%w: question %d wants yes or no", ErrBadSurvey, i+1)
			}
			ans.Value = r.Value
		case protocol.SurveyText:
			if r.Rating != 0 || len(r.Value) > protocol.MaxSurveyText || text.CheckText(r.Value) != nil {
				return nil, fmt.Errorf("%w: the answer to question %d is over %d bytes or hides characters", ErrBadSurvey, i+1, protocol.MaxSurveyText)
			}
			if r.Value == "" {
				continue
			}
			ans.Value = r.Value
		default:
			return nil, fmt.Errorf("%w: question %d", ErrBadSurvey, i+1)
		}
		out = append(out, ans)
	}
	return out, nil
}

// TechnicianAnswers is what the technician says of a session they ended.
type TechnicianAnswers struct {
	Resolution string `json:"resolution"`
	Category   string `json:"category"`
	Notes      string `json:"notes"`
}

// TechnicianSurvey stores the technician's survey of session sid once: only
// the session's technician, once it ended; the category one of their
// group's, when it has some.
func (s *Service) TechnicianSurvey(ctx context.Context, tech auth.Technician, sid string, a TechnicianAnswers) error {
	ss, err := s.Owned(ctx, tech, sid)
	if err != nil {
		return err
	}
	if !ss.State.Closed() {
		return ErrNotEnded
	}
	set, err := s.surveySettings(ctx, tech.ID)
	if err != nil {
		return ErrBusy
	}
	switch {
	case !slices.Contains(store.Resolutions, a.Resolution):
		return fmt.Errorf("%w: pick resolved, unresolved or escalated", ErrBadSurvey)
	case len(set.Categories) > 0 && a.Category != "" && !slices.Contains(set.Categories, a.Category):
		return fmt.Errorf("%w: pick one of the group's categories", ErrBadSurvey)
	case len(a.Category) > store.MaxSurveyCategory || text.CheckName(a.Category) != nil:
		return fmt.Errorf("%w: the category is over %d bytes or hides characters", ErrBadSurvey, store.MaxSurveyCategory)
	case len(a.Notes) > store.MaxSurveyText || text.CheckText(a.Notes) != nil:
		return fmt.Errorf("%w: the notes are over %d bytes or hide characters", ErrBadSurvey, store.MaxSurveyText)
	}
	if _, err := s.cfg.Store.UpdateSessionSurveys(ctx, sid, func(v *store.SessionSurveys) error {
		if v.Technician != nil {
			return ErrSurveyAnswered
		}
		v.Technician = &store.TechnicianSurvey{Resolution: a.Resolution, Category: a.Category, Notes: a.Notes, Answered: time.Now()}
		return nil
	}); err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return fmt.Errorf("%w: %v", ErrBadSurvey, err)
		}
		return err
	}
	s.record(audit.Event{Type: audit.SurveyAnswered, Actor: tech.ID, SessionID: sid, Detail: "technician"})
	return nil
}

// SurveyView is what the workspace needs of a session's surveys.
type SurveyView struct {
	// Customer says the session asks the customer's survey; Sent that the
	// technician sent it before the end.
	Customer bool `json:"customer"`
	Sent     bool `json:"sent"`
	// Required keeps the technician's survey from being skipped;
	// Categories are what they pick from (none: they type one).
	Required   bool     `json:"required"`
	Categories []string `json:"categories"`
	// Answers are what is stored so far.
	Answers store.SessionSurveys `json:"answers"`
}

// Surveys is the survey view of session sid for its technician.
func (s *Service) Surveys(ctx context.Context, tech auth.Technician, sid string) (SurveyView, error) {
	ss, err := s.Owned(ctx, tech, sid)
	if err != nil {
		return SurveyView{}, err
	}
	set, err := s.surveySettings(ctx, tech.ID)
	if err != nil {
		return SurveyView{}, ErrBusy
	}
	v := SurveyView{Customer: ss.SurveyForm != nil, Sent: ss.SurveySent, Required: set.TechnicianRequired, Categories: set.Categories}
	if v.Categories == nil {
		v.Categories = []string{}
	}
	v.Answers, err = s.cfg.Store.SessionSurveys(ctx, sid)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return v, ErrBusy
	}
	v.Answers.SessionID = sid
	return v, nil
}
