package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
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
)

// Log entry kinds (protocol.LogMessage, ...).
const (
	// LogMessage is a chat message; From says who wrote it.
	LogMessage = protocol.LogMessage
	// LogEvent is something that happened in the session.
	LogEvent = protocol.LogEvent
)

// LogEntry is one line of a session log: a chat message or an event. Its
// rules are protocol.LogEntry.Check.
type LogEntry = protocol.LogEntry

// SessionLog is the stored log of one session: its messages and events.
type SessionLog struct {
	SessionID    string     `json:"sessionId"`
	TechnicianID string     `json:"technicianId"`
	CustomerName string     `json:"customerName"`
	Entries      []LogEntry `json:"entries"`
	Stored       time.Time  `json:"stored"`
}

// Validate checks a log's entries (protocol.LogEntry.Check) and their number.
func (l SessionLog) Validate() error {
	if len(l.Entries) > MaxLogEntries {
		return fmt.Errorf("%w: %d entries, at most %d", ErrInvalid, len(l.Entries), MaxLogEntries)
	}
	for i, e := range l.Entries {
		if err := e.Check(); err != nil {
			return fmt.Errorf("%w: entry %d: %v", ErrInvalid, i+1, err)
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
