package sessions

import (
	"errors"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/store"
	"github.com/lifeline-support/lifeline/signaling/storetest"
)

// agentSays is message body of type typ from a session's agent.
func agentSays(typ protocol.Type, body any) protocol.Message {
	return protocol.Message{Envelope: protocol.Envelope{Type: typ, ID: "1"}, Body: body}
}

// The customer's side cannot put actions in the technician's name that the
// technician's group does not allow, nor any from a browser page: a grant
// of what the group denies is dropped, and reports of terminals, processes,
// services and files need the group's permission and the program.
func TestAgentReportsNeedTheGroupAndTheProgram(t *testing.T) {
	st, nc := storetest.Open(t)
	ctx := t.Context()
	trail, err := audit.Open(ctx, nc, audit.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(trail.Close)
	s := New(Config{NC: nc, Store: st, Audit: trail, SweepInterval: time.Hour})
	t.Cleanup(s.Close)
	now := time.Now()
	for _, ss := range []store.Session{
		{ID: "locked", OS: "Linux", Denied: []string{protocol.DeniedTerminal, protocol.DeniedSysInfo, protocol.DeniedFileManager}},
		{ID: "web", OS: BrowserOS},
	} {
		ss.CustomerName, ss.TechnicianID, ss.State, ss.Created, ss.Changed = "Marie", "ann", session.Active, now, now
		ss.AgentConnected, ss.AgentConn = true, "conn-"+ss.ID
		if err := st.CreateSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	all := protocol.Permissions{View: true, Terminal: true, SysInfo: true, FileManager: true}
	for _, sid := range []string{"locked", "web"} {
		if _, err := s.FromAgent(ctx, sid, "conn-"+sid, agentSays(protocol.TypePermissionUpdate, &protocol.PermissionUpdate{Permissions: all})); err != nil {
			t.Fatal(err)
		}
	}
	ss, err := st.Session(ctx, "locked")
	if err != nil {
		t.Fatal(err)
	}
	if want := (protocol.Permissions{View: true}); ss.Permissions != want || ss.Granted != want {
		t.Errorf("grants kept where the group denies the tools: %+v (ever %+v), want %+v", ss.Permissions, ss.Granted, want)
	}
	for _, sid := range []string{"locked", "web"} {
		for _, ev := range []protocol.AuditEvent{protocol.AuditTerminalOpened, protocol.AuditProcessEnded, protocol.AuditServiceChanged, protocol.AuditFileChanged} {
			_, err := s.FromAgent(ctx, sid, "conn-"+sid, agentSays(protocol.TypeAudit, &protocol.Audit{Event: ev}))
			if !errors.Is(err, ErrNotGrantedHere) {
				t.Errorf("%s in session %s: %v, want ErrNotGrantedHere", ev, sid, err)
			}
		}
	}
	events, err := trail.Query(ctx, audit.Filter{Actor: "ann"})
	if err != nil || len(events) != 0 {
		t.Errorf("in the technician's name: %+v (%v), want nothing", events, err)
	}
}
