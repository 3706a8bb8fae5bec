package fileman

import (
	"errors"
	"syscall"
)

// Windows error codes (winerror.h).
const (
	errorNotSameDevice    syscall.Errno = 17
	errorSharingViolation syscall.Errno = 32
	errorLockViolation    syscall.Errno = 33
	errorHandleDiskFull   syscall.Errno = 39
	errorDiskFull         syscall.Errno = 112
	errorFilenameExcRange syscall.Errno = 206
	errorDirectory        syscall.Errno = 267
)

func inUse(err error) bool {
	return errors.Is(err, errorSharingViolation) || errors.Is(err, errorLockViolation)
}

func diskFull(err error) bool {
	return errors.Is(err, errorDiskFull) || errors.Is(err, errorHandleDiskFull)
}

func tooLong(err error) bool { return errors.Is(err, errorFilenameExcRange) }

func notDir(err error) bool { return errors.Is(err, errorDirectory) }

func crossDevice(err error) bool { return errors.Is(err, errorNotSameDevice) }
