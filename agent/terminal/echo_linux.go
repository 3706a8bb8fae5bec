package terminal

import "golang.org/x/sys/unix"

// ReadsSecret reads the terminal's modes from the pty: canonical input with
// echo off is a program reading a password. (A shell's line editor, readline,
// turns both off: commands typed at a prompt are kept.)
func (p *ptyShell) ReadsSecret() bool {
	rc, err := p.f.SyscallConn()
	if err != nil {
		return false
	}
	secret := false
	_ = rc.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		secret = err == nil && t.Lflag&unix.ICANON != 0 && t.Lflag&unix.ECHO == 0
	})
	return secret
}
