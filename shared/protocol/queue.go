package protocol

import (
	"fmt"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/text"
)

// Messages of the session queue: starting, holding and transferring a session.
const (
	// TypeSessionStart (console → server) starts a Waiting session, or accepts
	// a session transferred to this technician.
	TypeSessionStart Type = "session.start"
	// TypeSessionHold (console → server → agent) puts the session on hold or
	// resumes it; the agent ends remote control and tells the customer.
	TypeSessionHold Type = "session.hold"
	// TypeSessionTransfer (console → server) offers the session to another
	// technician, or cancels that offer.
	TypeSessionTransfer Type = "session.transfer"
	// TypeSessionCallback (agent → server) turns a waiting request into a
	// callback request: the customer stopped waiting past the channel's
	// limit and left a message (AgentWelcome.WaitLimit).
	TypeSessionCallback Type = "session.callback"
)

// MaxTransferComment bounds a transfer's comment, in characters.
const MaxTransferComment = 500

// MaxCallbackMessage bounds a callback request's message, in characters
// (as a channel form's problem description).
const MaxCallbackMessage = 1000

// SessionCallback is the payload of TypeSessionCallback.
type SessionCallback struct {
	// Message is what the customer adds for the technician who calls back.
	Message string `json:"message,omitempty"`
}

// Check reports whether the server would accept c: the agent checks its
// customer's message with it before sending.
func (c *SessionCallback) Check() error { return c.validate() }

func (c *SessionCallback) validate() error {
	if text.CheckText(c.Message) != nil || utf8.RuneCountInString(c.Message) > MaxCallbackMessage {
		return fmt.Errorf("message must be UTF-8 without invisible or direction-changing characters, at most %d characters", MaxCallbackMessage)
	}
	return nil
}

// SessionStart is the payload of TypeSessionStart.
type SessionStart struct{}

// SessionHold is the payload of TypeSessionHold.
type SessionHold struct {
	On bool `json:"on"`
}

// SessionTransfer is the payload of TypeSessionTransfer: To and Comment offer
// the session; Cancel takes the offer back.
type SessionTransfer struct {
	To      string `json:"to,omitempty"`
	Comment string `json:"comment,omitempty"`
	Cancel  bool   `json:"cancel,omitempty"`
}

// Transfer describes a pending transfer in a SessionState.
type Transfer struct {
	FromID   string `json:"fromId"`
	FromName string `json:"fromName"`
	ToID     string `json:"toId"`
	ToName   string `json:"toName"`
	Comment  string `json:"comment,omitempty"`
}

func (t *SessionTransfer) validate() error {
	switch {
	case t.Cancel && (t.To != "" || t.Comment != ""):
		return fmt.Errorf("cancel takes no technician or comment")
	case !t.Cancel && t.To == "":
		return fmt.Errorf("technician required")
	case len(t.To) > 64:
		return fmt.Errorf("technician too long")
	case text.CheckText(t.Comment) != nil || utf8.RuneCountInString(t.Comment) > MaxTransferComment:
		return fmt.Errorf("comment must be UTF-8 without invisible or direction-changing characters, at most %d characters", MaxTransferComment)
	}
	return nil
}
