package scripts

import "errors"

var (
	// ErrNotGranted means the customer has not allowed commands to run.
	ErrNotGranted = errors.New("the customer has not allowed commands to run")
	// ErrBusy means a script runs already in this session: one at a time.
	ErrBusy = errors.New("a script is running already: wait for it or stop it")
	// ErrOutputFull means the session's script output reached its bound:
	// scripts are stopped rather than run unrecorded.
	ErrOutputFull = errors.New("the session's script output is full: scripts are stopped for the rest of this session")
	// ErrLanguage means this computer does not run the script's language.
	ErrLanguage = errors.New("this computer does not run scripts in this language")
	// ErrStopped means the technician stopped the script.
	ErrStopped = errors.New("stopped by the technician")
	// ErrSessionEnded means the session ended while the script ran.
	ErrSessionEnded = errors.New("the session ended")
	// ErrGrantTaken means the customer took back the grant while the
	// script ran.
	ErrGrantTaken = errors.New("the customer took back the permission to run commands")
)
