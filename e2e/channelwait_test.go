package e2e

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// A channel on another web site, and a customer who waits too long: the
// administrator copies the channel's snippet from the administration page
// into a page of another site; a customer asks for help with its small form,
// lands on the channel's download page and waits in the browser alone. Past
// the channel's waiting limit the page tells her nobody has picked her up
// and offers to keep waiting (it asks again later) or to leave a message;
// her message turns the request into a callback request in the technician's
// queue, with her words.
func TestChannelSnippetAndWaitingLimit(t *testing.T) {
	stack := Start(t)
	admin := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword)
	admin.PutGroup(t, "printers", "start_sessions", "invite_link", "view", "control")
	admin.CreateTechnician(t, "ann", "Ann Lee", "ann-password-123", "printers")
	code, body := admin.Post(t, "/admin/channels", url.Values{"slug": {"desk"}, "name": {"Help desk"}, "group": {"printers"},
		"askProblem": {"on"}, "zone": {"UTC"}, "waitLimit": {"10"}})
	if code != http.StatusOK || !strings.Contains(body, `id="admin-notice"`) {
		t.Fatalf("channel: %d %s", code, body)
	}
	// A waiting limit out of bounds is refused beside its field.
	if code, body := admin.Post(t, "/admin/channels", url.Values{"slug": {"fast"}, "name": {"Fast"}, "group": {"printers"}, "zone": {"UTC"}, "waitLimit": {"3"}}); code != http.StatusBadRequest || !strings.Contains(body, "from 10 to 86400") {
		t.Fatalf("a 3 s waiting limit: %d, want it refused with its bounds", code)
	}

	// The snippet, as the administration page shows it, on another site.
	_, page := admin.Get(t, "/admin")
	snippet := html.UnescapeString(st.Find(t, page, `(?s)<textarea id="channel-desk-snippet"[^>]*>(.*?)</textarea>`))
	if !strings.Contains(snippet, `action="`+stack.URL+`/help/desk"`) || !strings.Contains(snippet, `href="`+stack.URL+`/help/desk"`) {
		t.Fatalf("the snippet does not reach the channel:\n%s", snippet)
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><title>Acme printers</title><h1>Our printers</h1>" + snippet))
	}))
	t.Cleanup(site.Close)

	ann := stack.TechnicianAs(t, "ann", "ann-password-123")
	ann.OpenQueue(t)

	// The customer asks on the other site, and waits in the browser.
	tab := stack.tab(t)
	run(t, tab, "ask for help on the other site",
		chromedp.Navigate(site.URL),
		chromedp.WaitVisible(chromedp.CSS(`input[name="name"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "Marie Curie"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="problem"]`), "The printer jams."),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("join-channel")),
	)
	customer := InBrowser(t, tab)
	customer.WaitText(t, "instant-status", "Waiting for a technician")
	var sid string
	waitFor(t, "the request in Ann's queue", func() bool {
		for _, it := range evalJS[[]QueueItem](t, ann.p, "read the queue", `lifelineQueue.view.sessions`) {
			if it.Customer == "Marie Curie" && it.State == "waiting" && it.Take && !it.Callback {
				sid = it.ID
				return true
			}
		}
		return false
	})

	// Past the limit: keep waiting, then, asked again, leave a message.
	customer.WaitText(t, "instant-waitlong", "Nobody has picked up your request yet")
	customer.Click(t, "instant-keep-waiting")
	if hidden := customer.Eval(t, "the offer hidden", `document.getElementById("instant-waitlong").hidden`); hidden != true {
		t.Fatalf("after Keep waiting the offer is still shown")
	}
	customer.WaitText(t, "instant-waitlong", "Nobody has picked up your request yet")
	run(t, tab, "leave a message", chromedp.SendKeys(chromedp.ID("instant-callback-text"), "Call me at noon on 555-0100."), click("instant-callback"))
	customer.WaitText(t, "instant-status", "Message received")
	waitFor(t, "the callback request in Ann's queue", func() bool {
		it, ok := ann.QueueItem(t, sid)
		return ok && it.Callback && it.Take && strings.Contains(it.Problem, "The printer jams.") && strings.Contains(it.Problem, "Call me at noon on 555-0100.")
	})
}

// A customer who asked on a channel and runs the program waits too long:
// past the channel's waiting limit the program's own page tells her nobody
// has picked her up and offers to keep waiting (it asks again later) or to
// leave a message; her message turns the request into a callback request in
// the technician's queue, with her words, and the page says it was received.
func TestChannelWaitingLimitInTheProgram(t *testing.T) {
	stack := Start(t)
	admin := st.LogInAs(t, st.Node{URL: stack.URL}, "admin", AdminPassword)
	admin.PutGroup(t, "printers", "start_sessions", "invite_link", "view", "control")
	admin.CreateTechnician(t, "ann", "Ann Lee", "ann-password-123", "printers")
	if code, body := admin.Post(t, "/admin/channels", url.Values{"slug": {"desk"}, "name": {"Help desk"}, "group": {"printers"},
		"askProblem": {"on"}, "zone": {"UTC"}, "waitLimit": {"10"}}); code != http.StatusOK || !strings.Contains(body, `id="admin-notice"`) {
		t.Fatalf("channel: %d %s", code, body)
	}
	ann := stack.TechnicianAs(t, "ann", "ann-password-123")
	ann.OpenQueue(t)

	// The customer asks on the channel's page and runs the program.
	tab := stack.tab(t)
	run(t, tab, "ask for help",
		chromedp.Navigate(stack.URL+"/help/desk"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="name"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "Marie Curie"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="problem"]`), "The printer jams."),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("join-channel")),
	)
	customer := stack.download(t, tab)
	customer.OpenPage(t)
	waitText(t, tab, "status-text", "Waiting in the queue")
	var sid string
	waitFor(t, "the request in Ann's queue", func() bool {
		for _, it := range evalJS[[]QueueItem](t, ann.p, "read the queue", `lifelineQueue.view.sessions`) {
			if it.Customer == "Marie Curie" && it.State == "waiting" && it.Take && !it.Callback {
				sid = it.ID
				return true
			}
		}
		return false
	})

	// Past the limit: keep waiting, then, asked again, leave a message.
	run(t, tab, "see the offer", chromedp.WaitVisible(chromedp.ID("waitlong")))
	waitText(t, tab, "waitlong-text", "Nobody has picked up your request yet")
	run(t, tab, "keep waiting", click("keep-waiting"), chromedp.WaitNotVisible(chromedp.ID("waitlong")))
	run(t, tab, "be asked again", chromedp.WaitVisible(chromedp.ID("waitlong")))
	run(t, tab, "leave a message", chromedp.SendKeys(chromedp.ID("callback-text"), "Call me at noon on 555-0100."), click("leave-message"))
	waitText(t, tab, "ended-text", "Message received")
	waitFor(t, "the callback request in Ann's queue", func() bool {
		it, ok := ann.QueueItem(t, sid)
		return ok && it.Callback && it.Take && strings.Contains(it.Problem, "The printer jams.") && strings.Contains(it.Problem, "Call me at noon on 555-0100.")
	})
}
