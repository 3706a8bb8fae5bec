package session

import (
	"bufio"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/natstest"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// A customer who asked for help on a channel and runs the program: past the
// channel's waiting limit (from the welcome) the program's page offers to
// leave a message; the message reaches the server as session.callback, the
// request becomes a callback request in the technician's queue with the
// customer's words, audited, and the program ends its session with
// "Message received".
func TestCustomerLeavesAMessageFromTheProgram(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, node)
	// Someone online takes requests, as the queue page says.
	req, _ := http.NewRequest(http.MethodPost, admin.Base+"/console/status", strings.NewReader(`{"status":"online"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", admin.CSRF)
	if res, err := admin.Client.Do(req); err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("going online: %v %v", res, err)
	}
	if code, body := admin.Post(t, "/admin/channels", url.Values{"slug": {"desk"}, "name": {"Help desk"}, "group": {"default"},
		"askProblem": {"on"}, "zone": {"UTC"}, "waitLimit": {"10"}}); code != http.StatusOK {
		t.Fatalf("channel: %d %s", code, body)
	}
	// The customer asks on the channel's page and gets the program's link.
	customer := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := customer.PostForm(node.URL+"/help/desk", url.Values{"name": {"Marie"}, "problem": {"The printer jams."}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	token, ok := strings.CutPrefix(res.Header.Get("Location"), "/s/")
	if res.StatusCode != http.StatusSeeOther || !ok {
		t.Fatalf("asking for help: %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}

	ui, _ := terminalConsent(t)
	done := runAgent(t, ui, Config{Server: node.URL, Code: token, Consent: ui,
		Logger:      slog.New(slog.NewTextHandler(t.Output(), nil)),
		NewPeer:     func(c peer.Config) (Peer, error) { return &fakePeer{cfg: c}, nil },
		NewInjector: func() (Injector, error) { return &fakeInjector{}, nil }})
	page, _ := url.Parse(ui.URL())
	waitUntil(t, "the customer's page", func() bool {
		res, err := http.Get(ui.URL())
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	})
	// The stream ends, and the test fails, if the offer never comes.
	events, err := (&http.Client{Timeout: 2 * hang}).Get(ui.URL() + "events")
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	sc := bufio.NewScanner(events.Body)
	next := func(want string) {
		t.Helper()
		for sc.Scan() {
			if strings.Contains(sc.Text(), want) {
				return
			}
		}
		t.Fatalf("the page's events ended before %s", want)
	}
	next(`"status":"waiting"`)
	next(`"waitLong":true`) // after the channel's 10 s

	req, _ = http.NewRequest("POST", ui.URL()+"wait", strings.NewReader(`{"message":"Call me at noon."}`))
	req.Header.Set("Origin", "http://"+page.Host)
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("leaving a message: %d %s", res.StatusCode, b)
	}
	next(`"endedText":"Message received: a technician will call you back."`)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		done <- nil
	case <-time.After(hang):
		t.Fatal("the program did not end its session")
	}

	waitUntil(t, "the callback request in the queue", func() bool {
		_, q := admin.Get(t, "/console/queue.json")
		return strings.Contains(q, `"callback":true`) && strings.Contains(q, `The printer jams.\nCall me at noon.`)
	})
	if _, log := admin.Get(t, "/admin/audit"); !strings.Contains(log, "session.callback") {
		t.Error("the message is not in the audit log")
	}
}
