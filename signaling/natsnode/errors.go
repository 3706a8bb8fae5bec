package natsnode

import "errors"

var (
	// ErrNotReady means the embedded server did not start in time.
	ErrNotReady = errors.New("embedded NATS server did not become ready")
	// ErrStorageFailed means JetStream cannot write to its data directory,
	// most often because the disk is full.
	ErrStorageFailed = errors.New("JetStream cannot write to its data directory (is the disk full?)")
)
