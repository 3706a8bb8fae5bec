package consent

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The proxy asks for a user name and password: the page shows a form, takes
// them once, refuses a stale or empty one, and the password reaches neither
// the page's events nor the log.
func TestProxyLoginOnThePage(t *testing.T) {
	h := start(t, Config{})
	type res struct {
		got ProxyLogin
		err error
	}
	ask := func(again bool) (<-chan res, string) {
		c := make(chan res, 1)
		go func() {
			got, err := h.ui.AskProxyLogin(t.Context(), "proxy.corp:3128", again)
			c <- res{got, err}
		}()
		var id string
		waitFor(t, "the login form", func() bool {
			h.ui.mu.Lock()
			defer h.ui.mu.Unlock()
			if h.ui.login != nil {
				id = h.ui.login.id
			}
			return id != ""
		})
		return c, id
	}
	c, id := ask(false)
	if page := h.body("GET", "", nil); !strings.Contains(page, "proxy.corp:3128") || !strings.Contains(page, `id="proxy-user"`) {
		t.Fatalf("the page does not ask for the proxy login:\n%s", page)
	}
	if got := h.status("POST", "proxy", `{"id":"`+id+`","user":"","password":"x"}`, nil); got != http.StatusBadRequest {
		t.Fatalf("empty user name: status %d, want 400", got)
	}
	if got := h.status("POST", "proxy", `{"id":"stale","user":"alice","password":"x"}`, nil); got != http.StatusConflict {
		t.Fatalf("stale form: status %d, want 409", got)
	}
	if got := h.status("POST", "proxy", `{"id":"`+id+`","user":"alice","password":"s3cret"}`, nil); got != http.StatusNoContent {
		t.Fatalf("login: status %d", got)
	}
	select {
	case r := <-c:
		if r.err != nil || r.got != (ProxyLogin{User: "alice", Password: "s3cret"}) {
			t.Fatalf("AskProxyLogin = %+v, %v", r.got, r.err)
		}
	case <-time.After(hang):
		t.Fatal("AskProxyLogin did not return")
	}
	if got := h.status("POST", "proxy", `{"id":"`+id+`","user":"alice","password":"s3cret"}`, nil); got != http.StatusConflict {
		t.Fatalf("second login: status %d, want 409", got)
	}

	// Refused: the form says so; ending the session settles it.
	c, _ = ask(true)
	if page := h.body("GET", "", nil); !strings.Contains(page, "refused that user name") {
		t.Fatalf("the page does not say the login was refused:\n%s", page)
	}
	h.ui.Ended(ReasonByCustomer)
	select {
	case r := <-c:
		if !errors.Is(r.err, ErrEnded) {
			t.Fatalf("after the end: %v, want ErrEnded", r.err)
		}
	case <-time.After(hang):
		t.Fatal("AskProxyLogin did not return at the end")
	}
	if strings.Contains(h.out.String(), "s3cret") {
		t.Fatal("the password reached the agent's output")
	}
}

func TestProblemOnThePage(t *testing.T) {
	h := start(t, Config{})
	h.ui.SetProblem(ProblemProxyRefused, "proxy.corp:3128")
	if page := h.body("GET", "?lang=fr", nil); !strings.Contains(page, "a refusé la connexion") {
		t.Fatalf("the page does not show the proxy's refusal in French:\n%s", page)
	}
	h.ui.SetProblem("", "")
	if page := h.body("GET", "", nil); strings.Contains(page, "refused the connection") {
		t.Fatal("the problem is still shown after it was cleared")
	}
}
