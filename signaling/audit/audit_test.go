package audit

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-support/lifeline/shared/natstest"
)

func connect(t *testing.T) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(natstest.Server(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// TestAuditStreamHasLimits: the trail keeps 400 days by default and is
// bounded in size, so it can never fill the data disk.
func TestAuditStreamHasLimits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nc := connect(t)
	l, err := Open(ctx, nc, Config{})
	if err != nil {
		t.Fatal(err)
	}
	info, err := l.stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := info.Config.MaxAge, 400*24*time.Hour; got != want {
		t.Errorf("default MaxAge = %v, want %v", got, want)
	}
	if info.Config.MaxBytes <= 0 {
		t.Errorf("default MaxBytes = %d, want a bound", info.Config.MaxBytes)
	}
	if info.Config.Discard != jetstream.DiscardOld || !info.Config.DenyDelete || !info.Config.DenyPurge {
		t.Errorf("stream config %+v: want the oldest events to go first, and no delete or purge", info.Config)
	}

	// An administrator's settings replace the defaults on the existing stream.
	if _, err := Open(ctx, nc, Config{MaxAge: 30 * 24 * time.Hour, MaxBytes: 64 << 20}); err != nil {
		t.Fatal(err)
	}
	if info, err = l.stream.Info(ctx); err != nil {
		t.Fatal(err)
	}
	if info.Config.MaxAge != 30*24*time.Hour || info.Config.MaxBytes != 64<<20 {
		t.Errorf("after new settings: MaxAge %v, MaxBytes %d; want 720h, 64 MiB", info.Config.MaxAge, info.Config.MaxBytes)
	}
}
