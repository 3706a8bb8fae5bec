package sysinfo

import "errors"

var (
	// ErrUnavailable means this system's information cannot be read yet.
	ErrUnavailable = errors.New("system information is not available on this computer yet")
	// ErrNoProcess means the process to end is not running (any more).
	ErrNoProcess = errors.New("that process is not running any more")
	// ErrNotPermitted means the agent's user may not end that process.
	ErrNotPermitted = errors.New("that process belongs to another user: the support program may not end it")
	// ErrOwnProcess means the process to end is the support program itself.
	ErrOwnProcess = errors.New("that process is the support program itself: end the session instead")
	// ErrNotGranted means the customer has not allowed system information.
	ErrNotGranted = errors.New("the customer has not allowed system information")
	// ErrBadProc means a /proc file could not be parsed.
	ErrBadProc = errors.New("unreadable /proc entry")
)

// Errors of the inventory tabs: sentences for the technician.
var (
	// ErrNeedsAdmin means the action needs administrator rights, which the
	// support program does not have.
	ErrNeedsAdmin = errors.New("this needs administrator rights: the support program does not run as administrator")
	// ErrNoServices means services cannot be listed (no systemd, no SCM).
	ErrNoServices = errors.New("services cannot be listed on this computer: its service manager does not answer (on Linux: systemd does not run)")
	// ErrNoService means the service named is not known.
	ErrNoService = errors.New("that service is not known on this computer")
	// ErrNoApplications means no package database was found.
	ErrNoApplications = errors.New("installed applications cannot be listed: no package database (dpkg, rpm) was found")
	// ErrNoModules means the kernel's modules cannot be read.
	ErrNoModules = errors.New("drivers cannot be listed: the kernel's module list cannot be read here")
	// ErrNoJournal means the event log cannot be read.
	ErrNoJournal = errors.New("the event log cannot be read on this computer")
	// ErrServiceFailed means the service manager refused the action.
	ErrServiceFailed = errors.New("the service manager refused")
)
