package protocol

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/text"
)

// Data channel labels for talking and handing things over.
const (
	// ChannelChat carries ChatMessage values: reliable, ordered.
	ChannelChat = "chat"
	// ChannelClipboard carries ClipboardChunk values: reliable, ordered.
	ChannelClipboard = "clipboard"
	// ChannelFilePrefix starts the label of every file transfer channel.
	ChannelFilePrefix = "file"
)

// Limits of chat and clipboard messages.
const (
	// MaxChatText bounds one chat message, in bytes.
	MaxChatText = 8 << 10
	// MaxURL bounds a URL sent in the chat, in bytes.
	MaxURL = 2048
	// MaxClipboard bounds the clipboard text synced in one go, in bytes.
	MaxClipboard = 1 << 20
	// MaxClipboardChunk bounds one clipboard chunk's text, in bytes.
	MaxClipboardChunk = 32 << 10
)

// ChatKind names what a chat message carries.
type ChatKind string

// Chat message kinds.
const (
	// ChatText is a plain-text message typed by a person.
	ChatText ChatKind = "text"
	// ChatURL is a link the technician sends for the customer to open.
	ChatURL ChatKind = "url"
	// ChatEvent reports something that happened on the sender's side, for the
	// other side's session log (Event names it, Text adds detail).
	ChatEvent ChatKind = "event"
)

// ChatMessage is one message on the chat channel. Text is always plain text:
// receivers display it as text, never as HTML.
type ChatMessage struct {
	Kind ChatKind `json:"k"`
	// ID is chosen by the sender, unique within the session.
	ID string `json:"id"`
	// At is the sender's clock, in Unix milliseconds.
	At    int64  `json:"at"`
	Text  string `json:"text,omitempty"`
	URL   string `json:"url,omitempty"`
	Event string `json:"event,omitempty"`
}

// ClipboardChunk is one piece of clipboard text; a text is sent as chunks with
// the same ID and increasing Seq, the last one with Last set.
type ClipboardChunk struct {
	ID   string `json:"id"`
	Seq  int    `json:"seq"`
	Last bool   `json:"last,omitempty"`
	Text string `json:"text"`
}

// DecodeChat parses and validates one chat message.
func DecodeChat(data []byte) (ChatMessage, error) {
	var m ChatMessage
	if len(data) > MaxChatText+MaxURL+1024 {
		return m, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	if err := strict(data, &m); err != nil {
		return m, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if m.ID == "" || len(m.ID) > 64 || len(m.Event) > 64 {
		return m, fmt.Errorf("%w: bad id or event", ErrMalformed)
	}
	if len(m.Text) > MaxChatText {
		return m, fmt.Errorf("%w: text of %d bytes", ErrTooLarge, len(m.Text))
	}
	if err := text.CheckText(m.Text); err != nil {
		return m, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	switch m.Kind {
	case ChatText:
		if strings.TrimSpace(m.Text) == "" {
			return m, fmt.Errorf("%w: empty message", ErrMalformed)
		}
	case ChatURL:
		if err := CheckURL(m.URL); err != nil {
			return m, err
		}
	case ChatEvent:
		if m.Event == "" {
			return m, fmt.Errorf("%w: event without a name", ErrMalformed)
		}
	default:
		return m, fmt.Errorf("%w: unknown chat kind %q", ErrMalformed, m.Kind)
	}
	return m, nil
}

// CheckURL accepts only absolute http and https URLs with a host: never file:,
// javascript:, data: or anything else a browser or the desktop could run.
func CheckURL(s string) error {
	if s == "" || len(s) > MaxURL {
		return fmt.Errorf("%w: url length", ErrBadURL)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: scheme %q", ErrBadURL, u.Scheme)
	}
	if u.Host == "" || u.User != nil {
		return fmt.Errorf("%w: host", ErrBadURL)
	}
	if strings.ContainsAny(s, " \t\r\n\"'<>\\`") {
		return fmt.Errorf("%w: characters", ErrBadURL)
	}
	return nil
}

// DecodeClipboard parses and validates one clipboard chunk.
func DecodeClipboard(data []byte) (ClipboardChunk, error) {
	var c ClipboardChunk
	if len(data) > MaxClipboardChunk*6+256 { // JSON escaping can grow text up to 6×
		return c, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	if err := strict(data, &c); err != nil {
		return c, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case c.ID == "" || len(c.ID) > 64:
		return c, fmt.Errorf("%w: bad id", ErrMalformed)
	case c.Seq < 0 || c.Seq > MaxClipboard/MaxClipboardChunk:
		return c, fmt.Errorf("%w: bad seq", ErrMalformed)
	case len(c.Text) > MaxClipboardChunk:
		return c, fmt.Errorf("%w: chunk of %d bytes", ErrTooLarge, len(c.Text))
	case !utf8.ValidString(c.Text):
		return c, fmt.Errorf("%w: text is not UTF-8", ErrMalformed)
	}
	return c, nil
}
