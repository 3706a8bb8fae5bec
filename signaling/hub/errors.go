package hub

import "errors"

// errAlreadyClosed aborts a session update when the session has ended meanwhile.
var errAlreadyClosed = errors.New("session already closed")
