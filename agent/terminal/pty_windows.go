package terminal

// defaultShell is cmd.exe's name; terminals are not available on Windows yet.
func defaultShell() string { return "cmd.exe" }

// startShell refuses: the Windows agent has no ConPTY terminal yet, and the
// technician is told so in a sentence (ErrUnavailable).
func startShell(string, int, int) (shellProc, error) { return nil, ErrUnavailable }
