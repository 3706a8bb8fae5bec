// Package totp implements time-based one-time passwords (RFC 6238, HOTP of
// RFC 4226 over 30-second steps) as every authenticator app computes them.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"strings"
	"time"
)

// Step is the time step of RFC 6238's default, used by authenticator apps.
const Step = 30 * time.Second

// Digits is the length of the codes we issue and accept.
const Digits = 6

// ErrBadSecret means a secret is not valid base32.
var ErrBadSecret = errors.New("totp: secret is not valid base32")

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a random 160-bit secret in base32, as authenticator apps expect.
func NewSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return b32.EncodeToString(b), nil
}

// decode reads a base32 secret, tolerant of case, spaces and padding.
func decode(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(secret))
	key, err := b32.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(key) == 0 {
		return nil, ErrBadSecret
	}
	return key, nil
}

// HOTP is RFC 4226's HMAC-based one-time password of key at counter, with
// digits digits, computed with hash h (sha1.New for the usual apps).
func HOTP(h func() hash.Hash, key []byte, counter uint64, digits int) string {
	mac := hmac.New(h, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// StepAt is the time step containing t.
func StepAt(t time.Time) int64 { return t.Unix() / int64(Step/time.Second) }

// Code returns the 6-digit code of a base32 secret at time t.
func Code(secret string, t time.Time) (string, error) {
	key, err := decode(secret)
	if err != nil {
		return "", err
	}
	return HOTP(sha1.New, key, uint64(StepAt(t)), Digits), nil
}

// Verify checks code against secret at time t, allowing one step of clock drift
// either way. It returns the step that matched; a caller that stores it and
// refuses steps not after it makes each code single use.
func Verify(secret, code string, t time.Time, after int64) (int64, bool) {
	key, err := decode(secret)
	code = strings.ReplaceAll(code, " ", "")
	if err != nil || len(code) != Digits {
		return 0, false
	}
	now := StepAt(t)
	for _, s := range []int64{now - 1, now, now + 1} {
		if s <= after || s < 0 {
			continue
		}
		want := HOTP(sha1.New, key, uint64(s), Digits)
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// URI is the otpauth:// URI an authenticator app reads from the enrolment QR code.
func URI(issuer, account, secret string) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(Digits))
	q.Set("period", "30")
	return "otpauth://totp/" + label + "?" + q.Encode()
}
