package orgkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/agentcfg"
	"github.com/lifeline-support/lifeline/shared/identity"
)

func TestOrgKeyMadeOnceOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	k1, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	k2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Public().Equal(k2.Public()) {
		t.Fatal("a second run made another key")
	}
}

func TestOrgKeyFileOthersCanReadIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, ErrOpenFile) {
		t.Fatalf("got %v", err)
	}
}

func TestOrgKeyDamagedFileIsRefusedNotReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, ErrBadFile) {
		t.Fatalf("got %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "{" {
		t.Fatal("the damaged file was replaced")
	}
}

func TestOrgKeyRotationKeepsOldKeyForVerification(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	old, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tech, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	key, _ := identity.EncodeKey(&tech.PublicKey)
	now := time.Now()
	cert, err := old.Sign(identity.Cert{Kind: identity.KindAgent, Subject: "d", Key: key, NotAfter: now.Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	k, err := Rotate(path, now)
	if err != nil {
		t.Fatal(err)
	}
	if k.Public().Equal(old.Public()) {
		t.Fatal("rotation kept the key")
	}
	again, err := Load(path)
	if err != nil || !again.Public().Equal(k.Public()) {
		t.Fatalf("the rotated key was not saved: %v", err)
	}
	if _, _, err := identity.VerifyCert(cert, again.Verifying(now), identity.KindAgent, now); err != nil {
		t.Fatalf("a download stamped before the rotation no longer verifies: %v", err)
	}
	if _, _, err := identity.VerifyCert(cert, again.Verifying(now.Add(Keep+time.Hour)), identity.KindAgent, now); !errors.Is(err, identity.ErrUnknownSigner) {
		t.Fatalf("the retired key still verifies after Keep: %v", err)
	}
}

// TestAgentKeyCertifiedForOneSession: a download is stamped with the
// verifying keys only; an agent's own key is certified for one session,
// with the session inside, and verifies against the stamped keys.
func TestAgentKeyCertifiedForOneSession(t *testing.T) {
	k, err := Load(filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cfg := agentcfg.Config{Server: "https://x", OrgName: "Acme"}
	k.Stamp(&cfg, now)
	keys, err := cfg.Keys()
	if err != nil || len(keys) == 0 {
		t.Fatalf("stamped keys %v, %v", keys, err)
	}
	agent, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := identity.EncodeKey(&agent.PublicKey)
	cert, err := k.CertifyAgent("s1", pub, "Acme", now)
	if err != nil {
		t.Fatal(err)
	}
	c, certified, err := identity.VerifyCert(cert, keys, identity.KindAgent, now)
	if err != nil {
		t.Fatal(err)
	}
	if !certified.Equal(&agent.PublicKey) || c.Org != "Acme" || c.SID != "s1" || c.NotAfter != now.Add(AgentSessionCertTTL).Unix() {
		t.Fatalf("cert %+v does not certify the agent's key for session s1 until %v", c, now.Add(AgentSessionCertTTL))
	}
	if _, err := k.CertifyAgent("s1", "bm90IGEga2V5", "Acme", now); err == nil {
		t.Fatal("a key that is not one was certified")
	}
}
