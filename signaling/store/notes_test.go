package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/session"
)

// Notes are kept per session and found again through the customer's device;
// other devices' sessions and the current session are not in its history.
func TestNotesAndDeviceHistory(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	t0 := time.Now().Add(-time.Hour)
	for i, ss := range []Session{
		{ID: "s1", DeviceID: "dev-a", CustomerName: "Marie", TechnicianName: "Alice", State: session.ClosedByTechnician, Created: t0},
		{ID: "s2", DeviceID: "dev-b", CustomerName: "Paul", State: session.ClosedByCustomer, Created: t0.Add(time.Minute)},
		{ID: "s3", DeviceID: "dev-a", CustomerName: "Marie", State: session.Active, Created: t0.Add(30 * time.Minute)},
	} {
		if err := s.CreateSession(ctx, ss); err != nil {
			t.Fatalf("session %d: %v", i, err)
		}
	}
	if err := s.PutNote(ctx, Note{SessionID: "s1", DeviceID: "dev-a", Text: "Driver replaced"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutNote(ctx, Note{SessionID: "s3", Text: strings.Repeat("x", MaxNoteSize+1)}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("oversized notes: %v", err)
	}
	if err := s.PutNote(ctx, Note{SessionID: "s3", Text: "\xff"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("notes not UTF-8: %v", err)
	}
	h, err := s.DeviceHistory(ctx, "dev-a", "s3")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h[0].Session.ID != "s1" || h[0].Notes != "Driver replaced" {
		t.Fatalf("history of dev-a: %+v", h)
	}
	if h, _ := s.DeviceHistory(ctx, "", "s3"); len(h) != 0 {
		t.Fatalf("an unknown device has a history: %+v", h)
	}
}
