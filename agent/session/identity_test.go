package session

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/agentcfg"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/identity"
	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/orgkey"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

const (
	consoleFP = "sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
	mitmFP    = "sha-256 11:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
	agentFP   = "sha-256 22:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
)

func sdpWith(fp string) string {
	return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=fingerprint:" + fp + "\r\n"
}

// answeringPeer is a fakePeer whose answer carries a DTLS fingerprint.
type answeringPeer struct{ fakePeer }

func (p *answeringPeer) Answer(context.Context, webrtc.SessionDescription) (webrtc.SessionDescription, error) {
	return webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdpWith(agentFP)}, nil
}

// waitRefusals waits until the session has n identity.refused audit events.
// It asks the audit trail every 200 ms: each query is a JetStream consumer.
func waitRefusals(t *testing.T, admin *st.Tech, sid string, n int) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for {
		_, body := admin.Get(t, "/admin/audit?format=json&type="+string(audit.IdentityRefused)+"&session="+sid)
		var events []audit.Event
		if err := json.Unmarshal([]byte(body), &events); err != nil {
			t.Fatalf("audit: %v: %s", err, body)
		}
		if len(events) == n {
			return
		}
		if len(events) > n || time.Now().After(deadline) {
			t.Fatalf("%d identity.refused audit entries, want %d", len(events), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestAgentRefusesOfferWhoseFingerprintWasRewritten: an agent stamped with
// the organisation's key answers only an offer whose DTLS fingerprint the
// session's technician signed with a key the organisation certified. A
// fingerprint rewritten on the way (a compromised server), an offer with no
// proof, and a genuine proof sent again each get no peer at all (nothing
// streamed), an audit entry, and the customer's "could not be verified"
// message; the genuine offer is answered with the agent's own proof and the
// customer sees the verification code of the two fingerprints.
func TestAgentRefusesOfferWhoseFingerprintWasRewritten(t *testing.T) {
	data := t.TempDir()
	node := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) { c.DataDir = data })
	tech := st.LogIn(t, node)
	sid, token, _ := tech.NewSession(t, "Marie")
	browserKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := tech.Certify(t, browserKey)

	// What the customer's download carries (console-web/join stamps it so).
	keys, err := orgkey.Load(filepath.Join(data, orgkey.FileName))
	if err != nil {
		t.Fatal(err)
	}
	stamp := agentcfg.Config{Server: node.URL, Code: token}
	keys.Stamp(&stamp, time.Now())
	orgKeys, _ := stamp.Keys()
	signer, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader) // made by the agent at start

	console := tech.Dial(t, "/ws/console")
	console.Expect(protocol.TypeConsoleWelcome)
	console.Send(protocol.TypeSessionOpen, sid, protocol.SessionOpen{})
	console.Expect(protocol.TypeSessionState)

	var outMu sync.Mutex
	var out strings.Builder
	ui, err := consent.New(consent.Config{Lang: i18n.EN, Out: writerFunc(func(b []byte) (int, error) {
		outMu.Lock()
		defer outMu.Unlock()
		return out.Write(b)
	})})
	if err != nil {
		t.Fatal(err)
	}
	printed := func(s string) bool { outMu.Lock(); defer outMu.Unlock(); return strings.Contains(out.String(), s) }
	var peers atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _ = ui.Run(ctx) }()
	go func() {
		done <- Run(ctx, Config{
			Server: node.URL, Code: token, Consent: ui,
			Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
			NewPeer:     func(c peer.Config) (Peer, error) { peers.Add(1); return &answeringPeer{fakePeer{cfg: c}}, nil },
			NewInjector: func() (Injector, error) { return &fakeInjector{}, nil },
			Identity:    &Identity{Verifier: &identity.Verifier{OrgKeys: orgKeys}, Key: signer},
		})
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(hang):
			t.Error("Run did not return")
		}
		ui.Close()
	}()
	console.Expect(protocol.TypeSessionState) // the agent joined

	proof, err := identity.NewProof(browserKey, cert.Cert, identity.KindTechnician, sid, sdpWith(consoleFP), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	offer := func(fp string, p *identity.Proof) protocol.Offer {
		return protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdpWith(fp)}, Identity: p}
	}

	// The server puts its own fingerprint in the technician's offer.
	console.Send(protocol.TypeOffer, sid, offer(mitmFP, &proof))
	waitRefusals(t, tech, sid, 1)
	waitUntil(t, "the customer's message", func() bool { return printed(unverifiedMessage) })
	// An offer without proof (a server that strips it).
	console.Send(protocol.TypeOffer, sid, offer(mitmFP, nil))
	waitRefusals(t, tech, sid, 2)
	if n := peers.Load(); n != 0 {
		t.Fatalf("%d peer connections made for offers that did not verify", n)
	}

	// The genuine offer is answered, with the agent's proof.
	console.Send(protocol.TypeOffer, sid, offer(consoleFP, &proof))
	ans := console.Expect(protocol.TypeAnswer).Body.(*protocol.Answer)
	v := identity.Verifier{OrgKeys: orgKeys}
	if _, err := v.Verify(ans.Identity, identity.KindAgent, sid, ans.SDP); err != nil {
		t.Fatalf("the agent's answer does not verify: %v", err)
	}
	code := identity.Code(consoleFP, agentFP)
	waitUntil(t, "the verification code on the customer's side", func() bool { return printed("Verification code: " + code) })

	// The same proof again (replayed by the server) is refused.
	console.Send(protocol.TypeOffer, sid, offer(consoleFP, &proof))
	waitRefusals(t, tech, sid, 3)
	if n := peers.Load(); n != 1 {
		t.Fatalf("%d peer connections, want 1 (the genuine offer's)", n)
	}
}

// TestAgentRefusesAnotherTechniciansCertificate: a genuine certificate of
// the organisation, for another technician than the one the session belongs
// to (a transfer the server made up), opens no connection either.
func TestAgentRefusesAnotherTechniciansCertificate(t *testing.T) {
	_, org, _ := ed25519.GenerateKey(rand.Reader)
	bob, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := identity.EncodeKey(&bob.PublicKey)
	cert, err := identity.Sign(org, identity.Cert{Kind: identity.KindTechnician, Subject: "bob", Key: pub, NotAfter: time.Now().Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	ui := newTermUI(t)
	var peers atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	s := newRunner(Config{Consent: ui.UI,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewPeer:     func(c peer.Config) (Peer, error) { peers.Add(1); return &answeringPeer{fakePeer{cfg: c}}, nil },
		NewInjector: func() (Injector, error) { return &fakeInjector{}, nil },
		Monitors:    func() ([]protocol.Monitor, error) { return nil, nil },
		Identity:    &Identity{Verifier: &identity.Verifier{OrgKeys: []ed25519.PublicKey{org.Public().(ed25519.PublicKey)}}},
	})
	t.Cleanup(func() { cancel(); s.wg.Wait() })
	s.sid, s.techID = "s1", "alice"
	p, err := identity.NewProof(bob, cert, identity.KindTechnician, "s1", sdpWith(consoleFP), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.receive(ctx, t, &protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdpWith(consoleFP)}, Identity: &p})
	if n := peers.Load(); n != 0 {
		t.Fatalf("%d peer connections for another technician's certificate", n)
	}
	waitUntil(t, "the customer's message", func() bool { return strings.Contains(ui.text(), unverifiedMessage) })

	// The session's own technician gets through.
	s.techID = "bob"
	p, _ = identity.NewProof(bob, cert, identity.KindTechnician, "s1", sdpWith(consoleFP), time.Now())
	s.receive(ctx, t, &protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdpWith(consoleFP)}, Identity: &p})
	if n := peers.Load(); n != 1 {
		t.Fatalf("%d peer connections for the session's technician, want 1", n)
	}
}

const unverifiedMessage = "The connection could not be verified: it may have been tampered with. Nothing was shared."

// countingPeer counts the offers it answers.
type countingPeer struct {
	answeringPeer
	answers atomic.Int32
}

func (p *countingPeer) Answer(ctx context.Context, o webrtc.SessionDescription) (webrtc.SessionDescription, error) {
	p.answers.Add(1)
	return p.answeringPeer.Answer(ctx, o)
}

// TestAgentRefusesUnprovenICERestart: renegotiating a connection the agent
// accepted needs a proof too; a restart offer whose fingerprint the
// technician did not sign does not reach the peer.
func TestAgentRefusesUnprovenICERestart(t *testing.T) {
	_, org, _ := ed25519.GenerateKey(rand.Reader)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := identity.EncodeKey(&key.PublicKey)
	cert, _ := identity.Sign(org, identity.Cert{Kind: identity.KindTechnician, Subject: "ann", Key: pub, NotAfter: time.Now().Add(time.Hour).Unix()})
	ui := newTermUI(t)
	cp := &countingPeer{}
	ctx, cancel := context.WithCancel(context.Background())
	s := newRunner(Config{Consent: ui.UI,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewPeer:     func(c peer.Config) (Peer, error) { return cp, nil },
		NewInjector: func() (Injector, error) { return &fakeInjector{}, nil },
		Monitors:    func() ([]protocol.Monitor, error) { return nil, nil },
		Identity:    &Identity{Verifier: &identity.Verifier{OrgKeys: []ed25519.PublicKey{org.Public().(ed25519.PublicKey)}}},
	})
	t.Cleanup(func() { cancel(); s.wg.Wait() })
	s.sid, s.techID = "s1", "ann"
	offer := func(fp string, restart bool) *protocol.Offer {
		p, err := identity.NewProof(key, cert, identity.KindTechnician, "s1", sdpWith(consoleFP), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return &protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdpWith(fp)}, Restart: restart, Identity: &p}
	}
	s.receive(ctx, t, offer(consoleFP, false))
	if n := cp.answers.Load(); n != 1 {
		t.Fatalf("the proven offer: %d answers", n)
	}
	s.receive(ctx, t, offer(mitmFP, true))
	if n := cp.answers.Load(); n != 1 {
		t.Fatal("a restart offer with a rewritten fingerprint reached the peer")
	}
	s.receive(ctx, t, offer(consoleFP, true))
	if n := cp.answers.Load(); n != 2 {
		t.Fatalf("the proven restart: %d answers, want 2", n)
	}
}
