package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// bucketHistory holds the stored log of each ended session, keyed by session ID.
const bucketHistory = "lifeline_history"

// Limits of a stored session log.
const (
	// MaxLogSize bounds a stored session log, in bytes of JSON (under NATS's
	// default 1 MiB message size).
	MaxLogSize = 1000 << 10
	// MaxLogEntries bounds the entries of a session log.
	MaxLogEntries = 10000
	// maxLogText bounds one entry's text (a chat message or an event with a URL).
	maxLogText = 8<<10 + 4<<10
	// maxLogAuthor bounds an entry's author, in bytes.
	maxLogAuthor = 256
)

// Log entry kinds.
const (
	// LogMessage is a chat message; From says who wrote it.
	LogMessage = "message"
	// LogEvent is something that happened in the session.
	LogEvent = "event"
)

// LogEntry is one line of a session log: a chat message or an event.
type LogEntry struct {
	Kind string `json:"kind"`
	// From is "technician" or "customer" for messages, empty for events.
	From   string `json:"from,omitempty"`
	Author string `json:"author,omitempty"`
	Text   string `json:"text"`
	// At is when it happened, in Unix milliseconds (the console's clock).
	At int64 `json:"at"`
}

// SessionLog is the stored log of one session: its messages and events.
type SessionLog struct {
	SessionID    string     `json:"sessionId"`
	TechnicianID string     `json:"technicianId"`
	CustomerName string     `json:"customerName"`
	Entries      []LogEntry `json:"entries"`
	Stored       time.Time  `json:"stored"`
}

// Validate checks a log's entries: known kinds and authors, bounded texts, UTF-8.
func (l SessionLog) Validate() error {
	if len(l.Entries) > MaxLogEntries {
		return fmt.Errorf("%w: %d entries, at most %d", ErrInvalid, len(l.Entries), MaxLogEntries)
	}
	for i, e := range l.Entries {
		switch {
		case e.Kind != LogMessage && e.Kind != LogEvent:
			return fmt.Errorf("%w: entry %d: kind %q", ErrInvalid, i+1, e.Kind)
		case e.Kind == LogMessage && e.From != "technician" && e.From != "customer":
			return fmt.Errorf("%w: entry %d: from %q", ErrInvalid, i+1, e.From)
		case e.Kind == LogEvent && e.From != "":
			return fmt.Errorf("%w: entry %d: an event has no author", ErrInvalid, i+1)
		case strings.TrimSpace(e.Text) == "" || len(e.Text) > maxLogText || !utf8.ValidString(e.Text):
			return fmt.Errorf("%w: entry %d: text empty, too long or not UTF-8", ErrInvalid, i+1)
		case len(e.Author) > maxLogAuthor || !utf8.ValidString(e.Author):
			return fmt.Errorf("%w: entry %d: author", ErrInvalid, i+1)
		case e.At <= 0:
			return fmt.Errorf("%w: entry %d: time", ErrInvalid, i+1)
		}
	}
	return nil
}

// PutSessionLog stores (or replaces) the log of session l.SessionID. It returns
// ErrInvalid for a log that breaks the limits and ErrTooLarge for one over MaxLogSize.
func (s *Store) PutSessionLog(ctx context.Context, l SessionLog) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if l.Entries == nil {
		l.Entries = []LogEntry{}
	}
	b, err := marshalText(l)
	if err != nil {
		return err
	}
	if len(b) > MaxLogSize {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(b), MaxLogSize)
	}
	if !ValidKey(l.SessionID) {
		return ErrInvalid
	}
	if _, err := s.history.Put(ctx, l.SessionID, b); err != nil {
		return fmt.Errorf("store the log of %s: %w", l.SessionID, err)
	}
	return nil
}

// marshalText encodes v as JSON without escaping <, > and &, which would grow
// texts (chat messages, links) up to six times.
func marshalText(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// SessionLog returns the stored log of session sid; ErrNotFound if none.
func (s *Store) SessionLog(ctx context.Context, sid string) (SessionLog, error) {
	var l SessionLog
	_, err := get(ctx, s.history, sid, &l)
	return l, err
}
