//go:build !linux && !windows

package fileman

// moveToTrash has no trash to use on this system yet: nothing is deleted.
func moveToTrash(string) error { return ErrNoTrash }
