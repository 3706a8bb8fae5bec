package input

import (
	"fmt"
	"log/slog"
	"math"
	"sync/atomic"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// checkEvent validates ev as every platform does (known kind and button,
// a position in 0..1, non-empty valid UTF-8 text) and asks key about the
// code of a key or scan event, which only the platform can judge.
func checkEvent(ev protocol.InputEvent, key func(protocol.InputEvent) error) error {
	inUnit := func(f float64) bool { return !math.IsNaN(f) && f >= 0 && f <= 1 }
	switch ev.Kind {
	case protocol.InputMove, protocol.InputWheel:
	case protocol.InputButton:
		if ev.Button < protocol.ButtonLeft || ev.Button > protocol.ButtonRight {
			return fmt.Errorf("%w: unknown button %d", ErrBadEvent, ev.Button)
		}
	case protocol.InputKey, protocol.InputScan:
		return key(ev)
	case protocol.InputText:
		if ev.Text == "" || !utf8.ValidString(ev.Text) {
			return fmt.Errorf("%w: empty or invalid UTF-8 text", ErrBadEvent)
		}
		return nil
	default:
		return fmt.Errorf("%w: unknown kind %q", ErrBadEvent, ev.Kind)
	}
	if !inUnit(ev.X) || !inUnit(ev.Y) {
		return fmt.Errorf("%w: position %g,%g outside 0..1", ErrBadEvent, ev.X, ev.Y)
	}
	return nil
}

// enqueue queues a validated event for the injecting goroutine, counting
// (in dropped) and logging the pointer moves a full queue drops.
func (q *queue) enqueue(ev protocol.InputEvent, log *slog.Logger, dropped *atomic.Int64) error {
	lost, err := q.push(ev)
	if err != nil {
		log.Warn("input: queue full, event discarded", "kind", ev.Kind)
		return err
	}
	if lost {
		if n := dropped.Add(1); n == 1 || n%100 == 0 {
			log.Warn("input: queue full, pointer moves dropped", "total", n)
		}
	}
	return nil
}

// pixel maps a fraction of the screen to a pixel: round(f*(n-1)).
func pixel(f float64, n int) int {
	p := int(math.Round(f * float64(n-1)))
	return max(0, min(p, n-1))
}
