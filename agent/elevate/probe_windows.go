package elevate

import "golang.org/x/sys/windows"

// probe reads the facts of a Windows machine: the token's elevation, and
// whether the user is in Administrators (a filtered token of an
// administrator still lists the group, for deny only).
func probe() Facts {
	tok := windows.GetCurrentProcessToken()
	f := Facts{OS: "windows", Elevated: tok.IsElevated(), Desktop: true}
	sid, err := windows.CreateWellKnownSid(windows.WinBuiltinAdministratorsSid)
	if err == nil {
		if gs, err := tok.GetTokenGroups(); err == nil {
			for _, g := range gs.AllGroups() {
				if g.Sid.Equals(sid) {
					f.Admin = true
				}
			}
		}
	}
	return f
}
