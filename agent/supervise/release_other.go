//go:build !linux && !windows

package supervise

// releaseInput has nothing to release on platforms without input injection.
func releaseInput(*Leftovers) error { return nil }
