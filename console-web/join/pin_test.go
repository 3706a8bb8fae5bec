package join

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// clock is a test clock that stands still unless moved.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// pinServer is the real /join handler over the real invitation service and
// an embedded JetStream, with a clock that stands still.
type pinServer struct {
	mux     *http.ServeMux
	invites *invite.Service
	clock   *clock
}

func newPINServer(t *testing.T) *pinServer {
	t.Helper()
	nc, err := nats.Connect(natstest.Server(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	cfg := invite.Defaults()
	st, err := store.Open(context.Background(), nc, store.Config{LoginTTL: time.Hour, InviteTTL: cfg.LinkTTL, PINTTL: cfg.PINTTL})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now()}
	cfg.Now = c.Now
	s := &pinServer{mux: http.NewServeMux(), invites: invite.New(cfg, st), clock: c}
	settings := store.DefaultSettings("Acme IT")
	h := &Handler{Invites: s.invites, Store: st, PublicURL: "http://lifeline.test",
		Settings: func(context.Context) store.Settings { return settings },
		AgentDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h.Register(s.mux)
	return s
}

// post sends one PIN from addr ("ip:port") through the handler, the way the
// HTTP server hands it over (RemoteAddr), and returns the response.
func (s *pinServer) post(addr, pin string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/join", strings.NewReader(url.Values{"pin": {pin}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = addr
	w := httptest.NewRecorder()
	s.mux.ServeHTTP(w, r)
	return w
}

// guess fires one wrong PIN per address in addrs, all at once, and counts
// the answers by status. A 400 ("that code is not valid") means the PIN was
// really looked up.
func (s *pinServer) guess(t *testing.T, right string, addrs []string) map[int]int {
	t.Helper()
	var (
		mu     sync.Mutex
		counts = map[int]int{}
		wg     sync.WaitGroup
		start  = make(chan struct{})
	)
	for i, addr := range addrs {
		pin := fmt.Sprintf("%06d", (i*7919+13)%1_000_000)
		if pin == right {
			pin = fmt.Sprintf("%06d", (i*7919+14)%1_000_000)
		}
		wg.Go(func() {
			<-start
			w := s.post(addr, pin)
			if w.Code == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After")
			}
			mu.Lock()
			counts[w.Code]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return counts
}

// Many wrong PINs sent at once from one address: each is counted before it is
// checked, so no more than the limit (5) are ever looked up, the rest are told
// to wait (429, never 500), and the right PIN from elsewhere still works.
func TestPINGuessesAreCountedBeforeChecking(t *testing.T) {
	s := newPINServer(t)
	inv, err := s.invites.Issue(context.Background(), "s1")
	if err != nil {
		t.Fatal(err)
	}
	addrs := make([]string, 300)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("192.0.2.7:%d", 1024+i)
	}
	counts := s.guess(t, inv.PIN, addrs)
	t.Logf("answers by status: %v", counts)
	if n := counts[http.StatusBadRequest]; n > invite.Defaults().MaxFailures {
		t.Errorf("%d PINs from one address were checked, want at most %d", n, invite.Defaults().MaxFailures)
	}
	if n := counts[http.StatusInternalServerError]; n > 0 {
		t.Errorf("%d guesses answered 500", n)
	}
	if counts[http.StatusBadRequest]+counts[http.StatusTooManyRequests] != len(addrs) {
		t.Errorf("answers %v: want only 400 and 429", counts)
	}
	// The flood consumed nothing: the customer's PIN works from their own address.
	if w := s.post("198.51.100.20:5000", inv.PIN); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/s/"+inv.Token {
		t.Fatalf("right PIN after the flood: %d %q", w.Code, w.Header().Get("Location"))
	}
}

// Wrong PINs from 500 addresses at once (each under its own limit): past the
// server-wide threshold each further guess waits for a slot, so only a few
// more than the threshold are checked in the minute; the others are told the
// server is busy (429). A customer who tries again a few seconds later gets in.
func TestPINGlobalFailureLimit(t *testing.T) {
	s := newPINServer(t)
	inv, err := s.invites.Issue(context.Background(), "s1")
	if err != nil {
		t.Fatal(err)
	}
	addrs := make([]string, 500)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("10.%d.%d.%d:4000", i/65536, i/256%256, i%256+1)
	}
	counts := s.guess(t, inv.PIN, addrs)
	t.Logf("answers by status: %v", counts)
	cfg := invite.Defaults()
	// The threshold, then one slot per GlobalWindow/GlobalMaxFailures for as
	// long as a guess may wait (the clock stands still meanwhile).
	most := cfg.GlobalMaxFailures + int(cfg.MaxWait/(cfg.Window/time.Duration(cfg.GlobalMaxFailures))) + 1
	if n := counts[http.StatusBadRequest]; n > most {
		t.Errorf("%d guesses were checked in one minute, want at most %d", n, most)
	}
	if n := counts[http.StatusInternalServerError]; n > 0 {
		t.Errorf("%d guesses answered 500", n)
	}
	if counts[http.StatusBadRequest]+counts[http.StatusTooManyRequests] != len(addrs) {
		t.Errorf("answers %v: want only 400 and 429", counts)
	}
	// The minute is not over, but the slots the flood took are past.
	s.clock.Add(cfg.MaxWait + 2*time.Second)
	if w := s.post("198.51.100.20:5000", inv.PIN); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/s/"+inv.Token {
		t.Fatalf("right PIN after the flood: %d %q", w.Code, w.Header().Get("Location"))
	}
}
