//go:build !linux && !windows

package fileman

import "os"

// renameNoReplace renames src to dst unless something is at dst.
func renameNoReplace(src, dst string) error {
	if err := taken(dst); err != nil {
		return err
	}
	return os.Rename(src, dst)
}
