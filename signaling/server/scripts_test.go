package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// The script library through the console's paths: a technician gets the
// scripts of their own group, for their own session, only with the scripts
// permission; a script of another group does not exist for them; the
// administrator's bad script is refused.
func TestScriptLibraryForTechnicians(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.PutGroup(t, "helpdesk", "start_sessions", "invite_link", "invite_pin", "view", "terminal", "scripts")
	admin.PutGroup(t, "noscripts", "start_sessions", "invite_link", "invite_pin", "view", "terminal")
	admin.CreateTechnician(t, "hd", "Help Desk", "a long password 1", "helpdesk")
	admin.CreateTechnician(t, "ns", "No Scripts", "a long password 2", "noscripts")
	code, page := admin.AddScript(t, url.Values{"name": {"Disk report"}, "lang": {protocol.ScriptBash},
		"text": {"df -h\r\ncat limits.txt\r\n"}, "groups": {"helpdesk"}, "atStart": {"helpdesk"}}, "limits.txt", []byte("90%"))
	if code != http.StatusOK || !strings.Contains(page, "Script saved.") {
		t.Fatalf("adding a script: %d %.300s", code, page)
	}
	if code, _ := admin.AddScript(t, url.Values{"name": {"Bad"}, "lang": {protocol.ScriptBash}, "text": {"true"}}, "script.sh", []byte("x")); code != http.StatusBadRequest {
		t.Errorf("a file named as the script: %d, want 400", code)
	}
	if code, _ := admin.AddScript(t, url.Values{"name": {"Bad"}, "lang": {"python"}, "text": {"print(1)"}}, "", nil); code != http.StatusBadRequest {
		t.Errorf("an unknown language: %d, want 400", code)
	}

	hd := st.LogInAs(t, n, "hd", "a long password 1")
	sid, _, _ := hd.NewSession(t, "Marie Dupont")
	code, body := hd.Get(t, "/console/sessions/"+sid+"/scripts")
	var list struct {
		Scripts []struct{ ID, Name string }
		AtStart string
	}
	if err := json.Unmarshal([]byte(body), &list); code != http.StatusOK || err != nil || len(list.Scripts) != 1 {
		t.Fatalf("the helpdesk's list: %d %s", code, body)
	}
	id := list.Scripts[0].ID
	if list.AtStart != id {
		t.Errorf("the group's start script is %q, want %q", list.AtStart, id)
	}
	code, body = hd.Get(t, "/console/sessions/"+sid+"/scripts/"+id)
	var run protocol.ScriptRun
	if err := json.Unmarshal([]byte(body), &run); code != http.StatusOK || err != nil || run.Check() != nil {
		t.Fatalf("the script: %d %s", code, body)
	}
	if run.Text != "df -h\ncat limits.txt\n" || len(run.Files) != 1 || string(run.Files[0].Data) != "90%" {
		t.Errorf("the script as sent: %+v", run)
	}

	// Without the permission, in another's session, or another group's script.
	ns := st.LogInAs(t, n, "ns", "a long password 2")
	nsid, _, _ := ns.NewSession(t, "Jean Martin")
	if code, _ := ns.Get(t, "/console/sessions/"+nsid+"/scripts"); code != http.StatusForbidden {
		t.Errorf("a technician without the scripts permission: %d, want 403", code)
	}
	if code, _ := ns.Get(t, "/console/sessions/"+nsid+"/scripts/"+id); code != http.StatusForbidden {
		t.Errorf("a script for a technician without the permission: %d, want 403", code)
	}
	if code, _ := hd.Get(t, "/console/sessions/"+nsid+"/scripts/"+id); code != http.StatusNotFound {
		t.Errorf("a script in another technician's session: %d, want 404", code)
	}
	asid, _, _ := admin.NewSession(t, "Paul")
	if code, _ := admin.Get(t, "/console/sessions/"+asid+"/scripts/"+id); code != http.StatusNotFound {
		t.Errorf("another group's script: %d, want 404", code)
	}
}
