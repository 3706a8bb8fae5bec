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

func TestKeyMap(t *testing.T) {
	for _, code := range []string{"KeyA", "KeyZ", "Digit0", "Digit9", "Enter", "ShiftLeft",
		"ControlLeft", "AltRight", "MetaLeft", "ArrowUp", "F5", "F12", "Backspace", "Tab",
		"Escape", "Space", "Minus", "Numpad0", "NumpadAdd"} {
		if _, ok := keyMap[code]; !ok {
			t.Errorf("keyMap lacks %q", code)
		}
	}
	for code, def := range keyMap {
		if def.keysym == 0 {
			t.Errorf("%s: no keysym", code)
		}
		// robotgo resolves single characters itself; longer names must be
		// ones it knows, or it silently does nothing.
		if len(def.name) > 1 && !robotgoNames[def.name] {
			t.Errorf("%s: robotgo name %q is not one robotgo maps to a keysym", code, def.name)
		}
	}
	if got := keyMap["KeyQ"]; got.name != "q" || got.keysym != 'q' {
		t.Errorf("KeyQ = %+v", got)
	}
	if got := keyMap["F24"]; got.name != "f24" || got.keysym != 0xffd5 {
		t.Errorf("F24 = %+v", got)
	}
}

// robotgoNames are the robotgo v1.0.0 key names whose X11 value is a real keysym.
var robotgoNames = map[string]bool{
	"enter": true, "tab": true, "space": true, "backspace": true, "delete": true,
	"escape": true, "insert": true, "home": true, "end": true, "pageup": true,
	"pagedown": true, "left": true, "up": true, "right": true, "down": true,
	"printscreen": true, "lshift": true, "rshift": true, "lctrl": true, "rctrl": true,
	"lalt": true, "ralt": true, "lcmd": true, "rcmd": true, "capslock": true,
	"num_lock": true, "num.": true,
	"num0": true, "num1": true, "num2": true, "num3": true, "num4": true,
	"num5": true, "num6": true, "num7": true, "num8": true, "num9": true,
	"f1": true, "f2": true, "f3": true, "f4": true, "f5": true, "f6": true, "f7": true,
	"f8": true, "f9": true, "f10": true, "f11": true, "f12": true, "f13": true,
	"f14": true, "f15": true, "f16": true, "f17": true, "f18": true, "f19": true,
	"f20": true, "f21": true, "f22": true, "f23": true, "f24": true,
}

func TestRuneKeysym(t *testing.T) {
	tests := map[rune]uint32{'a': 'a', '~': '~', 'é': 0xe9, '€': 0x010020ac, '日': 0x010065e5, '😀': 0x0101f600}
	for r, want := range tests {
		if got := uint32(runeKeysym(r)); got != want {
			t.Errorf("runeKeysym(%q) = %#x, want %#x", r, got, want)
		}
	}
}
