package audit

import "errors"

var (
	// ErrPeerCapped means a session's peers have reported as many events as
	// the trail takes from them; the event was not written.
	ErrPeerCapped = errors.New("this session has reported too many audit events; further reports are not recorded")
	// ErrNotRecorded means the trail could not be written, so the action it
	// would have recorded must not happen: the trail has no holes.
	ErrNotRecorded = errors.New("the audit trail cannot be written now, so this was not done; an administrator should check the server's storage")
)
