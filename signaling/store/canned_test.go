package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

func openStore(t *testing.T) *Store {
	t.Helper()
	nc, err := nats.Connect(natstest.Server(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, nc, Config{LoginTTL: time.Hour, InviteTTL: time.Hour, PINTTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCannedRepliesPerTechnician(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()

	c, rev, err := s.Canned(ctx, "alice")
	if err != nil || rev != 0 || len(c.Items) != 0 {
		t.Fatalf("before any save: %+v rev %d err %v", c, rev, err)
	}
	items := []CannedReply{{Name: "Hello", Text: "Hello, I am <your> technician."}, {Name: "Tool", Text: "https://example.com/tool"}}
	rev, err = s.PutCanned(ctx, "alice", items, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A second window that still holds revision 0 does not overwrite.
	if _, err := s.PutCanned(ctx, "alice", nil, 0); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale save: %v, want ErrConflict", err)
	}
	c, got, err := s.Canned(ctx, "alice")
	if err != nil || got != rev || len(c.Items) != 2 || c.Items[0] != items[0] {
		t.Fatalf("read back %+v rev %d (want %d) err %v", c, got, rev, err)
	}
	if c, _, _ := s.Canned(ctx, "bob"); len(c.Items) != 0 {
		t.Fatalf("bob sees %+v", c)
	}
	if _, err := s.PutCanned(ctx, "alice", items[:1], rev); err != nil {
		t.Fatalf("update: %v", err)
	}
	if c, _, _ := s.Canned(ctx, "alice"); len(c.Items) != 1 {
		t.Fatalf("after update %+v", c)
	}
}

func TestCannedLimits(t *testing.T) {
	s := openStore(t)
	many := make([]CannedReply, MaxCannedReplies+1)
	for i := range many {
		many[i] = CannedReply{Name: "n", Text: "t"}
	}
	tests := []struct {
		name  string
		items []CannedReply
	}{
		{"too many", many},
		{"no name", []CannedReply{{Name: " ", Text: "x"}}},
		{"no text", []CannedReply{{Name: "x", Text: ""}}},
		{"long name", []CannedReply{{Name: strings.Repeat("é", MaxCannedName+1), Text: "x"}}},
		{"long text", []CannedReply{{Name: "x", Text: strings.Repeat("x", MaxCannedText+1)}}},
		{"not UTF-8", []CannedReply{{Name: "x", Text: "\xff"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.PutCanned(context.Background(), "alice", tt.items, 0); !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
	// The biggest list allowed fits one JetStream message.
	full := make([]CannedReply, 0, MaxCannedReplies)
	for len(full) < MaxCannedTotal/(MaxCannedText+1) {
		full = append(full, CannedReply{Name: "x", Text: strings.Repeat("<", MaxCannedText)})
	}
	if _, err := s.PutCanned(context.Background(), "alice", full, 0); err != nil {
		t.Fatalf("largest list: %v", err)
	}
}

func TestSessionLogStored(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	if _, err := s.SessionLog(ctx, "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("before: %v", err)
	}
	l := SessionLog{SessionID: "s1", TechnicianID: "alice", CustomerName: "Marie", Stored: time.Now(), Entries: []LogEntry{
		{Kind: LogEvent, Text: "Viewing allowed", At: 1},
		{Kind: LogMessage, From: "technician", Author: "You", Text: "<b>hi</b>", At: 2},
		{Kind: LogMessage, From: "customer", Author: "Marie", Text: "merci", At: 3},
	}}
	if err := s.PutSessionLog(ctx, l); err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionLog(ctx, "s1")
	if err != nil || len(got.Entries) != 3 || got.Entries[1] != l.Entries[1] || got.TechnicianID != "alice" {
		t.Fatalf("read back %+v, %v", got, err)
	}

	for name, e := range map[string]LogEntry{
		"kind":          {Kind: "html", Text: "x", At: 1},
		"author":        {Kind: LogMessage, From: "admin", Text: "x", At: 1},
		"event by":      {Kind: LogEvent, From: "customer", Text: "x", At: 1},
		"empty":         {Kind: LogEvent, Text: " ", At: 1},
		"no time":       {Kind: LogEvent, Text: "x"},
		"long text":     {Kind: LogEvent, Text: strings.Repeat("x", protocol.MaxLogText+1), At: 1},
		"not UTF-8 too": {Kind: LogEvent, Text: "\xff", At: 1},
	} {
		if err := s.PutSessionLog(ctx, SessionLog{SessionID: "s2", Entries: []LogEntry{e}}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	big := make([]LogEntry, 200)
	for i := range big {
		big[i] = LogEntry{Kind: LogMessage, From: "customer", Text: strings.Repeat("x", 8<<10), At: 1}
	}
	if err := s.PutSessionLog(ctx, SessionLog{SessionID: "s3", Entries: big}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("1.6 MiB log: %v, want ErrTooLarge", err)
	}
}

func TestCannedEncodedSizeBounded(t *testing.T) {
	s := openStore(t)
	// Control characters take six bytes each in JSON.
	var items []CannedReply
	for len(items) < 30 {
		items = append(items, CannedReply{Name: "x", Text: strings.Repeat("\x01", MaxCannedText)})
	}
	if _, err := s.PutCanned(context.Background(), "alice", items, 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
}

// The running log keeps its order and stops at its entry bound with one marker.
func TestRunningLogEntryBound(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	lim := LogLimits{Entries: 3, Bytes: 1 << 20}
	for i := range 5 {
		err := s.AppendLog(ctx, "s1", LogEntry{Kind: LogEvent, Text: fmt.Sprint("event ", i), At: int64(i + 1)}, lim, "full")
		if want := i >= 3; errors.Is(err, ErrLogFull) != want || (!want && err != nil) {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	es, full, err := s.RunningLog(ctx, "s1")
	if err != nil || !full || len(es) != 4 || es[0].Text != "event 0" || es[2].Text != "event 2" || es[3].Kind != protocol.LogFull {
		t.Fatalf("running log: %+v, full %v, %v", es, full, err)
	}
	if es, full, err := s.RunningLog(ctx, "none"); err != nil || full || len(es) != 0 {
		t.Fatalf("no log: %+v %v %v", es, full, err)
	}
}
