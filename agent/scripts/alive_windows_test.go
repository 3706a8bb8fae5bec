package scripts

import "golang.org/x/sys/windows"

// alive reports whether process pid runs.
func alive(pid int) bool {
	p, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return false
	}
	defer windows.CloseHandle(p)
	var code uint32
	if windows.GetExitCodeProcess(p, &code) != nil {
		return false
	}
	return code == 259 // STILL_ACTIVE
}
