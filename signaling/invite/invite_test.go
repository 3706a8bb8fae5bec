package invite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/clocktest"
	"github.com/lifeline-support/lifeline/signaling/storetest"
)

func newService(t *testing.T) (*Service, *clocktest.Clock) {
	t.Helper()
	st, _ := storetest.Open(t)
	c := clocktest.New(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))
	cfg := Defaults()
	cfg.Now = c.Now
	return New(cfg, st), c
}

func TestLinkIsUsableOnce(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	inv, err := s.Issue(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Token) != 26 || len(inv.PIN) != 6 {
		t.Fatalf("token %q pin %q", inv.Token, inv.PIN)
	}
	if sid, err := s.Check(ctx, inv.Token); err != nil || sid != "s1" {
		t.Fatalf("Check = %q, %v", sid, err)
	}
	if sid, err := s.Use(ctx, inv.Token); err != nil || sid != "s1" {
		t.Fatalf("Use = %q, %v", sid, err)
	}
	if _, err := s.Use(ctx, inv.Token); !errors.Is(err, ErrUsed) {
		t.Fatalf("second Use = %v, want ErrUsed", err)
	}
	if _, err := s.Check(ctx, inv.Token); !errors.Is(err, ErrUsed) {
		t.Fatalf("Check after use = %v, want ErrUsed", err)
	}
}

func TestLinkExpires(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	inv, err := s.Issue(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	c.Add(24*time.Hour + time.Second)
	if _, err := s.Check(ctx, inv.Token); !errors.Is(err, ErrExpired) {
		t.Fatalf("Check = %v, want ErrExpired", err)
	}
	if _, err := s.Use(ctx, inv.Token); !errors.Is(err, ErrExpired) {
		t.Fatalf("Use = %v, want ErrExpired", err)
	}
}

func TestUnknownAndMalformedTokens(t *testing.T) {
	s, _ := newService(t)
	tok, _ := NewToken()
	for _, bad := range []string{"", "short", "../../etc/passwd", tok} {
		if _, err := s.Check(context.Background(), bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Check(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestPINIsSingleUseAndExpires(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	inv, _ := s.Issue(ctx, "s1")
	tok, err := s.RedeemPIN(ctx, "10.0.0.1:1234", inv.PIN)
	if err != nil || tok != inv.Token {
		t.Fatalf("RedeemPIN = %q, %v", tok, err)
	}
	if _, err := s.RedeemPIN(ctx, "10.0.0.1:1234", inv.PIN); !errors.Is(err, ErrInvalidPIN) {
		t.Fatalf("second RedeemPIN = %v, want ErrInvalidPIN", err)
	}
	inv2, _ := s.Issue(ctx, "s2")
	c.Add(20*time.Minute + time.Second)
	if _, err := s.RedeemPIN(ctx, "10.0.0.2:1", inv2.PIN); !errors.Is(err, ErrInvalidPIN) {
		t.Fatalf("expired PIN = %v, want ErrInvalidPIN", err)
	}
}

func TestWrongPINsAreRateLimitedPerAddress(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	inv, _ := s.Issue(ctx, "s1")
	wrong := "000000"
	if inv.PIN == wrong {
		wrong = "000001"
	}
	for i := range 5 {
		if _, err := s.RedeemPIN(ctx, "192.0.2.7:999", wrong); !errors.Is(err, ErrInvalidPIN) {
			t.Fatalf("attempt %d = %v, want ErrInvalidPIN", i+1, err)
		}
	}
	_, err := s.RedeemPIN(ctx, "192.0.2.7:1000", inv.PIN)
	var rl *RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, ErrRateLimited) || rl.RetryAfter <= 0 || rl.RetryAfter > time.Minute {
		t.Fatalf("6th attempt = %v, want rate limited with a retry time", err)
	}
	// Another address is not affected, and the right PIN was not consumed by the refusal.
	if tok, err := s.RedeemPIN(ctx, "198.51.100.1:1", inv.PIN); err != nil || tok != inv.Token {
		t.Fatalf("other address = %q, %v", tok, err)
	}
	// After the window, the first address may try again.
	c.Add(time.Minute)
	if _, err := s.RedeemPIN(ctx, "192.0.2.7:1", wrong); !errors.Is(err, ErrInvalidPIN) {
		t.Fatalf("after window = %v, want ErrInvalidPIN", err)
	}
}

func TestLimitKeyGroupsIPv6By64(t *testing.T) {
	if limitKey("[2001:db8::1]:80") != limitKey("[2001:db8::2]:80") {
		t.Fatal("same /64 should share a limit")
	}
	if limitKey("[2001:db8:0:1::1]:80") == limitKey("[2001:db8::1]:80") {
		t.Fatal("different /64 should not share a limit")
	}
	if limitKey("192.0.2.1:1") == limitKey("192.0.2.2:1") {
		t.Fatal("IPv4 addresses are counted one by one")
	}
}

// Review item 6: customers' and external collaborators' PINs share one
// space; one typed where the other kind goes is refused with the reason and
// not used up: it still works where it belongs.
func TestPINOfTheOtherKindIsNotBurned(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	cust, _ := s.Issue(ctx, "s1")
	ext, err := s.IssueExternal(ctx, "s1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemExternalPIN(ctx, "10.0.0.1:1", cust.PIN); !errors.Is(err, ErrPINForCustomer) {
		t.Fatalf("a customer's PIN typed at /x = %v, want ErrPINForCustomer", err)
	}
	if _, err := s.RedeemPIN(ctx, "10.0.0.1:1", ext.PIN); !errors.Is(err, ErrPINForExternal) {
		t.Fatalf("an external PIN typed at /join = %v, want ErrPINForExternal", err)
	}
	if tok, err := s.RedeemPIN(ctx, "10.0.0.1:1", cust.PIN); err != nil || tok != cust.Token {
		t.Fatalf("the customer's PIN where it belongs = %q, %v", tok, err)
	}
	if tok, err := s.RedeemExternalPIN(ctx, "10.0.0.1:1", ext.PIN); err != nil || tok != ext.Token {
		t.Fatalf("the external PIN where it belongs = %q, %v", tok, err)
	}
}
