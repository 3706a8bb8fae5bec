package consent

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// hang is the longest any test waits for something that should happen at once.
const hang = 10 * time.Second

// syncBuffer is an Out that tests can read while the UI writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is a running UI and an HTTP client that talks to it like the page does.
type harness struct {
	t      *testing.T
	ui     *UI
	out    *syncBuffer
	client *http.Client
	tr     *http.Transport
	runErr chan error
}

// start runs a UI with cfg (Out is replaced by a buffer) and checks at cleanup that
// it closes and leaves no goroutine behind.
func start(t *testing.T, cfg Config) *harness {
	t.Helper()
	base := runtime.NumGoroutine()
	out := &syncBuffer{}
	cfg.Out = out
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	ui, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	h := &harness{t: t, ui: ui, out: out, tr: tr, runErr: make(chan error, 1),
		client: &http.Client{Transport: tr, Timeout: hang,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	go func() { h.runErr <- ui.Run(context.Background()) }()
	waitFor(t, "page URL printed", func() bool { return strings.Contains(out.String(), ui.URL()) })
	t.Cleanup(func() {
		if err := ui.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := ui.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		select {
		case err := <-h.runErr:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(hang):
			t.Error("Run did not return after Close")
		}
		tr.CloseIdleConnections()
		checkGoroutines(t, base)
	})
	return h
}

// checkGoroutines waits until no more goroutines run than at base.
func checkGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Errorf("leaked goroutines: %d > %d\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitFor waits for cond with a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// do sends a request to path under the page URL, with the page's Host and, for
// POSTs, its Origin; edit may change the request before it goes.
func (h *harness) do(method, path, body string, edit func(*http.Request)) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.ui.URL()+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Origin", strings.TrimSuffix(h.ui.URL(), "/"+h.ui.lb.secret+"/"))
		req.Header.Set("Content-Type", "application/json")
	}
	if edit != nil {
		edit(req)
	}
	res, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { res.Body.Close() })
	return res
}

func (h *harness) status(method, path, body string, edit func(*http.Request)) int {
	h.t.Helper()
	res := h.do(method, path, body, edit)
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// pendingID waits until a request is pending and returns its ID, as the page sees it.
func (h *harness) pendingID() string {
	h.t.Helper()
	var id string
	waitFor(h.t, "a pending request", func() bool {
		h.ui.mu.Lock()
		defer h.ui.mu.Unlock()
		if h.ui.pending != nil {
			id = h.ui.pending.id
		}
		return id != ""
	})
	return id
}

// ask runs Ask in the background.
func (h *harness) ask(ctx context.Context, perm protocol.Permission) <-chan askResult {
	c := make(chan askResult, 1)
	go func() {
		ok, err := h.ui.Ask(ctx, perm)
		c <- askResult{ok, err}
	}()
	return c
}

type askResult struct {
	allow bool
	err   error
}

func (h *harness) result(c <-chan askResult) askResult {
	h.t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(hang):
		h.t.Fatal("Ask did not return")
	}
	return askResult{}
}

func (h *harness) action() Action {
	h.t.Helper()
	select {
	case a := <-h.ui.Actions():
		return a
	case <-time.After(hang):
		h.t.Fatal("no action delivered")
	}
	return ""
}

func TestRequestsOutsideThePageAreRefused(t *testing.T) {
	h := start(t, Config{})
	c := h.ask(t.Context(), protocol.PermissionView)
	id := h.pendingID()
	answer := `{"id":"` + id + `","allow":true}`

	tests := []struct {
		name   string
		method string
		url    string // replaces the page URL when set
		path   string
		edit   func(*http.Request)
		want   int
	}{
		{name: "wrong secret", method: "GET", url: "http://" + h.ui.lb.host + "/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/", want: 404},
		{name: "no secret", method: "GET", url: "http://" + h.ui.lb.host + "/", want: 404},
		{name: "wrong host", method: "GET", edit: func(r *http.Request) { r.Host = "evil.example" }, want: 403},
		{name: "localhost host", method: "GET", edit: func(r *http.Request) { r.Host = "localhost:" + strings.TrimPrefix(h.ui.lb.host, "127.0.0.1:") }, want: 403},
		{name: "cross-origin GET", method: "GET", path: "events", edit: func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }, want: 403},
		{name: "cross-origin POST", method: "POST", path: "answer", edit: func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }, want: 403},
		{name: "POST without origin", method: "POST", path: "answer", edit: func(r *http.Request) { r.Header.Del("Origin") }, want: 403},
		{name: "POST marked cross-site", method: "POST", path: "answer", edit: func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, want: 403},
		{name: "form POST", method: "POST", path: "answer", edit: func(r *http.Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") }, want: 415},
		{name: "wrong secret POST", method: "POST", url: "http://" + h.ui.lb.host + "/nope/answer", want: 404},
		{name: "GET answer", method: "GET", path: "answer", want: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edit := tt.edit
			if tt.url != "" {
				u := tt.url
				prev := edit
				edit = func(r *http.Request) {
					nr, _ := http.NewRequest(r.Method, u, nil)
					r.URL = nr.URL
					if prev != nil {
						prev(r)
					}
				}
			}
			if got := h.status(tt.method, tt.path, answer, edit); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
	h.ui.mu.Lock()
	still := h.ui.pending != nil && h.ui.pending.id == id
	h.ui.mu.Unlock()
	if !still {
		t.Fatal("a refused request answered the question")
	}
	if got := h.status("POST", "answer", `{"id":"`+id+`","allow":true,"extra":1}`, nil); got != 400 {
		t.Errorf("unknown field: status %d, want 400", got)
	}
	if got := h.status("POST", "answer", `{"id":"`+strings.Repeat("x", 2*maxBody)+`"}`, nil); got != 413 {
		t.Errorf("large body: status %d, want 413", got)
	}
	h.ui.Withdraw()
	if r := h.result(c); r.allow || !errors.Is(r.err, ErrWithdrawn) {
		t.Fatalf("after Withdraw: %+v", r)
	}
}

func TestAnswerOnThePage(t *testing.T) {
	h := start(t, Config{})
	for _, allow := range []bool{true, false} {
		c := h.ask(t.Context(), protocol.PermissionView)
		id := h.pendingID()
		body := `{"id":"` + id + `","allow":false}`
		if allow {
			body = `{"id":"` + id + `","allow":true}`
		}
		if got := h.status("POST", "answer", body, nil); got != http.StatusNoContent {
			t.Fatalf("answer: status %d", got)
		}
		if r := h.result(c); r.allow != allow || r.err != nil {
			t.Fatalf("Ask = %+v, want %v", r, allow)
		}
		// The same answer again is stale: nothing is pending.
		if got := h.status("POST", "answer", body, nil); got != http.StatusConflict {
			t.Fatalf("stale answer: status %d, want 409", got)
		}
	}
}

func TestAskEnds(t *testing.T) {
	h := start(t, Config{})

	ctx, cancel := context.WithCancel(t.Context())
	c := h.ask(ctx, protocol.PermissionControl)
	id := h.pendingID()
	cancel()
	if r := h.result(c); r.allow || !errors.Is(r.err, context.Canceled) {
		t.Fatalf("after cancel: %+v", r)
	}
	// An answer to the cancelled request is not taken for the next one.
	c = h.ask(t.Context(), protocol.PermissionControl)
	next := h.pendingID()
	if next == id {
		t.Fatal("request ID reused")
	}
	if got := h.status("POST", "answer", `{"id":"`+id+`","allow":true}`, nil); got != http.StatusConflict {
		t.Fatalf("stale answer: status %d, want 409", got)
	}
	h.ui.Ended(ReasonByTechnician)
	if r := h.result(c); r.allow || !errors.Is(r.err, ErrEnded) {
		t.Fatalf("after Ended: %+v", r)
	}
	if ok, err := h.ui.Ask(t.Context(), protocol.PermissionView); ok || !errors.Is(err, ErrEnded) {
		t.Fatalf("Ask after Ended = %v, %v", ok, err)
	}
	if _, err := h.ui.Ask(t.Context(), "files"); !errors.Is(err, ErrUnknownPermission) {
		t.Fatalf("unknown permission: %v", err)
	}
}

func TestCloseUnblocksAsk(t *testing.T) {
	h := start(t, Config{})
	c := h.ask(t.Context(), protocol.PermissionView)
	h.pendingID()
	queued := h.ask(t.Context(), protocol.PermissionControl) // waits its turn
	h.ui.Close()
	for _, c := range []<-chan askResult{c, queued} {
		if r := h.result(c); r.allow || !errors.Is(r.err, ErrClosed) {
			t.Fatalf("after Close: %+v", r)
		}
	}
	if ok, err := h.ui.Ask(t.Context(), protocol.PermissionView); ok || !errors.Is(err, ErrClosed) {
		t.Fatalf("Ask after Close = %v, %v", ok, err)
	}
}

func TestTerminalAnswers(t *testing.T) {
	h := start(t, Config{Terminal: strings.NewReader("y\n")})
	h.ui.SetInfo(Info{TechnicianName: "Alice", OrgName: "Acme"})
	ok, err := h.ui.Ask(t.Context(), protocol.PermissionView)
	if !ok || err != nil {
		t.Fatalf("Ask = %v, %v; want true", ok, err)
	}
	out := h.out.String()
	for _, want := range []string{"Allow Alice from Acme to view your screen? [y/N]", "contacted Acme yourself", "Allowed."} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%s", want, out)
		}
	}
}

func TestTerminalAnswersInFrench(t *testing.T) {
	h := start(t, Config{Lang: i18n.FR, Terminal: strings.NewReader("oui\n")})
	h.ui.SetInfo(Info{TechnicianName: "Alice", OrgName: "Acme"})
	if ok, err := h.ui.Ask(t.Context(), protocol.PermissionControl); !ok || err != nil {
		t.Fatalf("Ask = %v, %v; want true", ok, err)
	}
	if out := h.out.String(); !strings.Contains(out, "Autoriser Alice (Acme) à contrôler votre souris et votre clavier ? [o/N]") {
		t.Errorf("French prompt missing:\n%s", out)
	}
}

// A colleague's request names the colleague and whom they help, in each
// language; an empty colleague is the technician's own request.
func TestColleaguesRequestNamesThem(t *testing.T) {
	for _, c := range []struct {
		lang      i18n.Lang
		colleague string
		want      string
	}{
		{i18n.EN, "Bob", "Bob (helping Alice) asks: Allow Bob from Acme to share the clipboard with you? [y/N]"},
		{i18n.FR, "Bob", "Bob (qui aide Alice) demande : Autoriser Bob (Acme) à partager le presse-papiers avec vous ? [o/N]"},
		{i18n.EN, " ", "\nAllow Alice from Acme to share the clipboard with you? [y/N]"},
	} {
		h := start(t, Config{Lang: c.lang, Terminal: strings.NewReader("n\n")})
		h.ui.SetInfo(Info{TechnicianName: "Alice", OrgName: "Acme"})
		if ok, err := h.ui.AskBy(t.Context(), protocol.PermissionClipboard, c.colleague); ok || err != nil {
			t.Fatalf("AskBy = %v, %v; want a refusal", ok, err)
		}
		if out := h.out.String(); !strings.Contains(out, c.want) {
			t.Errorf("%s, colleague %q: the prompt lacks %q:\n%s", c.lang, c.colleague, c.want, out)
		}
	}
	if _, err := start(t, Config{}).ui.AskBy(t.Context(), protocol.PermissionHelp, "Bob"); !errors.Is(err, ErrUnknownPermission) {
		t.Errorf("AskBy for help: %v, want ErrUnknownPermission", err)
	}
}

// The page answers first; a line typed afterwards, while nothing is pending, must not
// answer the next question.
func TestTerminalLineAfterPageAnswerDoesNotCarryOver(t *testing.T) {
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() }) // runs after the harness' leak check is registered, so first
	h := start(t, Config{Terminal: pr})
	t.Cleanup(func() { pw.Close() })

	c := h.ask(t.Context(), protocol.PermissionView)
	id := h.pendingID()
	if got := h.status("POST", "answer", `{"id":"`+id+`","allow":true}`, nil); got != http.StatusNoContent {
		t.Fatalf("answer: status %d", got)
	}
	if r := h.result(c); !r.allow || r.err != nil {
		t.Fatalf("Ask = %+v, want allowed", r)
	}
	waitFor(t, "terminal told of the page's answer", func() bool {
		return strings.Contains(h.out.String(), "Answered on the page: allowed.")
	})

	// The customer, late, types "y" at the withdrawn prompt.
	if _, err := io.WriteString(pw, "y\n"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the stray line to be ignored", func() bool {
		return strings.Contains(h.out.String(), "No question is waiting for an answer.")
	})

	c = h.ask(t.Context(), protocol.PermissionControl)
	h.pendingID()
	if _, err := io.WriteString(pw, "no\n"); err != nil {
		t.Fatal(err)
	}
	if r := h.result(c); r.allow || r.err != nil {
		t.Fatalf("control Ask = %+v, want denied", r)
	}
}

func TestTerminalCommands(t *testing.T) {
	pr, pw := io.Pipe()
	h := start(t, Config{Terminal: pr})
	t.Cleanup(func() { pw.Close() })
	c := h.ask(t.Context(), protocol.PermissionControl)
	h.pendingID()
	io.WriteString(pw, "yes\n")
	if r := h.result(c); !r.allow {
		t.Fatalf("Ask = %+v", r)
	}
	h.ui.SetState(protocol.Permissions{View: true, Control: true}, true)
	io.WriteString(pw, "stop\n")
	if a := h.action(); a != ActionRevokeControl {
		t.Fatalf("action %q, want %q", a, ActionRevokeControl)
	}
	io.WriteString(pw, "fin\n")
	if a := h.action(); a != ActionEnd {
		t.Fatalf("action %q, want %q", a, ActionEnd)
	}
}

func TestPageActions(t *testing.T) {
	h := start(t, Config{})
	h.ui.SetState(protocol.Permissions{View: true, Control: true}, true)
	if got := h.status("POST", "action", `{"action":"revoke_control"}`, nil); got != http.StatusNoContent {
		t.Fatalf("stop control: status %d", got)
	}
	if a := h.action(); a != ActionRevokeControl {
		t.Fatalf("action %q", a)
	}
	if got := h.status("POST", "action", `{"action":"reboot"}`, nil); got != http.StatusBadRequest {
		t.Fatalf("unknown action: status %d", got)
	}
	if got := h.status("POST", "action", `{"action":"end"}`, nil); got != http.StatusNoContent {
		t.Fatalf("end: status %d", got)
	}
	if a := h.action(); a != ActionEnd {
		t.Fatalf("action %q", a)
	}
	// The page shows the end at once, and later actions are not delivered again.
	page := h.body("GET", "", nil)
	if !strings.Contains(page, "You ended the session.") {
		t.Errorf("page does not show the end")
	}
	h.status("POST", "action", `{"action":"end"}`, nil)
	select {
	case a := <-h.ui.Actions():
		t.Fatalf("action %q delivered after the end", a)
	default:
	}
}

func (h *harness) body(method, path string, edit func(*http.Request)) string {
	h.t.Helper()
	res := h.do(method, path, "", edit)
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		h.t.Fatalf("%s %s: status %d", method, path, res.StatusCode)
	}
	return string(b)
}

func TestPageEscapesNamesAndSpeaksFrench(t *testing.T) {
	h := start(t, Config{})
	h.ui.SetInfo(Info{TechnicianName: "<script>alert(1)</script>", OrgName: "Acme & Sons", CustomerName: `Bob "B"`})
	c := h.ask(t.Context(), protocol.PermissionView)
	h.pendingID()

	page := h.body("GET", "", nil)
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "Acme &amp; Sons", "Bob &#34;B&#34;", "Allow", "to view your screen?", "contacted Acme &amp; Sons yourself"} {
		if !strings.Contains(page, want) {
			t.Errorf("English page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>alert") {
		t.Error("technician name not escaped")
	}

	fr := h.body("GET", "?lang=fr", nil)
	for _, want := range []string{`<html lang="fr">`, "Autoriser", "Refuser", "Mettre fin à la session", "à voir votre écran"} {
		if !strings.Contains(fr, want) {
			t.Errorf("?lang=fr page lacks %q", want)
		}
	}
	h.ui.Withdraw()
	h.result(c)
}

func TestPageInFrenchByConfig(t *testing.T) {
	h := start(t, Config{Lang: i18n.FR})
	page := h.body("GET", "", nil)
	if !strings.Contains(page, "un technicien va prendre en charge") || !strings.Contains(page, `<html lang="fr">`) {
		t.Error("page not in French")
	}
	if en := h.body("GET", "?lang=en", nil); !strings.Contains(en, "Waiting in the queue") {
		t.Error("?lang=en does not switch to English")
	}
}

func TestEventsFollowState(t *testing.T) {
	h := start(t, Config{})
	res := h.do("GET", "events", "", nil)
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	res.Body.Close()
	next, done := h.stream("")
	next(`"status":"waiting"`)
	h.ui.SetState(protocol.Permissions{View: true}, true)
	next(`"status":"viewed"`)
	h.ui.SetState(protocol.Permissions{View: true, Control: true}, true)
	next(`"canStop":true`)
	h.ui.Ended(ReasonByTechnician)
	next(`"endedText":"The technician ended the session."`)
	h.ui.Close()
	done() // the stream ends with the UI
}

func TestRunEndsWithContext(t *testing.T) {
	base := runtime.NumGoroutine()
	out := &syncBuffer{}
	ui, err := New(Config{Out: out, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- ui.Run(ctx) }()
	waitFor(t, "page URL printed", func() bool { return strings.Contains(out.String(), "Customer page: "+ui.URL()) })
	if err := ui.Run(ctx); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Run: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(hang):
		t.Fatal("Run did not return")
	}
	if _, err := ui.Ask(t.Context(), protocol.PermissionView); !errors.Is(err, ErrClosed) {
		t.Fatalf("Ask after Run ended: %v", err)
	}
	ui.Close()
	checkGoroutines(t, base)
}

func TestCloseWithoutRun(t *testing.T) {
	base := runtime.NumGoroutine()
	ui, err := New(Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ui.Close()
	ui.Close()
	if err := ui.Run(t.Context()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Run after Close: %v", err)
	}
	checkGoroutines(t, base)
}

// A mounted panel is served behind the page's checks and loaded by the page.
func TestMountedPanel(t *testing.T) {
	u, err := New(Config{Lang: i18n.EN})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if err := u.Mount("Bad!", http.NotFoundHandler()); err == nil {
		t.Fatal("Mount accepted a bad name")
	}
	var got []string
	if err := u.Mount("chat", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.Path)
		w.Write([]byte("ok"))
	})); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go u.Run(ctx)

	do := func(method, path, origin string) int {
		req, _ := http.NewRequest(method, strings.TrimSuffix(u.URL(), "/")+path, strings.NewReader("{}"))
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	origin := strings.TrimSuffix(strings.Join(strings.SplitN(u.URL(), "/", 4)[:3], "/"), "/")
	if code := do("GET", "/chat/panel.js", ""); code != 200 {
		t.Fatalf("GET panel.js = %d", code)
	}
	if code := do("POST", "/chat/send", ""); code != http.StatusForbidden {
		t.Fatalf("POST without Origin = %d, want 403", code)
	}
	if code := do("POST", "/chat/send", "http://evil.example"); code != http.StatusForbidden {
		t.Fatalf("POST from another origin = %d, want 403", code)
	}
	if code := do("POST", "/chat/send", origin); code != 200 {
		t.Fatalf("POST from the page = %d", code)
	}
	if code := do("GET", "/nopanel/x", ""); code != 404 {
		t.Fatalf("unknown panel = %d, want 404", code)
	}
	if want := []string{"GET /panel.js", "POST /send"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("panel saw %v, want %v", got, want)
	}
	resp, err := http.Get(u.URL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `src="chat/panel.js"`) || !strings.Contains(string(body), `id="panel-chat"`) {
		t.Fatal("the page does not load the mounted panel")
	}
}

// TestTerminalConsentSaysItCanCaptureTheScreen: a terminal runs any program, including
// one that takes pictures of the screen, and private windows hide nothing from it; the
// customer must read that before allowing one, on the page and on the terminal, in
// English and in French.
func TestTerminalConsentSaysItCanCaptureTheScreen(t *testing.T) {
	for _, tc := range []struct {
		lang  i18n.Lang
		yes   string
		wants []string
	}{
		{i18n.EN, "y\n", []string{"any program", "capture the screen", "Private windows are not hidden"}},
		{i18n.FR, "oui\n", []string{"n'importe quel programme", "capturer l'écran", "Les fenêtres privées ne sont pas cachées"}},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			term, typed := io.Pipe()
			h := start(t, Config{Lang: tc.lang, Terminal: term})
			t.Cleanup(func() { typed.Close() })
			h.ui.SetInfo(Info{TechnicianName: "Alice", OrgName: "Acme"})
			c := h.ask(t.Context(), protocol.PermissionTerminal)
			h.pendingID()
			page := h.body("GET", "", nil)
			waitFor(t, "terminal prompt printed", func() bool { return strings.Contains(h.out.String(), "[") })
			out := h.out.String()
			for _, want := range tc.wants {
				want = strings.ReplaceAll(want, "'", "&#39;")
				if !strings.Contains(page, want) {
					t.Errorf("page's terminal question lacks %q", want)
				}
			}
			for _, want := range tc.wants {
				if !strings.Contains(out, want) {
					t.Errorf("terminal's prompt lacks %q:\n%s", want, out)
				}
			}
			if _, err := io.WriteString(typed, tc.yes); err != nil {
				t.Fatal(err)
			}
			if r := h.result(c); !r.allow || r.err != nil {
				t.Fatalf("Ask = %+v, want allowed", r)
			}
		})
	}
}
