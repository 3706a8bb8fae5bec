package consent

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// stream follows the page's events: next waits for the next event that
// contains want, done for the stream's end.
func (h *harness) stream(query string) (next func(want string), done func()) {
	h.t.Helper()
	res := h.do("GET", "events"+query, "", nil)
	events := make(chan string, 64)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				events <- d
			}
		}
	}()
	done = func() {
		for range events {
		}
	}
	return func(want string) {
		h.t.Helper()
		deadline := time.After(hang)
		for {
			select {
			case e, ok := <-events:
				if !ok {
					h.t.Fatalf("stream ended waiting for %s", want)
				}
				if strings.Contains(e, want) {
					return
				}
			case <-deadline:
				h.t.Fatalf("no event with %s", want)
			}
		}
	}, done
}

// post sends body to path as the page does and returns the status and text.
func (h *harness) post(path, body string) (int, string) {
	h.t.Helper()
	res := h.do("POST", path, body, nil)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, string(b)
}

// A customer still waiting on a channel past its waiting limit: the page
// offers to keep waiting (asked again after another limit) or to leave a
// bounded message, which goes to the session; a refusal is said on the page,
// a technician who takes the request meanwhile withdraws the offer, and the
// end says the message was received.
func TestWaitingLimitOffersAMessage(t *testing.T) {
	h := start(t, Config{})
	next, _ := h.stream("")
	h.ui.SetWaitLimit(time.Hour)
	if code, _ := h.post("wait", `{"keep":true}`); code != http.StatusConflict {
		t.Fatalf("keep waiting before the limit: %d, want 409", code)
	}

	h.ui.SetWaitLimit(20 * time.Millisecond)
	next(`"waitLong":true`)
	if code, _ := h.post("wait", `{"keep":true}`); code != http.StatusNoContent {
		t.Fatalf("keep waiting: %d", code)
	}
	next(`"waitLong":false`)
	next(`"waitLong":true`) // asked again after another limit

	if code, text := h.post("wait", `{"message":"`+strings.Repeat("a", protocol.MaxCallbackMessage+1)+`"}`); code != http.StatusBadRequest || !strings.Contains(text, "at most 1000 characters") {
		t.Fatalf("a message too long: %d %q", code, text)
	}
	if code, _ := h.post("wait", `{"message":"call\u200bme"}`); code != http.StatusBadRequest {
		t.Fatalf("a message with an invisible character: %d", code)
	}

	// The message goes to the session, which reports a refusal.
	left := make(chan string, 1)
	go func() { left <- <-h.ui.Callbacks() }()
	if code, _ := h.post("wait", `{"message":"  Call me at noon.  "}`); code != http.StatusNoContent {
		t.Fatalf("leave a message: %d", code)
	}
	if m := <-left; m != "Call me at noon." {
		t.Fatalf("message handed over: %q", m)
	}
	next(`"leaving":true`)
	if code, _ := h.post("wait", `{"keep":true}`); code != http.StatusConflict {
		t.Errorf("keep waiting while the message is on its way: %d, want 409", code)
	}
	h.ui.CallbackFailed()
	next(`"waitError":"Your message could not be left.`)

	// A technician takes the request: no offer; back in the queue, the
	// limit counts again.
	h.ui.SetState(protocol.Permissions{}, true)
	next(`"status":"connected"`)
	if code, _ := h.post("wait", `{"message":""}`); code != http.StatusConflict {
		t.Errorf("a message once taken: %d, want 409", code)
	}
	h.ui.SetState(protocol.Permissions{}, false)
	next(`"waitLong":true,"leaving":false,"waitError":""`)

	go func() { left <- <-h.ui.Callbacks() }()
	if code, _ := h.post("wait", `{"message":""}`); code != http.StatusNoContent {
		t.Fatalf("leave no message: %d", code)
	}
	if m := <-left; m != "" {
		t.Fatalf("empty message handed over as %q", m)
	}
	h.ui.Ended(ReasonCallback)
	next(`"endedText":"Message received: a technician will call you back."`)
}

// The offer speaks the page's language.
func TestWaitingLimitInFrench(t *testing.T) {
	h := start(t, Config{})
	h.ui.SetWaitLimit(10 * time.Millisecond)
	next, _ := h.stream("?lang=fr")
	next(`"waitLong":true`)
	page := h.body("GET", "?lang=fr", nil)
	for _, want := range []string{"Continuer à attendre", "Laisser un message et arrêter d&#39;attendre", `id="waitlong"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the French page lacks %q", want)
		}
	}
	if strings.Contains(page, `id="waitlong" class="card ask waitlong" role="alertdialog" aria-labelledby="waitlong-text" hidden`) {
		t.Error("the offer is hidden once the limit passed")
	}
	h.ui.CallbackFailed()
	next(`"waitError":"Votre message n'a pas pu être laissé.`)
}
