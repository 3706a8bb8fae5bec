package input

import (
	"sync"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// QueueSize is how many events may wait for the injecting goroutine.
const QueueSize = 256

// queue is the bounded FIFO between Inject and the injecting goroutine.
// When it is full, pointer moves give way first: a new move is dropped, or
// the oldest queued move makes room for a key, button, wheel or text event.
// A move that follows a queued move replaces it, so a backlog of moves
// collapses to the latest position.
type queue struct {
	mu    sync.Mutex
	items []protocol.InputEvent
	limit int
	wake  chan struct{} // one pending signal that items is not empty
}

func newQueue(limit int) *queue {
	return &queue{limit: limit, wake: make(chan struct{}, 1)}
}

// push adds ev. dropped reports that a pointer move was discarded to make
// room (or ev itself, when it is a move); err is ErrQueueFull when only
// events that must not be lost are queued.
func (q *queue) push(ev protocol.InputEvent) (dropped bool, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	defer q.signal()
	isMove := ev.Kind == protocol.InputMove
	if n := len(q.items); isMove && n > 0 && q.items[n-1].Kind == protocol.InputMove {
		q.items[n-1] = ev
		return false, nil
	}
	if len(q.items) < q.limit {
		q.items = append(q.items, ev)
		return false, nil
	}
	if isMove {
		return true, nil
	}
	for i, it := range q.items {
		if it.Kind == protocol.InputMove {
			q.items = append(q.items[:i], q.items[i+1:]...)
			q.items = append(q.items, ev)
			return true, nil
		}
	}
	return false, ErrQueueFull
}

func (q *queue) signal() {
	if len(q.items) > 0 {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
}

// pop removes and returns the oldest event.
func (q *queue) pop() (protocol.InputEvent, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return protocol.InputEvent{}, false
	}
	ev := q.items[0]
	q.items[0] = protocol.InputEvent{}
	q.items = q.items[1:]
	if len(q.items) == 0 {
		q.items = nil // let the backing array go
	}
	return ev, true
}

// clear discards every queued event and returns how many there were.
func (q *queue) clear() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := len(q.items)
	q.items = nil
	return n
}

// len returns the number of queued events.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}
