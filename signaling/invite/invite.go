// Package invite issues and checks the ways a customer joins a session: invitation
// links with 128-bit random tokens, single-use 6-digit PINs, a per-address limit
// on wrong PINs and a server-wide one that slows guessing from many addresses.
package invite

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/limit"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Config sets lifetimes and limits.
type Config struct {
	LinkTTL time.Duration // how long a link stays valid if unused
	PINTTL  time.Duration // how long a PIN stays valid if unused
	// MaxFailures wrong PINs per client address are allowed in each Window.
	MaxFailures int
	Window      time.Duration
	// GlobalMaxFailures wrong PINs from all addresses together are checked
	// at once in each Window; past that, further tries go ahead one every
	// Window/GlobalMaxFailures, so a flood from many addresses slows every
	// guess instead of locking the customers out. 0 means no such limit.
	GlobalMaxFailures int
	// MaxWait is the longest a try waits for its turn; one that would wait
	// longer is told the server is busy (ErrBusy) and checks nothing.
	MaxWait time.Duration
	Now     func() time.Time // for tests; time.Now if nil
	Logger  *slog.Logger     // slog.Default() if nil
}

// Defaults returns the production settings.
func Defaults() Config {
	return Config{LinkTTL: 24 * time.Hour, PINTTL: 20 * time.Minute, MaxFailures: 5, Window: time.Minute,
		GlobalMaxFailures: 60, MaxWait: 3 * time.Second}
}

// Service issues and redeems invitations.
type Service struct {
	cfg   Config
	store *store.Store
	log   *slog.Logger
	// perAddr counts PIN attempts per client address, global those from
	// every address together.
	perAddr, global *limit.Counter
}

// New returns a Service over st.
func New(cfg Config, st *store.Store) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg, store: st, log: cfg.Logger,
		perAddr: limit.New(st, limit.Rule{Max: cfg.MaxFailures, Window: cfg.Window}, cfg.Now, cfg.Logger),
		global: limit.New(st, limit.Rule{Max: cfg.GlobalMaxFailures, Window: cfg.Window, Pace: cfg.MaxWait},
			cfg.Now, cfg.Logger)}
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

// IssueLink creates a link token for session sid, and no PIN.
func (s *Service) IssueLink(ctx context.Context, sid string) (Invitation, error) {
	token, err := NewToken()
	if err != nil {
		return Invitation{}, err
	}
	inv := Invitation{Token: token, Expires: s.cfg.Now().Add(s.cfg.LinkTTL)}
	if err := s.store.CreateInvite(ctx, token, store.Invite{SessionID: sid, Expires: inv.Expires}); err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

// Issue creates a link token and a PIN for session sid.
func (s *Service) Issue(ctx context.Context, sid string) (Invitation, error) {
	inv, err := s.IssueLink(ctx, sid)
	if err != nil {
		return Invitation{}, err
	}
	return s.withPIN(ctx, sid, inv, s.cfg.Now().Add(s.cfg.PINTTL), false)
}

// IssueExternal creates an external collaborator's link token and PIN for
// session sid, both good for ttl if unused. Only UseExternal takes them: a
// customer's join refuses them (Check, Use).
func (s *Service) IssueExternal(ctx context.Context, sid string, ttl time.Duration) (Invitation, error) {
	token, err := NewToken()
	if err != nil {
		return Invitation{}, err
	}
	inv := Invitation{Token: token, Expires: s.cfg.Now().Add(ttl)}
	if err := s.store.CreateInvite(ctx, token, store.Invite{SessionID: sid, Expires: inv.Expires, External: true}); err != nil {
		return Invitation{}, err
	}
	return s.withPIN(ctx, sid, inv, inv.Expires, true)
}

// withPIN gives invitation inv of session sid a free PIN, valid until expires.
func (s *Service) withPIN(ctx context.Context, sid string, inv Invitation, expires time.Time, external bool) (Invitation, error) {
	token := inv.Token
	inv.PINExpires = expires
	for range 20 {
		n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
		if err != nil {
			return Invitation{}, err
		}
		pin := fmt.Sprintf("%06d", n.Int64())
		err = s.store.CreatePIN(ctx, pin, store.PIN{SessionID: sid, Token: token, Expires: inv.PINExpires, External: external})
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
	if errors.Is(err, store.ErrNotFound) || (err == nil && in.External) {
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
	return s.use(ctx, token, false)
}

// UseExternal marks an external collaborator's link token as used and
// returns its session; like Use, once. ErrExpired and ErrUsed name the
// session too.
func (s *Service) UseExternal(ctx context.Context, token string) (string, error) {
	return s.use(ctx, token, true)
}

// use marks link token (an external collaborator's if external) as used.
func (s *Service) use(ctx context.Context, token string, external bool) (string, error) {
	if !validToken(token) {
		return "", ErrInvalid
	}
	in, err := s.store.UpdateInvite(ctx, token, func(in *store.Invite) error {
		switch {
		case in.External != external:
			return ErrInvalid
		case in.Used:
			return ErrUsed
		case s.cfg.Now().After(in.Expires):
			return ErrExpired
		}
		in.Used = true
		return nil
	})
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, ErrInvalid) {
		return "", ErrInvalid
	}
	return in.SessionID, err
}

// RedeemPIN trades a PIN for its link token, once. Every try is counted
// against the client address before the PIN is looked at, and against the
// server-wide limit (which may make it wait its turn); the right PIN is not
// held against anyone. It returns a *RateLimitError wrapping ErrRateLimited
// when addr has failed too often, or ErrBusy when the server-wide limit has
// no turn for it soon (nothing was checked: try again later), and
// ErrInvalidPIN for a wrong or expired PIN.
func (s *Service) RedeemPIN(ctx context.Context, addr, pin string) (token string, err error) {
	return s.redeemPIN(ctx, addr, pin, false)
}

// RedeemExternalPIN is RedeemPIN for an external collaborator's PIN: a
// customer's is refused (ErrPINForCustomer) and not used up, as RedeemPIN
// refuses an external collaborator's (ErrPINForExternal).
func (s *Service) RedeemExternalPIN(ctx context.Context, addr, pin string) (token string, err error) {
	return s.redeemPIN(ctx, addr, pin, true)
}

func (s *Service) redeemPIN(ctx context.Context, addr, pin string, external bool) (token string, err error) {
	key := limitKey(addr)
	if _, err := s.perAddr.Take(ctx, key); err != nil {
		return "", rateLimited(err)
	}
	at, err := s.global.Take(ctx, globalKey)
	if err == nil {
		err = limit.Sleep(ctx, at.Wait)
		if err != nil {
			s.global.Give(ctx, globalKey)
		}
	}
	if err != nil {
		s.perAddr.Give(ctx, key)
		return "", rateLimited(err)
	}
	if protocol.IsPIN(pin) {
		p, err := s.store.TakePIN(ctx, pin, external)
		if errors.Is(err, store.ErrOtherKind) && !s.cfg.Now().After(p.Expires) {
			// A right PIN typed in the wrong place: counted like a wrong
			// one, but said so, and left for its place.
			if p.External {
				return "", ErrPINForExternal
			}
			return "", ErrPINForCustomer
		}
		if err == nil && !s.cfg.Now().After(p.Expires) {
			s.perAddr.Give(ctx, key)
			s.global.Give(ctx, globalKey)
			return p.Token, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrOtherKind) {
			return "", err
		}
	}
	return "", ErrInvalidPIN
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
