// Package orgkey keeps the organisation's Ed25519 signing key: made at first
// run in a file of the data directory (outside JetStream, mode 0600), used to
// certify technicians' browser keys and agent downloads (shared/identity),
// rotated with "signaling rotate-org-key", the retired public keys kept for
// verification until the downloads stamped with them expire.
package orgkey

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/lifeline-support/lifeline/shared/agentcfg"
	"github.com/lifeline-support/lifeline/shared/identity"
)

// FileName is the key file's name in the data directory.
const FileName = "org-key.json"

// Keep is how long a retired key still verifies: as long as an agent
// download may be kept and run (AgentCertTTL).
const Keep = AgentCertTTL

// AgentCertTTL is how long an agent download may be kept and run: the keys
// it was stamped with verify that long after a rotation. (Downloads carry no
// certificate of their own any more: see CertifyAgent.)
const AgentCertTTL = 90 * 24 * time.Hour

// AgentSessionCertTTL is how long the certificate of an agent's key for one
// session lasts (CertifyAgent); the agent gets a new one each time it joins
// or resumes the session.
const AgentSessionCertTTL = 12 * time.Hour

// Retired is a public key that signs nothing any more but still verifies.
type Retired struct {
	Public []byte `json:"public"`
	// Until is when it stops being stamped into downloads (Unix seconds).
	Until int64 `json:"until"`
}

type file struct {
	// Seed is the current private key's seed.
	Seed    []byte    `json:"seed"`
	Retired []Retired `json:"retired,omitempty"`
}

// Keys is the organisation's current key and the retired ones still valid.
type Keys struct {
	priv    ed25519.PrivateKey
	retired []Retired
}

// Load reads the key file at path, making a new key there if there is none.
func Load(path string) (*Keys, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		f := file{Seed: priv.Seed()}
		if err := write(path, f); err != nil {
			return nil, err
		}
		return &Keys{priv: priv}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("organisation key: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: %w", path, ErrOpenFile)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil || len(f.Seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s: %w", path, ErrBadFile)
	}
	return &Keys{priv: ed25519.NewKeyFromSeed(f.Seed), retired: f.Retired}, nil
}

// Rotate makes a new current key in the file at path; the old one verifies
// for Keep more. Running servers use the new key after a restart.
func Rotate(path string, now time.Time) (*Keys, error) {
	k, err := Load(path)
	if err != nil {
		return nil, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	f := file{Seed: priv.Seed()}
	for _, r := range k.retired {
		if r.Until > now.Unix() {
			f.Retired = append(f.Retired, r)
		}
	}
	f.Retired = append(f.Retired, Retired{Public: k.Public(), Until: now.Add(Keep).Unix()})
	if err := write(path, f); err != nil {
		return nil, err
	}
	return &Keys{priv: priv, retired: f.Retired}, nil
}

// write replaces the file at path atomically, readable by its owner only.
func write(path string, f file) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".org-key-*")
	if err != nil {
		return fmt.Errorf("organisation key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Public is the current public key.
func (k *Keys) Public() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

// Verifying lists the public keys that verify at now: the current one first,
// then the retired ones not yet past their time.
func (k *Keys) Verifying(now time.Time) []ed25519.PublicKey {
	out := []ed25519.PublicKey{k.Public()}
	for _, r := range k.retired {
		if r.Until > now.Unix() && len(r.Public) == ed25519.PublicKeySize {
			out = append(out, ed25519.PublicKey(r.Public))
		}
	}
	return out
}

// Sign certifies c with the current key (see identity.Sign).
func (k *Keys) Sign(c identity.Cert) (string, error) { return identity.Sign(k.priv, c) }

// PEM is the current public key as a PEM block, for offline records.
func (k *Keys) PEM() string {
	der, _ := x509.MarshalPKIXPublicKey(k.Public())
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// Fingerprint is the current public key's fingerprint for people to compare.
func (k *Keys) Fingerprint() string { return identity.Fingerprint(k.Public()) }

// Stamp puts the organisation's verifying keys on an agent download's config.
// A download carries no private key: anyone may fetch one (a plain download
// needs no login), so nothing in it may prove an agent's answers. The agent
// makes its key when it starts and the server certifies it for the session
// it joins (CertifyAgent).
func (k *Keys) Stamp(cfg *agentcfg.Config, now time.Time) {
	cfg.OrgKeys = k.Encoded(now)
}

// CertifyAgent certifies key (identity.EncodeKey of an agent's public key)
// as the agent of session sid, of organisation org, for AgentSessionCertTTL
// from now: consoles accept a proof made with it for that session only.
func (k *Keys) CertifyAgent(sid, key, org string, now time.Time) (string, error) {
	return k.Sign(identity.Cert{Kind: identity.KindAgent, Subject: "session " + sid, SID: sid, Org: org, Key: key,
		NotAfter: now.Add(AgentSessionCertTTL).Unix()})
}

// Encoded lists the verifying keys at now as standard base64, for consoles.
func (k *Keys) Encoded(now time.Time) []string {
	var out []string
	for _, pub := range k.Verifying(now) {
		out = append(out, base64.StdEncoding.EncodeToString(pub))
	}
	return out
}
