package congestion

import "errors"

// Sentinel errors returned (possibly wrapped) by this package.
var (
	// ErrUnknownStream means a packet came for an RTP stream the Pacer was
	// never given (a bug in the interceptor chain, not a network problem).
	ErrUnknownStream = errors.New("congestion: packet for an unknown RTP stream")
	// ErrClosed means the Pacer was closed; nothing more is sent.
	ErrClosed = errors.New("congestion: pacer closed")
)
