//go:build linux

package elevate

import (
	"io/fs"
	"syscall"
)

// owner returns the user ID owning a /proc entry.
func owner(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}
