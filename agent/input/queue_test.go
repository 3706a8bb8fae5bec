package input

import (
	"errors"
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

func move(x float64) protocol.InputEvent {
	return protocol.InputEvent{Kind: protocol.InputMove, X: x}
}

func keyEv(code string) protocol.InputEvent {
	return protocol.InputEvent{Kind: protocol.InputKey, Code: code, Down: true}
}

func drain(q *queue) []protocol.InputEvent {
	var out []protocol.InputEvent
	for {
		ev, ok := q.pop()
		if !ok {
			return out
		}
		out = append(out, ev)
	}
}

func TestQueue(t *testing.T) {
	tests := []struct {
		name        string
		limit       int
		push        []protocol.InputEvent
		wantDropped int
		wantFull    int
		want        []protocol.InputEvent
	}{
		{
			name:  "fifo",
			limit: 4,
			push:  []protocol.InputEvent{keyEv("KeyA"), move(0.1), keyEv("KeyB")},
			want:  []protocol.InputEvent{keyEv("KeyA"), move(0.1), keyEv("KeyB")},
		},
		{
			name:  "consecutive moves collapse to the latest",
			limit: 4,
			push:  []protocol.InputEvent{move(0.1), move(0.2), keyEv("KeyA"), move(0.3), move(0.4)},
			want:  []protocol.InputEvent{move(0.2), keyEv("KeyA"), move(0.4)},
		},
		{
			name:        "full: a new move is dropped",
			limit:       2,
			push:        []protocol.InputEvent{keyEv("KeyA"), keyEv("KeyB"), move(0.1)},
			wantDropped: 1,
			want:        []protocol.InputEvent{keyEv("KeyA"), keyEv("KeyB")},
		},
		{
			name:        "full: the oldest move makes room for a key",
			limit:       3,
			push:        []protocol.InputEvent{move(0.1), keyEv("KeyA"), move(0.2), keyEv("KeyB")},
			wantDropped: 1,
			want:        []protocol.InputEvent{keyEv("KeyA"), move(0.2), keyEv("KeyB")},
		},
		{
			name:     "full of keys: ErrQueueFull",
			limit:    2,
			push:     []protocol.InputEvent{keyEv("KeyA"), keyEv("KeyB"), keyEv("KeyC")},
			wantFull: 1,
			want:     []protocol.InputEvent{keyEv("KeyA"), keyEv("KeyB")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newQueue(tt.limit)
			dropped, full := 0, 0
			for _, ev := range tt.push {
				d, err := q.push(ev)
				if d {
					dropped++
				}
				if errors.Is(err, ErrQueueFull) {
					full++
				} else if err != nil {
					t.Fatalf("push: %v", err)
				}
			}
			if dropped != tt.wantDropped || full != tt.wantFull {
				t.Errorf("dropped %d, full %d; want %d, %d", dropped, full, tt.wantDropped, tt.wantFull)
			}
			select {
			case <-q.wake:
			default:
				t.Error("no wake-up signal after push")
			}
			got := drain(q)
			if len(got) != len(tt.want) {
				t.Fatalf("queue = %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("item %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestQueueClear(t *testing.T) {
	q := newQueue(QueueSize)
	for i := 0; i < 10; i++ {
		if _, err := q.push(keyEv("KeyA")); err != nil {
			t.Fatal(err)
		}
	}
	if n := q.clear(); n != 10 || q.len() != 0 {
		t.Errorf("clear() = %d, len after = %d; want 10, 0", n, q.len())
	}
}

func TestPixel(t *testing.T) {
	tests := []struct {
		f    float64
		n    int
		want int
	}{
		{0, 1280, 0},
		{1, 1280, 1279},
		{0.5, 1280, 640}, // 639.5 rounds half away from zero
		{400.0 / 1279, 1280, 400},
		{1, 1, 0},
	}
	for _, tt := range tests {
		if got := pixel(tt.f, tt.n); got != tt.want {
			t.Errorf("pixel(%g, %d) = %d, want %d", tt.f, tt.n, got, tt.want)
		}
	}
}
