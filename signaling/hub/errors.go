package hub

import "errors"

// errTooManyAudits refuses audit reports past maxAudits on one connection.
var errTooManyAudits = errors.New("too many audit reports on this connection")
