package protocol

import (
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf8"
)

// Data channel labels. Each concern has its own channel with its own reliability.
const (
	// ChannelInput carries keys, buttons, wheel and text: reliable and ordered.
	ChannelInput = "input"
	// ChannelPointer carries pointer moves: unordered, no retransmits.
	ChannelPointer = "pointer"
)

// InputKind names one kind of input event.
type InputKind string

// Input event kinds.
const (
	InputMove   InputKind = "move"   // pointer moved to X, Y
	InputButton InputKind = "button" // Button pressed (Down) or released at X, Y
	InputWheel  InputKind = "wheel"  // wheel scrolled by DX, DY notches at X, Y
	InputKey    InputKind = "key"    // key named by Code pressed (Down) or released
	// InputScan presses (Down) or releases the key at the physical position
	// Code on the customer's keyboard, whatever character the customer's layout
	// puts there ("remote" keyboard mode).
	InputScan InputKind = "scan"
	InputText InputKind = "text" // Text typed as characters (any Unicode)
)

// Mouse buttons, as numbered by the DOM's MouseEvent.button.
const (
	ButtonLeft   = 0
	ButtonMiddle = 1
	ButtonRight  = 2
)

// MaxInputSize bounds one input message on a data channel, in bytes.
const MaxInputSize = 4 << 10

// InputEvent is one message on the input or pointer data channel. X and Y are
// fractions of the streamed screen (0 is the left or top edge, 1 the right or
// bottom edge), so the console's scaling never matters to the agent.
type InputEvent struct {
	Kind   InputKind `json:"k"`
	X      float64   `json:"x,omitempty"`
	Y      float64   `json:"y,omitempty"`
	Button int       `json:"b,omitempty"`
	Down   bool      `json:"d,omitempty"`
	DX     int       `json:"dx,omitempty"`
	DY     int       `json:"dy,omitempty"`
	// Code is a DOM KeyboardEvent.code such as "KeyA", "Enter" or "ControlLeft".
	Code string `json:"c,omitempty"`
	Text string `json:"t,omitempty"`
}

// DecodeInput parses and validates one input event.
func DecodeInput(data []byte) (InputEvent, error) {
	var ev InputEvent
	if len(data) > MaxInputSize {
		return ev, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	if err := strict(data, &ev); err != nil {
		return ev, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := ev.validate(); err != nil {
		return ev, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return ev, nil
}

// EncodeInput returns the wire form of an input event.
func EncodeInput(ev InputEvent) ([]byte, error) { return json.Marshal(ev) }

func (ev *InputEvent) validate() error {
	inUnit := func(f float64) bool { return !math.IsNaN(f) && f >= 0 && f <= 1 }
	switch ev.Kind {
	case InputMove, InputButton, InputWheel:
		if !inUnit(ev.X) || !inUnit(ev.Y) {
			return fmt.Errorf("position out of range")
		}
	case InputKey, InputScan:
		if ev.Code == "" || len(ev.Code) > 32 {
			return fmt.Errorf("bad key code")
		}
	case InputText:
		if ev.Text == "" || len(ev.Text) > 1024 || !utf8.ValidString(ev.Text) {
			return fmt.Errorf("bad text")
		}
	default:
		return fmt.Errorf("unknown input kind %q", ev.Kind)
	}
	if ev.Kind == InputButton && (ev.Button < 0 || ev.Button > 2) {
		return fmt.Errorf("unknown button %d", ev.Button)
	}
	if ev.DX < -100 || ev.DX > 100 || ev.DY < -100 || ev.DY > 100 {
		return fmt.Errorf("wheel step out of range")
	}
	return nil
}
