package e2e

import (
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// A customer asks for help on a channel's page: fills its form (with the
// administrator's custom field) in a browser, downloads and runs the agent,
// and waits in the channel queue of both technicians of the group that
// serves it; Ann takes the session, Ben sees it gone, and Ann gets the
// screen. On a channel outside its hours the page says the administrator's
// text and takes a message that lands in the queue as a callback request.
//
// With LIFELINE_SCREENSHOTS=1 it saves the /help page into e2e/screenshots/.
func TestChannelCustomerAsksForHelp(t *testing.T) {
	stack := Start(t)
	admin := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword)
	admin.PutGroup(t, "printers", "start_sessions", "invite_link", "view", "control")
	admin.CreateTechnician(t, "ann", "Ann Lee", "ann-password-123", "printers")
	admin.CreateTechnician(t, "ben", "Ben Ode", "ben-password-123", "printers")
	code, body := admin.Post(t, "/admin/fields", url.Values{"name": {"Printer model"}, "kind": {"text"}, "required": {"on"}})
	if code != http.StatusOK {
		t.Fatalf("custom field: %d", code)
	}
	field := st.Find(t, body, `id="field-(f[a-z0-9]+)"`)
	// The administrator makes two channels: one always open, one open
	// only three days from now (closed today, whatever the day).
	closedDay := strconv.Itoa(int((time.Now().UTC().Weekday() + 3) % 7))
	for _, c := range []url.Values{
		{"slug": {"printers"}, "name": {"Printer help"}, "group": {"printers"}, "askEmail": {"on"}, "askProblem": {"on"}, "field": {field}, "zone": {"UTC"}},
		{"slug": {"after-hours"}, "name": {"Night desk"}, "group": {"printers"}, "day": {closedDay}, "from": {"09:00"}, "to": {"17:00"},
			"zone": {"Europe/Paris"}, "closedText": {"We are closed today: leave a message and we call you back tomorrow."}},
	} {
		code, body := admin.Post(t, "/admin/channels", c)
		if code != http.StatusOK || !strings.Contains(body, `id="admin-notice"`) || !strings.Contains(body, `/help/`+c.Get("slug")) {
			t.Fatalf("channel %s: %d %s", c.Get("slug"), code, body)
		}
	}

	ann := stack.TechnicianAs(t, "ann", "ann-password-123")
	ann.OpenQueue(t)
	ben := stack.TechnicianAs(t, "ben", "ben-password-123")
	ben.OpenQueue(t)

	// The customer fills the form and downloads the program.
	page := stack.tab(t)
	run(t, page, "fill the channel's form",
		chromedp.Navigate(stack.URL+"/help/printers"),
		chromedp.WaitVisible(chromedp.ID("help-submit")),
		chromedp.SendKeys(chromedp.ID("help-name"), "Marie Curie"),
		chromedp.SendKeys(chromedp.ID("help-email"), "marie@example.com"),
		chromedp.SendKeys(chromedp.ID("help-problem"), "The printer jams on every page."),
		chromedp.SendKeys(chromedp.ID("help-field-"+field), "LaserJet 4000"),
	)
	if os.Getenv("LIFELINE_SCREENSHOTS") != "" {
		writeShot(t, get(t, page, "screenshot the help page", chromedp.CaptureScreenshot()), "help-channel-form")
	}
	run(t, page, "ask for help", click("help-submit"), chromedp.WaitVisible(chromedp.ID("join-channel")))
	if got := get(t, page, "the channel named", chromedp.Text(chromedp.ID("join-channel"))); !strings.Contains(got, "Printer help") {
		t.Fatalf("the download page says %q", got)
	}
	customer := stack.download(t, page)

	// Both technicians see it in the channel queue, with what she typed.
	var sid string
	for _, tc := range []*Technician{ann, ben} {
		waitFor(t, "the request in the channel queue", func() bool {
			items := evalJS[[]QueueItem](t, tc.p, "read the queue", `lifelineQueue.view.sessions`)
			for _, it := range items {
				if it.Customer == "Marie Curie" && it.Take && it.State == "waiting" {
					sid = it.ID
					return true
				}
			}
			return false
		})
		it, _ := tc.QueueItem(t, sid)
		if it.Channel != "Printer help" || it.Email != "marie@example.com" || it.Problem != "The printer jams on every page." || it.Mine {
			t.Fatalf("queue item %+v", it)
		}
	}
	clickOn(t, ben.p, "#filter-channel")
	waitVisible(t, ben.p, `#queue-rows tr[data-sid="`+sid+`"] button.q-take`)
	if v := evalJS[string](t, ben.p, "the field's column", `document.querySelector('#queue-rows tr[data-sid="`+sid+`"]').textContent`); !strings.Contains(v, "LaserJet 4000") {
		t.Errorf("the row shows %q, without the custom field", v)
	}

	// Ann takes it: it is hers and opens in a tab; it is gone from Ben's queue.
	took := time.Now()
	ann.QueueAction(t, sid, "q-take")
	ben.WaitQueueState(t, sid, "")
	t.Logf("gone from Ben's queue %v after Ann's click", time.Since(took).Round(time.Millisecond))
	waitFor(t, "the session Ann's", func() bool {
		it, ok := ann.QueueItem(t, sid)
		return ok && it.Mine && it.State == "active"
	})
	customer.OpenPage(t)
	customer.Allow(t)
	waitFor(t, "Ann's workspace with video", func() bool {
		st, pc, frames := ann.TabState(t, sid)
		return st == "active" && pc == "connected" && frames > 0
	})
	if text := customer.PageText(t); !strings.Contains(text, "Ann Lee") {
		t.Errorf("the customer's page does not name Ann:\n%s", text)
	}
	// Waiting for a technician in the channel queue is no tampering.
	if out := customer.out.String(); strings.Contains(out, "could not be verified") {
		t.Errorf("the customer was told the connection could not be verified:\n%s", out)
	}

	// Outside hours: the administrator's text, and a message left.
	run(t, page, "open the closed channel",
		chromedp.Navigate(stack.URL+"/help/after-hours"),
		chromedp.WaitVisible(chromedp.ID("closed-text")),
	)
	if got := get(t, page, "the closed text", chromedp.Text(chromedp.ID("closed-text"))); got != "We are closed today: leave a message and we call you back tomorrow." {
		t.Fatalf("closed text %q", got)
	}
	run(t, page, "leave a message",
		chromedp.SendKeys(chromedp.ID("help-name"), "Pierre Curie"),
		click("help-callback"),
		chromedp.WaitVisible(chromedp.ID("help-thanks")),
	)
	if got := get(t, page, "the thanks", chromedp.Text(chromedp.ID("help-thanks"))); !strings.Contains(got, "Message received") || !strings.Contains(got, "Night desk") {
		t.Fatalf("after the message the page says %q", got)
	}
	var call string
	for _, tc := range []*Technician{ann, ben} {
		waitFor(t, "the callback request in the queue", func() bool {
			items := evalJS[[]QueueItem](t, tc.p, "read the queue", `lifelineQueue.view.sessions`)
			for _, it := range items {
				if it.Customer == "Pierre Curie" && it.Callback && it.Take && it.Channel == "Night desk" {
					call = it.ID
					return true
				}
			}
			return false
		})
	}
	if v := evalJS[string](t, ann.p, "the callback row", `[...document.querySelectorAll('#queue-rows tr')].map(r => r.textContent).join("|")`); !strings.Contains(v, "Callback requested") {
		t.Errorf("the queue does not say Callback requested: %q", v)
	}
	// Ben takes the message to call Pierre back: Ann sees it gone, and Ben
	// has it with nothing to open, only to end once he called.
	ben.QueueAction(t, call, "q-take")
	ann.WaitQueueState(t, call, "")
	waitVisible(t, ben.p, `#queue-rows tr[data-sid="`+call+`"] button.q-end`)
	if n := evalJS[int](t, ben.p, "the callback's start button", `document.querySelectorAll('#queue-rows tr[data-sid="`+call+`"] button.q-start').length`); n != 0 {
		t.Errorf("a callback request offers to start a session with no program")
	}
}
