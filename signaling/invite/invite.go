// Package invite issues and checks the ways a customer joins a session: invitation
// links with 128-bit random tokens, single-use 6-digit PINs, and a per-address limit
// on wrong PINs.
package invite

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Config sets lifetimes and limits.
type Config struct {
	LinkTTL time.Duration // how long a link stays valid if unused
	PINTTL  time.Duration // how long a PIN stays valid if unused
	// MaxFailures wrong PINs per client address are allowed in each Window.
	MaxFailures int
	Window      time.Duration
	Now         func() time.Time // for tests; time.Now if nil
}

// Defaults returns the production settings.
func Defaults() Config {
	return Config{LinkTTL: 24 * time.Hour, PINTTL: 20 * time.Minute, MaxFailures: 5, Window: time.Minute}
}

// Service issues and redeems invitations.
type Service struct {
	cfg   Config
	store *store.Store
}

// New returns a Service over st.
func New(cfg Config, st *store.Store) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg, store: st}
}

// Invitation is what a technician hands to a customer.
type Invitation struct {
	Token      string
	PIN        string
	Expires    time.Time
	PINExpires time.Time
}

var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewToken returns a random token of 128 bits, in lower-case base32.
func NewToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return strings.ToLower(tokenEncoding.EncodeToString(b)), nil
}

// Issue creates a link token and a PIN for session sid.
func (s *Service) Issue(ctx context.Context, sid string) (Invitation, error) {
	now := s.cfg.Now()
	token, err := NewToken()
	if err != nil {
		return Invitation{}, err
	}
	inv := Invitation{Token: token, Expires: now.Add(s.cfg.LinkTTL), PINExpires: now.Add(s.cfg.PINTTL)}
	if err := s.store.CreateInvite(ctx, token, store.Invite{SessionID: sid, Expires: inv.Expires}); err != nil {
		return Invitation{}, err
	}
	for range 20 {
		n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
		if err != nil {
			return Invitation{}, err
		}
		pin := fmt.Sprintf("%06d", n.Int64())
		err = s.store.CreatePIN(ctx, pin, store.PIN{SessionID: sid, Token: token, Expires: inv.PINExpires})
		if errors.Is(err, store.ErrExists) {
			continue
		}
		if err != nil {
			return Invitation{}, err
		}
		inv.PIN = pin
		return inv, nil
	}
	return Invitation{}, ErrNoPIN
}

// Check tells whether a link token can still be used, and for which session.
func (s *Service) Check(ctx context.Context, token string) (string, error) {
	if !validToken(token) {
		return "", ErrInvalid
	}
	in, err := s.store.Invite(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrInvalid
	}
	if err != nil {
		return "", err
	}
	switch {
	case in.Used:
		return in.SessionID, ErrUsed
	case s.cfg.Now().After(in.Expires):
		return in.SessionID, ErrExpired
	}
	return in.SessionID, nil
}

// Use marks a link token as used by the customer's agent and returns its session.
// A token can be used once.
func (s *Service) Use(ctx context.Context, token string) (string, error) {
	if !validToken(token) {
		return "", ErrInvalid
	}
	in, err := s.store.UpdateInvite(ctx, token, func(in *store.Invite) error {
		switch {
		case in.Used:
			return ErrUsed
		case s.cfg.Now().After(in.Expires):
			return ErrExpired
		}
		in.Used = true
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrInvalid
	}
	return in.SessionID, err
}

// RedeemPIN trades a PIN for its link token, once, counting wrong PINs against the
// client address. It returns ErrRateLimited (with RetryAfter) when addr has failed
// too often, and ErrInvalidPIN for a wrong or expired PIN.
func (s *Service) RedeemPIN(ctx context.Context, addr, pin string) (token string, err error) {
	key := limitKey(addr)
	if wait, err := s.RetryAfter(ctx, key); err != nil {
		return "", err
	} else if wait > 0 {
		return "", &RateLimitError{RetryAfter: wait}
	}
	if protocol.IsPIN(pin) {
		p, err := s.store.TakePIN(ctx, pin)
		if err == nil && !s.cfg.Now().After(p.Expires) {
			return p.Token, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	if err := s.fail(ctx, key); err != nil {
		return "", err
	}
	return "", ErrInvalidPIN
}

// RetryAfter says how long the client with limit key must wait before trying again.
func (s *Service) RetryAfter(ctx context.Context, key string) (time.Duration, error) {
	l, err := s.store.Limit(ctx, key)
	if err != nil {
		return 0, err
	}
	end := l.Since.Add(s.cfg.Window)
	now := s.cfg.Now()
	if l.Count >= s.cfg.MaxFailures && now.Before(end) {
		return end.Sub(now), nil
	}
	return 0, nil
}

func (s *Service) fail(ctx context.Context, key string) error {
	_, err := s.store.UpdateLimit(ctx, key, func(l *store.Limit) error {
		now := s.cfg.Now()
		if now.Sub(l.Since) >= s.cfg.Window {
			l.Count, l.Since = 0, now
		}
		l.Count++
		return nil
	})
	return err
}

// limitKey is the key of a client address's PIN failures (store.AddrKey).
func limitKey(addr string) string { return store.AddrKey(addr) }

// LimitKey is limitKey for callers that check the limit before doing work.
func LimitKey(addr string) string { return limitKey(addr) }

func validToken(t string) bool {
	if len(t) != 26 {
		return false
	}
	_, err := tokenEncoding.DecodeString(strings.ToUpper(t))
	return err == nil
}
