package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// TestTrustedProxyKeepsClientsApart: behind a trusted proxy (here the
// loopback address every test request comes from) each client has its own
// login rate limit, read from X-Forwarded-For; a client that forges the
// header from outside the proxy gains nothing.
func TestTrustedProxyKeepsClientsApart(t *testing.T) {
	lo, err := auth.ParseProxy("127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) { c.TrustedProxies = auth.Proxies{lo} })
	post := func(client, user, password string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, n.URL+"/login", strings.NewReader(url.Values{"username": {user}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", client)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = st.ReadAll(t, resp)
		return resp.StatusCode
	}
	const mallory, alice = "198.51.100.66", "198.51.100.7"
	limited := false
	for i := 0; i < 40 && !limited; i++ {
		limited = post(mallory, "nobody", "guess") == http.StatusTooManyRequests
	}
	if !limited {
		t.Fatal("40 wrong logins from one client were never rate limited")
	}
	if code := post(mallory, "admin", st.AdminPassword); code != http.StatusTooManyRequests {
		t.Errorf("the limited client logged in: %d, want 429", code)
	}
	if code := post(alice, "admin", st.AdminPassword); code != http.StatusSeeOther {
		t.Errorf("another client behind the same proxy: %d, want 303 (logged in)", code)
	}
}
