package server_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// postHelp sends a channel's form as a customer's browser does and returns
// the status, the Retry-After header and the page.
func postHelp(t *testing.T, c *st.Tech, slug string, form url.Values) (int, string, string) {
	t.Helper()
	resp, err := c.Client.PostForm(c.Base+"/help/"+slug, form)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), html.UnescapeString(st.ReadAll(t, resp))
}

// The administrator's channel and its public page: refused forms say why in
// the customer's language; with nobody online the page shows the
// administrator's text and takes a message; the queue's cap and the
// per-address limit refuse with a clear message; the admin page refuses a
// bad channel beside its field.
func TestChannelPage(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	code, body := admin.Post(t, "/admin/channels", url.Values{"slug": {"Bad Slug"}, "name": {"Desk"}, "group": {"default"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "lower-case letters, digits and dashes") {
		t.Fatalf("bad address: %d", code)
	}
	code, body = admin.Post(t, "/admin/channels", url.Values{"slug": {"desk"}, "name": {"Desk"}, "group": {"default"}, "zone": {"Mars/Base"}, "day": {"1"}, "from": {"09:00"}, "to": {"17:00"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "known time zone") {
		t.Fatalf("bad zone: %d", code)
	}
	code, body = admin.Post(t, "/admin/channels", url.Values{"slug": {"desk"}, "name": {"Desk"}, "group": {"default"}, "askEmail": {"on"},
		"maxWaiting": {"1"}, "closedText": {"Back at 9."}})
	if code != http.StatusOK || !strings.Contains(body, `href="/help/desk"`) {
		t.Fatalf("channel: %d %s", code, body)
	}

	customer := st.Anonymous(t, n)
	code, page := customer.Get(t, "/help/nowhere")
	if code != http.StatusNotFound {
		t.Errorf("unknown channel: %d", code)
	}
	// Nobody online: the administrator's text and the message form.
	code, page = customer.Get(t, "/help/desk")
	if code != http.StatusOK || !strings.Contains(page, "Back at 9.") || !strings.Contains(page, `id="help-callback"`) {
		t.Fatalf("closed page: %d %s", code, page)
	}
	// Refused forms, in French for a French browser.
	req, _ := http.NewRequest(http.MethodPost, n.URL+"/help/desk", strings.NewReader(url.Values{"name": {"Marie"}, "email": {"marie@"}, "callback": {"1"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if fr := html.UnescapeString(st.ReadAll(t, resp)); resp.StatusCode != http.StatusBadRequest || !strings.Contains(fr, "Saisissez une adresse e-mail") {
		t.Errorf("bad e-mail in French: %d", resp.StatusCode)
	}
	if code, _, page := postHelp(t, customer, "desk", url.Values{"name": {strings.Repeat("a", 81)}, "email": {"marie@example.com"}, "callback": {"1"}}); code != http.StatusBadRequest || !strings.Contains(page, "1 to 80 characters") {
		t.Errorf("long name: %d", code)
	}
	good := url.Values{"name": {"Marie"}, "email": {"marie@example.com"}}
	if code, _, page := postHelp(t, customer, "desk", good); code != http.StatusServiceUnavailable || !strings.Contains(page, "Back at 9.") {
		t.Errorf("request while closed: %d", code)
	}
	good.Set("callback", "1")
	if code, _, page := postHelp(t, customer, "desk", good); code != http.StatusOK || !strings.Contains(page, `id="help-thanks"`) {
		t.Fatalf("message: %d %s", code, page)
	}
	// The cap (1 waiting), then the per-address limit (5 a minute).
	if code, _, page := postHelp(t, customer, "desk", good); code != http.StatusServiceUnavailable || !strings.Contains(page, "Too many customers are waiting") {
		t.Errorf("over the cap: %d", code)
	}
	for range 2 {
		postHelp(t, customer, "desk", good)
	}
	if code, retry, page := postHelp(t, customer, "desk", good); code != http.StatusTooManyRequests || retry == "" || !strings.Contains(page, "Too many requests from your connection") {
		t.Errorf("over the limit: %d, Retry-After %q", code, retry)
	}
}
