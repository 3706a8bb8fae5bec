package fileman

import (
	"errors"
	"io/fs"
)

// Error is a refusal or failure the technician is told about: Code names it
// for the console's catalog (ws.fm.err.<code>), the text says it in English
// for logs and consoles without the catalog.
type Error struct {
	Code string
	text string
}

func (e *Error) Error() string { return e.text }

var (
	// ErrNotGranted means the customer has not allowed the file manager.
	ErrNotGranted = &Error{"not_granted", "the customer has not allowed the file manager"}
	// ErrBadPath means a path is not a full path (or holds a NUL byte).
	ErrBadPath = &Error{"bad_path", "that is not a full path on the customer's computer"}
	// ErrBadName means a new name is empty, . or .., or holds a separator.
	ErrBadName = &Error{"bad_name", "that name cannot be used: not empty, not . or .., and without a path separator"}
	// ErrTooLong means a name or path is longer than the system allows.
	ErrTooLong = &Error{"too_long", "that name or path is too long for the customer's computer"}
	// ErrNotFound means the path is not there (any more).
	ErrNotFound = &Error{"not_found", "it is not there any more: refresh the folder"}
	// ErrPermission means the customer's user may not do that there.
	ErrPermission = &Error{"permission", "permission denied: the customer's user may not do that there"}
	// ErrInUse means a program holds the file.
	ErrInUse = &Error{"in_use", "the file is in use by a program: close it and try again"}
	// ErrDiskFull means the customer's disk is full.
	ErrDiskFull = &Error{"disk_full", "the customer's disk is full"}
	// ErrExists means the destination is taken: nothing is ever replaced.
	ErrExists = &Error{"exists", "something of that name is already there"}
	// ErrNotDir means a folder was expected.
	ErrNotDir = &Error{"not_dir", "that is not a folder"}
	// ErrNotFile means only a regular file can be downloaded.
	ErrNotFile = &Error{"not_file", "only files can be downloaded, not folders"}
	// ErrIntoItself means a folder would be copied or moved into itself.
	ErrIntoItself = &Error{"into_itself", "a folder cannot go into itself"}
	// ErrProtected means the home folder or a disk's top is not to be changed.
	ErrProtected = &Error{"protected", "the customer's home folder and the top of the disk cannot be changed"}
	// ErrNoTrash means no trash can take that path: nothing was deleted.
	ErrNoTrash = &Error{"no_trash", "no trash for that place: nothing was deleted"}
	// ErrCancelled means the technician cancelled a copy or move: what it
	// made so far was removed.
	ErrCancelled = &Error{"cancelled", "cancelled by the technician: nothing was left half copied"}
	// ErrBusy means a transfer is already running.
	ErrBusy = &Error{"busy", "a file is already on its way: wait for it to finish"}
	// ErrNoTransfers means the file channels are not open (the technician
	// may not transfer files, or is not connected).
	ErrNoTransfers = &Error{"failed", "file transfers are not available in this session"}
)

// classify turns an error of the file system into one of the errors above.
func classify(err error) *Error {
	var e *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return e
	case inUse(err):
		return ErrInUse
	case diskFull(err):
		return ErrDiskFull
	case tooLong(err):
		return ErrTooLong
	case errors.Is(err, fs.ErrNotExist):
		return ErrNotFound
	case errors.Is(err, fs.ErrPermission):
		return ErrPermission
	case errors.Is(err, fs.ErrExist):
		return ErrExists
	case notDir(err):
		return ErrNotDir
	}
	return &Error{"failed", "that did not work on the customer's computer: " + err.Error()}
}
