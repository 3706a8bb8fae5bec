package elevate

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// polkitAgents are the process names of the desktops' polkit
// authentication agents (GNOME Shell and KDE's Plasma carry their own).
var polkitAgents = []string{
	"polkit-gnome-au", "polkit-kde-auth", "polkit-mate-aut", "lxpolkit", "lxqt-policykit-", "xfce-polkit",
	"mate-polkit", "gnome-shell", "cinnamon", "hyprpolkitagent", "polkit-agent-he",
}

// probe reads the facts of a Linux machine.
func probe() Facts {
	f := Facts{OS: "linux", Elevated: os.Geteuid() == 0, Desktop: os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""}
	_, err := exec.LookPath("pkexec")
	f.Pkexec = err == nil
	f.PolkitAgent = agentRuns("/proc", os.Getuid())
	if u, err := user.Current(); err == nil {
		if gids, err := u.GroupIds(); err == nil {
			for _, gid := range gids {
				if g, err := user.LookupGroupId(gid); err == nil && slices.Contains([]string{"sudo", "wheel", "admin"}, g.Name) {
					f.Admin = true
				}
			}
		}
	}
	return f
}

// agentRuns reports whether a polkit authentication agent of user uid runs
// (its /proc/<pid>/comm, which the kernel cuts at 15 bytes).
func agentRuns(proc string, uid int) bool {
	es, _ := os.ReadDir(proc)
	for _, e := range es {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		comm, err := os.ReadFile(filepath.Join(proc, e.Name(), "comm"))
		if err != nil || !slices.Contains(polkitAgents, strings.TrimSpace(string(comm))) {
			continue
		}
		if fi, err := os.Stat(filepath.Join(proc, e.Name())); err == nil && owner(fi) == uid {
			return true
		}
	}
	return false
}
