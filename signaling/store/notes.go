package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// bucketNotes holds the technician's notes of each session, keyed by session ID,
// with the customer's device so the next session with that device shows them.
const bucketNotes = "lifeline_notes"

// MaxNoteSize bounds a session's notes, in bytes.
const MaxNoteSize = 16 << 10

// Note is what technicians wrote about one session.
type Note struct {
	SessionID      string    `json:"sessionId"`
	DeviceID       string    `json:"deviceId"`
	CustomerName   string    `json:"customerName"`
	TechnicianName string    `json:"technicianName"`
	Text           string    `json:"text"`
	Updated        time.Time `json:"updated"`
	// SessionCreated and SessionEnded date the session for the history list.
	SessionCreated time.Time `json:"sessionCreated"`
}

// PutNote stores the notes of a session; ErrInvalid for text over MaxNoteSize or
// not UTF-8.
func (s *Store) PutNote(ctx context.Context, n Note) error {
	if len(n.Text) > MaxNoteSize || !utf8.ValidString(n.Text) {
		return fmt.Errorf("%w: notes must be UTF-8 and at most %d bytes", ErrInvalid, MaxNoteSize)
	}
	b, err := marshalText(n)
	if err != nil {
		return err
	}
	if !ValidKey(n.SessionID) {
		return ErrInvalid
	}
	if _, err := s.notes.Put(ctx, n.SessionID, b); err != nil {
		return fmt.Errorf("store the notes of %s: %w", n.SessionID, err)
	}
	return nil
}

// Note returns the notes of session sid; ErrNotFound if none.
func (s *Store) Note(ctx context.Context, sid string) (Note, error) {
	var n Note
	_, err := get(ctx, s.notes, sid, &n)
	return n, err
}

// DeviceHistory lists the previous sessions with device deviceID (not counting
// session except), newest first, with their notes when there are some.
func (s *Store) DeviceHistory(ctx context.Context, deviceID, except string) ([]HistoryItem, error) {
	if strings.TrimSpace(deviceID) == "" {
		return nil, nil
	}
	all, err := s.AllSessions(ctx)
	if err != nil {
		return nil, err
	}
	var out []HistoryItem
	for _, ss := range all {
		if ss.DeviceID != deviceID || ss.ID == except {
			continue
		}
		h := HistoryItem{Session: ss}
		if n, err := s.Note(ctx, ss.ID); err == nil {
			h.Notes = n.Text
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if l, err := s.SessionLog(ctx, ss.ID); err == nil {
			h.Log = l.Entries
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Session.Created.After(out[j].Session.Created) })
	return out, nil
}

// HistoryItem is one previous session with a device.
type HistoryItem struct {
	Session Session
	Notes   string
	Log     []LogEntry
}
