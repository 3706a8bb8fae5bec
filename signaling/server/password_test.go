package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// logInTo logs user in on node n and returns the browser and the path the
// login ended on.
func logInTo(t *testing.T, n st.Node, user, password string) (*st.Tech, string) {
	t.Helper()
	tc, path, _ := st.LogInTo(t, n, user, password)
	return tc, path
}

// TestFirstLoginWithGeneratedPasswordMustChangeIt: the first login with the
// password a first run generated (and printed) leads to the change-password
// page, and nothing else works until the password is changed: no console,
// no API, no WebSocket. The change needs the current password and a new one
// that follows the rules (clear messages, in the technician's language,
// otherwise); once changed, the old password no longer works, other browsers
// logged in to the account are logged out, and this one goes on.
func TestFirstLoginWithGeneratedPasswordMustChangeIt(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) { c.AdminPassword = "" })
	if n.FirstPassword == "" {
		t.Fatal("the first run showed no generated password")
	}
	other, _ := logInTo(t, n, "admin", n.FirstPassword)
	admin, landed := logInTo(t, n, "admin", n.FirstPassword)
	if landed != "/account/password" {
		t.Fatalf("the first login with the generated password ended on %s, want /account/password", landed)
	}
	for _, path := range []string{"/console", "/admin", "/account"} {
		resp, err := admin.Client.Get(n.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		st.ReadAll(t, resp)
		if resp.Request.URL.Path != "/account/password" {
			t.Errorf("%s before the change ended on %s, want /account/password", path, resp.Request.URL.Path)
		}
	}
	if code, _ := admin.Post(t, "/console/sessions", url.Values{"customer": {"Marie"}}); code != http.StatusForbidden {
		t.Errorf("an API call before the change: %d, want 403", code)
	}
	if resp, err := admin.Client.Get(n.URL + "/ws/console"); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("the console socket before the change: %v %v, want 403", resp.StatusCode, err)
	}

	const newPassword = "my own long password"
	for _, tc := range []struct {
		name                   string
		current, next, confirm string
		want                   string
	}{
		{"wrong current password", "not it at all", newPassword, newPassword, "current password is wrong"},
		{"too short", n.FirstPassword, "short", "short", "at least 10 characters"},
		{"confirmation differs", n.FirstPassword, newPassword, newPassword + "!", "differ"},
		{"same as before", n.FirstPassword, n.FirstPassword, n.FirstPassword, "differ from the current"},
	} {
		code, body := admin.Post(t, "/account/password", url.Values{"current": {tc.current}, "new": {tc.next}, "confirm": {tc.confirm}})
		if code != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d, want 400 saying %q:\n%.300s", tc.name, code, tc.want, body)
		}
	}
	resp, err := admin.Client.PostForm(n.URL+"/account/password", url.Values{"csrf": {admin.CSRF}, "current": {n.FirstPassword}, "new": {newPassword}, "confirm": {newPassword}})
	if err != nil {
		t.Fatal(err)
	}
	body := st.ReadAll(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/console" {
		t.Fatalf("the change: %d on %s, want the console:\n%.300s", resp.StatusCode, resp.Request.URL.Path, body)
	}
	if code, _ := admin.Get(t, "/account"); code != http.StatusOK {
		t.Errorf("this browser after the change: %d", code)
	}
	resp, err = other.Client.Get(n.URL + "/console")
	if err != nil {
		t.Fatal(err)
	}
	st.ReadAll(t, resp)
	if resp.Request.URL.Path != "/login" {
		t.Errorf("another browser after the change ended on %s, want logged out", resp.Request.URL.Path)
	}
	if _, landed := logInTo(t, n, "admin", n.FirstPassword); landed != "/login" {
		t.Errorf("the generated password after the change: ended on %s, want refused", landed)
	}
	if _, landed := logInTo(t, n, "admin", newPassword); landed != "/console" {
		t.Errorf("the new password: ended on %s, want the console", landed)
	}
}

// TestPasswordChangeOnAccountPage: a technician changes their password from
// their account page, which links to the form; an operator-chosen admin
// password (LIFELINE_ADMIN_PASSWORD) is not forced to change.
func TestPasswordChangeOnAccountPage(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n) // lands on /console: not forced
	admin.CreateTechnician(t, "eve", "Eve", techPassword, "")
	eve := st.LogInAs(t, n, "eve", techPassword)
	if _, page := eve.Get(t, "/account"); !strings.Contains(page, `href="/account/password"`) {
		t.Fatal("the account page has no link to change the password")
	}
	if code, page := eve.Get(t, "/account/password"); code != http.StatusOK || !strings.Contains(page, `name="current"`) {
		t.Fatalf("the change-password page: %d", code)
	}
	code, body := eve.Post(t, "/account/password", url.Values{"current": {techPassword}, "new": {"eve's new password"}, "confirm": {"eve's new password"}})
	if code != http.StatusOK {
		t.Fatalf("the change: %d %.300s", code, body)
	}
	if _, landed := logInTo(t, n, "eve", "eve's new password"); landed != "/console" {
		t.Errorf("the new password: ended on %s", landed)
	}
}
