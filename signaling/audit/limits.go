package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-support/lifeline/signaling/store"
)

// refusalKey is what makes two refusals "the same": what was refused, from
// which address group (store.AddrGroup: an IPv6 /64 is one), and why.
type refusalKey struct {
	typ        Type
	ip, detail string
}

// refusal counts the repeats of a refusal after the first, which was written.
type refusal struct {
	sum Event // the first repeat, with Count = repeats
}

// maxRefusalKeys bounds the refusals counted at once; past it, further
// addresses are counted together (IP "*") until the window ends.
const maxRefusalKeys = 10_000

// RecordRefusal records a refusal that changes nothing, such as a login
// refused by the rate limit: the first of a window (same type, address and
// detail) is written at once, the repeats are counted and written as one
// event with Count when the window ends (or at Close). So a flood of
// refusals costs one event per address and minute, not one per request;
// the addresses of one IPv6 /64 count as one (store.AddrGroup), and the
// count's event names the /64 when several of its addresses were refused.
func (l *Log) RecordRefusal(ctx context.Context, e Event) error {
	if l == nil {
		return nil
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	group := store.AddrGroup(e.IP)
	k := refusalKey{e.Type, group, e.Detail}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	if _, ok := l.refusals[k]; !ok && len(l.refusals) >= maxRefusalKeys {
		k.ip, e.IP, group = "*", "*", "*"
	}
	r, ok := l.refusals[k]
	if ok {
		if r.sum.Count == 0 {
			r.sum = e
		} else {
			if r.sum.Actor != e.Actor {
				r.sum.Actor = "*" // several names were tried
			}
			if r.sum.IP != e.IP {
				r.sum.IP = group // several addresses of one /64
			}
		}
		r.sum.Count++
		l.mu.Unlock()
		return nil
	}
	l.refusals[k] = &refusal{}
	time.AfterFunc(l.cfg.RefusalWindow, func() { l.flushRefusal(k) })
	l.mu.Unlock()
	return l.Record(ctx, e)
}

// flushRefusal writes the repeats counted under k and forgets k.
func (l *Log) flushRefusal(k refusalKey) {
	l.mu.Lock()
	r := l.refusals[k]
	delete(l.refusals, k)
	l.mu.Unlock()
	if r == nil || r.sum.Count == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.Record(ctx, r.sum); err != nil {
		l.log.Error("audit: repeated refusals not written", "type", k.typ, "ip", k.ip, "count", r.sum.Count, "err", err)
	}
}

// Close writes the refusals still being counted and stops counting. It is
// idempotent.
func (l *Log) Close() {
	if l == nil {
		return
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	keys := make([]refusalKey, 0, len(l.refusals))
	for k := range l.refusals {
		keys = append(keys, k)
	}
	l.mu.Unlock()
	for _, k := range keys {
		l.flushRefusal(k)
	}
	// Timers that fire later find nothing left to write.
}

// Peer is which side of a session reported an event: each side has its own
// cap, so a technician's console flooding the trail cannot keep the agent's
// reports (the files that crossed) out of it, nor the other way round.
type Peer string

// The peers of a session.
const (
	FromConsole Peer = "console"
	FromAgent   Peer = "agent"
)

// RecordFromPeer records an event that a session's peer reported (files
// that crossed, input the agent refused, a recording started). Each peer of
// one session may report MaxPeerEvents events, counted across connections
// and nodes; the first report past the cap is replaced by one
// PeerReportsCapped event, and every report past it returns ErrPeerCapped
// unwritten.
func (l *Log) RecordFromPeer(ctx context.Context, peer Peer, e Event) error {
	if l == nil {
		return nil
	}
	n, err := l.countPeer(ctx, e.SessionID, peer)
	if err != nil {
		return fmt.Errorf("%w (counting reports: %w)", ErrNotRecorded, err)
	}
	switch {
	case n <= l.cfg.MaxPeerEvents:
		return l.Record(ctx, e)
	case n == l.cfg.MaxPeerEvents+1:
		capped := Event{Type: PeerReportsCapped, Actor: e.Actor, SessionID: e.SessionID,
			Detail: fmt.Sprintf("%d reports recorded; later ones from this session are dropped", l.cfg.MaxPeerEvents)}
		if err := l.Record(ctx, capped); err != nil {
			return err
		}
	}
	return ErrPeerCapped
}

// countPeer adds one to the count of reports peer made in session sid and returns it.
func (l *Log) countPeer(ctx context.Context, sid string, peer Peer) (int, error) {
	key := "s." + sid + "." + string(peer)
	for range 20 {
		entry, err := l.peers.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			if _, err := l.peers.Create(ctx, key, []byte("1")); err == nil {
				return 1, nil
			} else if !errors.Is(err, jetstream.ErrKeyExists) {
				return 0, err
			}
			continue
		}
		if err != nil {
			return 0, err
		}
		n, _ := strconv.Atoi(string(entry.Value()))
		n++
		if n > l.cfg.MaxPeerEvents+1 {
			return n, nil // past the cap: no need to count further
		}
		if _, err := l.peers.Update(ctx, key, []byte(strconv.Itoa(n)), entry.Revision()); err == nil {
			return n, nil
		} else if !errors.Is(err, jetstream.ErrKeyExists) {
			var api *jetstream.APIError
			if !errors.As(err, &api) || api.ErrorCode != jetstream.JSErrCodeStreamWrongLastSequence {
				return 0, err
			}
		}
	}
	return 0, errors.New("report count kept changing")
}
