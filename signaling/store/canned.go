package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"
)

// bucketCanned holds each technician's canned replies, keyed by account ID.
const bucketCanned = "lifeline_canned"

// Limits of a technician's canned replies.
const (
	// MaxCannedReplies bounds how many canned replies a technician keeps.
	MaxCannedReplies = 500
	// MaxCannedName bounds a canned reply's name, in characters.
	MaxCannedName = 80
	// MaxCannedText bounds a canned reply's text, in bytes (one chat message).
	MaxCannedText = 8 << 10
	// MaxCannedTotal bounds the names and texts of all of them together, in
	// bytes, so the list fits one JetStream message.
	MaxCannedTotal = 900 << 10
)

// CannedReply is a ready-made chat message or link a technician picks, edits and sends.
type CannedReply struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// CannedReplies is a technician's list of canned replies.
type CannedReplies struct {
	Items   []CannedReply `json:"items"`
	Updated time.Time     `json:"updated"`
}

// ValidateCanned checks a list of canned replies against the limits: every reply
// has a name and a text, within bounds, in UTF-8, and all fit MaxCannedTotal.
func ValidateCanned(items []CannedReply) error {
	if len(items) > MaxCannedReplies {
		return fmt.Errorf("%w: %d canned replies, at most %d", ErrInvalid, len(items), MaxCannedReplies)
	}
	total := 0
	for i, c := range items {
		total += len(c.Name) + len(c.Text)
		switch {
		case strings.TrimSpace(c.Name) == "" || strings.TrimSpace(c.Text) == "":
			return fmt.Errorf("%w: reply %d has no name or no text", ErrInvalid, i+1)
		case !utf8.ValidString(c.Name) || !utf8.ValidString(c.Text):
			return fmt.Errorf("%w: reply %d is not UTF-8", ErrInvalid, i+1)
		case utf8.RuneCountInString(c.Name) > MaxCannedName:
			return fmt.Errorf("%w: reply %d: name over %d characters", ErrInvalid, i+1, MaxCannedName)
		case len(c.Text) > MaxCannedText:
			return fmt.Errorf("%w: reply %d: text over %d bytes", ErrInvalid, i+1, MaxCannedText)
		case total > MaxCannedTotal:
			return fmt.Errorf("%w: over %d KiB of canned replies in all", ErrInvalid, MaxCannedTotal>>10)
		}
	}
	return nil
}

// Canned returns technician's canned replies and their revision, for PutCanned;
// an empty list and revision 0 if they have none yet.
func (s *Store) Canned(ctx context.Context, technicianID string) (CannedReplies, uint64, error) {
	var c CannedReplies
	rev, err := get(ctx, s.canned, technicianID, &c)
	if errors.Is(err, ErrNotFound) {
		return CannedReplies{Items: []CannedReply{}}, 0, nil
	}
	if c.Items == nil {
		c.Items = []CannedReply{}
	}
	return c, rev, err
}

// PutCanned replaces technician's canned replies if they are still at revision
// rev (0: none yet), and returns the new revision. It returns ErrConflict when
// they changed in between (another window saved first) and ErrInvalid when the
// list breaks the limits.
func (s *Store) PutCanned(ctx context.Context, technicianID string, items []CannedReply, rev uint64) (uint64, error) {
	if err := ValidateCanned(items); err != nil {
		return 0, err
	}
	if !ValidKey(technicianID) {
		return 0, ErrInvalid
	}
	if items == nil {
		items = []CannedReply{}
	}
	b, err := marshalText(CannedReplies{Items: items, Updated: time.Now()})
	if err != nil {
		return 0, err
	}
	if len(b) > MaxLogSize {
		return 0, fmt.Errorf("%w: %d KiB of canned replies once encoded, at most %d KiB", ErrInvalid, len(b)>>10, MaxLogSize>>10)
	}
	var next uint64
	if rev == 0 {
		next, err = s.canned.Create(ctx, technicianID, b)
	} else {
		next, err = s.canned.Update(ctx, technicianID, b, rev)
	}
	if errors.Is(err, jetstream.ErrKeyExists) {
		return 0, ErrConflict
	}
	if err != nil {
		return 0, fmt.Errorf("save canned replies of %s: %w", technicianID, err)
	}
	return next, nil
}
