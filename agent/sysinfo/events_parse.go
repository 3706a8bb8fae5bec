package sysinfo

import (
	"encoding/xml"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Windows Event Log: the parts that are plain data (the query for a level,
// an event rendered as XML, the merge of the logs read), kept here so that
// they are tested on every platform; events_windows.go reads the logs.

// eventLogs are the Windows logs the Event log tab shows.
var eventLogs = []string{"Application", "System"}

// winLevels names the Windows event levels with the journal's words (see
// priorities): 1 critical, 2 error, 3 warning, 4 information, 5 verbose;
// 0 (LogAlways) is information.
var winLevels = [...]string{"info", "critical", "error", "warning", "info", "debug"}

// winLevelName is the name of Windows event level l.
func winLevelName(l int) string {
	if l < 0 || l >= len(winLevels) {
		return "info"
	}
	return winLevels[l]
}

// eventQuery is the XPath query of the Windows logs for a level of the
// Event log tab ("" every level).
func eventQuery(level string) string {
	switch level {
	case protocol.LevelError:
		return "*[System[(Level=1 or Level=2)]]"
	case protocol.LevelWarning:
		return "*[System[(Level=1 or Level=2 or Level=3)]]"
	case protocol.LevelInfo:
		return "*[System[(Level=0 or Level=1 or Level=2 or Level=3 or Level=4)]]"
	}
	return "*"
}

// evtXML is what the tab needs of an event rendered as XML (EvtRenderEventXml).
type evtXML struct {
	System struct {
		Provider struct {
			Name string `xml:"Name,attr"`
		} `xml:"Provider"`
		EventID     string `xml:"EventID"`
		Level       int    `xml:"Level"`
		TimeCreated struct {
			SystemTime string `xml:"SystemTime,attr"`
		} `xml:"TimeCreated"`
		Channel string `xml:"Channel"`
	} `xml:"System"`
	Data     []string `xml:"EventData>Data"`
	UserData struct {
		Inner string `xml:",innerxml"`
	} `xml:"UserData"`
}

// parseEventXML reads an event rendered as XML into an entry; message is
// its text as its provider words it ("" when the provider's messages cannot
// be read: the event's data then stands for it).
func parseEventXML(b []byte, message string) (protocol.Entry, bool) {
	var x evtXML
	if err := xml.Unmarshal(b, &x); err != nil {
		return protocol.Entry{}, false
	}
	e := protocol.Entry{Name: clip(x.System.Provider.Name), Source: clip(x.System.Provider.Name), State: winLevelName(x.System.Level)}
	if ts, err := time.Parse(time.RFC3339Nano, x.System.TimeCreated.SystemTime); err == nil {
		e.Time = ts.UnixMilli()
	}
	msg := strings.TrimSpace(message)
	if msg == "" {
		var parts []string
		for _, d := range x.Data {
			if d = strings.TrimSpace(d); d != "" {
				parts = append(parts, d)
			}
		}
		msg = strings.Join(parts, "; ")
	}
	if msg == "" {
		msg = strings.TrimSpace(stripTags(x.UserData.Inner))
	}
	if id := strings.TrimSpace(x.System.EventID); id != "" {
		if msg != "" {
			msg = "[" + id + "] " + msg
		} else {
			msg = "[" + id + "]"
		}
	}
	e.Detail = clip(strings.Join(strings.Fields(msg), " "))
	return e, true
}

// stripTags keeps the text of an XML fragment, its values separated by spaces.
func stripTags(s string) string {
	var b strings.Builder
	d := xml.NewDecoder(strings.NewReader("<x>" + s + "</x>"))
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if c, ok := tok.(xml.CharData); ok {
			if t := strings.TrimSpace(string(c)); t != "" {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(t)
			}
		}
	}
	return b.String()
}

// newestFirst merges logs read newest first into one list, newest first,
// of at most limit events.
func newestFirst(limit int, logs ...[]protocol.Entry) []protocol.Entry {
	var all []protocol.Entry
	for _, l := range logs {
		all = append(all, l...)
	}
	slices.SortStableFunc(all, func(a, b protocol.Entry) int {
		switch {
		case a.Time > b.Time:
			return -1
		case a.Time < b.Time:
			return 1
		}
		return 0
	})
	if len(all) > limit {
		all = all[:limit]
	}
	return all
}
