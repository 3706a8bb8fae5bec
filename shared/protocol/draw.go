package protocol

import (
	"fmt"
	"regexp"
)

// Data channels of the in-session tools. The console creates them all, before
// its offer; each is reliable and ordered.
//
//   - ChannelDraw ("draw"): console → agent, text messages, each one DrawMessage
//     (DecodeDraw). The agent draws only while the customer allows viewing.
//   - ChannelScreenshot ("screenshot"): console → agent ScreenshotMessage
//     {"k":"request","id":ID}; the agent answers {"k":"begin","id":ID,"size":N,
//     "w":W,"h":H}, then binary messages of at most MaxScreenshotChunk bytes
//     that are the PNG file in order, then {"k":"end","id":ID}; or
//     {"k":"error","id":ID,"reason":R} at any point. One screenshot at a time.
//   - ChannelRecording ("recording"): console → agent RecordingNotice
//     {"rec":true} before the console starts recording and {"rec":false} once
//     it has stopped; the agent shows the notice to the customer, then answers
//     with the same message and "ack":true. The console starts recording only
//     after that answer.
const (
	ChannelDraw       = "draw"
	ChannelScreenshot = "screenshot"
	ChannelRecording  = "recording"
)

// Limits of the drawing and capture tools.
const (
	// MaxDrawMessage bounds one message on the draw channel, in bytes.
	MaxDrawMessage = 16 << 10
	// MaxDrawPoints bounds the points of one stroke message; a longer stroke is
	// sent as several messages with the same ID.
	MaxDrawPoints = 256
	// MinStrokeWidth and MaxStrokeWidth bound a stroke's width, in pixels of
	// the customer's screen.
	MinStrokeWidth, MaxStrokeWidth = 1, 32
	// MaxScreenshot bounds a screenshot's PNG file (an 8K screen fits).
	MaxScreenshot = 256 << 20
	// MaxScreenshotChunk bounds one binary message of a screenshot.
	MaxScreenshotChunk = 64 << 10
	// maxCaptureMessage bounds one text message on the screenshot or recording channel.
	maxCaptureMessage = 1024
)

// DrawKind names what a draw message does.
type DrawKind string

// Draw message kinds.
const (
	// DrawStroke adds Points to the stroke ID (created with Color and Width by
	// its first message).
	DrawStroke DrawKind = "stroke"
	// DrawClear erases every stroke.
	DrawClear DrawKind = "clear"
	// DrawLaser shows the laser dot at X, Y (or moves it there).
	DrawLaser DrawKind = "laser"
	// DrawLaserOff hides the laser dot.
	DrawLaserOff DrawKind = "laser_off"
)

// DrawMessage is one message on the draw channel. Positions are fractions of
// the customer's screen, 0 to 1, as for input events.
type DrawMessage struct {
	Kind   DrawKind  `json:"k"`
	ID     string    `json:"id,omitempty"`
	Color  string    `json:"c,omitempty"`
	Width  int       `json:"w,omitempty"`
	Points []float64 `json:"p,omitempty"` // x0, y0, x1, y1, …
	X      float64   `json:"x,omitempty"`
	Y      float64   `json:"y,omitempty"`
}

var colorRE = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// DecodeDraw parses and validates one draw message.
func DecodeDraw(data []byte) (DrawMessage, error) {
	var m DrawMessage
	if len(data) > MaxDrawMessage {
		return m, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	if err := strict(data, &m); err != nil {
		return m, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch m.Kind {
	case DrawStroke:
		switch {
		case m.ID == "" || len(m.ID) > 64:
			return m, fmt.Errorf("%w: bad stroke id", ErrMalformed)
		case !colorRE.MatchString(m.Color):
			return m, fmt.Errorf("%w: colour %q is not #rrggbb", ErrMalformed, m.Color)
		case m.Width < MinStrokeWidth || m.Width > MaxStrokeWidth:
			return m, fmt.Errorf("%w: width %d", ErrMalformed, m.Width)
		case len(m.Points) == 0 || len(m.Points)%2 != 0:
			return m, fmt.Errorf("%w: %d coordinates", ErrMalformed, len(m.Points))
		case len(m.Points) > 2*MaxDrawPoints:
			return m, fmt.Errorf("%w: %d points", ErrTooLarge, len(m.Points)/2)
		}
		for _, v := range m.Points {
			if !fraction(v) {
				return m, fmt.Errorf("%w: coordinate %v outside the screen", ErrMalformed, v)
			}
		}
	case DrawLaser:
		if !fraction(m.X) || !fraction(m.Y) {
			return m, fmt.Errorf("%w: laser outside the screen", ErrMalformed)
		}
	case DrawClear, DrawLaserOff:
	default:
		return m, fmt.Errorf("%w: unknown draw kind %q", ErrMalformed, m.Kind)
	}
	return m, nil
}

func fraction(v float64) bool { return v >= 0 && v <= 1 }

// ScreenshotKind names a message on the screenshot channel.
type ScreenshotKind string

// Screenshot message kinds.
const (
	ScreenshotRequest ScreenshotKind = "request"
	ScreenshotBegin   ScreenshotKind = "begin"
	ScreenshotEnd     ScreenshotKind = "end"
	ScreenshotError   ScreenshotKind = "error"
)

// Reasons of a ScreenshotError.
const (
	// ScreenshotNotAllowed: the customer does not allow viewing.
	ScreenshotNotAllowed = "not_allowed"
	// ScreenshotBusy: another screenshot is on its way.
	ScreenshotBusy = "busy"
	// ScreenshotFailed: the screen could not be read or encoded.
	ScreenshotFailed = "failed"
)

// ScreenshotMessage is one text message on the screenshot channel.
type ScreenshotMessage struct {
	Kind   ScreenshotKind `json:"k"`
	ID     string         `json:"id"`
	Size   int            `json:"size,omitempty"`
	W      int            `json:"w,omitempty"`
	H      int            `json:"h,omitempty"`
	Reason string         `json:"reason,omitempty"`
}

// DecodeScreenshot parses and validates one screenshot channel text message.
func DecodeScreenshot(data []byte) (ScreenshotMessage, error) {
	var m ScreenshotMessage
	if len(data) > maxCaptureMessage {
		return m, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	if err := strict(data, &m); err != nil {
		return m, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if m.ID == "" || len(m.ID) > 64 {
		return m, fmt.Errorf("%w: bad id", ErrMalformed)
	}
	switch m.Kind {
	case ScreenshotRequest, ScreenshotEnd:
	case ScreenshotBegin:
		if m.Size <= 0 || m.Size > MaxScreenshot || m.W <= 0 || m.H <= 0 || m.W > 1<<15 || m.H > 1<<15 {
			return m, fmt.Errorf("%w: screenshot of %d bytes, %dx%d", ErrMalformed, m.Size, m.W, m.H)
		}
	case ScreenshotError:
		switch m.Reason {
		case ScreenshotNotAllowed, ScreenshotBusy, ScreenshotFailed:
		default:
			return m, fmt.Errorf("%w: unknown reason %q", ErrMalformed, m.Reason)
		}
	default:
		return m, fmt.Errorf("%w: unknown screenshot kind %q", ErrMalformed, m.Kind)
	}
	return m, nil
}

// RecordingNotice tells the customer that the technician starts (Recording
// true) or has stopped recording the session. The agent echoes it with Ack set
// once the customer has been told.
type RecordingNotice struct {
	Recording bool `json:"rec"`
	Ack       bool `json:"ack,omitempty"`
}

// DecodeRecording parses and validates one recording notice.
func DecodeRecording(data []byte) (RecordingNotice, error) {
	var n RecordingNotice
	if len(data) > maxCaptureMessage {
		return n, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	if err := strict(data, &n); err != nil {
		return n, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return n, nil
}
