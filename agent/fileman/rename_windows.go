package fileman

import (
	"os"

	"golang.org/x/sys/windows"
)

// renameNoReplace renames src to dst, failing if dst exists, in one step
// (MoveFileEx without MOVEFILE_REPLACE_EXISTING; across volumes it copies).
func renameNoReplace(src, dst string) error {
	from, err := windows.UTF16PtrFromString(src)
	if err != nil {
		return ErrBadPath
	}
	to, err := windows.UTF16PtrFromString(dst)
	if err != nil {
		return ErrBadPath
	}
	if err := windows.MoveFileEx(from, to, windows.MOVEFILE_COPY_ALLOWED); err != nil {
		return &os.LinkError{Op: "rename", Old: src, New: dst, Err: err}
	}
	return nil
}
