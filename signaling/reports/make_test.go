package reports

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// openStore opens a store on a fresh embedded NATS.
func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	nc, err := nats.Connect(natstest.Server(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	s, err := store.Open(context.Background(), nc, store.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// Make reads sessions and surveys from the store: a session without
// surveys counts with no outcome and no rating.
func TestMakeReadsTheStore(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	ss, sv := fixture()
	for _, s := range ss {
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for sid, v := range sv {
		v.SessionID = sid
		if err := db.PutSessionSurveys(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutGroup(ctx, store.Group{ID: "north", Name: "North"}); err != nil {
		t.Fatal(err)
	}
	rep, err := Make(ctx, db, Filter{}, ByGroup, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 2 || rep.Rows[0].Label != "North" || rep.Total.Sessions != 4 || rep.Total.Ratings != 3 || rep.Total.Outcomes[NoOutcome] != 1 {
		t.Errorf("report %+v", rep)
	}
}

// BenchmarkMake reads 1,000 ended sessions and their surveys from the store
// and adds them up.
func BenchmarkMake(b *testing.B) {
	db := openStore(b)
	ctx := context.Background()
	for i := range 1000 {
		id := "s" + strconv.Itoa(i)
		if err := db.CreateSession(ctx, ended(id, "t"+strconv.Itoa(i%20), "default", time.Duration(i)*time.Minute, time.Minute, time.Minute, 0)); err != nil {
			b.Fatal(err)
		}
		v := rated(1+i%5, "resolved")
		v.SessionID = id
		if err := db.PutSessionSurveys(ctx, v); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Make(ctx, db, Filter{}, ByTechnician, time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}
