package sysinfo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// The parsers of the inventory tabs' sources: pure functions of the bytes
// read, so that fixture files test them on any OS.

// maxField bounds one field of an Entry, in bytes.
const maxField = 1024

// clip bounds s to maxField bytes of valid UTF-8.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "�")
	if len(s) <= maxField {
		return s
	}
	s = s[:maxField]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// parseUnits reads `systemctl list-units --type=service --all --plain
// --no-legend`: unit, load, active, sub, description.
func parseUnits(b []byte) []protocol.Entry {
	var out []protocol.Entry
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 {
			continue
		}
		e := protocol.Entry{Name: clip(strings.TrimSuffix(f[0], ".service")), State: f[2] + " (" + f[3] + ")"}
		if len(f) > 4 {
			e.Detail = clip(strings.Join(f[4:], " "))
		}
		out = append(out, e)
	}
	return out
}

// parseDpkgStatus reads dpkg's status file: the installed packages with
// their version and the first line of their description.
func parseDpkgStatus(b []byte) []protocol.Entry {
	var out []protocol.Entry
	for _, para := range bytes.Split(b, []byte("\n\n")) {
		var e protocol.Entry
		installed := false
		for _, line := range strings.Split(string(para), "\n") {
			k, v, ok := strings.Cut(line, ": ")
			if !ok || strings.HasPrefix(line, " ") {
				continue
			}
			switch k {
			case "Package":
				e.Name = clip(v)
			case "Version":
				e.Version = clip(v)
			case "Description":
				e.Detail = clip(v)
			case "Status":
				installed = strings.HasSuffix(v, " installed")
			}
		}
		if e.Name != "" && installed {
			out = append(out, e)
		}
	}
	return out
}

// parseRPM reads `rpm -qa --queryformat '%{NAME}\t%{VERSION}-%{RELEASE}\t%{SUMMARY}\n'`.
func parseRPM(b []byte) []protocol.Entry {
	var out []protocol.Entry
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "\t", 3)
		if len(f) < 2 || f[0] == "" {
			continue
		}
		e := protocol.Entry{Name: clip(f[0]), Version: clip(f[1])}
		if len(f) == 3 {
			e.Detail = clip(f[2])
		}
		out = append(out, e)
	}
	return out
}

// parseDesktopEntry reads an XDG autostart .desktop file: its name, its
// command and whether it starts (Hidden=true or
// X-GNOME-Autostart-enabled=false turn it off).
func parseDesktopEntry(b []byte) (name, exec string, enabled bool) {
	enabled = true
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			section = line
			continue
		}
		if section != "[Desktop Entry]" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "Name":
			name = strings.TrimSpace(v)
		case "Exec":
			exec = strings.TrimSpace(v)
		case "Hidden":
			if strings.TrimSpace(v) == "true" {
				enabled = false
			}
		case "X-GNOME-Autostart-enabled":
			if strings.TrimSpace(v) == "false" {
				enabled = false
			}
		}
	}
	return clip(name), clip(exec), enabled
}

// parseModules reads /proc/modules: name, size, use count, users.
func parseModules(b []byte) []protocol.Entry {
	var out []protocol.Entry
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 {
			continue
		}
		e := protocol.Entry{Name: clip(f[0]), State: "loaded"}
		if len(f) > 4 {
			e.State = strings.ToLower(f[4])
		}
		detail := f[1] + " bytes"
		if users := strings.Trim(f[3], ",-"); users != "" {
			detail += ", used by " + strings.ReplaceAll(users, ",", ", ")
		}
		e.Detail = clip(detail)
		out = append(out, e)
	}
	return out
}

// priorities names the journal's priorities (syslog's).
var priorities = [...]string{"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"}

// levelPriority is the most minor priority a level shows (-1: every one).
func levelPriority(level string) int {
	switch level {
	case protocol.LevelError:
		return 3
	case protocol.LevelWarning:
		return 4
	case protocol.LevelInfo:
		return 6
	}
	return -1
}

// parseJournal reads `journalctl -o json` lines (one JSON object each),
// keeping their order. MESSAGE is a string, or an array of bytes when it is
// not valid UTF-8.
func parseJournal(b []byte) []protocol.Entry {
	var out []protocol.Entry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var j map[string]json.RawMessage
		if json.Unmarshal(sc.Bytes(), &j) != nil {
			continue
		}
		str := func(k string) string {
			var s string
			if json.Unmarshal(j[k], &s) == nil {
				return s
			}
			var bs []byte
			var arr []int
			if json.Unmarshal(j[k], &arr) == nil {
				for _, x := range arr {
					bs = append(bs, byte(x))
				}
			}
			return string(bs)
		}
		e := protocol.Entry{Detail: clip(str("MESSAGE"))}
		if us, err := strconv.ParseInt(str("__REALTIME_TIMESTAMP"), 10, 64); err == nil {
			e.Time = us / 1000
		}
		if p, err := strconv.Atoi(str("PRIORITY")); err == nil && p >= 0 && p < len(priorities) {
			e.State = priorities[p]
		}
		e.Source = str("SYSLOG_IDENTIFIER")
		if e.Source == "" {
			e.Source = str("_SYSTEMD_UNIT")
		}
		e.Source = clip(e.Source)
		e.Name = e.Source
		out = append(out, e)
	}
	return out
}
