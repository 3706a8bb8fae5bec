package protocol

// Reboot and reconnect: the technician asks the customer to restart their
// computer (permission.request with PermissionReboot, the technician's
// reboot permission); the customer confirms on their page; the agent leaves
// a one-shot autostart entry bound to the session and tells the server
// (TypeAgentRebooting) before it runs the system's restart. The program the
// entry starts after the customer logs in again resumes the session with
// agent.hello's sid, secret and reboot, once the customer says yes.
const (
	// PermissionReboot is the customer's confirmation of a restart, asked
	// each time (a one-shot answer, no standing grant).
	PermissionReboot Permission = "reboot"
	// DeniedReboot: the technician's group does not allow restarting the
	// customer's computer.
	DeniedReboot = "reboot"

	// TypeAgentRebooting (agent → server) says the customer agreed and the
	// computer restarts now: the session shows Rebooting until the program
	// comes back or the server's limit ends it.
	TypeAgentRebooting Type = "agent.rebooting"
)

// AgentRebooting is the payload of TypeAgentRebooting.
type AgentRebooting struct {
	// SafeMode says the computer restarts in safe mode with networking
	// (Windows, when the agent runs as a service).
	SafeMode bool `json:"safeMode,omitempty"`
	// Failed says the system's restart could not be run after all: the
	// session goes back to what it was.
	Failed bool `json:"failed,omitempty"`
}

// PermissionReconnect names the question the program started after a
// restart asks the customer before it resumes the session ("Reconnect to
// ...?"); never a technician's to ask.
const PermissionReconnect Permission = "reconnect"
