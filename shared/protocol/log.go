package protocol

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The session's running log: the technician's console appends each entry as
// it happens, the server keeps it for the session, and every console that
// opens the session (a reload, a second tab, the receiver of a transfer) gets
// it all back. The server never trusts an entry for anything but display: it
// sets the authors' names itself and bounds the log.
const (
	// TypeLogAppend (console or agent → server) adds one entry to the
	// session's log. Only the session's technician's console may add events
	// and that technician's messages; the agent adds the customer's messages.
	// The server sets From, Author and By from who sent the entry.
	TypeLogAppend Type = "log.append"
	// TypeLogEntries (server → console) is the session's whole log, oldest
	// first: the console shows it in place of what it had.
	// It comes in pages under MaxMessageSize (LogEntries.Pages).
	TypeLogEntries Type = "log.entries"
)

// Log entry kinds.
const (
	// LogMessage is a chat message; From says who wrote it.
	LogMessage = "message"
	// LogEvent is something that happened in the session.
	LogEvent = "event"
	// LogFull is the server's marker: the log reached its bounds and later
	// entries were not kept.
	LogFull = "full"
)

// Who wrote a message (LogEntry.From).
const (
	FromTechnician = "technician"
	FromCustomer   = "customer"
)

// Bounds of one log entry.
const (
	// MaxLogText bounds an entry's text, in bytes (a chat message, or an
	// event with a URL in it).
	MaxLogText = 8<<10 + 4<<10
	// MaxLogAuthor bounds an entry's author, in bytes.
	MaxLogAuthor = 256
	// MaxLogID bounds an entry's ID (the console's, to recognise its own).
	MaxLogID = 64
)

// LogEntry is one line of a session's log: a chat message or an event.
type LogEntry struct {
	// ID is the console's name for the entry (a random UUID), so that a
	// console recognises its own entries in the server's log.
	ID   string `json:"id,omitempty"`
	Kind string `json:"kind"`
	// From is FromTechnician or FromCustomer for messages, empty otherwise.
	From string `json:"from,omitempty"`
	// Author is the writer's name for messages, set by the server.
	Author string `json:"author,omitempty"`
	// By is the technician's ID for their messages, set by the server.
	By   string `json:"by,omitempty"`
	Text string `json:"text"`
	// At is when it happened, in Unix milliseconds (the console's clock).
	At int64 `json:"at"`
	// Internal marks a message between the technicians in the session
	// (the lead and colleagues): it never reaches the customer.
	Internal bool `json:"internal,omitempty"`
}

// Check reports what is wrong with an entry: an unknown kind or author,
// an empty, too long or invalid text, no time.
func (e LogEntry) Check() error {
	switch {
	case e.Kind != LogMessage && e.Kind != LogEvent && e.Kind != LogFull && e.Kind != LogTerminal:
		return fmt.Errorf("kind %q", e.Kind)
	case e.Kind == LogMessage && e.From != FromTechnician && e.From != FromCustomer:
		return fmt.Errorf("from %q", e.From)
	case e.Kind != LogMessage && (e.From != "" || e.By != ""):
		return fmt.Errorf("an event has no author")
	case e.Internal && (e.Kind != LogMessage || e.From != FromTechnician):
		return fmt.Errorf("only a technician's message is internal")
	case strings.TrimSpace(e.Text) == "" || len(e.Text) > MaxLogText || !utf8.ValidString(e.Text):
		return fmt.Errorf("text empty, over %d bytes or not UTF-8", MaxLogText)
	case len(e.Author) > MaxLogAuthor || !utf8.ValidString(e.Author):
		return fmt.Errorf("author over %d bytes or not UTF-8", MaxLogAuthor)
	case len(e.ID) > MaxLogID || len(e.By) > MaxLogID:
		return fmt.Errorf("id over %d bytes", MaxLogID)
	case e.At <= 0:
		return fmt.Errorf("no time")
	}
	return nil
}

// LogAppend is the payload of TypeLogAppend.
type LogAppend struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	From string `json:"from,omitempty"`
	Text string `json:"text"`
	At   int64  `json:"at"`
	// Internal: a message for the technicians only (LogEntry.Internal).
	Internal bool `json:"internal,omitempty"`
}

// Entry is the entry a LogAppend asks for, before the server adds the names.
func (a *LogAppend) Entry() LogEntry {
	return LogEntry{ID: a.ID, Kind: a.Kind, From: a.From, Text: a.Text, At: a.At, Internal: a.Internal}
}

func (a *LogAppend) validate() error {
	if a.Kind == LogFull {
		return fmt.Errorf("only the server marks a full log")
	}
	return a.Entry().Check()
}

// LogEntries is the payload of TypeLogEntries: one page of the log.
type LogEntries struct {
	// Offset is the index of the page's first entry: a page at 0 starts the
	// log afresh.
	Offset  int        `json:"offset,omitempty"`
	Entries []LogEntry `json:"entries"`
	// More says further pages follow.
	More bool `json:"more,omitempty"`
	// Full says the log reached its bounds: what came later was not kept.
	Full bool `json:"full,omitempty"`
	// Append says the entries follow what the console shows already (a new
	// line of a colleague's session), instead of a page of the whole log.
	Append bool `json:"append,omitempty"`
}

// logPage bounds the entries of one page, in bytes of JSON: a page and its
// envelope stay under MaxMessageSize.
const logPage = MaxMessageSize - 4<<10

// Pages splits a whole log into the pages sent for it, in order; an empty
// log is one empty page.
func (l LogEntries) Pages() []LogEntries {
	var out []LogEntries
	page := LogEntries{Entries: []LogEntry{}, Full: l.Full}
	size := 0
	for i, e := range l.Entries {
		b, _ := json.Marshal(e)
		if len(page.Entries) > 0 && size+len(b)+1 > logPage {
			page.More = true
			out = append(out, page)
			page = LogEntries{Offset: i, Entries: []LogEntry{}, Full: l.Full}
			size = 0
		}
		page.Entries = append(page.Entries, e)
		size += len(b) + 1
	}
	return append(out, page)
}
