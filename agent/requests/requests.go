// Package requests serves a tool's data channel (system information, the
// file manager): each request is answered in order, on a goroutine of its
// own, so that a slow one (a copy, reading /proc) never blocks the channel's
// reader; requests beyond a bound that are still waiting are dropped.
package requests

import (
	"encoding/json"
	"log/slog"
	"sync"

	"github.com/pion/webrtc/v4"
)

// Serve answers dc's requests in order with handle, whose reply is sent as
// JSON; at most queue requests wait (more are dropped and logged, naming
// what the channel is). It returns at once; serving ends when dc closes.
func Serve(dc *webrtc.DataChannel, queue int, log *slog.Logger, what string, handle func([]byte) any) {
	ServeUrgent(dc, queue, log, what, handle, nil)
}

// ServeUrgent is Serve with a way around the queue: urgent sees each
// request first, on the channel's reader, and answers those it takes (ok)
// at once (a cancel of the copy being served). It must not block.
func ServeUrgent(dc *webrtc.DataChannel, queue int, log *slog.Logger, what string, handle func([]byte) any, urgent func([]byte) (reply any, ok bool)) {
	reqs := make(chan []byte, queue)
	done := make(chan struct{})
	var once sync.Once
	dc.OnClose(func() { once.Do(func() { close(done) }) })
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		if urgent != nil {
			if reply, ok := urgent(m.Data); ok {
				out, _ := json.Marshal(reply)
				_ = dc.SendText(string(out))
				return
			}
		}
		select {
		case reqs <- append([]byte(nil), m.Data...):
		default:
			log.Warn(what + " request dropped: too many waiting")
		}
	})
	go func() {
		for {
			select {
			case b := <-reqs:
				out, _ := json.Marshal(handle(b))
				_ = dc.SendText(string(out))
			case <-done:
				return
			}
		}
	}()
}
