//go:build unix

package scripts

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// alive reports whether process pid runs (a zombie waiting to be reaped
// has ended).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // not Linux: the signal is the answer
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
