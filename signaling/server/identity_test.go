package server_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/console-web/identity"
	"github.com/lifeline-support/lifeline/shared/agentcfg"
	sid "github.com/lifeline-support/lifeline/shared/identity"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/orgkey"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

func certify(t *testing.T, tc *st.Tech, body string, csrf bool) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, tc.Base+identity.Path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if csrf {
		req.Header.Set("X-CSRF-Token", tc.CSRF)
	}
	resp, err := tc.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, st.ReadAll(t, resp)
}

// TestTechnicianKeyCertifiedByTheKeyStampedInDownloads: a logged-in
// technician's browser key gets a 12-hour certificate that verifies against
// the organisation keys an agent download carries, whose fingerprint the
// admin page shows; the key file is the server's only (0600). A key that is not one gets a sentence, not a 500;
// without a login or the CSRF token nothing is certified.
func TestTechnicianKeyCertifiedByTheKeyStampedInDownloads(t *testing.T) {
	agents := t.TempDir()
	if err := os.WriteFile(filepath.Join(agents, "lifeline-agent-linux-amd64"), []byte("\x7fELF fake agent"), 0o755); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) { c.AgentDir, c.DataDir = agents, data })
	fi, err := os.Stat(filepath.Join(data, orgkey.FileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("organisation key file: %v, %v", fi, err)
	}
	tech := st.LogIn(t, n)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := sid.EncodeKey(&key.PublicKey)
	body, _ := json.Marshal(identity.Request{Key: pub})

	if resp, _ := certify(t, st.Anonymous(t, n), string(body), false); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a login: %d", resp.StatusCode)
	}
	if resp, _ := certify(t, tech, string(body), false); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", resp.StatusCode)
	}
	if resp, text := certify(t, tech, `{"key":"bm90IGEga2V5"}`, true); resp.StatusCode != http.StatusBadRequest || !strings.Contains(text, "could not be read") {
		t.Fatalf("a bad key: %d %q", resp.StatusCode, text)
	}
	resp, text := certify(t, tech, string(body), true)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("certify: %d %s", resp.StatusCode, text)
	}
	var got identity.Response
	if err := json.Unmarshal([]byte(text), &got); err != nil {
		t.Fatal(err)
	}

	_, token, _ := tech.NewSession(t, "Marie")
	dl, err := tech.Client.Get(n.URL + "/download/" + token + "/linux")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "agent")
	if err := os.WriteFile(bin, []byte(st.ReadAll(t, dl)), 0o755); err != nil {
		t.Fatal(err)
	}
	stamp, err := agentcfg.Read(bin)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := stamp.Keys()
	if err != nil || len(keys) == 0 || stamp.OrgName != "Acme IT" {
		t.Fatalf("stamp %+v: %v", stamp, err)
	}
	now := time.Now()
	c, certified, err := sid.VerifyCert(got.Cert, keys, sid.KindTechnician, now)
	if err != nil {
		t.Fatal(err)
	}
	if !certified.Equal(&key.PublicKey) || c.Org != "Acme IT" || c.Subject == "" {
		t.Fatalf("certificate %+v", c)
	}
	if d := time.Unix(c.NotAfter, 0).Sub(now); d > identity.CertTTL || d < identity.CertTTL-time.Minute {
		t.Fatalf("certificate lasts %v", d)
	}
	if !bytes.Contains([]byte(text), []byte(stamp.OrgKeys[0])) {
		t.Fatal("the console is not given the keys the download carries")
	}
	// The administrator can write down the key every download carries.
	if _, page := tech.Get(t, "/admin"); !strings.Contains(page, sid.Fingerprint(keys[0])) || !strings.Contains(page, "BEGIN PUBLIC KEY") {
		t.Fatal("the admin page does not show the organisation key's fingerprint and PEM")
	}
}

// TestConsoleReportsAgentThatDidNotVerify: a console that refuses the
// customer's program (its answer's proof did not verify) records it in the
// audit trail under its technician, whatever their group; a console still
// cannot report the agent's events.
func TestConsoleReportsAgentThatDidNotVerify(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	admin := st.LogIn(t, n)
	sid, token, _ := admin.NewSession(t, "Marie")
	console := admin.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)
	agent := st.Dial(t, n.URL+"/ws/agent", nil)
	agent.Send(protocol.TypeAgentHello, "", protocol.AgentHello{Code: token})
	agent.Expect(protocol.TypeAgentWelcome)

	console.Send(protocol.TypeAudit, sid, protocol.Audit{Event: protocol.AuditFileSent, Name: "x", SHA256: strings.Repeat("ab", 32)})
	if e := console.Expect(protocol.TypeError).Body.(*protocol.Error); e.Code != protocol.CodeForbidden && e.Code != protocol.CodeBadMessage {
		t.Fatalf("a console's file report: %+v", e)
	}
	console.Send(protocol.TypeAudit, sid, protocol.Audit{Event: protocol.AuditIdentityRefused, Detail: "answer refused: signature does not match"})
	deadline := time.Now().Add(10 * time.Second)
	for {
		events := auditEvents(t, admin, "type=identity.refused&session="+sid)
		if len(events) == 1 {
			if events[0].Actor != "admin" || !strings.Contains(events[0].Detail, "answer refused") {
				t.Fatalf("recorded %+v", events[0])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d identity.refused entries", len(events))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestAgentCertificateIsBoundToTheSession: an agent download carries the
// organisation's keys and no private key that could certify an answer (not
// even a plain download, which anyone may fetch); the agent makes its key
// when it starts and the server certifies it, in the welcome, for the
// session it joined only (short-lived, the session's ID inside), again on
// a resume. A proof made with it for another session is refused. A key
// that is not one is refused with a sentence and burns no invitation.
func TestAgentCertificateIsBoundToTheSession(t *testing.T) {
	agents := t.TempDir()
	if err := os.WriteFile(filepath.Join(agents, "lifeline-agent-linux-amd64"), []byte("\x7fELF fake agent"), 0o755); err != nil {
		t.Fatal(err)
	}
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) { c.AgentDir = agents })
	tech := st.LogIn(t, n)
	sidX, tokenX, _ := tech.NewSession(t, "Marie")
	sidY, tokenY, _ := tech.NewSession(t, "Luc")

	var keys []ed25519.PublicKey
	for _, path := range []string{"/download/plain/linux", "/download/" + tokenX + "/linux"} {
		dl, err := tech.Client.Get(n.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		raw := st.ReadAll(t, dl)
		bin := filepath.Join(t.TempDir(), "agent")
		if err := os.WriteFile(bin, []byte(raw), 0o755); err != nil {
			t.Fatal(err)
		}
		stamp, err := agentcfg.Read(bin)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if keys, err = stamp.Keys(); err != nil || len(keys) == 0 {
			t.Fatalf("%s carries no organisation key: %v", path, err)
		}
		for _, secret := range []string{`"agentKey"`, `"agentCert"`, "PRIVATE KEY"} {
			if strings.Contains(raw, secret) {
				t.Errorf("%s carries %s: whoever downloads it can prove answers for any session", path, secret)
			}
		}
	}

	hello := func(h protocol.AgentHello) (*st.Conn, protocol.Message) {
		a := st.Dial(t, n.URL+"/ws/agent", nil)
		a.Send(protocol.TypeAgentHello, "", h)
		m, err := a.Read(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return a, m
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := sid.EncodeKey(&key.PublicKey)
	check := func(what string, w *protocol.AgentWelcome, want *ecdsa.PrivateKey) {
		t.Helper()
		now := time.Now()
		c, certified, err := sid.VerifyCert(w.IdentityCert, keys, sid.KindAgent, now)
		if err != nil {
			t.Fatalf("%s: the welcome's certificate: %v", what, err)
		}
		if c.SID != sidX || !certified.Equal(&want.PublicKey) {
			t.Fatalf("%s: certificate %+v, want session %s and the agent's key", what, c, sidX)
		}
		if d := time.Unix(c.NotAfter, 0).Sub(now); d > orgkey.AgentSessionCertTTL || d < orgkey.AgentSessionCertTTL-time.Minute {
			t.Fatalf("%s: certificate lasts %v, want %v", what, d, orgkey.AgentSessionCertTTL)
		}
	}

	// A key that is not one: a sentence, and the invitation still works.
	_, m := hello(protocol.AgentHello{Code: tokenY, IdentityKey: "bm90IGEga2V5", Hostname: "luc-pc", OS: "linux"})
	if e, ok := m.Body.(*protocol.Error); !ok || e.Code != protocol.CodeBadMessage || !strings.Contains(e.Message, "key") {
		t.Fatalf("a hello with a bad identity key: %+v, want %s with a sentence", m.Body, protocol.CodeBadMessage)
	}

	_, m = hello(protocol.AgentHello{Code: tokenX, IdentityKey: pub, Hostname: "marie-pc", OS: "linux"})
	w, ok := m.Body.(*protocol.AgentWelcome)
	if !ok {
		t.Fatalf("join: %+v", m.Body)
	}
	check("join", w, key)

	// The certificate proves answers in its own session only.
	v := &sid.Verifier{OrgKeys: keys}
	const sdp = "v=0\r\na=fingerprint:sha-256 AB:CD\r\n"
	p, err := sid.NewProof(key, w.IdentityCert, sid.KindAgent, sidX, sdp, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(&p, sid.KindAgent, sidX, sdp); err != nil {
		t.Fatalf("a proof for its own session: %v", err)
	}
	p, _ = sid.NewProof(key, w.IdentityCert, sid.KindAgent, sidY, sdp, time.Now())
	if _, err := v.Verify(&p, sid.KindAgent, sidY, sdp); !errors.Is(err, sid.ErrOtherSession) {
		t.Fatalf("a proof for another session: %v, want ErrOtherSession", err)
	}

	// A resume (the agent started again, a new key) is certified again.
	key2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub2, _ := sid.EncodeKey(&key2.PublicKey)
	_, m = hello(protocol.AgentHello{SID: sidX, Secret: w.Secret, IdentityKey: pub2, Hostname: "marie-pc", OS: "linux"})
	w2, ok := m.Body.(*protocol.AgentWelcome)
	if !ok {
		t.Fatalf("resume: %+v", m.Body)
	}
	check("resume", w2, key2)

	if _, m = hello(protocol.AgentHello{Code: tokenY, IdentityKey: pub2, Hostname: "luc-pc", OS: "linux"}); m.Type != protocol.TypeAgentWelcome {
		t.Fatalf("the invitation after a refused hello: %+v", m.Body)
	}
}
