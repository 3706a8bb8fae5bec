package screen

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/damage"
	"github.com/jezek/xgb/xproto"
)

// Damage tells when anything was drawn on the display, from the X DAMAGE
// extension, so that a still screen need not be captured again and again.
type Damage struct {
	conn *xgb.Conn
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
	dead bool // the watch ended: channels are closed, meaning "capture always"
	done chan struct{}
}

// WatchDamage starts watching every X screen of $DISPLAY for drawing.
//
// Call it once, when the program starts and before it opens other xgb
// connections: enabling DAMAGE events writes xgb's process-wide event
// tables, which other connections' reader goroutines read (see agent/xshape).
func WatchDamage(log *slog.Logger) (*Damage, error) {
	conn, err := connect()
	if err != nil {
		return nil, err
	}
	if err := damage.Init(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("screen: DAMAGE: %w", err)
	}
	if _, err := damage.QueryVersion(conn, 1, 1).Reply(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("screen: DAMAGE version: %w", err)
	}
	for _, root := range xproto.Setup(conn).Roots {
		id, err := damage.NewDamageId(conn)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("screen: DAMAGE id: %w", err)
		}
		// NonEmpty: one event when the damaged region becomes non-empty;
		// subtracting it re-arms the next.
		if err := damage.CreateChecked(conn, id, xproto.Drawable(root.Root), damage.ReportLevelNonEmpty).Check(); err != nil {
			conn.Close()
			return nil, fmt.Errorf("screen: DAMAGE create: %w", err)
		}
	}
	d := &Damage{conn: conn, subs: map[chan struct{}]struct{}{}, done: make(chan struct{})}
	go d.run(log)
	return d, nil
}

func (d *Damage) run(log *slog.Logger) {
	defer close(d.done)
	// When the watch ends (the X connection closed or broke), every
	// subscriber's channel is closed: a closed channel always reads as
	// "something was drawn", so capture goes back to the full frame rate.
	defer func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.dead = true
		for ch := range d.subs {
			close(ch)
			delete(d.subs, ch)
		}
	}()
	for {
		ev, err := d.conn.WaitForEvent()
		if ev == nil && err == nil {
			if log != nil {
				log.Info("screen: DAMAGE watch ended; capturing every frame")
			}
			return // the connection closed
		}
		if err != nil {
			if log != nil {
				log.Debug("screen: DAMAGE", "err", err)
			}
			continue
		}
		n, ok := ev.(damage.NotifyEvent)
		if !ok {
			continue
		}
		damage.Subtract(d.conn, n.Damage, 0, 0)
		d.mu.Lock()
		for ch := range d.subs {
			select {
			case ch <- struct{}{}:
			default: // already told
			}
		}
		d.mu.Unlock()
	}
}

// Subscribe returns a channel that receives (at most one pending value) after
// something was drawn, and a function that ends the subscription.
func (d *Damage) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	ch <- struct{}{} // the first frame is always captured
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dead {
		close(ch)
		return ch, func() {}
	}
	d.subs[ch] = struct{}{}
	return ch, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		delete(d.subs, ch) // a no-op once run has closed it
	}
}

// Close stops watching.
func (d *Damage) Close() {
	d.conn.Close()
	<-d.done
}
