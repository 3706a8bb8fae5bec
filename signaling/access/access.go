// Package access names what a technician may do: the permissions an
// administrator gives a technician group, checked by the server on every request
// and handed to the console so that it shows only what the technician may use.
package access

import (
	"encoding/json"
	"slices"
)

// Perm is one thing a technician may be allowed to do.
type Perm string

// Permissions, in the order the admin page lists them.
const (
	StartSessions Perm = "start_sessions"
	InvitePIN     Perm = "invite_pin"
	InviteLink    Perm = "invite_link"
	InviteEmail   Perm = "invite_email"
	View          Perm = "view"
	Control       Perm = "control"
	Files         Perm = "files"
	Clipboard     Perm = "clipboard"
	Drawing       Perm = "drawing"
	Recording     Perm = "recording"
	Transfer      Perm = "transfer"
	OtherQueues   Perm = "other_queues"
	// Terminal lets the technician ask for, and open, terminals on the
	// customer's machine.
	Terminal Perm = "terminal"
	// SysInfo lets the technician ask for, and read, the customer's system
	// information, and end processes there.
	SysInfo Perm = "sysinfo"
	// Scripts lets the technician run the administrator's scripts (those
	// their group may run) on the customer's machine.
	Scripts Perm = "scripts"
	// Collaborate lets the technician invite colleagues into their sessions.
	Collaborate Perm = "collaborate"
	// InviteExternal lets the technician invite someone with no account
	// into their sessions, by a link or a PIN: an external collaborator,
	// who gets a limited console with only what the technician grants.
	InviteExternal Perm = "invite_external"
	// Monitor makes the technician a group lead: they see the sessions of
	// the technicians of their own group and may watch one (view only,
	// after the customer allows it); an administrator, anyone's.
	Monitor Perm = "monitor"
	// FileManager lets the technician ask for, and use, the file manager:
	// browse, change and transfer the customer's files.
	FileManager Perm = "filemanager"
	// ShowScreen lets the technician show their own screen (a screen, window
	// or browser tab) to the customer, view only.
	ShowScreen Perm = "show_screen"
	// Voice lets the technician talk with the customer.
	Voice Perm = "voice"
	// Reboot lets the technician ask the customer to restart their
	// computer, the session reconnecting after it.
	Reboot Perm = "reboot"
	// Unattended lets the technician ask customers for unattended access,
	// and connect to the unattended computers of their group.
	Unattended Perm = "unattended"
	// Launcher lets the technician install, with the customer's
	// agreement, a "Get help" launcher on the customer's computer for a
	// channel their groups serve.
	Launcher Perm = "launcher"
)

// All lists every permission.
var All = []Perm{StartSessions, InvitePIN, InviteLink, InviteEmail, View, Control, Files, Clipboard, SysInfo, Terminal, FileManager, Scripts, Reboot, Drawing, Recording, ShowScreen, Voice, Transfer, Collaborate, InviteExternal, Monitor, OtherQueues, Unattended, Launcher}

// Valid reports whether p is a known permission.
func Valid(p Perm) bool { return slices.Contains(All, p) }

// Set is a set of permissions.
type Set map[Perm]bool

// Full returns a set with every permission.
func Full() Set {
	s := Set{}
	for _, p := range All {
		s[p] = true
	}
	return s
}

// Has reports whether p is in the set.
func (s Set) Has(p Perm) bool { return s[p] }

// List returns the permissions in the set in the order of All.
func (s Set) List() []Perm {
	var out []Perm
	for _, p := range All {
		if s[p] {
			out = append(out, p)
		}
	}
	return out
}

// JSON is the set as the console reads it: an object with every permission
// named, true or false.
func (s Set) JSON() string {
	m := map[Perm]bool{}
	for _, p := range All {
		m[p] = s[p]
	}
	b, _ := json.Marshal(m)
	return string(b)
}
