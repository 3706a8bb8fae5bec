// Package servertest runs real signaling nodes for tests in other packages:
// start a node on an embedded NATS server, log a technician in, create a
// session and talk to the WebSocket endpoints.
package servertest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/server"
)

// AdminPassword is the admin's password on nodes started by StartNode.
const AdminPassword = "correct horse"

// Node is one running signaling server.
type Node struct {
	URL string
	// Metrics is the metrics URL when the node serves metrics (Config.MetricsAddr).
	Metrics string
	// FirstPassword is the admin password a first run generated and showed
	// (Config.AdminPassword empty), or "".
	FirstPassword string
	stop          func()
}

// Stop stops the node now (as a restart would) and waits for it; the test's
// end stops it otherwise. It is idempotent.
func (n Node) Stop() { n.stop() }

// StartNode runs a signaling node against natsURL and returns its base URL; it
// stops when the test ends. The admin password is AdminPassword. Each opt may
// change the configuration before the node starts.
func StartNode(t testing.TB, natsURL, name string, opts ...func(*server.Config)) Node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	cfg := server.Config{
		Addr: "127.0.0.1:0", DataDir: t.TempDir(), NATSURL: natsURL, NodeName: name,
		OrgName: "Acme IT", AdminPassword: AdminPassword, Out: pw,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	go func() {
		done <- server.Run(ctx, cfg)
		pw.Close()
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("%s: Run: %v", name, err)
			}
		})
	}
	t.Cleanup(stop)
	sc := bufio.NewScanner(pr)
	var n Node
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "Metrics on "); ok {
			n.Metrics = u
		}
		if pw, ok := strings.CutPrefix(sc.Text(), "  password: "); ok {
			n.FirstPassword = pw
		}
		if u, ok := strings.CutPrefix(sc.Text(), "Lifeline is listening on "); ok {
			go io.Copy(io.Discard, pr)
			n.URL, n.stop = u, stop
			return n
		}
	}
	t.Fatalf("%s did not start", name)
	return Node{}
}

// Tech is a logged-in technician's browser.
type Tech struct {
	Client *http.Client
	Base   string
	CSRF   string
}

// LogIn logs the admin in on node n.
func LogIn(t testing.TB, n Node) *Tech {
	t.Helper()
	return LogInAs(t, n, "admin", AdminPassword)
}

// LogInAs logs a technician in on node n with a password (no two-step code).
func LogInAs(t testing.TB, n Node, user, password string) *Tech {
	t.Helper()
	tc, path, body := LogInTo(t, n, user, password)
	if path != "/console" {
		t.Fatalf("login ended on %s: %s", path, body)
	}
	return tc
}

// LogInTo tries to log a technician in on node n with a password and
// returns the browser, the path the login ended on (after redirects) and
// that page. The browser has the page's CSRF token if it shows one.
func LogInTo(t testing.TB, n Node, user, password string) (tc *Tech, path, page string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(n.URL+"/login", url.Values{"username": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	body := ReadAll(t, resp)
	tc = &Tech{Client: c, Base: n.URL}
	if strings.Contains(body, `name="csrf"`) {
		tc.CSRF = Find(t, body, `name="csrf" value="([^"]+)"`)
	}
	return tc, resp.Request.URL.Path, body
}

// Anonymous is a browser on node n that has not logged in yet.
func Anonymous(t testing.TB, n Node) *Tech {
	jar, _ := cookiejar.New(nil)
	return &Tech{Client: &http.Client{Jar: jar}, Base: n.URL}
}

// Post sends a form with the login's CSRF token and returns the status and body
// of the page it ends on (after redirects).
func (tc *Tech) Post(t testing.TB, path string, form url.Values) (int, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", tc.CSRF)
	resp, err := tc.Client.PostForm(tc.Base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, ReadAll(t, resp)
}

// Get fetches a page and returns its status and body.
func (tc *Tech) Get(t testing.TB, path string) (int, string) {
	t.Helper()
	resp, err := tc.Client.Get(tc.Base + path)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, ReadAll(t, resp)
}

// CreateTechnician has the (admin) technician create an account in group
// ("" for the default group: every permission but other technicians' queues).
func (tc *Tech) CreateTechnician(t testing.TB, id, name, password, group string) {
	t.Helper()
	code, body := tc.Post(t, "/admin/technicians", url.Values{"id": {id}, "name": {name}, "password": {password}, "role": {"technician"}, "group": {group}})
	if code != http.StatusOK || !strings.Contains(body, `id="admin-notice"`) {
		t.Fatalf("create technician %s: %d %s", id, code, body)
	}
}

// PutGroup has the (admin) technician create or replace a group with perms.
func (tc *Tech) PutGroup(t testing.TB, id string, perms ...string) {
	t.Helper()
	code, body := tc.Post(t, "/admin/groups", url.Values{"id": {id}, "name": {id}, "perm": perms})
	if code != http.StatusOK || !strings.Contains(body, `id="admin-notice"`) {
		t.Fatalf("put group %s: %d %s", id, code, body)
	}
}

// AddScript has the (admin) technician add a script to the library through
// the admin page's multipart form (form's fields, and one attached file if
// fileName is set) and returns the status and page it ends on.
func (tc *Tech) AddScript(t testing.TB, form url.Values, fileName string, file []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf", tc.CSRF)
	for k, vs := range form {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	if fileName != "" {
		fw, err := w.CreateFormFile("files", fileName)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(file)
	}
	_ = w.Close()
	resp, err := tc.Client.Post(tc.Base+"/admin/scripts", w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, ReadAll(t, resp)
}

// NewSession creates a session and returns its ID, link token and PIN.
func (tc *Tech) NewSession(t testing.TB, customer string) (sid, token, pin string) {
	t.Helper()
	resp, err := tc.Client.PostForm(tc.Base+"/console/sessions", url.Values{"customer": {customer}, "csrf": {tc.CSRF}})
	if err != nil {
		t.Fatal(err)
	}
	body := ReadAll(t, resp)
	sid = strings.TrimPrefix(resp.Request.URL.Path, "/console/sessions/")
	link := Find(t, body, `id="invite-link" readonly value="([^"]+)"`)
	token = link[strings.LastIndex(link, "/")+1:]
	return sid, token, Find(t, body, `class="pin">(\d{6})<`)
}

// Dial opens a WebSocket on path with the technician's login.
func (tc *Tech) Dial(t testing.TB, path string) *Conn {
	t.Helper()
	u, _ := url.Parse(tc.Base)
	return Dial(t, tc.Base+path, tc.Client.Jar.Cookies(u))
}

// Conn is a test WebSocket speaking the signaling protocol.
type Conn struct {
	t  testing.TB
	ws *websocket.Conn
	id int
}

// Dial opens a WebSocket to httpURL (http:// or https://) with cookies.
func Dial(t testing.TB, httpURL string, cookies []*http.Cookie) *Conn {
	t.Helper()
	h := http.Header{}
	for _, c := range cookies {
		h.Add("Cookie", c.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(httpURL, "http"), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		code := 0
		if resp != nil {
			code = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP %d)", httpURL, err, code)
	}
	ws.SetReadLimit(1 << 20)
	t.Cleanup(func() { ws.CloseNow() })
	return &Conn{t: t, ws: ws}
}

// SendRaw writes bytes as one message.
func (w *Conn) SendRaw(b []byte) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.ws.Write(ctx, websocket.MessageText, b); err != nil {
		w.t.Fatalf("write: %v", err)
	}
}

// Send writes one protocol message and returns its ID.
func (w *Conn) Send(typ protocol.Type, sid string, payload any) string {
	w.t.Helper()
	w.id++
	id := fmt.Sprint(w.id)
	b, err := protocol.Encode(typ, id, sid, payload)
	if err != nil {
		w.t.Fatal(err)
	}
	w.SendRaw(b)
	return id
}

// Expect reads messages until one of type typ arrives, and returns it.
func (w *Conn) Expect(typ protocol.Type) protocol.Message {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, data, err := w.ws.Read(ctx)
		if err != nil {
			w.t.Fatalf("waiting for %s: %v", typ, err)
		}
		m, err := protocol.Decode(data)
		if err != nil {
			w.t.Fatalf("server sent an invalid message %s: %v", data, err)
		}
		if m.Type == typ {
			return m
		}
		if e, ok := m.Body.(*protocol.Error); ok {
			// Said in the log, so a test that times out shows what it missed.
			w.t.Logf("while waiting for %s: error %s (reply to %q): %s", typ, e.Code, m.ID, e.Message)
		}
	}
}

// Read returns the next valid message, or an error once the socket closes or
// within is over; unlike Expect it never fails the test, so other goroutines
// may use it.
func (w *Conn) Read(within time.Duration) (protocol.Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		_, data, err := w.ws.Read(ctx)
		if err != nil {
			return protocol.Message{}, err
		}
		if m, err := protocol.Decode(data); err == nil {
			return m, nil
		}
	}
}

// ReadAll reads and closes a response body.
func ReadAll(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Find returns the first submatch of re in body, failing the test if none.
func Find(t testing.TB, body, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in page:\n%s", re, body)
	}
	return m[1]
}

// Close closes the socket, as a dropped connection would.
func (w *Conn) Close() { w.ws.CloseNow() }
