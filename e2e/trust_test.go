package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The console works under the Content-Security-Policy (no inline script) with
// no violation reported on any page, the administrator sets the organisation's
// name, and the customer sees that name (from the settings) even though the
// technician's display name claims another organisation.
func TestConsoleUnderCSPAndTheCustomerSeesTheRealOrganisation(t *testing.T) {
	stack := Start(t)
	resp, err := http.Get(stack.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'self'") {
		t.Fatalf("Content-Security-Policy: %q", csp)
	}
	noViolations := func(ctx context.Context, page string) {
		t.Helper()
		if v := cspViolations(t, ctx); len(v) != 0 {
			t.Errorf("CSP violations on %s: %v", page, v)
		}
	}

	// The administrator names the organisation and creates a technician whose
	// display name pretends to be someone else.
	admin := stack.Technician(t)
	a := admin.Page()
	noViolations(a, "the console")
	run(t, a, "set the organisation's name",
		chromedp.Navigate(stack.URL+"/admin"),
		chromedp.WaitVisible(chromedp.ID("org")),
		chromedp.SetValue(chromedp.ID("org"), "Acme Support Ltd"),
		click("save-settings"),
		chromedp.WaitVisible(chromedp.ID("admin-notice")),
	)
	run(t, a, "create a technician",
		chromedp.SendKeys(chromedp.ID("new-id"), "mallory"),
		chromedp.SendKeys(chromedp.ID("new-name"), "Microsoft Security Team"),
		chromedp.SendKeys(chromedp.ID("new-password"), "mallory-password"),
		click("create-tech"),
		chromedp.WaitVisible(chromedp.ID("tech-mallory")),
	)
	noViolations(a, "the admin page")
	run(t, a, "open the audit trail", chromedp.Navigate(stack.URL+"/admin/audit"), chromedp.WaitVisible(chromedp.ID("audit")))
	noViolations(a, "the audit page")
	run(t, a, "open two-step enrolment", chromedp.Navigate(stack.URL+"/account/2fa"), chromedp.WaitVisible(chromedp.ID("totp-qr")))
	if w := get(t, a, "QR code size", chromedp.Evaluate[int](`document.getElementById("totp-qr").naturalWidth`)); w == 0 {
		t.Error("the enrolment QR code did not load under the CSP")
	}
	noViolations(a, "the enrolment page")

	tech := stack.TechnicianAs(t, "mallory", "mallory-password")
	inv := tech.NewSession(t, "Marie Dupont")
	noViolations(tech.Page(), "the workspace")

	join := stack.tab(t)
	run(t, join, "open the invitation", chromedp.Navigate(inv.Link), chromedp.WaitVisible(chromedp.ID("download")))
	text := get(t, join, "read the join page", chromedp.Text(chromedp.CSS("body")))
	if !strings.Contains(text, "Acme Support Ltd") {
		t.Errorf("the join page does not name the organisation from the settings:\n%s", text)
	}
	noViolations(join, "the join page")

	customer := stack.Customer(t, inv)
	customer.OpenPage(t)
	customer.WaitAsked(t)
	page := customer.PageText(t)
	for _, want := range []string{"Acme Support Ltd", "Microsoft Security Team", "Only continue if you contacted Acme Support Ltd yourself", "Session length"} {
		if !strings.Contains(page, want) {
			t.Errorf("the customer's page does not show %q:\n%s", want, page)
		}
	}
	customer.Allow(t)
	tech.WaitVideo(t)
	tech.WaitStatus(t, "Connected to Marie Dupont — view only")

	// The desktop itself shows it is being viewed (an orange frame, seen in
	// the technician's video too), then controlled (red); the badge in the
	// bottom right corner stops control in one click of the customer's own
	// mouse.
	orange, red := [3]int{255, 140, 0}, [3]int{220, 0, 0}
	waitFor(t, "the orange frame while viewed", func() bool { return near(tech.Pixel(t, 1, ScreenH/2), orange, 40) })
	tech.RequestControl(t)
	customer.WaitAsked(t)
	customer.Allow(t)
	tech.WaitStatus(t, "Connected to Marie Dupont — in control")
	waitFor(t, "the red frame while controlled", func() bool { return near(tech.Pixel(t, 1, ScreenH/2), red, 40) })
	customer.ClickBadge(t)
	tech.WaitStatus(t, "Connected to Marie Dupont — view only")
	waitFor(t, "the orange frame again", func() bool { return near(tech.Pixel(t, 1, ScreenH/2), orange, 40) })
	tech.Chat(t, "Hello from the console")
	tech.WaitLog(t, "Hello from the console")
	noViolations(tech.Page(), "the workspace during a session")

	// The watcher does see violations: an inline script is blocked and reported.
	run(t, a, "inject an inline script", chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.createElement("script"); s.textContent = "window.pwned = 1"; document.body.append(s); })()`))
	waitFor(t, "the injected script's violation", func() bool { return len(cspViolations(t, a)) > 0 })
	if get(t, a, "did the inline script run", chromedp.Evaluate[bool](`window.pwned === 1`)) {
		t.Error("an inline script ran under the CSP")
	}
}
