package sysinfo

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// An event as Windows renders it (EvtRenderEventXml), from Service Control
// Manager on a Windows 11 machine.
const scmEvent = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Service Control Manager' Guid='{555908d1-a6d7-4695-8e1e-26931d2012f4}' EventSourceName='Service Control Manager'/><EventID Qualifiers='49152'>7000</EventID><Version>0</Version><Level>2</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8080000000000000</Keywords><TimeCreated SystemTime='2026-12-07T09:15:02.1234567Z'/><EventRecordID>4242</EventRecordID><Correlation/><Execution ProcessID='812' ThreadID='9000'/><Channel>System</Channel><Computer>DESKTOP-ADA</Computer><Security/></System><EventData><Data Name='param1'>Print Spooler</Data><Data Name='param2'>%%1053</Data></EventData></Event>`

// The Windows Event Log tab's plain parts: an event rendered as XML reads
// as the journal's do (provider, level in the journal's words, time, text
// with the event ID), the provider's message wins over the raw data, and
// the logs merge newest first, cut at the limit.
func TestWindowsEventXML(t *testing.T) {
	e, ok := parseEventXML([]byte(scmEvent), "")
	if !ok {
		t.Fatal("not parsed")
	}
	want := time.Date(2026, 12, 7, 9, 15, 2, 123456700, time.UTC).UnixMilli()
	if e.Name != "Service Control Manager" || e.Source != e.Name || e.State != "error" || e.Time != want ||
		e.Detail != "[7000] Print Spooler; %%1053" {
		t.Errorf("raw: %+v", e)
	}
	e, _ = parseEventXML([]byte(scmEvent), "The Print Spooler service failed to start due to the following error: \r\nThe service did not respond.\r\n")
	if e.Detail != "[7000] The Print Spooler service failed to start due to the following error: The service did not respond." {
		t.Errorf("worded: %q", e.Detail)
	}
	user := `<Event><System><Provider Name='Wine'/><EventID>1</EventID><Level>0</Level></System><UserData><Note><Text>only user data</Text><N>2</N></Note></UserData></Event>`
	if e, _ := parseEventXML([]byte(user), ""); e.Detail != "[1] only user data 2" || e.State != "info" || e.Time != 0 {
		t.Errorf("user data: %+v", e)
	}
	if _, ok := parseEventXML([]byte("<Event><System>"), ""); ok {
		t.Error("a cut event parsed")
	}
	for l, name := range map[int]string{0: "info", 1: "critical", 2: "error", 3: "warning", 4: "info", 5: "debug", 9: "info"} {
		if got := winLevelName(l); got != name {
			t.Errorf("level %d: %q, want %q", l, got, name)
		}
	}
	if q := eventQuery(protocol.LevelError); q != "*[System[(Level=1 or Level=2)]]" {
		t.Errorf("error query %q", q)
	}
	if q := eventQuery(""); q != "*" {
		t.Errorf("every level %q", q)
	}
	if q := eventQuery(protocol.LevelWarning); !strings.Contains(q, "Level=3") || strings.Contains(q, "Level=4") {
		t.Errorf("warning query %q", q)
	}

	app := []protocol.Entry{{Name: "a3", Time: 30}, {Name: "a1", Time: 10}}
	sys := []protocol.Entry{{Name: "s4", Time: 40}, {Name: "s2", Time: 20}, {Name: "s0", Time: 0}}
	got := newestFirst(4, app, sys)
	var names []string
	for _, e := range got {
		names = append(names, e.Name)
	}
	if strings.Join(names, ",") != "s4,a3,s2,a1" {
		t.Errorf("merged %v", names)
	}
}
