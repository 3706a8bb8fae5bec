package chat

import "errors"

var (
	// ErrNotConnected means no chat channel is open: the technician's console is
	// not connected right now.
	ErrNotConnected = errors.New("the technician is not connected; try again in a moment")
	// ErrEmpty means a message has no text.
	ErrEmpty = errors.New("the message is empty")
	// ErrTooLong means a message is over protocol.MaxChatText bytes.
	ErrTooLong = errors.New("the message is too long")
	// ErrHidden means a message is not UTF-8 or holds invisible or
	// direction-changing characters (shared/text).
	ErrHidden = errors.New("the message holds invisible or direction-changing characters")
	// ErrNotALink means the entry named is not a link.
	ErrNotALink = errors.New("no such link")
)
