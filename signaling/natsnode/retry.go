package natsnode

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// SetupWindow is how long Retry keeps trying while a cluster forms: servers
// started together take a few seconds to agree on a meta leader and to see
// every peer, and a signaling node started at the same moment must wait for
// them rather than exit.
const SetupWindow = 2 * time.Minute

// Retry runs f until it succeeds, fails for a reason that waiting will not
// cure, ctx ends or SetupWindow has passed. Each try gets ten seconds.
func Retry(ctx context.Context, log *slog.Logger, what string, f func(context.Context) error) error {
	return RetryWithin(ctx, log, what, SetupWindow, 10*time.Second, f)
}

// RetryWithin is Retry for window, each try getting perTry; log may be nil.
func RetryWithin(ctx context.Context, log *slog.Logger, what string, window, perTry time.Duration, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()
	delay := 100 * time.Millisecond
	for {
		try, done := context.WithTimeout(ctx, perTry)
		err := f(try)
		done()
		if err == nil || !Transient(err) || ctx.Err() != nil {
			return err
		}
		if log != nil {
			log.Warn("JetStream not ready, trying again", "what", what, "err", err, "in", delay)
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
		delay = min(2*delay, 3*time.Second)
	}
}

// Transient reports whether err comes from a cluster that is forming or
// electing a leader: placement finds too few peers, no leader yet, or no
// answer in time.
func Transient(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, jetstream.ErrJetStreamNotEnabled) {
		return true
	}
	var api *jetstream.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode {
		case 10005, // JSClusterNoPeersErrF: no suitable peers for placement
			10008, // JSClusterNotAvailErr: temporarily unavailable
			10009, // JSClusterNotLeaderErr: cannot handle the request yet
			10118: // JSStreamOfflineErr
			return true
		}
	}
	return false
}
