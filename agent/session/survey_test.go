package session

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// A customer who ends the session with a survey to answer: the agent stays
// for it, the page's answers reach the server through the agent's socket,
// and the agent leaves once they are kept. A refusal reaches the page in
// the customer's words.
func TestAgentStaysForTheSurvey(t *testing.T) {
	node := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, node)
	if code, _ := admin.Post(t, "/admin/surveys", url.Values{"group": {"default"}, "customer": {"on"},
		"q": {"Fixed?"}, "kind": {protocol.SurveyYesNo}}); code != http.StatusOK {
		t.Fatalf("saving the surveys: %d", code)
	}
	sid, token, _ := admin.NewSession(t, "Marie")
	ui, term := terminalConsent(t)
	done := runAgent(t, ui, Config{Server: node.URL, Code: token, Consent: ui,
		Logger:      slog.New(slog.NewTextHandler(t.Output(), nil)),
		NewPeer:     func(c peer.Config) (Peer, error) { return &fakePeer{cfg: c}, nil },
		NewInjector: func() (Injector, error) { return &fakeInjector{}, nil }})
	waitUntil(t, "the agent to join", func() bool { return term.asked() >= 1 })
	if !ui.SurveyPending() {
		t.Fatal("the welcome gave the page no survey")
	}

	ui.Act(consent.ActionEnd)
	answer := func(body string) (int, string) {
		t.Helper()
		pu, _ := url.Parse(ui.URL())
		req, _ := http.NewRequest("POST", ui.URL()+"survey", strings.NewReader(body))
		req.Header.Set("Origin", "http://"+pu.Host)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, text := answer(`{"answers":[{"value":"maybe"}]}`); code != http.StatusBadRequest || !strings.Contains(text, "yes or no") {
		t.Fatalf("an answer out of bounds: %d %q, want the server's reason", code, text)
	}
	select {
	case err := <-done:
		t.Fatalf("the agent left before the survey was answered: %v", err)
	default:
	}
	if code, text := answer(`{"answers":[{"value":"yes"}]}`); code != http.StatusNoContent {
		t.Fatalf("the answers: %d %q", code, text)
	}
	select {
	case err := <-done:
		done <- err // for runAgent's check
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(hang):
		t.Fatal("the agent did not leave once the survey was answered")
	}
	if code, body := admin.Get(t, "/console/sessions/"+sid+"/survey"); code != http.StatusOK || !strings.Contains(body, `"value":"yes"`) {
		t.Fatalf("stored: %d %s", code, body)
	}
}
