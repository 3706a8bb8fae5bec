package session

import (
	"time"

	"github.com/coder/websocket"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// The channel's waiting limit: every welcome of a session still waiting on
// a channel says how long its customer waits before being offered to keep
// waiting or leave a message; the page counts it (consent.UI.SetWaitLimit).
// A message the customer leaves goes to the server as session.callback,
// which turns the request into a callback request in the channel's queue
// and closes the socket normally: the session ends there for the customer.
// A refusal (a technician took the request meanwhile) leaves the session
// as it was, and the page says the message could not be left.

// setWaitLimit gives the customer's page the waiting limit that welcome w
// says, none once a technician has the session.
func (s *runner) setWaitLimit(w *protocol.AgentWelcome) {
	var d time.Duration
	if w.Waiting {
		d = time.Duration(w.WaitLimit) * time.Second
	}
	s.cfg.Consent.SetWaitLimit(d)
}

// leaveMessage sends the customer's message instead of waiting longer.
func (s *runner) leaveMessage(msg string) {
	if s.callbackID != "" {
		return // one at a time: the page waits for the first
	}
	id, ok := s.sendID(protocol.TypeSessionCallback, protocol.SessionCallback{Message: msg})
	if !ok {
		s.cfg.Consent.CallbackFailed()
		return
	}
	s.callbackID = id
	s.log.Info("the customer left a message instead of waiting")
}

// messageRefused takes the server's refusal of the message sent as id.
func (s *runner) messageRefused(id string, err *protocol.Error) bool {
	if s.callbackID == "" || id != s.callbackID {
		return false
	}
	s.callbackID = ""
	s.log.Warn("the customer's message was refused", "code", err.Code, "message", err.Message)
	s.cfg.Consent.CallbackFailed()
	return true
}

// leftMessage reports whether the socket's close, readErr, is the server's
// answer to the message sent: a normal close after session.callback means
// the request is now a callback request, and the session is over for the
// customer. Any other close while it was on its way loses it.
func (s *runner) leftMessage(readErr error) bool {
	if s.callbackID == "" {
		return false
	}
	s.callbackID = ""
	if websocket.CloseStatus(readErr) != websocket.StatusNormalClosure {
		s.cfg.Consent.CallbackFailed()
		return false
	}
	s.log.Info("the request is now a callback request; the session ends")
	s.ended(consent.ReasonCallback)
	return true
}
