package protocol

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The workspace's tools: a terminal on the customer's machine and its system
// information. Each needs its own technician permission (Denied*) and the
// customer's grant (Permission*); the agent refuses the channel otherwise.
const (
	// PermissionTerminal lets the technician run commands in terminals.
	PermissionTerminal Permission = "terminal"
	// PermissionSysInfo lets the technician see the system information and
	// end processes.
	PermissionSysInfo Permission = "sysinfo"

	// DeniedTerminal: the technician's group does not allow terminals.
	DeniedTerminal = "terminal"
	// DeniedSysInfo: the technician's group does not allow system information.
	DeniedSysInfo = "sysinfo"

	// ChannelTerminalPrefix starts the label of each terminal's data channel
	// ("terminal:<id>"), reliable and ordered. Binary messages carry the
	// terminal's bytes both ways; text messages carry TerminalControl.
	ChannelTerminalPrefix = "terminal:"
	// ChannelSysInfo carries SysInfoRequest (console → agent) and
	// SysInfoReply (agent → console) as JSON text; reliable, ordered.
	ChannelSysInfo = "sysinfo"
)

// Log entry kind of a terminal's transcript: written by the agent only,
// escape sequences stripped (see TerminalTranscript).
const LogTerminal = "terminal"

// Bounds of the terminal.
const (
	// MaxTerminalCols and MaxTerminalRows bound a terminal's size.
	MaxTerminalCols = 1000
	MaxTerminalRows = 500
	// MaxTerminals bounds the terminals open at once in a session.
	MaxTerminals = 8
	// MaxTerminalInput bounds one message of keys sent to a terminal, in bytes.
	MaxTerminalInput = 64 << 10
	// MaxTerminalID bounds a terminal's ID (after the channel prefix).
	MaxTerminalID = 64
)

// TerminalControl is a text message on a terminal's channel.
type TerminalControl struct {
	// Type is "resize" (console → agent), or "exit" (agent → console: the
	// shell ended; Code is its exit status) or "error" (agent → console:
	// Text says why the terminal could not start).
	Type string `json:"type"`
	Cols int    `json:"cols,omitempty"`
	Rows int    `json:"rows,omitempty"`
	Code int    `json:"code,omitempty"`
	Text string `json:"text,omitempty"`
}

// TerminalID returns the ID of a terminal channel's label, and whether the
// label names a terminal channel with a valid ID.
func TerminalID(label string) (string, bool) { return channelID(ChannelTerminalPrefix, label) }

// channelID returns the ID after prefix in a tool channel's label: 1 to
// MaxTerminalID letters, digits, '-' or '_'.
func channelID(prefix, label string) (string, bool) {
	id, ok := strings.CutPrefix(label, prefix)
	if !ok || id == "" || len(id) > MaxTerminalID {
		return "", false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "", false
		}
	}
	return id, true
}

// DecodeTerminalControl parses and validates a console's control message:
// only a resize within MaxTerminalCols × MaxTerminalRows.
func DecodeTerminalControl(data []byte) (TerminalControl, error) {
	var c TerminalControl
	if len(data) > 1024 {
		return c, fmt.Errorf("%w: control message of %d bytes", ErrBadTerminal, len(data))
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("%w: %v", ErrBadTerminal, err)
	}
	if c.Type != "resize" {
		return c, fmt.Errorf("%w: unknown control %q", ErrBadTerminal, c.Type)
	}
	if c.Cols < 1 || c.Rows < 1 || c.Cols > MaxTerminalCols || c.Rows > MaxTerminalRows {
		return c, fmt.Errorf("%w: size %d×%d outside 1×1 to %d×%d", ErrBadTerminal, c.Cols, c.Rows, MaxTerminalCols, MaxTerminalRows)
	}
	return c, nil
}

// System information requests (SysInfoRequest.Op).
const (
	SysInfoDashboard = "dashboard"
	SysInfoProcesses = "processes"
	SysInfoKill      = "kill"
	// The inventory tabs: one page of Entries each.
	SysInfoServices     = "services"
	SysInfoApplications = "applications"
	SysInfoStartup      = "startup"
	SysInfoDrivers      = "drivers"
	SysInfoEvents       = "events"
	// SysInfoService starts, stops or restarts the service Name (Action).
	SysInfoService = "service"
)

// Service actions (SysInfoRequest.Action).
const (
	ServiceStart   = "start"
	ServiceStop    = "stop"
	ServiceRestart = "restart"
)

// Event log levels (SysInfoRequest.Level): the most minor priority shown.
const (
	LevelError   = "error"
	LevelWarning = "warning"
	LevelInfo    = "info"
)

// MaxEntryPage bounds the entries of one SysInfoReply; MaxEvents bounds the
// newest events read (filtered and paged by the agent).
const (
	MaxEntryPage = 500
	MaxEvents    = 5000
)

// inventoryOp reports whether op lists an inventory tab's Entries.
func inventoryOp(op string) bool {
	switch op {
	case SysInfoServices, SysInfoApplications, SysInfoStartup, SysInfoDrivers, SysInfoEvents:
		return true
	}
	return false
}

// MaxProcessPage bounds the processes of one SysInfoReply.
const MaxProcessPage = 500

// SysInfoRequest is a console's request on ChannelSysInfo.
type SysInfoRequest struct {
	// ID is echoed in the reply.
	ID string `json:"id"`
	Op string `json:"op"`
	// Page and Sort, Desc and Filter choose the processes listed (Op
	// processes): sorted by the agent, MaxProcessPage per page.
	Page   int    `json:"page,omitempty"`
	Sort   string `json:"sort,omitempty"`
	Desc   bool   `json:"desc,omitempty"`
	Filter string `json:"filter,omitempty"`
	// PID names the process to end (Op kill).
	PID int `json:"pid,omitempty"`
	// Name and Action: the service and what to do (Op service).
	Name   string `json:"name,omitempty"`
	Action string `json:"action,omitempty"`
	// Level filters the event log (Op events): "" shows every priority.
	Level string `json:"level,omitempty"`
}

// Process sort keys (SysInfoRequest.Sort).
const (
	SortName = "name"
	SortPID  = "pid"
	SortUser = "user"
	SortCPU  = "cpu"
	SortMem  = "mem"
)

// DecodeSysInfoRequest parses and validates one request.
func DecodeSysInfoRequest(data []byte) (SysInfoRequest, error) {
	var r SysInfoRequest
	if len(data) > 4096 {
		return r, fmt.Errorf("%w: request of %d bytes", ErrBadSysInfo, len(data))
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("%w: %v", ErrBadSysInfo, err)
	}
	switch {
	case len(r.ID) > 64:
		return r, fmt.Errorf("%w: id too long", ErrBadSysInfo)
	case r.Op != SysInfoDashboard && r.Op != SysInfoProcesses && r.Op != SysInfoKill && r.Op != SysInfoService && !inventoryOp(r.Op):
		return r, fmt.Errorf("%w: unknown op %q", ErrBadSysInfo, r.Op)
	case r.Page < 0 || r.Page > 1<<20:
		return r, fmt.Errorf("%w: page %d", ErrBadSysInfo, r.Page)
	case len(r.Filter) > 256:
		return r, fmt.Errorf("%w: filter too long", ErrBadSysInfo)
	case r.Sort != "" && r.Sort != SortName && r.Sort != SortPID && r.Sort != SortUser && r.Sort != SortCPU && r.Sort != SortMem:
		return r, fmt.Errorf("%w: unknown sort %q", ErrBadSysInfo, r.Sort)
	case r.Op == SysInfoKill && (r.PID < 2 || r.PID > 1<<22):
		// PID 1 is init; 0 and negatives would signal process groups.
		return r, fmt.Errorf("%w: pid %d", ErrBadSysInfo, r.PID)
	case r.Op == SysInfoService && r.Action != ServiceStart && r.Action != ServiceStop && r.Action != ServiceRestart:
		return r, fmt.Errorf("%w: unknown service action %q", ErrBadSysInfo, r.Action)
	case r.Op == SysInfoService && !serviceName(r.Name):
		return r, fmt.Errorf("%w: service name %q", ErrBadSysInfo, r.Name)
	case r.Level != "" && r.Level != LevelError && r.Level != LevelWarning && r.Level != LevelInfo:
		return r, fmt.Errorf("%w: unknown level %q", ErrBadSysInfo, r.Level)
	}
	return r, nil
}

// serviceName reports whether name can name a service: 1 to 256 printable
// characters, not starting with "-" (never read as an option), with no
// path separator, and either a plain name (no ".") or one ending in
// ".service", so that it never names another kind of systemd unit
// (poweroff.target, a mount).
func serviceName(name string) bool {
	if name == "" || len(name) > 256 || name[0] == '-' || !utf8.ValidString(name) || strings.ContainsAny(name, "/\\") {
		return false
	}
	if base, isService := strings.CutSuffix(name, ".service"); base == "" || !isService && strings.Contains(name, ".") {
		return false
	}
	for _, r := range name {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// SysInfoReply answers a SysInfoRequest: one of Dashboard or Processes, or
// Error (a sentence for the technician), or Done for a kill that worked.
type SysInfoReply struct {
	ID        string     `json:"id"`
	Op        string     `json:"op"`
	Error     string     `json:"error,omitempty"`
	Dashboard *Dashboard `json:"dashboard,omitempty"`
	Processes *Processes `json:"processes,omitempty"`
	Entries   *Entries   `json:"entries,omitempty"`
	Done      bool       `json:"done,omitempty"`
}

// Entries is one page of an inventory tab (services, applications, startup
// items, drivers, events), filtered, sorted and paged by the agent.
type Entries struct {
	Total int     `json:"total"`
	Page  int     `json:"page"`
	Pages int     `json:"pages"`
	List  []Entry `json:"list"`
	// Elevated tells whether the agent runs with administrator rights
	// (services: starting and stopping them needs them).
	Elevated bool `json:"elevated,omitempty"`
}

// Entry is one row of an inventory tab. Name is what it is; the other
// fields, when the tab has them: State (a service's state, a startup
// item's "enabled"/"disabled", an event's priority), Version (an
// application's), Source (where a startup item comes from, an event's
// program), Detail (a description, a command, a message), Time (an event's,
// Unix milliseconds).
type Entry struct {
	Name    string `json:"name"`
	State   string `json:"state,omitempty"`
	Version string `json:"version,omitempty"`
	Source  string `json:"source,omitempty"`
	Detail  string `json:"detail,omitempty"`
	Time    int64  `json:"time,omitempty"`
}

// Dashboard is the customer's machine at a glance.
type Dashboard struct {
	OS        string      `json:"os"`
	Kernel    string      `json:"kernel,omitempty"`
	Hostname  string      `json:"hostname"`
	UptimeSec int64       `json:"uptimeSec"`
	CPUModel  string      `json:"cpuModel,omitempty"`
	Cores     int         `json:"cores"`
	Load      [3]float64  `json:"load"`
	MemTotal  uint64      `json:"memTotal"`
	MemAvail  uint64      `json:"memAvailable"`
	Disks     []Disk      `json:"disks"`
	Networks  []Interface `json:"networks"`
	User      string      `json:"user"`
	Elevated  bool        `json:"elevated"`
	// Elevation says whether administrator rights can be asked for when
	// not Elevated: the method (pkexec, runas) and whether an
	// administrator's credentials are needed, or why not (a sentence).
	Elevation *Elevation `json:"elevation,omitempty"`
	Batteries []Battery  `json:"batteries,omitempty"`
}

// Elevation is whether and how administrator rights can be asked for.
type Elevation struct {
	Method      string `json:"method,omitempty"`
	Credentials bool   `json:"credentials,omitempty"`
	// Blocked says why not, in a sentence for the technician.
	Blocked string `json:"blocked,omitempty"`
}

// Disk is one mounted file system.
type Disk struct {
	Mount string `json:"mount"`
	FS    string `json:"fs"`
	Total uint64 `json:"total"`
	Free  uint64 `json:"free"`
}

// Interface is one network interface and its addresses.
type Interface struct {
	Name  string   `json:"name"`
	Addrs []string `json:"addrs"`
	Up    bool     `json:"up"`
}

// Battery is one battery's charge.
type Battery struct {
	Name    string `json:"name"`
	Percent int    `json:"percent"`
	Status  string `json:"status,omitempty"`
}

// Processes is one page of the process list.
type Processes struct {
	Total int       `json:"total"`
	Page  int       `json:"page"`
	Pages int       `json:"pages"`
	List  []Process `json:"list"`
}

// Process is one running process.
type Process struct {
	PID  int     `json:"pid"`
	Name string  `json:"name"`
	User string  `json:"user"`
	CPU  float64 `json:"cpu"`
	Mem  uint64  `json:"mem"`
}
