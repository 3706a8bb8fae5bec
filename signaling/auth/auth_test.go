package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/lifeline-support/lifeline/signaling/store"
	"github.com/lifeline-support/lifeline/signaling/storetest"
)

// newAuth returns an Auth over a store on a fresh embedded NATS server.
func newAuth(t *testing.T, cfg Config) (*Auth, *store.Store) {
	t.Helper()
	st, _ := storetest.Open(t)
	return New(cfg, st), st
}

// login tries a password from addr and returns the error and the cookie set.
func login(a *Auth, addr, user, password string) (error, *http.Cookie) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/login", nil)
	r.RemoteAddr = addr
	err := a.Login(r.Context(), w, r, user, password)
	for _, c := range w.Result().Cookies() {
		if c.Name == CookieName {
			return err, c
		}
	}
	return err, nil
}

// TestPasswordsUseArgon2idAndRehashBcrypt: new passwords are argon2id with
// OWASP's parameters; an account still holding a bcrypt hash logs in and
// has its hash replaced by an argon2id one on that login.
func TestPasswordsUseArgon2idAndRehashBcrypt(t *testing.T) {
	a, st := newAuth(t, Config{})
	ctx := context.Background()
	const pw = "a long enough password"

	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(h), "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("new hash %q is not argon2id with m=19456,t=2,p=1", h)
	}
	if err := a.CreateTechnician(ctx, "new", "New", pw, "", ""); err != nil {
		t.Fatal(err)
	}
	if err, _ := login(a, "192.0.2.1:1000", "new", pw); err != nil {
		t.Fatalf("argon2id account: %v", err)
	}

	old, _ := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err := st.CreateAccount(ctx, store.Account{ID: "old", Name: "Old", Role: store.RoleTechnician, PasswordHash: old, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err, _ := login(a, "192.0.2.1:1000", "old", "not the password"); err != ErrBadLogin {
		t.Fatalf("wrong password on a bcrypt account: %v, want ErrBadLogin", err)
	}
	if acc, _ := st.Account(ctx, "old"); string(acc.PasswordHash) != string(old) {
		t.Fatal("a wrong password changed the stored hash")
	}
	if err, c := login(a, "192.0.2.1:1000", "old", pw); err != nil || c == nil {
		t.Fatalf("bcrypt account: %v (cookie %v)", err, c)
	}
	acc, err := st.Account(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(acc.PasswordHash), "$argon2id$") {
		t.Fatalf("after login the hash is still %.7q…, want argon2id", acc.PasswordHash)
	}
	if err, _ := login(a, "192.0.2.1:1000", "old", pw); err != nil {
		t.Fatalf("second login after re-hash: %v", err)
	}
	if err, _ := login(a, "192.0.2.1:1000", "old", pw+"x"); err != ErrBadLogin {
		t.Fatalf("wrong password after re-hash: %v, want ErrBadLogin", err)
	}
}
