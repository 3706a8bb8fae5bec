package e2e

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/coder/websocket"
)

// firefoxPath is Debian's Firefox ESR (go tool task deps installs it).
func firefoxPath() (string, error) { return exec.LookPath("firefox-esr") }

// firefoxPrefs go into the fresh profile's user.js: media without prompts,
// host candidates as plain addresses (as Chromium's flags in StartWith: this
// sandbox has no multicast DNS), downloads saved without asking, no password
// manager watching the login form, and no first-run pages. %s is the
// download folder.
const firefoxPrefs = `user_pref("media.navigator.permission.disabled", true);
user_pref("media.autoplay.default", 0);
user_pref("media.autoplay.blocking_policy", 0);
user_pref("media.peerconnection.ice.obfuscate_host_addresses", false);
user_pref("browser.download.dir", %s);
user_pref("browser.download.folderList", 2);
user_pref("browser.download.useDownloadDir", true);
user_pref("browser.download.always_ask_before_handling_new_types", false);
user_pref("browser.download.start_downloads_in_tmp_dir", false);
user_pref("browser.download.alwaysOpenPanel", false);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.page", 0);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.disabledForTesting", true);
user_pref("dom.disable_beforeunload", true);
user_pref("signon.rememberSignons", false);
user_pref("remote.prefs.recommended", true);
`

// firefox is a headless Firefox ESR driven over WebDriver BiDi: a small
// client over a WebSocket (no node, no driver binary). Commands wait for
// their answer by id; prompts ("End the session?") are accepted as the
// technician would; the pages' log goes to the test's log when it fails.
type firefox struct {
	cmd       *exec.Cmd
	conn      *websocket.Conn
	downloads string
	logs      *lockedBuffer

	mu      sync.Mutex
	next    int
	pending map[int]chan bidiMessage
	done    chan struct{} // closed when the connection is gone
	err     error         // why, once done is closed
}

// bidiMessage is any message from the browser: a command's answer or an event.
type bidiMessage struct {
	Type    string          `json:"type"` // "success", "error" or "event"
	ID      *int            `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// startFirefox starts headless Firefox with a fresh profile and opens a BiDi
// session; it is stopped when the test ends.
func startFirefox(t testing.TB) *firefox {
	t.Helper()
	bin, err := firefoxPath()
	if err != nil {
		t.Skip("firefox-esr is not installed (go tool task deps installs it)")
	}
	profile, downloads := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(profile, "user.js"), fmt.Appendf(nil, firefoxPrefs, strconv.Quote(downloads)), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &firefox{downloads: downloads, logs: &lockedBuffer{}, pending: map[int]chan bidiMessage{}, done: make(chan struct{})}
	f.cmd = exec.Command(bin, "--headless", "--no-remote", "--remote-debugging-port=0", "--profile", profile, "about:blank")
	f.cmd.Env = append(os.Environ(), "MOZ_HEADLESS_WIDTH=1200", "MOZ_HEADLESS_HEIGHT=800")
	// A group of its own: Firefox runs content processes, and none may outlive the test.
	f.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	f.cmd.Stdout = f.logs
	stderr, err := f.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = f.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		if f.conn != nil {
			_ = f.conn.Close(websocket.StatusNormalClosure, "")
		}
		_ = syscall.Kill(-f.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			t.Logf("firefox log:\n%s", f.logs.String())
		}
	})
	addr := make(chan string, 1)
	go func() {
		// Keep reading to the end: a full pipe would stall the browser.
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "WebDriver BiDi listening on "); ok {
				addr <- strings.TrimSpace(u)
			}
			_, _ = f.logs.Write([]byte(line + "\n"))
		}
	}()
	var ws string
	select {
	case ws = <-addr:
	case <-exited:
		t.Fatalf("firefox exited:\n%s", f.logs.String())
	case <-time.After(Timeout):
		t.Fatalf("firefox did not start its WebDriver BiDi server:\n%s", f.logs.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	f.conn, _, err = websocket.Dial(ctx, ws+"/session", nil)
	if err != nil {
		t.Fatalf("connect to firefox: %v", err)
	}
	f.conn.SetReadLimit(64 << 20) // screenshots
	go f.read()
	// Confirmations ("End the session?") are accepted, as the technician would.
	caps := map[string]any{"alwaysMatch": map[string]any{"unhandledPromptBehavior": map[string]any{"default": "accept"}}}
	if err := f.call(ctx, "session.new", map[string]any{"capabilities": caps}, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.call(ctx, "session.subscribe", map[string]any{"events": []string{"log.entryAdded"}}, nil); err != nil {
		t.Fatal(err)
	}
	// Every page records its problems, as in Chromium's tabs (Stack.tab).
	if err := f.call(ctx, "script.addPreloadScript", map[string]any{"functionDeclaration": "() => {" + cspWatch + problemWatch + "\n}"}, nil); err != nil {
		t.Fatal(err)
	}
	return f
}

// read hands each answer to its caller and handles events, until the
// connection closes.
func (f *firefox) read() {
	var err error
	defer func() {
		f.mu.Lock()
		f.err = err
		f.mu.Unlock()
		close(f.done)
	}()
	for {
		var b []byte
		_, b, err = f.conn.Read(context.Background())
		if err != nil {
			return
		}
		var m bidiMessage
		if err = json.Unmarshal(b, &m); err != nil {
			return
		}
		if m.Type == "event" {
			if m.Method == "log.entryAdded" {
				var e struct {
					Level, Text string
				}
				_ = json.Unmarshal(m.Params, &e)
				fmt.Fprintf(f.logs, "page %s: %s\n", e.Level, e.Text)
			}
			continue
		}
		if m.ID == nil {
			continue
		}
		f.mu.Lock()
		ch := f.pending[*m.ID]
		delete(f.pending, *m.ID)
		f.mu.Unlock()
		if ch != nil {
			ch <- m
		}
	}
}

// call sends a command and decodes its result into out (if not nil).
func (f *firefox) call(ctx context.Context, method string, params, out any) error {
	f.mu.Lock()
	f.next++
	id := f.next
	ch := make(chan bidiMessage, 1)
	f.pending[id] = ch
	f.mu.Unlock()
	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		return err
	}
	// Its own deadline: a write cut short by ctx would close the connection.
	wctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if err := f.conn.Write(wctx, websocket.MessageText, msg); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Type == "error" {
			return fmt.Errorf("%s: %s: %s", method, m.Error, m.Message)
		}
		if out == nil {
			return nil
		}
		return json.Unmarshal(m.Result, out)
	case <-ctx.Done():
		f.mu.Lock()
		delete(f.pending, id)
		f.mu.Unlock()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	case <-f.done:
		return fmt.Errorf("%s: connection to firefox lost: %w", method, f.err)
	}
}

// tab opens a new tab; in a user context of its own (its own cookies, as
// on another computer) when own is true.
func (f *firefox) tab(t testing.TB, own bool) *firefoxPage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	params := map[string]any{"type": "tab"}
	if own {
		var u struct {
			UserContext string `json:"userContext"`
		}
		if err := f.call(ctx, "browser.createUserContext", map[string]any{}, &u); err != nil {
			t.Fatal(err)
		}
		params["userContext"] = u.UserContext
	}
	var r struct {
		Context string `json:"context"`
	}
	if err := f.call(ctx, "browsingContext.create", params, &r); err != nil {
		t.Fatal(err)
	}
	return &firefoxPage{f: f, ctx: r.Context}
}

// firefoxPage is a Firefox tab (a BiDi browsing context).
type firefoxPage struct {
	f   *firefox
	ctx string
}

// Navigate starts the navigation and then waits, by looking, for a new
// document that has loaded: Firefox's own "wait complete" sometimes never
// answered although the page had loaded (2 runs in 9 of
// TestSecondConsoleTakesOverSession, a second login opening the queue).
func (p *firefoxPage) Navigate(ctx context.Context, url string) error {
	// The document we leave carries a mark; the one we wait for does not.
	mark := "e2e-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := lookFor(ctx, p, "mark the page", `(window.__e2eNav = `+strconv.Quote(mark)+`, true)`, func(bool) bool { return true }); err != nil {
		return err
	}
	if err := p.f.call(ctx, "browsingContext.navigate", map[string]any{"context": p.ctx, "url": url, "wait": "none"}, nil); err != nil {
		return err
	}
	var at []string
	err := lookFor(ctx, p, "load "+url, `[location.href, document.readyState, String(window.__e2eNav ?? "")]`, func(v []string) bool {
		at = v
		return v[1] == "complete" && v[2] != mark
	})
	if err != nil && len(at) == 3 {
		err = fmt.Errorf("%w (the tab is at %q, %s, %s)", err, at[0], at[1],
			map[bool]string{true: "the page it left", false: "a new page"}[at[2] == mark])
	}
	return err
}

// lookFor evaluates js in p until ok holds for its value or ctx ends; a
// page between two documents may fail to evaluate, which is "not yet".
func lookFor[T any](ctx context.Context, p *firefoxPage, what, js string, ok func(T) bool) error {
	for {
		var v T
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := p.Eval(c, js, &v)
		cancel()
		if err == nil && ok(v) {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			}
			return fmt.Errorf("%s: %w", what, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// evaluate runs script.evaluate on expr and returns the BiDi remote value.
func (p *firefoxPage) evaluate(ctx context.Context, expr, ownership string) (json.RawMessage, error) {
	var r struct {
		Type             string          `json:"type"`
		Result           json.RawMessage `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	err := p.f.call(ctx, "script.evaluate", map[string]any{
		"expression": expr, "target": map[string]any{"context": p.ctx},
		"awaitPromise": true, "resultOwnership": ownership,
	}, &r)
	if err != nil {
		return nil, err
	}
	if r.Type == "exception" {
		return nil, fmt.Errorf("%w: %s", errScript, r.ExceptionDetails.Text)
	}
	return r.Result, nil
}

func (p *firefoxPage) Eval(ctx context.Context, js string, out any) error {
	// The value comes back as JSON text, decoded as chromedp decodes its own.
	raw, err := p.evaluate(ctx, "(async () => { const v = await (\n"+js+"\n); return v === undefined ? \"null\" : JSON.stringify(v); })()", "none")
	if err != nil {
		return err
	}
	var v struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	if v.Type != "string" {
		return fmt.Errorf("%w: the value is not JSON (%s)", errScript, raw)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal([]byte(v.Value), out)
}

func (p *firefoxPage) actions(ctx context.Context, source map[string]any) error {
	return p.f.call(ctx, "input.performActions", map[string]any{"context": p.ctx, "actions": []any{source}}, nil)
}

func (p *firefoxPage) Click(ctx context.Context, x, y float64) error {
	return p.actions(ctx, map[string]any{
		"type": "pointer", "id": "mouse", "parameters": map[string]any{"pointerType": "mouse"},
		"actions": []any{
			map[string]any{"type": "pointerMove", "x": int(math.Round(x)), "y": int(math.Round(y))},
			map[string]any{"type": "pointerDown", "button": 0},
			map[string]any{"type": "pointerUp", "button": 0},
		},
	})
}

// shiftKey is WebDriver's left Shift key.
const shiftKey = "\uE008"

func (p *firefoxPage) Type(ctx context.Context, text string) error {
	var acts []any
	key := func(kind, k string) { acts = append(acts, map[string]any{"type": kind, "value": k}) }
	for _, r := range text {
		k := string(r)
		if r == '\n' {
			// WebDriver's Return key: the main Enter ("\uE007" is the keypad's).
			k = "\uE006"
		}
		// A person holds Shift for these on a US keyboard, and so does
		// chromedp's key table; WebDriver does not add it by itself, and the
		// console's remote keyboard mode sends keys by position.
		shift := r < 0x80 && (unicode.IsUpper(r) || strings.ContainsRune(`~!@#$%^&*()_+{}|:"<>?`, r))
		if shift {
			key("keyDown", shiftKey)
		}
		key("keyDown", k)
		key("keyUp", k)
		if shift {
			key("keyUp", shiftKey)
		}
	}
	return p.actions(ctx, map[string]any{"type": "key", "id": "keyboard", "actions": acts})
}

func (p *firefoxPage) SetFiles(ctx context.Context, css string, paths []string) error {
	raw, err := p.evaluate(ctx, "document.querySelector("+strconv.Quote(css)+")", "root")
	if err != nil {
		return err
	}
	var node struct {
		Type     string `json:"type"`
		SharedID string `json:"sharedId"`
	}
	if err := json.Unmarshal(raw, &node); err != nil {
		return err
	}
	if node.Type != "node" || node.SharedID == "" {
		return fmt.Errorf("no element %s (%s)", css, raw)
	}
	return p.f.call(ctx, "input.setFiles", map[string]any{
		"context": p.ctx, "element": map[string]any{"sharedId": node.SharedID}, "files": paths,
	}, nil)
}

func (p *firefoxPage) Screenshot(ctx context.Context) ([]byte, error) {
	var r struct {
		Data string `json:"data"`
	}
	if err := p.f.call(ctx, "browsingContext.captureScreenshot", map[string]any{"context": p.ctx}, &r); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(r.Data)
}

func (p *firefoxPage) DownloadDir() string { return p.f.downloads }
