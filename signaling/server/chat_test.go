package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"golang.org/x/crypto/bcrypt"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/invite"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// addTechnician creates a second technician account straight in the store.
func addTechnician(t *testing.T, natsURL, id, password string) {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	inv := invite.Defaults()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := store.Open(ctx, nc, store.Config{LoginTTL: 12 * time.Hour, InviteTTL: inv.LinkTTL, PINTTL: inv.PINTTL})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err := s.CreateAccount(ctx, store.Account{ID: id, Name: id, Role: store.RoleTechnician, PasswordHash: hash, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

func logInAs(t *testing.T, n st.Node, user, password string) *st.Tech {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(n.URL+"/login", url.Values{"username": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	body := st.ReadAll(t, resp)
	return &st.Tech{Client: c, Base: n.URL, CSRF: st.Find(t, body, `name="csrf" value="([^"]+)"`)}
}

// do sends a request with a JSON body as tc; csrf adds the login's token.
func do(t *testing.T, tc *st.Tech, method, path, body string, csrf bool) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, tc.Base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if csrf {
		req.Header.Set("X-CSRF-Token", tc.CSRF)
	}
	resp, err := tc.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, st.ReadAll(t, resp)
}

func TestCannedRepliesAPI(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	addTechnician(t, natsURL, "bob", "bob's password")
	admin, bob := st.LogIn(t, n), logInAs(t, n, "bob", "bob's password")

	if code, body := do(t, admin, "GET", "/console/canned", "", false); code != 200 || !strings.Contains(body, `"items":[]`) {
		t.Fatalf("empty list: %d %s", code, body)
	}
	list := `{"rev":0,"items":[{"name":"Hello","text":"<b>Hello</b>"},{"name":"Tool","text":"https://example.com/tool"}]}`
	if code, _ := do(t, admin, "PUT", "/console/canned", list, false); code != http.StatusForbidden {
		t.Fatalf("PUT without CSRF: %d", code)
	}
	code, body := do(t, admin, "PUT", "/console/canned", list, true)
	var saved struct {
		Rev   uint64              `json:"rev"`
		Items []store.CannedReply `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &saved); code != 200 || err != nil || saved.Rev == 0 || len(saved.Items) != 2 {
		t.Fatalf("PUT: %d %s", code, body)
	}
	// Another technician has their own list and cannot reach this one.
	if code, body := do(t, bob, "GET", "/console/canned", "", false); code != 200 || strings.Contains(body, "Hello") {
		t.Fatalf("bob reads %d %s", code, body)
	}
	if code, _ := do(t, bob, "PUT", "/console/canned", `{"rev":0,"items":[]}`, true); code != 200 {
		t.Fatalf("bob saves his own: %d", code)
	}
	if _, body := do(t, admin, "GET", "/console/canned", "", false); !strings.Contains(body, "Hello") {
		t.Fatalf("bob's save touched admin's list: %s", body)
	}
	// Bad requests say what is wrong.
	for _, tt := range []struct {
		name, body string
		want       int
		says       string
	}{
		{"stale revision", list, http.StatusConflict, "another window"},
		{"bad JSON", `{"rev":`, http.StatusBadRequest, "expected JSON"},
		{"unknown field", `{"rev":0,"items":[],"x":1}`, http.StatusBadRequest, "expected JSON"},
		{"no name", `{"rev":` + jsonNum(saved.Rev) + `,"items":[{"name":"","text":"x"}]}`, http.StatusBadRequest, "no name"},
		{"too many", `{"rev":` + jsonNum(saved.Rev) + `,"items":[` + strings.Repeat(`{"name":"a","text":"b"},`, 500) + `{"name":"a","text":"b"}]}`, http.StatusBadRequest, "at most 500"},
		{"too big", `{"rev":0,"items":[{"name":"a","text":"` + strings.Repeat("x", 3<<20) + `"}]}`, http.StatusRequestEntityTooLarge, "2 MiB"},
	} {
		if code, body := do(t, admin, "PUT", "/console/canned", tt.body, true); code != tt.want || !strings.Contains(body, tt.says) {
			t.Errorf("%s: %d %s, want %d saying %q", tt.name, code, body, tt.want, tt.says)
		}
	}
	// Export is a JSON file to download.
	resp, err := admin.Client.Get(n.URL + "/console/canned?download=1")
	if err != nil {
		t.Fatal(err)
	}
	body = st.ReadAll(t, resp)
	if !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(body, `"format":"lifeline-canned-replies/1"`) || !strings.Contains(body, "Tool") {
		t.Fatalf("export: %v %s", resp.Header, body)
	}
}

func jsonNum(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// TestSessionLogAPI: the session history's log is the server's to write (at
// the session's end, from the running log), never a console's; only the
// session's technician reads it.
func TestSessionLogAPI(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	addTechnician(t, natsURL, "bob", "bob's password")
	admin, bob := st.LogIn(t, n), logInAs(t, n, "bob", "bob's password")
	sid, console, agent := liveSession(t, n, admin, protocol.AgentHello{})
	path := "/console/sessions/" + sid + "/log"

	good := `{"entries":[{"kind":"message","from":"customer","author":"Marie","text":"forged","at":1700000000002}]}`
	if code, _ := do(t, admin, "POST", path, good, true); code != http.StatusMethodNotAllowed {
		t.Fatalf("a console stored a log itself: %d", code)
	}
	if code, _ := do(t, admin, "GET", path, "", false); code != http.StatusNotFound {
		t.Fatalf("GET before the end: %d", code)
	}
	for _, e := range []protocol.LogAppend{
		{ID: "1", Kind: protocol.LogEvent, Text: "Viewing allowed", At: 1700000000000},
		{ID: "2", Kind: protocol.LogMessage, From: protocol.FromTechnician, Text: "<b>hi</b><img src=x onerror=alert(1)>", At: 1700000000001},
	} {
		console.Send(protocol.TypeLogAppend, sid, e)
	}
	sofar := []string{"event||||Viewing allowed", "message|technician|Administrator|admin|<b>hi</b><img src=x onerror=alert(1)>"}
	waitLog(t, admin, sid, sofar)
	// The customer's words come from the agent.
	agent.Send(protocol.TypeLogAppend, sid, protocol.LogAppend{ID: "3", Kind: protocol.LogMessage, From: protocol.FromCustomer, Text: "merci", At: 1700000000002})
	waitLog(t, admin, sid, append(sofar, "message|customer|Marie||merci"))
	console.Send(protocol.TypeSessionEnd, sid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	agent.Expect(protocol.TypeSessionEnd)

	code, body := do(t, admin, "GET", path, "", false)
	var l store.SessionLog
	if err := json.Unmarshal([]byte(body), &l); code != 200 || err != nil {
		t.Fatalf("GET: %d %s", code, body)
	}
	if l.SessionID != sid || l.CustomerName != "Marie" || len(l.Entries) != 3 ||
		l.Entries[1].Text != "<b>hi</b><img src=x onerror=alert(1)>" || l.Entries[1].Author != "Administrator" ||
		l.Entries[2].From != "customer" || l.Entries[2].Author != "Marie" {
		t.Fatalf("stored log %+v", l)
	}
	if code, _ := do(t, bob, "GET", path, "", false); code != http.StatusNotFound {
		t.Fatalf("another technician reads the log: %d", code)
	}
}
