package sessions

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/store"
	"github.com/lifeline-support/lifeline/signaling/storetest"
)

// TestSweepReadsOnlyOpenSessions: the time-limit sweep, which every node
// runs every few seconds, reads the sessions that have not ended, not every
// session ever stored. (It read them all: on a node with a long history its
// work and its memory, JetStream's caches of the whole sessions bucket kept
// warm by it, grew with every session that ever ran; the soak saw the live
// heap grow by some 17 KB per session.)
func TestSweepReadsOnlyOpenSessions(t *testing.T) {
	st, nc := storetest.Open(t)
	ctx := t.Context()
	s := New(Config{NC: nc, Store: st, SweepInterval: time.Hour, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	t.Cleanup(s.Close)
	now := time.Now()
	const ended = 60
	for i := range ended {
		sid := fmt.Sprintf("ended-%d", i)
		if err := st.CreateSession(ctx, store.Session{ID: sid, TechnicianID: "alice", State: session.Active, Created: now, Changed: now}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpdateSession(ctx, sid, func(ss *store.Session) error { return ss.SetState(session.ClosedByTechnician, now) }); err != nil {
			t.Fatal(err)
		}
	}
	// One open session past its waiting limit: the sweep still times it out.
	long := now.Add(-2 * time.Hour)
	if err := st.CreateSession(ctx, store.Session{ID: "waiting", TechnicianID: "alice", State: session.Waiting, Created: long, Changed: long}); err != nil {
		t.Fatal(err)
	}

	// Every read of a session record is a direct get on the bucket's stream.
	var mu sync.Mutex
	read := map[string]bool{}
	sub, err := nc.Subscribe("$JS.API.DIRECT.GET.KV_lifeline_sessions.>", func(m *nats.Msg) {
		mu.Lock()
		defer mu.Unlock()
		read[m.Subject[strings.LastIndex(m.Subject, ".")+1:]] = true
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	s.sweep()
	if ss, err := st.Session(ctx, "waiting"); err != nil || ss.State != session.TimedOut {
		t.Fatalf("the waiting session after the sweep: %q (%v), want timed out", ss.State, err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	delete(read, "waiting")
	if len(read) > 0 {
		t.Errorf("the sweep read %d of the %d ended sessions; it reads the open ones only", len(read), ended)
	}
}
