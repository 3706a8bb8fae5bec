package sessions

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-support/lifeline/signaling/store"
)

// A read that fails while JetStream moves a stream leader is tried again; a
// missing record or a lasting error is answered at once.
func TestReadRetriesPassingErrors(t *testing.T) {
	leaderMoving := fmt.Errorf("read lifeline_accounts/x: %w", &jetstream.APIError{Code: 503, ErrorCode: 10008})
	tries := 0
	v, err := read(context.Background(), func(context.Context) (int, error) {
		tries++
		if tries < 3 {
			return 0, leaderMoving
		}
		return 42, nil
	})
	if v != 42 || err != nil || tries != 3 {
		t.Fatalf("got %d, %v after %d tries; want 42 on the third", v, err, tries)
	}
	for _, final := range []error{store.ErrNotFound, errors.New("bad record")} {
		tries = 0
		if _, err := read(context.Background(), func(context.Context) (int, error) { tries++; return 0, final }); !errors.Is(err, final) || tries != 1 {
			t.Errorf("%v: %v after %d tries; want it at once", final, err, tries)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tries = 0
	if _, err := read(ctx, func(context.Context) (int, error) { tries++; return 0, leaderMoving }); err == nil || tries != 1 {
		t.Errorf("a closed connection's read: %v after %d tries", err, tries)
	}
}
