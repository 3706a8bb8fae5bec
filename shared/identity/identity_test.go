package identity

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"
)

const fpA = "sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
const fpB = "sha-256 11:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"

func sdpWith(fp string) string {
	return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=fingerprint:" + fp + "\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=fingerprint:" + fp + "\r\n"
}

type fixture struct {
	org     ed25519.PrivateKey
	tech    *ecdsa.PrivateKey
	cert    string
	now     time.Time
	verifer *Verifier
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	_, org, _ := ed25519.GenerateKey(rand.Reader)
	tech, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Unix(1_800_000_000, 0)
	key, err := EncodeKey(&tech.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := Sign(org, Cert{Kind: KindTechnician, Subject: "t1", Name: "Ann", Org: "Acme", Key: key, NotAfter: now.Add(12 * time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{org: org, tech: tech, cert: cert, now: now}
	f.verifer = &Verifier{OrgKeys: []ed25519.PublicKey{org.Public().(ed25519.PublicKey)}, Now: func() time.Time { return f.now }}
	return f
}

func (f *fixture) proof(t *testing.T, sid, sdp string) *Proof {
	t.Helper()
	p, err := NewProof(f.tech, f.cert, KindTechnician, sid, sdp, f.now)
	if err != nil {
		t.Fatal(err)
	}
	return &p
}

func TestProofVerifies(t *testing.T) {
	f := newFixture(t)
	c, err := f.verifer.Verify(f.proof(t, "s1", sdpWith(fpA)), KindTechnician, "s1", sdpWith(fpA))
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "t1" || c.Name != "Ann" {
		t.Fatalf("cert %+v", c)
	}
}

func TestProofRefused(t *testing.T) {
	tests := []struct {
		name string
		// change returns the proof, session and SDP the verifier is given.
		change func(t *testing.T, f *fixture) (*Proof, string, string)
		want   error
	}{
		{"FingerprintRewritten", func(t *testing.T, f *fixture) (*Proof, string, string) {
			return f.proof(t, "s1", sdpWith(fpA)), "s1", sdpWith(fpB)
		}, ErrBadSignature},
		{"OtherSession", func(t *testing.T, f *fixture) (*Proof, string, string) {
			return f.proof(t, "s1", sdpWith(fpA)), "s2", sdpWith(fpA)
		}, ErrBadSignature},
		{"Replayed", func(t *testing.T, f *fixture) (*Proof, string, string) {
			p := f.proof(t, "s1", sdpWith(fpA))
			if _, err := f.verifer.Verify(p, KindTechnician, "s1", sdpWith(fpA)); err != nil {
				t.Fatal(err)
			}
			return p, "s1", sdpWith(fpA)
		}, ErrReplayed},
		{"Expired", func(t *testing.T, f *fixture) (*Proof, string, string) {
			p := f.proof(t, "s1", sdpWith(fpA))
			f.now = f.now.Add(13 * time.Hour)
			return p, "s1", sdpWith(fpA)
		}, ErrExpired},
		{"Stale", func(t *testing.T, f *fixture) (*Proof, string, string) {
			p := f.proof(t, "s1", sdpWith(fpA))
			f.now = f.now.Add(Window + time.Second)
			return p, "s1", sdpWith(fpA)
		}, ErrStale},
		{"ForgedCertificate", func(t *testing.T, f *fixture) (*Proof, string, string) {
			// A server that has no organisation key signs its own.
			_, other, _ := ed25519.GenerateKey(rand.Reader)
			key, _ := EncodeKey(&f.tech.PublicKey)
			f.cert, _ = Sign(other, Cert{Kind: KindTechnician, Subject: "t1", Key: key, NotAfter: f.now.Add(time.Hour).Unix()})
			return f.proof(t, "s1", sdpWith(fpA)), "s1", sdpWith(fpA)
		}, ErrUnknownSigner},
		{"WrongOrganisation", func(t *testing.T, f *fixture) (*Proof, string, string) {
			_, other, _ := ed25519.GenerateKey(rand.Reader)
			f.verifer.OrgKeys = []ed25519.PublicKey{other.Public().(ed25519.PublicKey)}
			return f.proof(t, "s1", sdpWith(fpA)), "s1", sdpWith(fpA)
		}, ErrUnknownSigner},
		{"CertificateBodyAltered", func(t *testing.T, f *fixture) (*Proof, string, string) {
			p := f.proof(t, "s1", sdpWith(fpA))
			body, sig, _ := strings.Cut(p.Cert, ".")
			raw, _ := b64.DecodeString(body)
			raw = []byte(strings.Replace(string(raw), `"Ann"`, `"Bob"`, 1))
			p.Cert = b64.EncodeToString(raw) + "." + sig
			return p, "s1", sdpWith(fpA)
		}, ErrUnknownSigner},
		{"KeyNotCertified", func(t *testing.T, f *fixture) (*Proof, string, string) {
			// The certificate is genuine, the signing key is not the one it certifies.
			f.tech, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			return f.proof(t, "s1", sdpWith(fpA)), "s1", sdpWith(fpA)
		}, ErrBadSignature},
		{"AgentCertificateAsTechnician", func(t *testing.T, f *fixture) (*Proof, string, string) {
			key, _ := EncodeKey(&f.tech.PublicKey)
			f.cert, _ = Sign(f.org, Cert{Kind: KindAgent, Subject: "d1", Key: key, NotAfter: f.now.Add(time.Hour).Unix()})
			return f.proof(t, "s1", sdpWith(fpA)), "s1", sdpWith(fpA)
		}, ErrWrongKind},
		{"Missing", func(t *testing.T, f *fixture) (*Proof, string, string) {
			return nil, "s1", sdpWith(fpA)
		}, ErrMissing},
		{"TwoFingerprints", func(t *testing.T, f *fixture) (*Proof, string, string) {
			return f.proof(t, "s1", sdpWith(fpA)), "s1", sdpWith(fpA) + "a=fingerprint:" + fpB + "\r\n"
		}, ErrFingerprint},
		{"Oversized", func(t *testing.T, f *fixture) (*Proof, string, string) {
			p := f.proof(t, "s1", sdpWith(fpA))
			p.Nonce = strings.Repeat("n", MaxNonce+1)
			return p, "s1", sdpWith(fpA)
		}, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			p, sid, sdp := tc.change(t, f)
			if _, err := f.verifer.Verify(p, KindTechnician, sid, sdp); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestAgentProofRefusedForAnotherSession: an agent's certificate is good for
// the one session it names. A genuine agent key, certified for session s1,
// that signs an answer for s2 (a program relaying another session's
// signaling) is refused, and so is a certificate that names no session (what
// downloads carried before, which anyone could fetch).
func TestAgentProofRefusedForAnotherSession(t *testing.T) {
	f := newFixture(t)
	key, _ := EncodeKey(&f.tech.PublicKey)
	for _, tc := range []struct {
		name, certSID, sid string
		want               error
	}{
		{"OwnSession", "s1", "s1", nil},
		{"AnotherSession", "s1", "s2", ErrOtherSession},
		{"NoSession", "", "s2", ErrOtherSession},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cert, err := Sign(f.org, Cert{Kind: KindAgent, Subject: "session " + tc.certSID, SID: tc.certSID, Key: key, NotAfter: f.now.Add(time.Hour).Unix()})
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewProof(f.tech, cert, KindAgent, tc.sid, sdpWith(fpA), f.now)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.verifer.Verify(&p, KindAgent, tc.sid, sdpWith(fpA)); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSDPFingerprintNormalises(t *testing.T) {
	got, err := SDPFingerprint(sdpWith(strings.ToLower(strings.Replace(fpA, "sha-256", "SHA-256", 1))))
	if err != nil || got != fpA {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := SDPFingerprint("v=0\r\n"); !errors.Is(err, ErrFingerprint) {
		t.Fatalf("no fingerprint: %v", err)
	}
}

func TestCodeIsTheSameBothWays(t *testing.T) {
	if Code(fpA, fpB) != Code(fpB, fpA) {
		t.Fatal("code depends on the order")
	}
	if Code(fpA, fpB) == Code(fpA, fpA) {
		t.Fatal("code does not depend on both fingerprints")
	}
	if c := Code(fpA, fpB); len(c) != 7 || c[3] != ' ' {
		t.Fatalf("code %q", c)
	}
}
