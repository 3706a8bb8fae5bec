package consent

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// The terminal fallback.
//
// One goroutine reads Config.Terminal line by line for the UI's whole life; a read
// cannot be cancelled, so it is not waited for by Close: it exits at EOF, at a read
// error, or at the first line after Close. It starts with the first Ask, so a line
// typed in advance answers that first prompt.
//
// The rule for lines: a line answers a prompt only if that prompt is pending when the
// line is read. A line read while nothing is pending (for instance the prompt was
// already answered on the page) never carries over to a later question: it is taken
// as a command ("stop", "end"/"fin") or answered with a short help.

// promptLocked prints the question for req. u.mu must be held.
func (u *UI) promptLocked(req *request) {
	lang := u.cfg.Lang
	tech, org := u.namesLocked(lang)
	if req.first {
		u.println("")
		u.println(i18n.T(lang, "agent.warning.title") + ": " + i18n.T(lang, "agent.warning", org))
		if u.info.Server != "" {
			u.println(i18n.T(lang, "agent.server.note", u.info.Server))
		}
	}
	// What the permission lets the technician do comes first: on a terminal, as on
	// the page, the customer reads it before answering.
	u.println(askDetail(lang, req.perm))
	fmt.Fprintf(u.out, "%s %s ", askText(lang, req, tech, org), i18n.T(lang, "agent.term.yes_no"))
}

// about is who the request is about: req.who, or else tech.
func (req *request) about(tech string) string {
	if req.who != "" {
		return req.who
	}
	return tech
}

func (u *UI) readTerminal() {
	sc := bufio.NewScanner(u.cfg.Terminal)
	for sc.Scan() {
		if !u.terminalLine(sc.Text()) {
			return
		}
	}
	if err := sc.Err(); err != nil {
		u.log.Debug("terminal read stopped", "err", err)
	}
}

// terminalLine handles one line typed by the customer; false once the UI is closed.
func (u *UI) terminalLine(line string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return false
	}
	if req := u.pending; req != nil && req.onTerminal {
		u.answerLocked(req.id, isYes(line), true)
		return true
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "end", "fin", "quit", "exit":
		if !u.ended {
			u.println(i18n.T(u.cfg.Lang, "agent.term.ending"))
			u.actLocked(ActionEnd)
		}
	case "stop":
		if !u.ended {
			u.println(i18n.T(u.cfg.Lang, "agent.term.stopping"))
			u.actLocked(ActionRevokeControl)
		}
	default:
		u.println(i18n.T(u.cfg.Lang, "agent.term.help"))
	}
	return true
}

// isYes tells whether a terminal answer allows; anything unclear denies.
func isYes(line string) bool {
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes", "o", "oui":
		return true
	}
	return false
}

// askText is req's question, in lang, from technician tech of org.
func askText(lang i18n.Lang, req *request, tech, org string) string {
	if req.perm == protocol.PermissionHelp || req.perm == protocol.PermissionUnattended {
		return i18n.T(lang, "agent.ask."+string(req.perm), tech, org, req.who)
	}
	if req.perm == protocol.PermissionLauncher {
		return i18n.T(lang, "agent.ask.launcher", tech, org)
	}
	q := i18n.T(lang, "agent.ask."+string(req.perm), req.about(tech), org)
	if req.who != "" {
		// A colleague of the technician asks (AskBy): say so.
		q = i18n.T(lang, "agent.ask.by", req.who, tech) + " " + q
	}
	return q
}

// askDetail explains what perm lets the technician do, in lang.
func askDetail(lang i18n.Lang, perm protocol.Permission) string {
	return i18n.T(lang, "agent.ask."+string(perm)+".detail")
}

// namesLocked returns the technician's and organisation's names for display, with a
// placeholder for a name not known yet. u.mu must be held.
func (u *UI) namesLocked(lang i18n.Lang) (tech, org string) {
	return orUnknown(lang, u.info.TechnicianName), orUnknown(lang, u.info.OrgName)
}

func orUnknown(lang i18n.Lang, s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return i18n.T(lang, "agent.who.unknown")
	}
	return s
}
