// Package input injects the technician's keyboard and mouse input on the
// customer's desktop: on X11 with robotgo and XTEST (robot_linux.go), on
// Windows with SendInput (robot_windows.go). Keys travel by physical
// position (scan codes), so the customer's own layout decides the
// character; text travels as characters.
package input
