// Package identity is the format both binaries share for identities the
// signaling server cannot fake: certificates signed by the organisation's
// Ed25519 key, and ECDSA P-256 signatures that bind a peer's DTLS fingerprint
// to one session.
//
// A certificate is two base64url strings joined by a dot: the JSON body (Cert)
// and the organisation key's Ed25519 signature of "lifeline-cert-v1\n" + body.
// A proof (Proof) is that certificate, a fresh nonce, the time and the
// certified key's signature (IEEE P1363, r||s, as WebCrypto makes it) of
// Message(kind, sid, fingerprint, nonce, time). console-web/static/identity.js
// builds and checks the same bytes.
package identity

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kinds of certificate: who holds the certified key.
const (
	// KindTechnician certifies a technician's browser key.
	KindTechnician = "technician"
	// KindAgent certifies the key of one agent download.
	KindAgent = "agent"
)

// Window is how far a proof's time may be from the verifier's clock.
const Window = 5 * time.Minute

// Bounds of what a proof may carry, checked before any cryptography.
const (
	MaxCert  = 2048
	MaxNonce = 64
	MaxSig   = 128
)

var b64 = base64.RawURLEncoding

// Cert is the body of a certificate.
type Cert struct {
	// Kind is KindTechnician or KindAgent.
	Kind string `json:"kind"`
	// Subject is the technician's account ID, or the agent's session ("session <ID>").
	Subject string `json:"sub"`
	// SID is the one session an agent's certificate is good for: the server
	// certifies the key an agent made when it joined that session. A proof
	// for any other session is refused (ErrOtherSession).
	SID string `json:"sid,omitempty"`
	// Name is the technician's display name (empty for an agent).
	Name string `json:"name,omitempty"`
	// Org is the organisation's name when the certificate was made.
	Org string `json:"org,omitempty"`
	// Key is the certified ECDSA P-256 public key, base64 (standard) of its SPKI DER.
	Key string `json:"key"`
	// NotAfter is when the certificate expires, in Unix seconds.
	NotAfter int64 `json:"notAfter"`
	// KeyID names the organisation key that signed it (KeyID).
	KeyID string `json:"kid"`
}

// Proof is what a peer sends with its offer or answer.
type Proof struct {
	Cert  string `json:"cert"`
	Nonce string `json:"nonce"`
	// Time is when the proof was made, in Unix milliseconds.
	Time int64  `json:"time"`
	Sig  string `json:"sig"`
}

// Validate checks the proof's sizes, not its signatures.
func (p *Proof) Validate() error {
	if len(p.Cert) > MaxCert || len(p.Nonce) > MaxNonce || len(p.Sig) > MaxSig || p.Nonce == "" {
		return ErrMalformed
	}
	return nil
}

// KeyID names an organisation public key: the first 8 bytes of its SHA-256, base64url.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return b64.EncodeToString(sum[:8])
}

// Fingerprint formats an organisation key's SHA-256 for people to compare, in
// groups of four hex digits.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	h := hex.EncodeToString(sum[:])
	var parts []string
	for i := 0; i < len(h); i += 4 {
		parts = append(parts, h[i:i+4])
	}
	return strings.Join(parts, " ")
}

// Sign makes a certificate for c with the organisation's key; c.KeyID is set from it.
func Sign(org ed25519.PrivateKey, c Cert) (string, error) {
	c.KeyID = KeyID(org.Public().(ed25519.PublicKey))
	if _, err := ParseKey(c.Key); err != nil {
		return "", err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	sig := ed25519.Sign(org, certMessage(body))
	return b64.EncodeToString(body) + "." + b64.EncodeToString(sig), nil
}

func certMessage(body []byte) []byte {
	return append([]byte("lifeline-cert-v1\n"), body...)
}

// VerifyCert checks that cert is signed by one of orgKeys, is of kind and is
// not expired at now, and returns its body and certified key.
func VerifyCert(cert string, orgKeys []ed25519.PublicKey, kind string, now time.Time) (Cert, *ecdsa.PublicKey, error) {
	var c Cert
	bodyS, sigS, ok := strings.Cut(cert, ".")
	if !ok || len(cert) > MaxCert {
		return c, nil, ErrMalformed
	}
	body, err1 := b64.DecodeString(bodyS)
	sig, err2 := b64.DecodeString(sigS)
	if err1 != nil || err2 != nil || len(sig) != ed25519.SignatureSize {
		return c, nil, ErrMalformed
	}
	signed := false
	for _, k := range orgKeys {
		if len(k) == ed25519.PublicKeySize && ed25519.Verify(k, certMessage(body), sig) {
			signed = true
			break
		}
	}
	if !signed {
		return c, nil, ErrUnknownSigner
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return c, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if c.Kind != kind {
		return c, nil, fmt.Errorf("%w: %q", ErrWrongKind, c.Kind)
	}
	if now.Unix() > c.NotAfter {
		return c, nil, fmt.Errorf("%w: %s", ErrExpired, time.Unix(c.NotAfter, 0).UTC().Format(time.RFC3339))
	}
	key, err := ParseKey(c.Key)
	if err != nil {
		return c, nil, err
	}
	return c, key, nil
}

// ParseKey decodes a P-256 public key given as base64 of its SPKI DER.
func ParseKey(s string) (*ecdsa.PublicKey, error) {
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(der) > 200 {
		return nil, ErrMalformed
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	ek, ok := k.(*ecdsa.PublicKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: not a P-256 key", ErrMalformed)
	}
	return ek, nil
}

// EncodeKey is the inverse of ParseKey.
func EncodeKey(k *ecdsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// Message is the text a proof signs: who signs (kind), the session, the DTLS
// fingerprint of the SDP the signer sends, a nonce and the time (Unix ms).
func Message(kind, sid, fingerprint, nonce string, t int64) []byte {
	return []byte("lifeline-identity-v1\n" + kind + "\n" + sid + "\n" + fingerprint + "\n" + nonce + "\n" + strconv.FormatInt(t, 10))
}

// NewProof signs sdp's fingerprint for session sid with key, certified by cert.
func NewProof(key *ecdsa.PrivateKey, cert, kind, sid, sdp string, now time.Time) (Proof, error) {
	fp, err := SDPFingerprint(sdp)
	if err != nil {
		return Proof{}, err
	}
	var n [16]byte
	_, _ = rand.Read(n[:])
	p := Proof{Cert: cert, Nonce: b64.EncodeToString(n[:]), Time: now.UnixMilli()}
	digest := sha256.Sum256(Message(kind, sid, fp, p.Nonce, p.Time))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return Proof{}, err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	p.Sig = b64.EncodeToString(sig)
	return p, nil
}

// Verifier checks proofs against an organisation's keys, remembering the
// nonces it accepted so that none is accepted twice. It is safe for
// concurrent use.
type Verifier struct {
	// OrgKeys are the organisation's public keys (the current one first).
	OrgKeys []ed25519.PublicKey
	// Now returns the time; nil means time.Now.
	Now func() time.Time

	mu   sync.Mutex
	seen map[string]time.Time // nonce → when it can be forgotten
}

// Verify checks that p proves the SDP sdp, received for session sid, comes
// from a key certified by the organisation as kind. It returns the certificate.
func (v *Verifier) Verify(p *Proof, kind, sid, sdp string) (Cert, error) {
	if p == nil {
		return Cert{}, ErrMissing
	}
	if err := p.Validate(); err != nil {
		return Cert{}, err
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	c, key, err := VerifyCert(p.Cert, v.OrgKeys, kind, now)
	if err != nil {
		return c, err
	}
	if kind == KindAgent && c.SID != sid {
		return c, fmt.Errorf("%w: %q", ErrOtherSession, c.SID)
	}
	fp, err := SDPFingerprint(sdp)
	if err != nil {
		return c, err
	}
	sig, err := b64.DecodeString(p.Sig)
	if err != nil || len(sig) != 64 {
		return c, ErrMalformed
	}
	digest := sha256.Sum256(Message(kind, sid, fp, p.Nonce, p.Time))
	if !ecdsa.Verify(key, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return c, ErrBadSignature
	}
	at := time.UnixMilli(p.Time)
	if at.Before(now.Add(-Window)) || at.After(now.Add(Window)) {
		return c, fmt.Errorf("%w: signed at %s", ErrStale, at.UTC().Format(time.RFC3339))
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = map[string]time.Time{}
	}
	for n, until := range v.seen {
		if now.After(until) {
			delete(v.seen, n)
		}
	}
	if _, ok := v.seen[p.Nonce]; ok {
		return c, ErrReplayed
	}
	v.seen[p.Nonce] = at.Add(2 * Window)
	return c, nil
}

// SDPFingerprint returns the DTLS fingerprint an SDP carries ("sha-256 AB:CD:…",
// the hash name lower case and the hex upper case). Every a=fingerprint line
// must name the same one.
func SDPFingerprint(sdp string) (string, error) {
	fp := ""
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimRight(line, "\r")
		v, ok := strings.CutPrefix(line, "a=fingerprint:")
		if !ok {
			continue
		}
		hash, value, ok := strings.Cut(strings.TrimSpace(v), " ")
		if !ok {
			return "", ErrFingerprint
		}
		got := strings.ToLower(hash) + " " + strings.ToUpper(strings.TrimSpace(value))
		if fp != "" && fp != got {
			return "", ErrFingerprint
		}
		fp = got
	}
	if fp == "" {
		return "", ErrFingerprint
	}
	return fp, nil
}

// Code is the short verification code both sides show for a connection
// between the DTLS fingerprints a and b (in either order): six digits, from
// SHA-256 of the two fingerprints sorted and joined by a newline.
func Code(a, b string) string {
	if b < a {
		a, b = b, a
	}
	sum := sha256.Sum256([]byte(a + "\n" + b))
	n := binary.BigEndian.Uint32(sum[:4]) % 1000000
	s := fmt.Sprintf("%06d", n)
	return s[:3] + " " + s[3:]
}
