package identity

import "errors"

// Errors returned by the verification functions; each wraps into a refusal the
// customer sees as "the connection could not be verified".
var (
	// ErrMalformed means a certificate, key or signature cannot be decoded.
	ErrMalformed = errors.New("identity: malformed certificate or signature")
	// ErrUnknownSigner means the certificate is not signed by a key of the organisation.
	ErrUnknownSigner = errors.New("identity: certificate not signed by the organisation")
	// ErrExpired means the certificate is past its not-after time.
	ErrExpired = errors.New("identity: certificate expired")
	// ErrWrongKind means a certificate for an agent was presented as a technician's, or the reverse.
	ErrWrongKind = errors.New("identity: certificate of the wrong kind")
	// ErrBadSignature means the signature does not match the fingerprint, session and time.
	ErrBadSignature = errors.New("identity: signature does not match")
	// ErrStale means the signed time is too far from now.
	ErrStale = errors.New("identity: signature too old or from the future")
	// ErrReplayed means the signature's nonce was already used.
	ErrReplayed = errors.New("identity: signature replayed")
	// ErrFingerprint means the SDP has no DTLS fingerprint, or several different ones.
	ErrFingerprint = errors.New("identity: no single DTLS fingerprint in the SDP")
	// ErrOtherSession means an agent's certificate was made for another session.
	ErrOtherSession = errors.New("identity: certificate of another session")
	// ErrMissing means a peer that must prove its identity sent no proof.
	ErrMissing = errors.New("identity: no proof of identity")
)
