package store

import "errors"

var (
	// ErrNotFound means no record has that key.
	ErrNotFound = errors.New("not found")
	// ErrExists means a record with that key already exists.
	ErrExists = errors.New("already exists")
	// ErrOtherKind means a record is of another kind than the one asked
	// for (a customer's PIN where an external collaborator's was asked).
	ErrOtherKind = errors.New("record of another kind")
	// ErrConflict means a record kept changing under concurrent updates.
	ErrConflict = errors.New("record changed concurrently; try again")
	// ErrInvalid means a record breaks its limits or format.
	ErrInvalid = errors.New("invalid record")
	// ErrTooLarge means a record is over its size limit.
	ErrTooLarge = errors.New("record too large")
	// ErrLogFull means a session's running log reached its bounds.
	ErrLogFull = errors.New("the session log is full")
)
