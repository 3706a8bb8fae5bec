package screen

import (
	"errors"
	"testing"
)

// A failed capture on Windows is told apart by the input desktop's name and
// the session's lock state (what OpenInputDesktop/GetUserObjectInformation
// and WTSQuerySessionInformation report; Wine shows neither, so the cases
// are written here as Microsoft documents them).
func TestBlockedByTellsLockFromSecurePrompt(t *testing.T) {
	tests := []struct {
		name    string
		desktop string
		lock    lockState
		want    error
	}{
		{"locked workstation, Winlogon opened", "Winlogon", sessionLocked, ErrLocked},
		{"locked workstation, input desktop not opened", "", sessionLocked, ErrLocked},
		{"UAC prompt: Winlogon in an unlocked session", "Winlogon", sessionUnlocked, ErrSecureDesktop},
		{"UAC prompt: desktop refused in an unlocked session", "", sessionUnlocked, ErrSecureDesktop},
		{"Winlogon, lock state unknown", "winlogon", lockUnknown, ErrSecureDesktop},
		{"own desktop, capture refused (DRM)", "Default", sessionUnlocked, ErrUnreadable},
		{"own desktop, lock state unknown", "Default", lockUnknown, ErrUnreadable},
		{"screen saver", "Screen-saver", sessionUnlocked, ErrUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := blockedBy(tt.desktop, tt.lock); !errors.Is(got, tt.want) {
				t.Fatalf("blockedBy(%q, %v) = %v, want %v", tt.desktop, tt.lock, got, tt.want)
			}
		})
	}
}
