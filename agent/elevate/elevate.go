// Package elevate decides whether the support program can be given
// administrator rights on the customer's machine, and if not, why, in a
// sentence for the technician. The facts are read per OS (probe_*.go);
// the decision is one pure function of them (Decide), so every case is
// tested on any OS. Restarting the agent elevated is not built yet: today
// the decision is shown, and a refusal says what is missing.
package elevate

import "errors"

// Methods of elevation (Decision.Method).
const (
	// MethodPkexec: polkit's pkexec, whose authentication agent asks the
	// customer in their session.
	MethodPkexec = "pkexec"
	// MethodRunAs: Windows' UAC prompt ("runas"), a consent prompt for an
	// administrator, a credentials prompt otherwise.
	MethodRunAs = "runas"
)

var (
	// ErrAlready means the support program runs with administrator rights
	// already.
	ErrAlready = errors.New("the support program already runs with administrator rights")
	// ErrNoPkexec means polkit's pkexec is not installed.
	ErrNoPkexec = errors.New("administrator rights cannot be asked for: polkit (pkexec) is not installed on the customer's computer")
	// ErrNoAgent means no polkit authentication agent runs in the
	// customer's session: nothing could show them the system's prompt.
	ErrNoAgent = errors.New("administrator rights cannot be asked for: no polkit authentication agent runs in the customer's session to show the system's prompt")
	// ErrNoDesktop means the customer's session cannot show a prompt (no
	// interactive desktop).
	ErrNoDesktop = errors.New("administrator rights cannot be asked for: the customer's session has no desktop to show the system's prompt")
	// ErrUnsupported means this system has no way of elevation built in.
	ErrUnsupported = errors.New("administrator rights cannot be asked for on this system yet")
)

// Facts are what the decision rests on, read from the machine.
type Facts struct {
	// OS is "linux", "windows" or another GOOS.
	OS string
	// Elevated: the agent runs as root, or with an elevated token.
	Elevated bool
	// Pkexec: pkexec is installed (Linux).
	Pkexec bool
	// PolkitAgent: a polkit authentication agent runs in the customer's
	// session (Linux).
	PolkitAgent bool
	// Desktop: the customer's session is interactive (a display on Linux,
	// an interactive window station on Windows).
	Desktop bool
	// Admin: the customer's user may become administrator themselves (a
	// member of sudo/wheel/admin; of Administrators on Windows). When not,
	// the system's prompt asks for an administrator's credentials, which
	// the customer types themselves (never sent to the technician).
	Admin bool
}

// Decision says whether and how elevation can be asked for.
type Decision struct {
	// Method is how (MethodPkexec, MethodRunAs), when Err is nil.
	Method string
	// Credentials: the system's prompt will ask for an administrator's
	// name and password (the customer is not one): someone who knows them
	// types them on the customer's machine.
	Credentials bool
	// Err says why not, in a sentence for the technician.
	Err error
}

// Decide decides from f.
func Decide(f Facts) Decision {
	switch {
	case f.Elevated:
		return Decision{Err: ErrAlready}
	case f.OS != "linux" && f.OS != "windows":
		return Decision{Err: ErrUnsupported}
	case !f.Desktop:
		return Decision{Err: ErrNoDesktop}
	case f.OS == "windows":
		return Decision{Method: MethodRunAs, Credentials: !f.Admin}
	case !f.Pkexec:
		return Decision{Err: ErrNoPkexec}
	case !f.PolkitAgent:
		return Decision{Err: ErrNoAgent}
	}
	return Decision{Method: MethodPkexec, Credentials: !f.Admin}
}

// Check reads the machine's facts and decides.
func Check() Decision { return Decide(probe()) }
