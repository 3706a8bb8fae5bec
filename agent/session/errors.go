package session

import "errors"

var (
	// ErrInvalidCode means the server knows no session for this code or PIN.
	ErrInvalidCode = errors.New("that code is not valid")
	// ErrExpired means the invitation expired before it was used.
	ErrExpired = errors.New("the invitation has expired")
	// ErrUsed means the invitation was already used.
	ErrUsed = errors.New("the invitation was already used")
	// ErrRateLimited means too many wrong codes came from this address.
	ErrRateLimited = errors.New("too many wrong codes")
	// ErrUnreachable means the support server could not be reached.
	ErrUnreachable = errors.New("cannot reach the support server")
	// ErrBadServer means the server address is not an http(s) URL.
	ErrBadServer = errors.New("bad server address")
	// ErrServer means the server failed to answer for now; trying again may work.
	ErrServer = errors.New("the support server could not answer now")
	// ErrConnectionLost means signaling dropped during the session.
	ErrConnectionLost = errors.New("connection to the support server lost")
	// ErrOtherTechnician means an offer's certificate names another
	// technician than the one the session belongs to.
	ErrOtherTechnician = errors.New("the connection's certificate is another technician's")
	// ErrNoTechnician means the server named no technician account for the
	// session, so no certificate can be checked against it.
	ErrNoTechnician = errors.New("the server named no technician for the session")
	// ErrOtherName means an offer's certificate names the technician
	// otherwise than the customer was shown.
	ErrOtherName = errors.New("the connection's certificate names another technician than the customer was shown")
)
