package screen

import "strings"

// lockState is whether the customer's session is locked, as Windows'
// WTSQuerySessionInformation (WTSSessionInfoEx) reports it.
type lockState int

const (
	lockUnknown lockState = iota // the system does not say
	sessionLocked
	sessionUnlocked
)

// Desktop names of a Windows session's window station.
const (
	desktopDefault  = "Default"  // the user's own desktop
	desktopWinlogon = "Winlogon" // the lock screen, UAC prompts, Ctrl+Alt+Del
)

// blockedBy says why the screen could not be read, from what Windows tells:
// the name of the desktop that receives input now (inputDesktop, "" when it
// cannot be opened: a process of the user's session may not open
// Winlogon's) and whether the session is locked. The lock state decides
// first; a Winlogon desktop in a session not locked is a security prompt;
// the user's own desktop (a DRM-protected window, a driver error) or any
// other is unreadable. With neither known, the secure desktop is the likely
// cause: a capture fails on Default rarely.
func blockedBy(inputDesktop string, lock lockState) error {
	if lock == sessionLocked {
		return ErrLocked
	}
	switch {
	case inputDesktop == "" || strings.EqualFold(inputDesktop, desktopWinlogon):
		return ErrSecureDesktop
	default:
		return ErrUnreadable
	}
}
