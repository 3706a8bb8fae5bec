package protocol

import (
	"fmt"
	"slices"
	"strings"
)

// Bounds of the organisation's private programs (AgentWelcome.PrivatePrograms).
const (
	MaxPrivatePrograms = 32
	MaxProgramName     = 60
)

// CheckPrograms returns nil if names is a list of private programs the
// organisation may set, and an error wrapping ErrBadPrograms otherwise: at
// most MaxPrivatePrograms names, each of 1 to MaxProgramName lower-case
// letters, digits, '.', '-', '_' or '+' (what X11's WM_CLASS or a Windows
// executable's name says, lower-cased).
func CheckPrograms(names []string) error {
	if len(names) > MaxPrivatePrograms {
		return fmt.Errorf("%w: %d programs, at most %d", ErrBadPrograms, len(names), MaxPrivatePrograms)
	}
	for _, n := range names {
		if n == "" || len(n) > MaxProgramName || strings.IndexFunc(n, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_+", r))
		}) >= 0 {
			return fmt.Errorf("%w: %q", ErrBadPrograms, n)
		}
	}
	return nil
}

// ParsePrograms reads a list of programs as an administrator types it
// (names separated by commas, spaces or lines, in any case), lower-cased,
// without repeats, and checks it (CheckPrograms).
func ParsePrograms(s string) ([]string, error) {
	var names []string
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		if !slices.Contains(names, f) {
			names = append(names, f)
		}
	}
	return names, CheckPrograms(names)
}
