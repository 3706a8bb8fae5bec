package protocol

import "errors"

// Sentinel errors returned (wrapped) by Decode.
var (
	// ErrTooLarge means the message exceeds MaxMessageSize.
	ErrTooLarge = errors.New("message too large")
	// ErrMalformed means the message is not valid JSON or does not fit its type.
	ErrMalformed = errors.New("malformed message")
	// ErrUnknownType means the envelope names a type this version does not know.
	ErrUnknownType = errors.New("unknown message type")
	// ErrBadPrograms means a list of private programs is too long or names
	// something that is not a program name.
	ErrBadPrograms = errors.New("private programs: not a list of program names")
	// ErrBadURL means a URL is not an absolute http(s) URL.
	ErrBadURL = errors.New("only http and https links can be sent")
	// ErrBadTerminal means a terminal's control message is malformed or asks
	// for a size outside the bounds.
	ErrBadTerminal = errors.New("terminal: bad control message")
	// ErrBadSysInfo means a system information request is malformed.
	ErrBadSysInfo = errors.New("system information: bad request")
	// ErrBadFileManager means a file manager request is malformed.
	ErrBadFileManager = errors.New("file manager: bad request")
	// ErrBadScript means a script run is malformed or over its bounds.
	ErrBadScript = errors.New("script: bad request")
	// ErrBadHours means a time window has a bad zone, day or hours.
	ErrBadHours = errors.New("time window: give a known time zone, days and a closing time after the opening time")
	// ErrBadDeviceKey means an unattended device's key is not an Ed25519
	// public key.
	ErrBadDeviceKey = errors.New("device key: not an Ed25519 public key")
	// ErrVersion means the envelope carries another protocol version.
	ErrVersion = errors.New("unsupported protocol version")
)

var errorsIs = errors.Is
