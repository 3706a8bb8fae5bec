package text

import "errors"

var (
	// ErrInvalidUTF8 means the text is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("text is not valid UTF-8")
	// ErrHidden means the text holds control, bidi or other invisible characters.
	ErrHidden = errors.New("text holds invisible or direction-changing characters")
)
