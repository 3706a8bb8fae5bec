// Package store keeps signaling's state in JetStream key-value buckets, so that
// every signaling node sees the same accounts, logins, sessions and invitations,
// and a restart loses nothing.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-support/lifeline/signaling/natsnode"
)

// Bucket names.
const (
	bucketAccounts = "lifeline_accounts"
	bucketLogins   = "lifeline_logins"
	bucketSessions = "lifeline_sessions"
	bucketInvites  = "lifeline_invites"
	bucketPINs     = "lifeline_pins"
	bucketLimits   = "lifeline_limits"
)

// Config sets how buckets are created.
type Config struct {
	// Replicas is the JetStream replication factor: 1 embedded, 3 in a cluster.
	Replicas int
	// LoginTTL, InviteTTL and PINTTL bound how long those records are kept; the
	// expiry checks themselves use the times stored in each record.
	LoginTTL, InviteTTL, PINTTL time.Duration
	// Logger hears about a cluster that is not ready yet; nil is quiet.
	Logger *slog.Logger
}

// Store is the typed view of the buckets. It is safe for concurrent use.
type Store struct {
	accounts, logins, sessions, invites, pins, limits jetstream.KeyValue
	canned, history                                   jetstream.KeyValue
	groups, settings                                  jetstream.KeyValue
	presence, notes                                   jetstream.KeyValue
	runlog, surveys                                   jetstream.KeyValue
	surveyForms, scripts                              jetstream.KeyValue
	devices, devicePolicies, deviceNonces             jetstream.KeyValue
	open                                              jetstream.KeyValue // sessions not ended (OpenSessions)
	launchers                                         jetstream.KeyValue
}

// Open creates or updates the buckets and returns the store.
func Open(ctx context.Context, nc *nats.Conn, cfg Config) (*Store, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if cfg.Replicas < 1 {
		cfg.Replicas = 1
	}
	// A cluster started at the same time as this node may not place
	// replicas yet: each bucket is tried until the cluster is ready.
	open := func(name string, ttl time.Duration) (kv jetstream.KeyValue, err error) {
		err = natsnode.Retry(ctx, cfg.Logger, "bucket "+name, func(ctx context.Context) error {
			kv, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
				Bucket:   name,
				TTL:      ttl,
				Replicas: cfg.Replicas,
				Storage:  jetstream.FileStorage,
			})
			if err == nil && cfg.Replicas > 1 {
				kv, err = readFromLeader(ctx, js, kv)
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("bucket %s: %w", name, err)
		}
		return kv, nil
	}
	s := &Store{}
	for _, b := range []struct {
		kv   *jetstream.KeyValue
		name string
		ttl  time.Duration
	}{
		{&s.accounts, bucketAccounts, 0},
		{&s.logins, bucketLogins, cfg.LoginTTL},
		{&s.sessions, bucketSessions, 0},
		// Expired invitations are kept a while longer so the join page can say
		// "expired" rather than "not valid".
		{&s.invites, bucketInvites, 2 * cfg.InviteTTL},
		{&s.pins, bucketPINs, cfg.PINTTL},
		{&s.limits, bucketLimits, LimitTTL},
		{&s.canned, bucketCanned, 0},
		{&s.history, bucketHistory, 0},
		{&s.groups, bucketGroups, 0},
		{&s.settings, bucketSettings, 0},
		{&s.presence, bucketPresence, 0},
		{&s.notes, bucketNotes, 0},
		{&s.runlog, bucketRunLog, RunLogTTL},
		{&s.surveys, bucketSurveys, 0},
		{&s.surveyForms, bucketSurveyForms, 0},
		{&s.scripts, bucketScripts, 0},
		{&s.devices, bucketDevices, 0},
		{&s.devicePolicies, bucketDevicePolicies, 0},
		{&s.deviceNonces, bucketDeviceNonces, DeviceNonceTTL},
		{&s.launchers, bucketLaunchers, 0},
	} {
		if *b.kv, err = open(b.name, b.ttl); err != nil {
			return nil, err
		}
	}
	var fresh bool
	err = natsnode.Retry(ctx, cfg.Logger, "bucket "+bucketOpen, func(ctx context.Context) (err error) {
		var created bool
		s.open, created, err = openIndex(ctx, js, cfg.Replicas)
		fresh = fresh || created // a later try finds the bucket a failed one made
		return err
	})
	if err != nil {
		return nil, err
	}
	if fresh {
		if err := s.indexOpen(ctx); err != nil {
			return nil, fmt.Errorf("bucket %s: %w", bucketOpen, err)
		}
	}
	return s, nil
}

// readFromLeader turns off direct gets on a replicated bucket: any replica
// answers those, and one that lags behind the quorum returns stale values (a
// login just written reads as "not found"). Without them reads go to the
// stream's leader and see every acknowledged write.
func readFromLeader(ctx context.Context, js jetstream.JetStream, kv jetstream.KeyValue) (jetstream.KeyValue, error) {
	name := kv.Bucket()
	stream, err := js.Stream(ctx, "KV_"+name)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", name, err)
	}
	sc := stream.CachedInfo().Config
	if sc.AllowDirect {
		sc.AllowDirect = false
		if _, err := js.UpdateStream(ctx, sc); err != nil {
			return nil, fmt.Errorf("bucket %s: turn off direct gets: %w", name, err)
		}
	}
	// A handle opened now reads through the leader.
	kv, err = js.KeyValue(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", name, err)
	}
	return kv, nil
}

// ValidKey reports whether key can name a record: NATS allows letters,
// digits and "-_=/." in a key, with dots only between non-empty tokens. User
// input (a username, an ID in a URL) that breaks this names no record: reads
// answer ErrNotFound and writes ErrInvalid, never NATS's "invalid key".
func ValidKey(key string) bool {
	if key == "" || key[0] == '.' || key[len(key)-1] == '.' || strings.Contains(key, "..") {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_=/.", c) >= 0) {
			return false
		}
	}
	return true
}

// get reads key from kv into v and returns its revision; ErrNotFound if absent.
func get(ctx context.Context, kv jetstream.KeyValue, key string, v any) (uint64, error) {
	if !ValidKey(key) {
		return 0, ErrNotFound
	}
	e, err := kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("read %s/%s: %w", kv.Bucket(), key, err)
	}
	if err := json.Unmarshal(e.Value(), v); err != nil {
		return 0, fmt.Errorf("decode %s/%s: %w", kv.Bucket(), key, err)
	}
	return e.Revision(), nil
}

// create stores v under key only if the key does not exist yet; ErrExists otherwise.
func create(ctx context.Context, kv jetstream.KeyValue, key string, v any) error {
	if !ValidKey(key) {
		return ErrInvalid
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = kv.Create(ctx, key, b)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return ErrExists
	}
	if err != nil {
		return fmt.Errorf("create %s/%s: %w", kv.Bucket(), key, err)
	}
	return nil
}

// update applies fn to the record under key with compare-and-set, retrying when
// another node wrote in between. fn may return an error to abort.
func update[T any](ctx context.Context, kv jetstream.KeyValue, key string, fn func(*T) error) (T, error) {
	for range 10 {
		var v T
		rev, err := get(ctx, kv, key, &v)
		if err != nil {
			return v, err
		}
		if err := fn(&v); err != nil {
			return v, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return v, err
		}
		_, err = kv.Update(ctx, key, b, rev)
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return v, fmt.Errorf("update %s/%s: %w", kv.Bucket(), key, err)
		}
	}
	var zero T
	return zero, ErrConflict
}

// put stores v under key, replacing what was there.
func put(ctx context.Context, kv jetstream.KeyValue, key string, v any) error {
	if !ValidKey(key) {
		return ErrInvalid
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := kv.Put(ctx, key, b); err != nil {
		return fmt.Errorf("put %s/%s: %w", kv.Bucket(), key, err)
	}
	return nil
}
