package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Browser names for the story tests that run in each browser (Stack.TechnicianIn).
const (
	Chromium = "chromium"
	Firefox  = "firefox"
)

// Page is one browser tab the technician works in, whatever the browser:
// the steps of the story tests (technician.go) are written once over it and
// run in Chromium (CDP, chromedp) and Firefox (WebDriver BiDi, bidi.go).
// Every method is a real browser action: clicks and keys go through the
// browser's input pipeline, not synthetic DOM events.
type Page interface {
	// Navigate loads url and waits until the page has loaded.
	Navigate(ctx context.Context, url string) error
	// Eval evaluates a JavaScript expression, awaits it if it is a promise,
	// and decodes its value (as JSON) into out, which may be nil.
	Eval(ctx context.Context, js string, out any) error
	// Click presses and releases the left mouse button at page point (x, y).
	Click(ctx context.Context, x, y float64) error
	// Type types text into the focused element key by key; "\n" is Enter.
	Type(ctx context.Context, text string) error
	// SetFiles picks files in the file input matching css.
	SetFiles(ctx context.Context, css string, paths []string) error
	// Screenshot captures the visible page as PNG.
	Screenshot(ctx context.Context) ([]byte, error)
	// DownloadDir is the folder the browser saves downloads into.
	DownloadDir() string
}

// chromiumPage is a Chromium tab driven over CDP with chromedp.
type chromiumPage struct {
	ctx       context.Context
	downloads string
}

func newChromiumPage(t testing.TB, ctx context.Context) *chromiumPage {
	t.Helper()
	p := &chromiumPage{ctx: ctx, downloads: t.TempDir()}
	// Accept "End the session?" and other confirmations, as the technician would.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	tctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	if _, err := chromedp.CallBrowser(tctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: p.downloads,
	}); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *chromiumPage) with(ctx context.Context) (context.Context, context.CancelFunc) {
	// chromedp finds its tab in the context; ctx only bounds the call.
	c, cancel := context.WithCancel(p.ctx)
	stop := context.AfterFunc(ctx, cancel)
	return c, func() { stop(); cancel() }
}

func (p *chromiumPage) Navigate(ctx context.Context, url string) error {
	c, cancel := p.with(ctx)
	defer cancel()
	return chromedp.Do(c, chromedp.Navigate(url))
}

func (p *chromiumPage) Eval(ctx context.Context, js string, out any) error {
	c, cancel := p.with(ctx)
	defer cancel()
	raw, err := chromedp.Run(c, chromedp.Evaluate[json.RawMessage](js, chromedp.EvalAwaitPromise))
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

func (p *chromiumPage) Click(ctx context.Context, x, y float64) error {
	c, cancel := p.with(ctx)
	defer cancel()
	return chromedp.Do(c, chromedp.MouseClickXY(x, y))
}

func (p *chromiumPage) Type(ctx context.Context, text string) error {
	c, cancel := p.with(ctx)
	defer cancel()
	return chromedp.Do(c, chromedp.KeyEvent(text)) // "\n" is Enter in chromedp's key table
}

func (p *chromiumPage) SetFiles(ctx context.Context, css string, paths []string) error {
	c, cancel := p.with(ctx)
	defer cancel()
	return chromedp.Do(c, chromedp.SetUploadFiles(chromedp.CSS(css), paths))
}

func (p *chromiumPage) Screenshot(ctx context.Context) ([]byte, error) {
	c, cancel := p.with(ctx)
	defer cancel()
	return chromedp.Run(c, chromedp.CaptureScreenshot())
}

func (p *chromiumPage) DownloadDir() string { return p.downloads }

// evalJS evaluates js in p with the hang guard and returns its value as T.
func evalJS[T any](t testing.TB, p Page, what, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	var v T
	if err := p.Eval(ctx, js, &v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// do runs one page action with the hang guard, failing the test with what.
func do(t testing.TB, what string, f func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if err := f(ctx); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// waitJS waits until the JavaScript expression js is true in p.
func waitJS(t testing.TB, p Page, what, js string) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !evalJS[bool](t, p, what, js) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; the page: %s", what, diagnose(p))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// diagnoseJS describes the state of a page that never got where a test
// waited: its address, whether it is a secure context, how far it loaded, the
// problems and CSP violations it reported, and the scripts and requests
// that never finished.
const diagnoseJS = `JSON.stringify({
	url: location.href, secure: window.isSecureContext, ready: document.readyState,
	problems: window.__problems ?? null, csp: window.__csp ?? null,
	scripts: [...document.scripts].map((s) => s.src || "inline"),
	loaded: performance.getEntriesByType("resource").map((r) => r.name.replace(location.origin, "") + " " + Math.round(r.duration) + "ms " + (r.responseStatus ?? "")),
})`

// diagnose returns diagnoseJS's answer for p, or why it could not get one.
func diagnose(p Page) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var s string
	if err := p.Eval(ctx, diagnoseJS, &s); err != nil {
		return "(no diagnosis: " + err.Error() + ")"
	}
	return s
}

// visibleJS is true when the element matching the CSS selector %s is shown.
const visibleJS = `(() => { const e = document.querySelector(%s); return !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden"; })()`

// waitVisible waits until the element matching css is shown.
func waitVisible(t testing.TB, p Page, css string) {
	t.Helper()
	waitJS(t, p, css+" on the page", fmt.Sprintf(visibleJS, strconv.Quote(css)))
}

// waitEnabled waits until the element matching css is shown and enabled.
func waitEnabled(t testing.TB, p Page, css string) {
	t.Helper()
	waitJS(t, p, css+" enabled", fmt.Sprintf(`(%s) && !document.querySelector(%s).disabled`,
		fmt.Sprintf(visibleJS, strconv.Quote(css)), strconv.Quote(css)))
}

// clickOn clicks the middle of the element matching css with the mouse, once
// it is shown, has held its place (see steadyJS) and is what the mouse would
// hit there (not under a banner); it fails unless the element got the click.
func clickOn(t testing.TB, p Page, css string) {
	t.Helper()
	waitVisible(t, p, css)
	evalJS[bool](t, p, "wait for "+css+" to hold still", fmt.Sprintf(steadyJS, strconv.Quote(css)))
	var at struct {
		X, Y float64
		Hit  string
	}
	waitFor(t, css+" under the mouse", func() bool {
		at = evalJS[struct {
			X, Y float64
			Hit  string
		}](t, p, "locate "+css, fmt.Sprintf(hitJS, strconv.Quote(css)))
		return at.Hit == ""
	})
	do(t, "click "+css, func(ctx context.Context) error { return p.Click(ctx, at.X, at.Y) })
	// A click that loads another page (log in) leaves nothing to check: only
	// the same element of the same page saying "not clicked" is a miss.
	check := fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? e.__e2eClicked ?? null : null; })()`, strconv.Quote(css))
	deadline := time.Now().Add(Timeout)
	for {
		var clicked *bool
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		err := p.Eval(ctx, check, &clicked)
		cancel()
		if err != nil || clicked == nil || *clicked {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the click at (%.0f, %.0f) did not reach %s", at.X, at.Y, css)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hitJS scrolls the element matching %s into view, arms a one-shot click
// flag on it and returns the middle of its box, and in Hit what else the
// mouse would hit there ("" when it is the element or inside it).
const hitJS = `(() => {
  const e = document.querySelector(%s);
  e.scrollIntoView({block: "center", behavior: "instant"});
  const r = e.getBoundingClientRect(), X = r.left + r.width / 2, Y = r.top + r.height / 2;
  const h = document.elementFromPoint(X, Y);
  e.__e2eClicked = false;
  e.addEventListener("click", () => { e.__e2eClicked = true; }, {once: true});
  return {X, Y, Hit: h && (h === e || e.contains(h)) ? "" : (h ? h.tagName + "#" + h.id + "." + h.className : "nothing")};
})()`

// typeInto focuses the element matching css and types text into it.
func typeInto(t testing.TB, p Page, css, text string) {
	t.Helper()
	waitVisible(t, p, css)
	evalJS[bool](t, p, "focus "+css, fmt.Sprintf(`(() => { document.querySelector(%s).focus(); return true; })()`, strconv.Quote(css)))
	do(t, "type into "+css, func(ctx context.Context) error { return p.Type(ctx, text) })
}

// navigate loads url in p with the hang guard.
func navigate(t testing.TB, p Page, url string) {
	t.Helper()
	do(t, "open "+url, func(ctx context.Context) error { return p.Navigate(ctx, url) })
}

// savePNG writes a screenshot of p as name.png in $LIFELINE_E2E_SHOTS, when set.
func savePNG(t testing.TB, p Page, name string) {
	dir := os.Getenv("LIFELINE_E2E_SHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	png, err := p.Screenshot(ctx)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}
