package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// TestNamesRefuseBidiAndInvalidUTF8: a name one person types and another
// reads (the customer's name, a technician's display name, the organisation's
// name) is refused with a clear message when it is not UTF-8 or hides
// characters that reorder or hide text, such as U+202E.
func TestNamesRefuseBidiAndInvalidUTF8(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.CreateTechnician(t, "eve", "Eve", techPassword, "")
	bad := []string{"Marie\u202egpj.exe", "\u2066Marie", "Ma\u200brie", "Marie\xff", "Ma\u00adrie"}
	for _, name := range bad {
		code, body := admin.Post(t, "/console/sessions", url.Values{"customer": {name}})
		if code != http.StatusBadRequest || !strings.Contains(body, "invisible") {
			t.Errorf("customer %q: %d, want 400 with a message about invisible characters", name, code)
		}
		code, body = admin.Post(t, "/admin/technicians", url.Values{"id": {"mallory"}, "name": {name}, "role": {"technician"}, "password": {techPassword}})
		if code != http.StatusBadRequest || !strings.Contains(body, "invisible") {
			t.Errorf("new technician named %q: %d, want 400 with the message", name, code)
		}
		code, _ = admin.Post(t, "/admin/technicians/eve", url.Values{"action": {"name"}, "name": {name}})
		if code != http.StatusBadRequest {
			t.Errorf("technician renamed %q: %d, want 400", name, code)
		}
		code, _ = admin.Post(t, "/admin/settings", url.Values{"org": {name}, "loginHours": {"12"}, "maxSessions": {"0"}})
		if code != http.StatusBadRequest {
			t.Errorf("organisation named %q: %d, want 400", name, code)
		}
	}
	if _, list := admin.Get(t, "/console"); strings.Contains(list, "Marie") {
		t.Error("a refused session is listed")
	}
	// Names in other scripts and with accents are fine.
	for _, name := range []string{"Zoë Ørsted", "محمد", "李雷"} {
		if code, body := admin.Post(t, "/console/sessions", url.Values{"customer": {name}}); code != http.StatusOK {
			t.Errorf("customer %q: %d %.200s", name, code, body)
		}
	}
}
