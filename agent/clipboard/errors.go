package clipboard

import "errors"

// Sentinel errors returned (possibly wrapped) by this package.
var (
	// ErrNoXclip means the xclip program is missing; install it (apt-get install xclip).
	ErrNoXclip = errors.New("clipboard: xclip is not installed; install it to share the clipboard")
	// ErrTooLarge means the clipboard text is over protocol.MaxClipboard bytes.
	ErrTooLarge = errors.New("clipboard: text is too large to share (max 1 MiB)")
	// ErrNoText means the clipboard holds no text (empty, not owned, or not text).
	ErrNoText = errors.New("clipboard: no text on the clipboard")
	// ErrClosed means the Clipboard was closed.
	ErrClosed = errors.New("clipboard: closed")
)
