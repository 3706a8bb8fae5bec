package proxy

import "errors"

var (
	// ErrAuthRequired means the proxy asked for a user name and password
	// (407) and none were given: ask the customer, then try again.
	ErrAuthRequired = errors.New("the proxy asks for a user name and password")
	// ErrBadCredentials means the proxy refused the user name and password
	// it was given (407 again).
	ErrBadCredentials = errors.New("the proxy refused the user name and password")
	// ErrRefused means the proxy refused to connect to the server (403 and
	// any other answer than 200 or 407).
	ErrRefused = errors.New("the proxy refused the connection")
	// ErrUnreachable means the proxy itself could not be reached.
	ErrUnreachable = errors.New("cannot reach the proxy")
	// ErrBadProxy means the proxy setting is not an http://host:port address.
	ErrBadProxy = errors.New("bad proxy address")
)
