package protocol

import (
	"fmt"
	"regexp"
	"unicode/utf8"
)

// TypeAudit (agent → server, console → server) reports an event for the audit
// trail that only the sender sees: a file that crossed the data channels, a
// message the agent dropped for lack of a grant, a recording started. The server
// records it with the sender's identity; it never forwards it.
const TypeAudit Type = "audit"

// AuditEvent names what an Audit message reports.
type AuditEvent string

// Audit events a peer may report.
const (
	// AuditFileSent: the technician sent a file to the customer (agent reports on arrival).
	AuditFileSent AuditEvent = "file.sent"
	// AuditFileReceived: the customer sent a file to the technician.
	AuditFileReceived AuditEvent = "file.received"
	// AuditRefused: the agent dropped a message the customer had not allowed.
	AuditRefused AuditEvent = "agent.refused"
	// AuditRecordingStarted: the technician started recording the session.
	AuditRecordingStarted AuditEvent = "recording.started"
	// AuditIdentityRefused: the agent (or the console) refused a peer whose
	// identity did not verify (shared/identity); Detail says why.
	AuditIdentityRefused AuditEvent = "identity.refused"
	// AuditTerminalOpened: the technician opened a terminal (Detail: its ID
	// and shell).
	AuditTerminalOpened AuditEvent = "terminal.opened"
	// AuditProcessEnded: the technician ended a process (Detail: its name
	// and PID).
	AuditProcessEnded AuditEvent = "process.ended"
	// AuditScriptRun: the technician ran a script from the library
	// (Detail: its name, language and attached files).
	AuditScriptRun AuditEvent = "script.run"
	// AuditScriptEnded: a script ended (Detail: its name and exit code, or
	// why it was stopped).
	AuditScriptEnded AuditEvent = "script.ended"
	// AuditWatchAnswered: the customer answered a group lead's request to
	// watch the session (Detail: "allowed" or "refused", and who).
	AuditWatchAnswered AuditEvent = "collab.watch_answered"
	// AuditFileChanged: the technician changed the customer's files from the
	// file manager (Detail: what and where: a folder made, a rename, a
	// deletion to the trash, a copy or a move).
	AuditFileChanged AuditEvent = "file.changed"
	// AuditServiceChanged: the technician started, stopped or restarted a
	// service on the customer's machine (Detail: the action and the service).
	AuditServiceChanged AuditEvent = "service.changed"
)

// Audit is the payload of TypeAudit.
type Audit struct {
	Event AuditEvent `json:"event"`
	// Name, Size and SHA256 describe a file for the file events.
	Name   string `json:"name,omitempty"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	// Detail says more, for example which message was refused.
	Detail string `json:"detail,omitempty"`
}

// Bounds of an Audit payload.
const (
	MaxAuditName   = 255
	MaxAuditDetail = 200
)

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (a *Audit) validate() error {
	switch a.Event {
	case AuditFileSent, AuditFileReceived:
		if a.Name == "" || !sha256Hex.MatchString(a.SHA256) {
			return fmt.Errorf("a file event needs a name and a SHA-256")
		}
	case AuditRefused, AuditRecordingStarted, AuditIdentityRefused, AuditTerminalOpened, AuditProcessEnded, AuditWatchAnswered, AuditFileChanged,
		AuditScriptRun, AuditScriptEnded, AuditServiceChanged:
	default:
		return fmt.Errorf("unknown audit event %q", a.Event)
	}
	switch {
	case a.Size < 0:
		return fmt.Errorf("negative size")
	case len(a.Name) > MaxAuditName || !utf8.ValidString(a.Name):
		return fmt.Errorf("name too long or not UTF-8")
	case len(a.Detail) > MaxAuditDetail || !utf8.ValidString(a.Detail):
		return fmt.Errorf("detail too long or not UTF-8")
	}
	return nil
}
