package server

import "errors"

// ErrPortBusy means an address signaling listens on is taken by another
// program; the error says which and the flag that moves it.
var ErrPortBusy = errors.New("port already in use")
