package login

import (
	"context"
	"crypto/rand"
	"encoding/base64"
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

	"golang.org/x/crypto/argon2"

	"github.com/lifeline-support/lifeline/shared/clocktest"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/store"
	"github.com/lifeline-support/lifeline/signaling/storetest"
	"github.com/lifeline-support/lifeline/signaling/totp"
)

// loginServer is the real /login handler over the real auth service, an
// embedded JetStream store and audit trail, with a clock of its limits that
// stands still and the waits of paced attempts recorded, not slept.
type loginServer struct {
	mux   *http.ServeMux
	store *store.Store
	audit *audit.Log
	clock *clocktest.Clock
	mu    sync.Mutex
	waits []time.Duration
}

// maxSlowDown is the loginServer's longest wait for a paced attempt.
const maxSlowDown = 30 * time.Second

// takeWaits returns the waits recorded since the last call.
func (s *loginServer) takeWaits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.waits
	s.waits = nil
	return w
}

func newLoginServer(t *testing.T) *loginServer {
	t.Helper()
	st, nc := storetest.Open(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	al, err := audit.Open(context.Background(), nc, audit.Config{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	s := &loginServer{mux: http.NewServeMux(), store: st, audit: al, clock: clocktest.New(time.Now())}
	h := &Handler{Auth: auth.New(auth.Config{Audit: al, Logger: quiet, Now: s.clock.Now, MaxSlowDown: maxSlowDown,
		Sleep: func(_ context.Context, d time.Duration) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.waits = append(s.waits, d)
			return nil
		}}, st), Logger: quiet}
	h.Register(s.mux)
	return s
}

// cheapHash is an argon2id hash of password with tiny parameters: the check
// is the real one, but hundreds at once do not take gigabytes.
func cheapHash(t *testing.T, password string) []byte {
	t.Helper()
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, 1, 64, 1, 32)
	b64 := base64.RawStdEncoding
	return fmt.Appendf(nil, "$argon2id$v=%d$m=64,t=1,p=1$%s$%s", argon2.Version, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// post sends a form from addr with the cookies given and returns the answer.
func (s *loginServer) post(addr, path string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = addr
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	s.mux.ServeHTTP(w, r)
	return w
}

// oneAddress is the address of every guess of a flood from one client (a
// port each).
func oneAddress(i int) string { return fmt.Sprintf("192.0.2.7:%d", 1024+i) }

// flood sends n forms at once, the i-th from addr(i), and counts the answers
// by status.
func (s *loginServer) flood(n int, addr func(i int) string, path string, form func(i int) url.Values, cookies ...*http.Cookie) map[int]int {
	var (
		mu     sync.Mutex
		counts = map[int]int{}
		wg     sync.WaitGroup
		start  = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			<-start
			w := s.post(addr(i), path, form(i), cookies...)
			mu.Lock()
			counts[w.Code]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return counts
}

// checks counts the audit trail's failures with detail why: one per password
// or code really checked and found wrong.
func (s *loginServer) checks(t *testing.T, why string) int {
	t.Helper()
	events, err := s.audit.Query(context.Background(), audit.Filter{Type: string(audit.LoginFailed), Limit: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Detail == why {
			n++
		}
	}
	return n
}

// cookie returns the login cookie a response set.
func cookie(t *testing.T, w *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == auth.CookieName {
			return c
		}
	}
	t.Fatalf("no login cookie in the answer %d", w.Code)
	return nil
}

// wantOnly fails unless every answer is one of the statuses given, and none
// is a 500.
func wantOnly(t *testing.T, counts map[int]int, n int, statuses ...int) {
	t.Helper()
	if c := counts[http.StatusInternalServerError]; c > 0 {
		t.Errorf("%d guesses answered 500", c)
	}
	sum := 0
	for _, s := range statuses {
		sum += counts[s]
	}
	if sum != n {
		t.Errorf("answers %v: want only %v", counts, statuses)
	}
}

// 300 wrong passwords for one account sent at once from one address: each is
// counted before it is checked, so no more than the lockout limit (5) are
// ever checked, the rest are told to wait (429, never 500), and the owner's
// right password from another address still works.
func TestPasswordGuessesAreCountedBeforeChecking(t *testing.T) {
	s := newLoginServer(t)
	const pw = "the right password"
	if err := s.store.CreateTechnician(context.Background(), store.Account{ID: "dana", Name: "Dana", PasswordHash: cheapHash(t, pw)}); err != nil {
		t.Fatal(err)
	}
	const n = 300
	counts := s.flood(n, oneAddress, "/login", func(i int) url.Values {
		return url.Values{"username": {"dana"}, "password": {fmt.Sprint("guess ", i)}}
	})
	t.Logf("answers by status: %v", counts)
	if c := s.checks(t, "wrong password"); c > 5 {
		t.Errorf("%d passwords from one address were checked, want at most 5", c)
	}
	wantOnly(t, counts, n, http.StatusUnauthorized, http.StatusTooManyRequests)
	w := s.post("198.51.100.20:5000", "/login", url.Values{"username": {"dana"}, "password": {pw}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console" {
		t.Fatalf("right password from another address after the flood: %d %q", w.Code, w.Header().Get("Location"))
	}
}

// 300 wrong two-step codes sent at once on a pending login from one address:
// no more than the lockout limit (5) are checked, none answers 500, and the
// right code from another address still finishes the login.
func TestTOTPGuessesAreCountedBeforeChecking(t *testing.T) {
	s := newLoginServer(t)
	ctx := context.Background()
	const pw = "the right password"
	secret, err := totp.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.CreateTechnician(ctx, store.Account{ID: "erin", Name: "Erin", PasswordHash: cheapHash(t, pw), TOTP: secret}); err != nil {
		t.Fatal(err)
	}
	w := s.post("192.0.2.7:1000", "/login", url.Values{"username": {"erin"}, "password": {pw}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login/code") {
		t.Fatalf("right password of a two-step account: %d %q", w.Code, w.Header().Get("Location"))
	}
	pending := cookie(t, w)
	// Wrong codes: none of the steps Verify accepts now (or in a minute).
	right := map[string]bool{}
	for d := -2; d <= 2; d++ {
		c, err := totp.Code(secret, time.Now().Add(time.Duration(d)*totp.Step))
		if err != nil {
			t.Fatal(err)
		}
		right[c] = true
	}
	const n = 300
	counts := s.flood(n, oneAddress, "/login/code", func(i int) url.Values {
		code := fmt.Sprintf("%06d", (i*7919+13)%1_000_000)
		for right[code] {
			code = fmt.Sprintf("%06d", (i*7919+14)%1_000_000)
		}
		return url.Values{"code": {code}}
	}, pending)
	t.Logf("answers by status: %v", counts)
	if c := s.checks(t, "wrong two-step code"); c > 5 {
		t.Errorf("%d codes from one address were checked, want at most 5", c)
	}
	wantOnly(t, counts, n, http.StatusUnauthorized, http.StatusTooManyRequests)
	code, err := totp.Code(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w = s.post("198.51.100.20:5000", "/login/code", url.Values{"code": {code}}, pending)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console" {
		t.Fatalf("right code from another address after the flood: %d %q", w.Code, w.Header().Get("Location"))
	}
}

// 300 wrong passwords for one account sent at once from 300 addresses (each
// under its own limits): the account's pace counts each before it is
// checked, so no more than its threshold (10, and the first turn) are
// checked without waiting, the others wait their turn (at most
// maxSlowDown), none is refused or answered 500, and the owner's right
// password right after the flood gets in after a bounded wait.
func TestPasswordGuessesFromManyAddressesAreCountedBeforeChecking(t *testing.T) {
	s := newLoginServer(t)
	const pw = "the right password"
	if err := s.store.CreateTechnician(context.Background(), store.Account{ID: "fred", Name: "Fred", PasswordHash: cheapHash(t, pw)}); err != nil {
		t.Fatal(err)
	}
	const n = 300
	counts := s.flood(n, func(i int) string { return fmt.Sprintf("10.%d.%d.1:4000", i/256, i%256) }, "/login", func(i int) url.Values {
		return url.Values{"username": {"fred"}, "password": {fmt.Sprint("guess ", i)}}
	})
	t.Logf("answers by status: %v", counts)
	waits := s.takeWaits()
	if c := n - len(waits); c > 11 {
		t.Errorf("%d passwords were checked without waiting, want at most 11 (the slow-down threshold and the first turn)", c)
	}
	for _, w := range waits {
		if w <= 0 || w > maxSlowDown {
			t.Fatalf("a paced guess waited %v, want 0 < wait <= %v", w, maxSlowDown)
		}
	}
	wantOnly(t, counts, n, http.StatusUnauthorized)
	w := s.post("198.51.100.20:5000", "/login", url.Values{"username": {"fred"}, "password": {pw}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console" {
		t.Fatalf("right password from another address right after the flood: %d %q, want logged in", w.Code, w.Header().Get("Location"))
	}
	if ws := s.takeWaits(); len(ws) != 1 || ws[0] > maxSlowDown {
		t.Errorf("the owner waited %v, want one wait of at most %v", ws, maxSlowDown)
	}
}
