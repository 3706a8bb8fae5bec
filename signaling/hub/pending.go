package hub

import (
	"net/http"
	"sync"
)

// Defaults of the bounds on agent sockets that have not said hello.
const (
	// DefaultMaxPending is how many such sockets a node holds in all.
	DefaultMaxPending = 1000
	// DefaultMaxPendingPerAddress is how many one client address may hold: an
	// office behind one address joins a few customers at once, each saying
	// hello within a second.
	DefaultMaxPendingPerAddress = 16
)

// pending counts the agent sockets that have not said hello yet, in all and
// per client address, so a flood from anywhere is refused before a WebSocket
// (and its buffers and goroutines) is set up.
type pending struct {
	max, perAddress int

	mu     sync.Mutex
	total  int            // guarded by mu
	byAddr map[string]int // guarded by mu
}

func newPending(max, perAddress int) *pending {
	if max <= 0 {
		max = DefaultMaxPending
	}
	if perAddress <= 0 {
		perAddress = DefaultMaxPendingPerAddress
	}
	return &pending{max: max, perAddress: perAddress, byAddr: map[string]int{}}
}

// take reserves a place for a socket from addr. It returns the function that
// gives the place back (safe to call more than once), or, when there is no
// place, nil and the HTTP status and message to refuse with.
func (p *pending) take(addr string) (release func(), status int, msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.byAddr[addr] >= p.perAddress:
		return nil, http.StatusTooManyRequests, "too many connections from your address are waiting to say hello; try again in a few seconds"
	case p.total >= p.max:
		return nil, http.StatusServiceUnavailable, "this server has too many connections waiting to say hello; try again in a few seconds"
	}
	p.total++
	p.byAddr[addr]++
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.total--
			if p.byAddr[addr]--; p.byAddr[addr] <= 0 {
				delete(p.byAddr, addr)
			}
		})
	}, 0, ""
}
