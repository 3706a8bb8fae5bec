package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"

	"github.com/lifeline-support/lifeline/agent/indicator"
	"github.com/lifeline-support/lifeline/agent/overlay"
	"github.com/lifeline-support/lifeline/agent/privacy"
	"github.com/lifeline-support/lifeline/agent/win32"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

// newOverlay opens the drawing overlay: a topmost, click-through layered
// window over the virtual screen, below the indicator (created after it).
func newOverlay() (overlay.Backend, error) { return overlay.NewWin32() }

// newDesktop reads the windows of the customer's desktop, for private
// windows.
func newDesktop() (privacy.Desktop, error) { return privacy.NewWin32() }

// newIndicator shows the frame and badge as topmost windows that never
// take the focus; the process's windows go with it when it exits.
func newIndicator(onClick func(indicator.Zone)) (indicator.Display, error) {
	return indicator.NewWin32(onClick)
}

// checkSystem refuses Windows before 10, which the agent is not built nor
// tested for.
func checkSystem() error {
	if v := windows.RtlGetVersion(); v.MajorVersion < 10 {
		return fmt.Errorf("%w: Windows %d.%d", errOldWindows, v.MajorVersion, v.MinorVersion)
	}
	return nil
}

// tell shows msg to the customer: on the console, and in a message box when
// the console is the agent's own (double-clicked: it closes, unread, when
// the agent exits).
func tell(l i18n.Lang, msg string) {
	fmt.Fprintln(os.Stderr, msg)
	if win32.ConsoleProcesses() != 1 {
		return // no console (output redirected), or a terminal the customer started it from
	}
	text, err1 := windows.UTF16PtrFromString(msg)
	title, err2 := windows.UTF16PtrFromString(i18n.T(l, "agent.title"))
	if err1 != nil || err2 != nil {
		return
	}
	const mbOK, mbIconWarning, mbSetForeground = 0x0, 0x30, 0x10000
	_, _ = windows.MessageBox(0, text, title, mbOK|mbIconWarning|mbSetForeground)
}
