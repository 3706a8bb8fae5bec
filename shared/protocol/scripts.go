package protocol

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Scripts from the administrator's library, run on the customer's machine.
// They run commands, so they need the customer's terminal grant
// (PermissionTerminal: "run commands"); the agent checks it on every
// request. Their output and exit code go to the session's log (LogTerminal
// entries) and the exit code to the audit trail (AuditScriptRun,
// AuditScriptEnded).
const (
	// ChannelScriptPrefix starts the label of one script run's data channel
	// ("script:<id>"), reliable and ordered. The console sends the ScriptRun
	// as JSON in binary pieces (at most MaxScriptRequest bytes in all), then
	// the text ScriptControl "run"; "stop" ends the script. The agent sends
	// the script's output as binary messages and ScriptControl "exit" or
	// "error" as text, then closes the channel.
	ChannelScriptPrefix = "script:"

	// DeniedScripts: the technician's group does not allow scripts.
	DeniedScripts = "scripts"
)

// Script languages (ScriptRun.Lang).
const (
	ScriptBash       = "bash"
	ScriptSh         = "sh"
	ScriptPowerShell = "powershell"
)

// Bounds of a script run.
const (
	// MaxScriptText bounds a script's text, in bytes.
	MaxScriptText = 64 << 10
	// MaxScriptFiles bounds the files attached to a script.
	MaxScriptFiles = 8
	// MaxScriptAttachments bounds the attached files' size in all, in bytes.
	MaxScriptAttachments = 512 << 10
	// MaxScriptName bounds a script's and an attached file's name, in bytes.
	MaxScriptName = 100
	// MaxScriptRequest bounds a ScriptRun's JSON (attachments in base64).
	MaxScriptRequest = MaxScriptText + MaxScriptAttachments*4/3 + 16<<10
)

// ScriptFileName is the name the agent gives the script of lang in its
// folder; no attached file may take it.
func ScriptFileName(lang string) string {
	if lang == ScriptPowerShell {
		return "script.ps1"
	}
	return "script.sh"
}

// ScriptFile is a file attached to a script: written beside the script, in
// the folder it runs in, under Name.
type ScriptFile struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// ScriptRun asks the agent to run one script.
type ScriptRun struct {
	Name  string       `json:"name"`
	Lang  string       `json:"lang"`
	Text  string       `json:"text"`
	Files []ScriptFile `json:"files,omitempty"`
}

// ScriptControl is a text message on a script's channel: "run" and "stop"
// (console → agent), "exit" (agent → console, with Code) or "error" (Text
// says why the script did not run or was stopped).
type ScriptControl struct {
	Type string `json:"type"`
	Code int    `json:"code"`
	Text string `json:"text,omitempty"`
}

// ScriptID returns the ID of a script channel's label, and whether the
// label names a script channel with a valid ID.
func ScriptID(label string) (string, bool) { return channelID(ChannelScriptPrefix, label) }

// CheckScriptFileName refuses a name that is not a plain file name of its
// own: empty, ".", "..", with a path separator, a NUL or a control
// character, not UTF-8, or longer than MaxScriptName.
func CheckScriptFileName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("%w: file name %q", ErrBadScript, name)
	case len(name) > MaxScriptName || !utf8.ValidString(name):
		return fmt.Errorf("%w: file name too long or not UTF-8", ErrBadScript)
	case strings.ContainsAny(name, `/\:`) || filepath.Base(name) != name:
		return fmt.Errorf("%w: file name %q has a path in it", ErrBadScript, name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: file name %q has a control character", ErrBadScript, name)
		}
	}
	return nil
}

// Check validates a script run: a known language, a name, text and files
// within the bounds, plain and distinct file names.
func (r ScriptRun) Check() error {
	switch {
	case r.Lang != ScriptBash && r.Lang != ScriptSh && r.Lang != ScriptPowerShell:
		return fmt.Errorf("%w: unknown language %q", ErrBadScript, r.Lang)
	case strings.TrimSpace(r.Name) == "" || len(r.Name) > MaxScriptName || !utf8.ValidString(r.Name):
		return fmt.Errorf("%w: name missing, too long or not UTF-8", ErrBadScript)
	case r.Text == "" || len(r.Text) > MaxScriptText:
		return fmt.Errorf("%w: script of %d bytes (1 to %d)", ErrBadScript, len(r.Text), MaxScriptText)
	case len(r.Files) > MaxScriptFiles:
		return fmt.Errorf("%w: %d files, at most %d", ErrBadScript, len(r.Files), MaxScriptFiles)
	}
	total := 0
	seen := map[string]bool{}
	for _, f := range r.Files {
		if err := CheckScriptFileName(f.Name); err != nil {
			return err
		}
		if strings.EqualFold(f.Name, ScriptFileName(r.Lang)) {
			return fmt.Errorf("%w: an attached file cannot be named %q, the script's own name", ErrBadScript, f.Name)
		}
		if seen[strings.ToLower(f.Name)] {
			return fmt.Errorf("%w: file %q attached twice", ErrBadScript, f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		total += len(f.Data)
	}
	if total > MaxScriptAttachments {
		return fmt.Errorf("%w: attached files of %d bytes, at most %d", ErrBadScript, total, MaxScriptAttachments)
	}
	return nil
}

// DecodeScriptRun parses and checks a console's script run.
func DecodeScriptRun(data []byte) (ScriptRun, error) {
	var r ScriptRun
	if len(data) > MaxScriptRequest {
		return r, fmt.Errorf("%w: request of %d bytes", ErrBadScript, len(data))
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("%w: %v", ErrBadScript, err)
	}
	return r, r.Check()
}

// DecodeScriptControl parses a console's control message: "run" or "stop".
func DecodeScriptControl(data []byte) (ScriptControl, error) {
	var c ScriptControl
	if len(data) > 256 {
		return c, fmt.Errorf("%w: control message of %d bytes", ErrBadScript, len(data))
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("%w: %v", ErrBadScript, err)
	}
	if c.Type != "run" && c.Type != "stop" {
		return c, fmt.Errorf("%w: unknown control %q", ErrBadScript, c.Type)
	}
	return c, nil
}
