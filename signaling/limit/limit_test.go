package limit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/clocktest"
	"github.com/lifeline-support/lifeline/signaling/storetest"
)

// step is one call on a counter: take (or give) after moving the clock by
// advance, and what it must answer.
type step struct {
	advance time.Duration
	give    bool
	wantErr error
	// wantWait and wantLocked are the Attempt's Wait and Locked-now.
	wantWait, wantLocked time.Duration
}

// TestRules plays each kind of rule through a real store.
func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rule  Rule
		steps []step
	}{
		{"window refuses past Max, then starts again", Rule{Max: 2, Window: time.Minute}, []step{
			{}, {}, {wantErr: ErrLimited}, {advance: 59 * time.Second, wantErr: ErrLimited},
			{advance: time.Second}, {},
		}},
		{"a given-back attempt is free again", Rule{Max: 2, Window: time.Minute}, []step{
			{}, {}, {give: true}, {}, {wantErr: ErrLimited},
		}},
		{"the Max-th attempt locks, in a row", Rule{Max: 3, LockFor: 5 * time.Minute}, []step{
			{}, {advance: time.Hour}, {advance: time.Hour, wantLocked: 5 * time.Minute},
			{wantErr: ErrLimited}, {advance: 5 * time.Minute}, {}, {wantLocked: 5 * time.Minute},
		}},
		{"giving back the locking attempt unlocks", Rule{Max: 2, LockFor: 5 * time.Minute}, []step{
			{}, {wantLocked: 5 * time.Minute}, {give: true}, {wantLocked: 5 * time.Minute}, {wantErr: ErrLimited},
		}},
		{"paced attempts wait their turn, then are busy", Rule{Max: 2, Window: time.Minute, Pace: time.Minute}, []step{
			{}, {}, {}, {wantWait: 30 * time.Second}, {wantWait: time.Minute}, {wantErr: ErrBusy},
			{advance: time.Minute}, // a new window
		}},
		{"never refused: past Pace an attempt waits Pace and takes no turn", Rule{Max: 2, Window: time.Minute, Pace: time.Minute, NeverRefuse: true}, []step{
			{}, {}, {}, {wantWait: 30 * time.Second}, {wantWait: time.Minute}, {wantWait: time.Minute}, {wantWait: time.Minute},
			{advance: 40 * time.Second, wantWait: 50 * time.Second}, // the next turn is still where it was
		}},
		{"Max 0 allows anything", Rule{Window: time.Minute}, []step{{}, {}, {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clocktest.New(time.Now())
			st, _ := storetest.Open(t)
			c := New(st, tc.rule, clk.Now, nil)
			ctx := context.Background()
			for i, s := range tc.steps {
				clk.Add(s.advance)
				if s.give {
					c.Give(ctx, "k")
					continue
				}
				at, err := c.Take(ctx, "k")
				var le *Error
				switch {
				case s.wantErr == nil && err != nil:
					t.Fatalf("step %d: %v, want an attempt", i, err)
				case s.wantErr != nil && (!errors.Is(err, s.wantErr) || !errors.As(err, &le) || le.RetryAfter <= 0):
					t.Fatalf("step %d: %v, want %v with a time to wait", i, err, s.wantErr)
				case at.Wait != s.wantWait:
					t.Fatalf("step %d: wait %v, want %v", i, at.Wait, s.wantWait)
				case s.wantLocked == 0 && !at.Locked.IsZero(), s.wantLocked != 0 && !at.Locked.Equal(clk.Now().Add(s.wantLocked)):
					t.Fatalf("step %d: locked until %v, want %v from now", i, at.Locked, s.wantLocked)
				}
			}
		})
	}
}
