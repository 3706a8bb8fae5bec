package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// bucketOpen indexes the sessions that have not ended, by ID (the value is
// empty): the work every node repeats every few seconds (the time-limit
// sweep) and the questions about live sessions read those, not every
// session ever stored, so their cost and memory follow the sessions running
// now rather than the node's history.
const bucketOpen = "lifeline_open_sessions"

// openMarkerTTL is how long the marker of a session taken out of the index
// is kept; after it the key is gone from the bucket altogether (its subject
// index too), so the index does not grow with ended sessions.
const openMarkerTTL = time.Minute

// openIndex creates the index bucket; fresh is true when it did not exist
// (a store from before it), so that the caller fills it.
func openIndex(ctx context.Context, js jetstream.JetStream, replicas int) (kv jetstream.KeyValue, fresh bool, err error) {
	_, err = js.KeyValue(ctx, bucketOpen)
	fresh = errors.Is(err, jetstream.ErrBucketNotFound)
	kv, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: bucketOpen, Replicas: replicas, Storage: jetstream.FileStorage, LimitMarkerTTL: openMarkerTTL,
	})
	if err == nil && replicas > 1 {
		kv, err = readFromLeader(ctx, js, kv)
	}
	if err != nil {
		return nil, false, fmt.Errorf("bucket %s: %w", bucketOpen, err)
	}
	return kv, fresh, nil
}

// indexOpen fills a new index with the sessions that have not ended.
func (s *Store) indexOpen(ctx context.Context) error {
	all, err := s.AllSessions(ctx)
	if err != nil {
		return err
	}
	for _, ss := range all {
		if !ss.State.Closed() {
			if err := s.markOpen(ctx, ss.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) markOpen(ctx context.Context, id string) error {
	if _, err := s.open.Put(ctx, id, nil); err != nil {
		return fmt.Errorf("put %s/%s: %w", bucketOpen, id, err)
	}
	return nil
}

// markEnded takes session id out of the index. A failure is harmless:
// OpenSessions takes out what it finds ended.
func (s *Store) markEnded(ctx context.Context, id string) {
	_ = s.open.Purge(ctx, id, jetstream.PurgeTTL(openMarkerTTL))
}

// OpenSessions lists the sessions that have not ended, newest first.
func (s *Store) OpenSessions(ctx context.Context) ([]Session, error) {
	return s.sessionsWhere(ctx, s.open, func(ss *Session) bool {
		if ss.State.Closed() {
			s.markEnded(ctx, ss.ID) // its end was written, its index entry not
			return false
		}
		return true
	})
}
