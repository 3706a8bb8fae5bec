package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// bucketRunLog holds the running log of each session while it runs: under
// the session's ID its count (runLogMeta), under "<sid>.<n>" its entries.
const bucketRunLog = "lifeline_runlog"

// RunLogTTL is how long a running log is kept. The session history keeps
// the log of an ended session; this only has to outlive the session.
const RunLogTTL = 7 * 24 * time.Hour

// LogLimits bound a session's running log.
type LogLimits struct {
	// Entries is the most entries kept, the marker not counted.
	Entries int
	// Bytes is the most bytes of entries (as JSON) kept.
	Bytes int
}

// DefaultLogLimits keep a running log within what the session history
// stores (MaxLogEntries, MaxLogSize), with room for the marker and the
// stored log's own fields.
var DefaultLogLimits = LogLimits{Entries: MaxLogEntries - 1, Bytes: MaxLogSize - 16<<10}

// runLogMeta counts a session's running log; it is updated with
// compare-and-set, so entries keep their order whichever node appends.
type runLogMeta struct {
	N     int  `json:"n"`
	Bytes int  `json:"bytes"`
	Full  bool `json:"full,omitempty"`
}

// AppendLog adds entry e to session sid's running log. An entry that would
// take the log past lim is not kept: the log gets one protocol.LogFull entry
// (with text fullText) instead, and this and every later append return
// ErrLogFull.
func (s *Store) AppendLog(ctx context.Context, sid string, e LogEntry, lim LogLimits, fullText string) error {
	if !ValidKey(sid) {
		return ErrInvalid
	}
	if err := e.Check(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	b, err := marshalText(e)
	if err != nil {
		return err
	}
	for range 10 {
		var m runLogMeta
		rev, err := get(ctx, s.runlog, sid, &m)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if m.Full {
			return ErrLogFull
		}
		first := errors.Is(err, ErrNotFound)
		entry := b
		next := runLogMeta{N: m.N + 1, Bytes: m.Bytes + len(b) + 1}
		if next.N > lim.Entries || next.Bytes > lim.Bytes {
			entry, err = marshalText(LogEntry{Kind: protocol.LogFull, Text: fullText, At: e.At})
			if err != nil {
				return err
			}
			next = runLogMeta{N: m.N + 1, Bytes: m.Bytes, Full: true}
		}
		mb, _ := json.Marshal(next)
		if first {
			_, err = s.runlog.Create(ctx, sid, mb)
		} else {
			_, err = s.runlog.Update(ctx, sid, mb, rev)
		}
		if errors.Is(err, jetstream.ErrKeyExists) {
			continue // another append took this place
		}
		if err != nil {
			return fmt.Errorf("running log of %s: %w", sid, err)
		}
		if _, err := s.runlog.Put(ctx, runLogKey(sid, next.N), entry); err != nil {
			return fmt.Errorf("running log of %s: %w", sid, err)
		}
		if next.Full {
			return ErrLogFull
		}
		return nil
	}
	return ErrConflict
}

func runLogKey(sid string, n int) string { return sid + "." + strconv.Itoa(n) }

// RunningLog returns session sid's running log, oldest first, and whether
// it is full.
func (s *Store) RunningLog(ctx context.Context, sid string) ([]LogEntry, bool, error) {
	if !ValidKey(sid) {
		return nil, false, nil
	}
	var m runLogMeta
	if _, err := get(ctx, s.runlog, sid, &m); errors.Is(err, ErrNotFound) {
		return []LogEntry{}, false, nil
	} else if err != nil {
		return nil, false, err
	}
	w, err := s.runlog.Watch(ctx, sid+".*", jetstream.IgnoreDeletes())
	if err != nil {
		return nil, false, fmt.Errorf("running log of %s: %w", sid, err)
	}
	defer func() { _ = w.Stop() }()
	type numbered struct {
		n int
		e LogEntry
	}
	var got []numbered
	for {
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case u, ok := <-w.Updates():
			if !ok {
				return nil, false, fmt.Errorf("running log of %s: watch ended", sid)
			}
			if u == nil { // all current entries delivered
				sort.Slice(got, func(i, j int) bool { return got[i].n < got[j].n })
				out := make([]LogEntry, 0, len(got))
				for _, x := range got {
					out = append(out, x.e)
				}
				return out, m.Full, nil
			}
			var e LogEntry
			n, err := strconv.Atoi(u.Key()[len(sid)+1:])
			if err != nil || json.Unmarshal(u.Value(), &e) != nil {
				continue
			}
			got = append(got, numbered{n, e})
		}
	}
}
