package peer

import "errors"

// Sentinel errors returned (possibly wrapped) by this package.
var (
	// ErrNoInputHandler means Config.OnInput is nil; the agent must say what to do with input.
	ErrNoInputHandler = errors.New("peer: Config.OnInput must not be nil")
	// ErrNoScreen means X screen 0 of DISPLAY cannot be captured: no X server, or
	// one without shared memory or 24-bit colour (the wrapped error says which).
	ErrNoScreen = errors.New("peer: no screen to capture; start the agent with DISPLAY set to a running X server")
	// ErrNotOffer means Answer was given a session description that is not an offer.
	ErrNotOffer = errors.New("peer: the technician's session description is not an offer")
	// ErrNoVP8 means the technician's browser did not accept VP8 video.
	ErrNoVP8 = errors.New("peer: the browser's offer has no VP8 video; use a browser that supports VP8")
	// ErrClosed means the Peer was already closed (by Close or because the connection failed).
	ErrClosed = errors.New("peer: closed")
	// ErrNoBitRateControl means the video encoder cannot change its bit rate while
	// running; the quality preset then changes only frame rate, size and colour.
	ErrNoBitRateControl = errors.New("peer: the video encoder cannot change its bit rate")
)
