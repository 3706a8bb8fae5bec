//go:build unix

package fileman

import (
	"errors"
	"syscall"
)

func inUse(err error) bool { return errors.Is(err, syscall.EBUSY) || errors.Is(err, syscall.ETXTBSY) }

func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

func tooLong(err error) bool { return errors.Is(err, syscall.ENAMETOOLONG) }

func notDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

func crossDevice(err error) bool { return errors.Is(err, syscall.EXDEV) }
