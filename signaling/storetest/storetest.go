// Package storetest opens a real store on a fresh embedded NATS server for
// tests.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Open starts an embedded JetStream server, connects to it and opens a store
// with hour-long logins, invitations and PINs; everything ends with the test.
// It returns the connection too, for the audit trail and the like.
func Open(t testing.TB) (*store.Store, *nats.Conn) {
	t.Helper()
	nc, err := nats.Connect(natstest.Server(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, nc, store.Config{LoginTTL: time.Hour, InviteTTL: time.Hour, PINTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return st, nc
}
