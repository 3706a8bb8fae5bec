package server_test

import (
	"net/url"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// TestLoginsDieWithAccountGeneration: a login belongs to one generation of
// its account. Disabling then enabling the account, or deleting it and
// creating another of the same name, leaves old cookies dead.
func TestLoginsDieWithAccountGeneration(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	admin.CreateTechnician(t, "bob", "Bob", techPassword, "")

	loggedIn := func(tc *st.Tech) bool {
		resp, err := tc.Client.Get(n.URL + "/console")
		if err != nil {
			t.Fatal(err)
		}
		_ = st.ReadAll(t, resp)
		return resp.Request.URL.Path == "/console"
	}
	change := func(action string) {
		t.Helper()
		if code, body := admin.Post(t, "/admin/technicians/bob", url.Values{"action": {action}}); code != 200 {
			t.Fatalf("%s bob: %d %.300s", action, code, body)
		}
	}

	before := st.LogInAs(t, n, "bob", techPassword)
	change("disable")
	if loggedIn(before) {
		t.Fatal("a disabled account's login still works")
	}
	change("enable")
	if loggedIn(before) {
		t.Error("disable then enable revived the old login")
	}

	old := st.LogInAs(t, n, "bob", techPassword)
	change("delete")
	admin.CreateTechnician(t, "bob", "Bob", techPassword, "")
	if loggedIn(old) {
		t.Error("the deleted account's login works for the new account of the same name")
	}
	if now := st.LogInAs(t, n, "bob", techPassword); !loggedIn(now) {
		t.Error("the new account cannot log in")
	}
}
