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
	// ErrNotALink means the entry named is not a link.
	ErrNotALink = errors.New("no such link")
)
