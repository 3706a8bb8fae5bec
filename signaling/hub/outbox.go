package hub

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// outbox holds what waits to be written to one socket: a bounded queue, and,
// when that is full, the newest state of each session. A state is a snapshot
// (the console needs the latest, not every step), so a burst of session
// updates (thousands of customers leaving at once) shrinks to one message per
// session instead of disconnecting the technician; anything else that does
// not fit means the socket is too slow.
type outbox struct {
	queue chan []byte
	wake  chan struct{} // a state was set aside

	mu     sync.Mutex
	states map[string][]byte // session ID → its newest state set aside
	order  []string          // session IDs in the order first set aside
}

// maxStates bounds the states set aside for one socket.
const maxStates = 100_000

func newOutbox(size int) *outbox {
	return &outbox{queue: make(chan []byte, size), wake: make(chan struct{}, 1), states: map[string][]byte{}}
}

// put queues b; false means it does not fit. nil is the writer's "close
// after what is queued" mark.
func (o *outbox) put(b []byte) bool {
	o.mu.Lock()
	aside := len(o.states) > 0
	o.mu.Unlock()
	if !aside {
		select {
		case o.queue <- b:
			return true
		default:
		}
	}
	sid, state := stateOf(b)
	o.mu.Lock()
	if _, ok := o.states[sid]; state && ok {
		// Newer than the one set aside: it replaces it (and so stays behind
		// whatever was queued before it).
		o.states[sid] = b
		o.mu.Unlock()
		return true
	}
	o.mu.Unlock()
	select {
	case o.queue <- b: // a state of another session, or not a state
		return true
	default:
	}
	if !state {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.states) >= maxStates {
		return false
	}
	o.states[sid] = b
	o.order = append(o.order, sid)
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return true
}

// take returns the next message to write: the queue first, then the states
// set aside. ok is false once ctx ends.
func (o *outbox) take(ctx context.Context) (b []byte, ok bool) {
	for {
		select {
		case b := <-o.queue:
			return b, true
		default:
		}
		if b := o.popState(); b != nil {
			return b, true
		}
		select {
		case b := <-o.queue:
			return b, true
		case <-o.wake:
		case <-ctx.Done():
			return nil, false
		}
	}
}

func (o *outbox) popState() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	for len(o.order) > 0 {
		sid := o.order[0]
		o.order = o.order[1:]
		if b, ok := o.states[sid]; ok {
			delete(o.states, sid)
			if len(o.states) == 0 {
				o.order = nil
			}
			return b
		}
	}
	return nil
}

// stateOf reports whether b is a session state message, and for which session.
func stateOf(b []byte) (sid string, ok bool) {
	if b == nil {
		return "", false
	}
	var env struct {
		Type protocol.Type `json:"type"`
		SID  string        `json:"sid"`
	}
	if json.Unmarshal(b, &env) != nil || env.Type != protocol.TypeSessionState || env.SID == "" {
		return "", false
	}
	return env.SID, true
}
