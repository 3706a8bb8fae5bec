package session

import (
	"context"
	"fmt"
	"time"

	"github.com/coder/websocket"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// The customer's survey: the server gives its questions in each welcome;
// the customer's page shows them when the session ends (or when the
// technician sends them), and the agent sends the answers and tells the page
// how the server took them. Once the session ended, the agent stays for the
// survey (its signaling socket open, nothing shared any more) until the
// customer answers or declines, closes the agent, or SurveyWait passes.

// DefaultSurveyWait is how long an ended session's agent waits for its
// customer's survey by default.
const DefaultSurveyWait = 15 * time.Minute

// surveyState is the runner's side of the survey.
type surveyState struct {
	// id is the message ID of the answers sent, and waiting their sender,
	// until the server answers.
	id      string
	waiting *consent.SurveySubmit
	// over is set once the survey is settled: answered, declined, or
	// answered before.
	over bool
}

// submitSurvey sends the customer's answers, or takes their "No thanks".
func (s *runner) submitSurvey(sub consent.SurveySubmit) {
	switch {
	case sub.Skip:
		s.survey.over = true
		sub.Done(nil)
		return
	case s.survey.waiting != nil:
		sub.Done(consent.ErrSurveyOffline) // one at a time: the page waits for the first
		return
	}
	id, ok := s.sendID(protocol.TypeSurveyAnswers, protocol.SurveyAnswers{Answers: sub.Answers})
	if !ok {
		sub.Done(consent.ErrSurveyOffline)
		return
	}
	s.survey.id, s.survey.waiting = id, &sub
}

// surveyAnswered settles the answers sent as message id: err is nil (kept)
// or the server's refusal. Answers kept before (CodeUsed) settle it too.
func (s *runner) surveyAnswered(id string, err *protocol.Error) bool {
	if s.survey.waiting == nil || id != s.survey.id {
		return false
	}
	if err == nil {
		s.survey.waiting.Done(nil)
		s.survey.over = true
	} else {
		s.survey.waiting.Done(&consent.SurveyRefused{Code: err.Code, Message: err.Message})
		s.survey.over = err.Code == protocol.CodeUsed
	}
	s.survey.id, s.survey.waiting = "", nil
	return true
}

// awaitSurvey keeps an ended session's agent for its customer's survey, if
// one is asked and not settled: nothing is shared any more, the socket
// carries the answers.
func (s *runner) awaitSurvey(ctx context.Context) {
	if s.survey.over || !s.cfg.Consent.SurveyPending() || s.conn() == nil {
		return
	}
	// Nothing is shared while the agent waits: the technician's connection
	// closes, and the features (the on-screen frame and badge) hear that
	// nothing is granted any more.
	s.finish()
	s.closePeer()
	s.grants.close()
	for _, f := range s.cfg.Features {
		f.SetGrants(protocol.Permissions{})
	}
	s.log.Info("session ended; waiting for the customer's survey")
	t := time.NewTimer(s.cfg.SurveyWait)
	defer t.Stop()
	for !s.survey.over {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.log.Info("the customer's survey was not answered in time")
			return
		case ev := <-s.events:
			switch {
			case ev.survey != nil:
				s.submitSurvey(*ev.survey)
			case ev.readErr != nil && ev.ws == s.conn():
				if s.survey.waiting != nil {
					s.survey.waiting.Done(consent.ErrSurveyOffline)
				}
				return
			case ev.msg != nil:
				switch body := ev.msg.Body.(type) {
				case *protocol.SurveySaved:
					s.surveyAnswered(ev.msg.ID, nil)
				case *protocol.Error:
					s.surveyAnswered(ev.msg.ID, body)
				}
			}
		}
	}
}

// sendID is send that returns the message's ID, and false when it could not
// be written.
func (s *runner) sendID(t protocol.Type, payload any) (string, bool) {
	id := fmt.Sprint(s.nextID.Add(1))
	b, err := protocol.Encode(t, id, s.sid, payload)
	if err != nil {
		s.log.Error("encode", "type", t, "err", err)
		return "", false
	}
	ws := s.conn()
	if ws == nil {
		return "", false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
		s.log.Warn("send", "type", t, "err", err)
		return "", false
	}
	return id, true
}
