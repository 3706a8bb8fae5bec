package clipboard

import (
	"context"
	"errors"

	"github.com/lifeline-support/lifeline/agent/win32"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// system is the Windows clipboard's text (CF_UNICODETEXT). It has no change
// notices here (changes is nil): the feature polls.
type system struct {
	changes chan struct{}
}

// openSystem opens the Windows clipboard; display is unused.
func openSystem(string) (*system, error) { return &system{}, nil }

// read returns the clipboard text: ErrNoText if there is none, ErrTooLarge if
// it is over protocol.MaxClipboard bytes.
func (s *system) read(context.Context) (string, error) {
	text, more, err := win32.ClipboardText(protocol.MaxClipboard)
	switch {
	case errors.Is(err, win32.ErrNoText):
		return "", ErrNoText
	case err != nil:
		return "", err
	case more || len(text) > protocol.MaxClipboard:
		return "", ErrTooLarge
	}
	return text, nil
}

// write makes text the clipboard's content.
func (s *system) write(_ context.Context, text string) error { return win32.SetClipboardText(text) }

func (s *system) close() {}
