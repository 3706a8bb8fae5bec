package files

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// Exported errors of the transfers started for the file manager.
var (
	// ErrBusy means a file is already being sent that way.
	ErrBusy = errBusy
	// ErrNotConnected means the technician's file channels are not open.
	ErrNotConnected = errNotConnected
)

// expectFor is how long an upload the file manager announced waits for the
// technician's offer; maxExpected bounds those waiting.
const (
	expectFor   = time.Minute
	maxExpected = 8
)

// expected is an upload the file manager announced.
type expected struct {
	dir   string
	until time.Time
}

// Expect makes the technician's offer of transfer id go straight into the
// folder dir, without asking the customer: the file manager, which the
// customer allowed, checked dir and announced it. The file crosses as every
// other (temporary name, SHA-256 checked, the customer's log and the audit).
func (f *Feature) Expect(id, dir string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ctl == nil {
		return errNotConnected
	}
	now := time.Now()
	for k, e := range f.expect {
		if now.After(e.until) {
			delete(f.expect, k)
		}
	}
	if len(f.expect) >= maxExpected {
		return errBusy
	}
	if f.expect == nil {
		f.expect = map[string]expected{}
	}
	f.expect[id] = expected{dir: dir, until: now.Add(expectFor)}
	return nil
}

// takeExpected returns the folder announced for transfer id, if any, once.
// f.mu must be held.
func (f *Feature) takeExpectedLocked(id string) (string, bool) {
	e, ok := f.expect[id]
	delete(f.expect, id)
	if !ok || time.Now().After(e.until) {
		return "", false
	}
	return e.dir, true
}

// SendFile offers the file at path to the technician, as the customer's
// own page does, and sends it in the background; it returns its size.
func (f *Feature) SendFile(path string) (int64, error) {
	file, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	fi, err := file.Stat()
	if err != nil {
		file.Close()
		return 0, err
	}
	f.mu.Lock()
	busy, connected := f.out != nil, f.ctl != nil
	f.mu.Unlock()
	switch {
	case busy:
		file.Close()
		return 0, errBusy
	case !connected:
		file.Close()
		return 0, errNotConnected
	}
	go func() {
		defer file.Close()
		if err := f.send(context.Background(), filepath.Base(path), fi.Size(), file); err != nil {
			f.log.Info("file manager download not sent", "err", err)
		}
	}()
	return fi.Size(), nil
}
