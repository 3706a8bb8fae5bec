package turn

import "errors"

var (
	// ErrNoServers means TURN was configured with neither an embedded server nor external URLs.
	ErrNoServers = errors.New("turn: no embedded server and no external TURN URL")
	// ErrBadUsername means a TURN username is not "<expiry>:<session>".
	ErrBadUsername = errors.New("turn: username is not <expiry>:<user>")
	// ErrExpired means the credentials' time is over: they make no new allocation.
	ErrExpired = errors.New("turn: credentials expired")
	// ErrSessionEnded means the session the credentials were issued for has
	// ended (or never existed): they work for nothing any more.
	ErrSessionEnded = errors.New("turn: the session of these credentials has ended")
	// ErrTCPRelayOff means a client asked for an RFC 6062 TCP relay, which
	// this server does not offer unless Config.TCPRelay is set.
	ErrTCPRelayOff = errors.New("turn: TCP relays are off on this server")
	// ErrPeerRefused means a relay was asked to reach an address it may not.
	ErrPeerRefused = errors.New("turn: peer address refused")
)
