package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// errorLog keeps the ERROR records a node logs.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelError }
func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	l.mu.Lock()
	l.msgs = append(l.msgs, b.String())
	l.mu.Unlock()
	return nil
}
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *errorLog) WithGroup(string) slog.Handler      { return l }

func (l *errorLog) errors() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.msgs...)
}

// startLogged starts a node whose ERROR logs the test can read.
func startLogged(t *testing.T, opts ...func(*server.Config)) (st.Node, *errorLog) {
	t.Helper()
	el := &errorLog{}
	opts = append([]func(*server.Config){func(c *server.Config) { c.Logger = slog.New(el) }}, opts...)
	return st.StartNode(t, natstest.Server(t), "node", opts...), el
}

// TestLoginBadUsernameIs401NotServerError: usernames that are not valid NATS
// keys are wrong logins like any other, not a server error with a log line.
func TestLoginBadUsernameIs401NotServerError(t *testing.T) {
	n, el := startLogged(t)
	c := st.Anonymous(t, n)
	for _, u := range []string{"", "   ", "*", ">", "é", "a b", "a..b", ".admin", "admin.", "ad\u202emin", "\xff"} {
		resp, err := c.Client.PostForm(n.URL+"/login", url.Values{"username": {u}, "password": {"whatever it is"}})
		if err != nil {
			t.Fatal(err)
		}
		body := st.ReadAll(t, resp)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("username %q: %d, want 401: %.200s", u, resp.StatusCode, body)
		}
	}
	if e := el.errors(); len(e) > 0 {
		t.Errorf("errors logged: %q", e)
	}
}

// TestOversizedBodyIs413: a login form far over its size answers 413 (and
// logs nothing), not 500.
func TestOversizedBodyIs413(t *testing.T) {
	n, el := startLogged(t)
	for _, path := range []string{"/login", "/login/code"} {
		body := io.MultiReader(strings.NewReader("username=admin&password="), io.LimitReader(zeros{}, 1<<20))
		resp, err := http.Post(n.URL+path, "application/x-www-form-urlencoded", body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		_ = st.ReadAll(t, resp)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: %d, want 413", path, resp.StatusCode)
		}
	}
	if e := el.errors(); len(e) > 0 {
		t.Errorf("errors logged: %q", e)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// TestBadKeysInPathsAreNotServerErrors: identifiers typed into a URL that
// cannot be NATS keys are "not found", never a server error.
func TestBadKeysInPathsAreNotServerErrors(t *testing.T) {
	n, el := startLogged(t)
	admin := st.LogIn(t, n)
	for _, p := range []string{"a%20b", "%2A", "%3E", "a..b", "%C3%A9"} {
		if code, body := admin.Post(t, "/admin/technicians/"+p, url.Values{"action": {"enable"}}); code >= 500 {
			t.Errorf("change technician %s: %d %.200s", p, code, body)
		}
		if code, body := admin.Post(t, "/admin/groups/"+p+"/delete", nil); code >= 500 {
			t.Errorf("delete group %s: %d %.200s", p, code, body)
		}
		for _, get := range []string{"/console/sessions/" + p, "/console/sessions/" + p + "/notes", "/console/sessions/" + p + "/log", "/s/" + p} {
			if code, body := admin.Get(t, get); code >= 500 {
				t.Errorf("GET %s: %d %.200s", get, code, body)
			}
		}
	}
	if e := el.errors(); len(e) > 0 {
		t.Errorf("errors logged: %q", e)
	}
}
