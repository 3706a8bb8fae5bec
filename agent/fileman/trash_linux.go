package fileman

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// moveToTrash moves path to the XDG trash (freedesktop.org Trash
// specification 1.0): the home trash ($XDG_DATA_HOME/Trash) when path is on
// the same disk, else the disk's own $topdir/.Trash-$uid. An info file
// (Path, DeletionDate) is written first, under a name reserved with O_EXCL,
// so the desktop's trash can restore it.
func moveToTrash(path string) error {
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	dev := st.Sys().(*syscall.Stat_t).Dev
	trash, err := homeTrash()
	if err != nil || !sameDevice(trash, dev) {
		top := topDir(path, dev)
		trash = filepath.Join(top, fmt.Sprintf(".Trash-%d", os.Getuid()))
	}
	for _, d := range []string{trash, filepath.Join(trash, "files"), filepath.Join(trash, "info")} {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return ErrNoTrash
		}
	}
	if !sameDevice(trash, dev) {
		return ErrNoTrash
	}
	base := filepath.Base(path)
	for i := 0; i < 1000; i++ {
		name := trashName(base, i)
		info := filepath.Join(trash, "info", name+".trashinfo")
		f, err := os.OpenFile(info, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(f, "[Trash Info]\nPath=%s\nDeletionDate=%s\n", escapePath(path), time.Now().Format("2006-01-02T15:04:05"))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(path, filepath.Join(trash, "files", name))
		}
		if err != nil {
			_ = os.Remove(info)
			return err
		}
		return nil
	}
	return ErrNoTrash
}

// trashName is the i-th name tried for base in the trash, short enough for
// its ".trashinfo" file.
func trashName(base string, i int) string {
	suffix := ""
	if i > 0 {
		suffix = fmt.Sprintf(".%d", i)
	}
	limit := maxName - len(".trashinfo") - len(suffix)
	if len(base) > limit {
		base = base[:limit]
	}
	return base + suffix
}

// homeTrash is $XDG_DATA_HOME/Trash, by default ~/.local/share/Trash.
func homeTrash() (string, error) {
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" || !filepath.IsAbs(data) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		data = filepath.Join(home, ".local", "share")
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return "", err
	}
	return filepath.Join(data, "Trash"), nil
}

// sameDevice reports whether p (or, if p is not there yet, its folder) is on
// device dev.
func sameDevice(p string, dev uint64) bool {
	st, err := os.Stat(p)
	if err != nil {
		st, err = os.Stat(filepath.Dir(p))
		if err != nil {
			return false
		}
	}
	return st.Sys().(*syscall.Stat_t).Dev == dev
}

// topDir is the top folder of path's disk: the highest ancestor on dev.
func topDir(path string, dev uint64) string {
	top := filepath.Dir(path)
	for {
		up := filepath.Dir(top)
		if up == top {
			return top
		}
		st, err := os.Stat(up)
		if err != nil || st.Sys().(*syscall.Stat_t).Dev != dev {
			return top
		}
		top = up
	}
}

// escapePath writes path as the trash info's Path key wants it: bytes other
// than unreserved characters and "/" percent-encoded (RFC 2396).
func escapePath(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~/!*'()", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
