package store

import (
	"context"
	"errors"

	"github.com/nats-io/nats.go/jetstream"
)

// SessionCounts counts the stored sessions of every technician by state.
func (s *Store) SessionCounts(ctx context.Context) (map[string]int, error) {
	keys, err := s.sessions.Keys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return map[string]int{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, k := range keys {
		ss, err := s.Session(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[string(ss.State)]++
	}
	return out, nil
}

// Ping checks that JetStream answers, for readiness probes.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.sessions.Status(ctx)
	return err
}
