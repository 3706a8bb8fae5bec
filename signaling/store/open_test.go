package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/store"
	"github.com/lifeline-support/lifeline/signaling/storetest"
)

// TestOpenSessionsAreTheOnesNotEnded: a session is listed by OpenSessions
// from its creation until it ends, and no longer.
func TestOpenSessionsAreTheOnesNotEnded(t *testing.T) {
	st, _ := storetest.Open(t)
	ctx := t.Context()
	now := time.Now()
	for i := range 5 {
		if err := st.CreateSession(ctx, store.Session{ID: fmt.Sprintf("s%d", i), State: session.Waiting, Created: now.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, sid := range []string{"s1", "s3"} {
		if _, err := st.UpdateSession(ctx, sid, func(ss *store.Session) error { return ss.SetState(session.ClosedByCustomer, now) }); err != nil {
			t.Fatal(err)
		}
	}
	open, err := st.OpenSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ss := range open {
		ids = append(ids, ss.ID)
	}
	if fmt.Sprint(ids) != "[s4 s2 s0]" {
		t.Errorf("open sessions %v, want [s4 s2 s0] (newest first, the ended ones left out)", ids)
	}
}
