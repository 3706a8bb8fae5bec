//go:build unix && !linux

package terminal

// ReadsSecret cannot read the terminal's modes here: typed keys are kept.
func (p *ptyShell) ReadsSecret() bool { return false }
