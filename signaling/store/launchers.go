package store

import (
	"context"
	"time"
)

// bucketLaunchers holds the "Get help" launchers installed on customers'
// computers, keyed by launcher ID.
const bucketLaunchers = "lifeline_launchers"

// Launcher is a "Get help" launcher installed on a customer's computer in
// a session, with the customer's agreement: one click on it asks for help
// on Channel, and the request's queue entry names the computer.
type Launcher struct {
	// ID is random, made by the server at install; it labels the
	// computer's requests and opens nothing else.
	ID      string `json:"id"`
	Channel string `json:"channel"`
	// Host and OS are the computer's names at install; Customer the
	// customer's name in that session.
	Host     string `json:"host"`
	OS       string `json:"os,omitempty"`
	Customer string `json:"customer,omitempty"`
	// InstalledBy and Installed: the technician (ID) who installed it, when.
	InstalledBy string    `json:"installedBy"`
	Installed   time.Time `json:"installed"`
	// HelpedBy and Helped: the technician (name) who last helped this
	// computer through a session of the launcher's, or installed it; when.
	HelpedBy string    `json:"helpedBy"`
	Helped   time.Time `json:"helped"`
	// Removed is when the customer removed it from the computer.
	Removed time.Time `json:"removed,omitzero"`
}

// PutLauncher stores a new launcher; ErrExists if its ID is taken.
func (s *Store) PutLauncher(ctx context.Context, l Launcher) error {
	return create(ctx, s.launchers, l.ID, l)
}

// Launcher reads one launcher; ErrNotFound if none.
func (s *Store) Launcher(ctx context.Context, id string) (Launcher, error) {
	var l Launcher
	_, err := get(ctx, s.launchers, id, &l)
	return l, err
}

// UpdateLauncher changes a launcher with compare-and-set.
func (s *Store) UpdateLauncher(ctx context.Context, id string, fn func(*Launcher) error) (Launcher, error) {
	return update(ctx, s.launchers, id, fn)
}
