//go:build unix

package natsnode

import "syscall"

// freeSpace is the space left for unprivileged writes on dir's disk.
func freeSpace(dir string) (free uint64, known bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}
