// Package win32 holds the few Windows API calls the agent makes that
// golang.org/x/sys/windows does not wrap (GDI capture, monitors, DPI
// awareness, SendInput, the clipboard, the event log), in one place, so that each feature's
// *_windows.go file stays about its feature. It has no code on other systems.
package win32
