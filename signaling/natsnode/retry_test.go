package natsnode

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestTransient(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&jetstream.APIError{Code: 500, ErrorCode: 10005, Description: "no suitable peers for placement, peer offline"}, true},
		{fmt.Errorf("bucket x: %w", &jetstream.APIError{Code: 503, ErrorCode: 10008}), true},
		{nats.ErrTimeout, true},
		{fmt.Errorf("create: %w", context.DeadlineExceeded), true},
		{&jetstream.APIError{Code: 400, ErrorCode: 10058, Description: "stream name already in use with a different configuration"}, false},
		{&jetstream.APIError{Code: 500, ErrorCode: 10074, Description: "replicas > 1 not supported in non-clustered mode"}, false},
		{errors.New("bad config"), false},
	} {
		if got := Transient(c.err); got != c.want {
			t.Errorf("Transient(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestRetryWaitsForACluster(t *testing.T) {
	tries := 0
	err := Retry(context.Background(), nil, "bucket", func(context.Context) error {
		tries++
		if tries < 3 {
			return &jetstream.APIError{Code: 500, ErrorCode: 10005, Description: "no suitable peers for placement"}
		}
		return nil
	})
	if err != nil || tries != 3 {
		t.Fatalf("err %v after %d tries; want success on the third", err, tries)
	}

	tries = 0
	bad := &jetstream.APIError{Code: 400, ErrorCode: 10058}
	if err := Retry(context.Background(), nil, "bucket", func(context.Context) error { tries++; return bad }); !errors.Is(err, bad) || tries != 1 {
		t.Fatalf("a configuration error: %v after %d tries; want it at once", err, tries)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Retry(ctx, nil, "bucket", func(ctx context.Context) error { return ctx.Err() }); err == nil {
		t.Fatal("a cancelled setup succeeded")
	}
}
