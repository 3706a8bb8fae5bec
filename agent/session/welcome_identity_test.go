package session

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/peer"
	"github.com/lifeline-support/lifeline/shared/identity"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// stampedRunner is the session of an agent whose download carries the
// organisation's key org, without a server: the test plays the server (a
// compromised one) and counts the peer connections the agent makes.
func stampedRunner(t *testing.T, ui *termUI, org ed25519.PrivateKey, peers *atomic.Int32) (*runner, context.Context) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := newRunner(Config{Consent: ui.UI,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewPeer:     func(c peer.Config) (Peer, error) { peers.Add(1); return &answeringPeer{fakePeer{cfg: c}}, nil },
		NewInjector: func() (Injector, error) { return &fakeInjector{}, nil },
		Monitors:    func() ([]protocol.Monitor, error) { return nil, nil },
		Identity:    &Identity{Verifier: &identity.Verifier{OrgKeys: []ed25519.PublicKey{org.Public().(ed25519.PublicKey)}}},
	})
	s.sid = "s1"
	t.Cleanup(func() { cancel(); s.wg.Wait() })
	return s, ctx
}

// certifiedOffer is an offer for session s1 signed by a technician whose
// certificate from org has the account subject and the display name name.
func certifiedOffer(t *testing.T, org ed25519.PrivateKey, subject, name string) *protocol.Offer {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := identity.EncodeKey(&key.PublicKey)
	cert, err := identity.Sign(org, identity.Cert{Kind: identity.KindTechnician, Subject: subject, Name: name, Key: pub, NotAfter: time.Now().Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := identity.NewProof(key, cert, identity.KindTechnician, "s1", sdpWith(consoleFP), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdpWith(consoleFP)}, Identity: &p}
}

// TestStampedAgentRefusesWelcomeWithoutTechnician: a server that names no
// technician account (TechnicianID "") cannot make a stamped agent skip the
// check of whose certificate signs the offer: the customer sees the
// "could not be verified" message and no connection is made, for the first
// welcome as for a later one.
func TestStampedAgentRefusesWelcomeWithoutTechnician(t *testing.T) {
	_, org, _ := ed25519.GenerateKey(rand.Reader)
	var peers atomic.Int32

	// The first welcome named no account.
	ui := newTermUI(t)
	s, ctx := stampedRunner(t, ui, org, &peers)
	s.welcomed(&protocol.AgentWelcome{TechnicianName: "Alice"})
	s.receive(ctx, t, certifiedOffer(t, org, "mallory", "Alice"))
	if n := peers.Load(); n != 0 {
		t.Fatalf("%d peer connections after a welcome that named no technician", n)
	}
	waitUntil(t, "the customer's message", func() bool { return strings.Contains(ui.text(), unverifiedMessage) })

	// A later welcome drops the account.
	ui2 := newTermUI(t)
	s2, ctx2 := stampedRunner(t, ui2, org, &peers)
	s2.welcomed(&protocol.AgentWelcome{TechnicianID: "alice", TechnicianName: "Alice"})
	s2.receive(ctx2, t, &protocol.AgentWelcome{TechnicianName: "Alice"})
	s2.receive(ctx2, t, certifiedOffer(t, org, "mallory", "Alice"))
	if n := peers.Load(); n != 0 {
		t.Fatalf("%d peer connections after a welcome that dropped the technician's account", n)
	}
	waitUntil(t, "the customer's message", func() bool { return strings.Contains(ui2.text(), unverifiedMessage) })
}

// TestStampedAgentRefusesCertificateOfAnotherNameThanShown: the server
// shows the customer "Alice" but names Mallory's account; Mallory's genuine
// certificate (his own login, his own name) does not get a connection: the
// customer allowed Alice. The real Alice does.
func TestStampedAgentRefusesCertificateOfAnotherNameThanShown(t *testing.T) {
	_, org, _ := ed25519.GenerateKey(rand.Reader)
	var peers atomic.Int32
	ui := newTermUI(t)
	s, ctx := stampedRunner(t, ui, org, &peers)
	s.welcomed(&protocol.AgentWelcome{TechnicianID: "mallory", TechnicianName: "Alice"})
	s.receive(ctx, t, certifiedOffer(t, org, "mallory", "Mallory"))
	if n := peers.Load(); n != 0 {
		t.Fatalf("%d peer connections for Mallory's certificate while the customer was shown Alice", n)
	}
	waitUntil(t, "the customer's message", func() bool { return strings.Contains(ui.text(), unverifiedMessage) })

	ui2 := newTermUI(t)
	s2, ctx2 := stampedRunner(t, ui2, org, &peers)
	s2.welcomed(&protocol.AgentWelcome{TechnicianID: "alice", TechnicianName: "Alice"})
	s2.receive(ctx2, t, certifiedOffer(t, org, "alice", "Alice"))
	if n := peers.Load(); n != 1 {
		t.Fatalf("%d peer connections for the technician the customer was shown, want 1", n)
	}
}

// TestSameTechnicianRenamedIsAskedAgain: a welcome for the same account
// under another name (a server renaming the technician the customer
// allowed) drops every grant and asks the customer again, showing the new
// name.
func TestSameTechnicianRenamedIsAskedAgain(t *testing.T) {
	ui := newTermUI(t)
	f := &grantsFeature{}
	s, ctx := testRunner(t, ui, &fakeInjector{}, f)
	alice := protocol.AgentWelcome{TechnicianID: "alice", TechnicianName: "Alice Durand", OrgName: "Acme Support"}
	handTo(ctx, t, s, ui, &alice, 1)
	s.setGrants(protocol.Permissions{View: true, Control: true}, "")

	renamed := alice
	renamed.TechnicianName = "Mallory"
	s.receive(ctx, t, &renamed)
	if p := s.grants.get(); p != (protocol.Permissions{}) {
		t.Fatalf("the renamed technician holds %+v", p)
	}
	if p := f.get(); p != (protocol.Permissions{}) {
		t.Fatalf("the features allow %+v for the renamed technician", p)
	}
	out := ui.waitAsked(t, 2)
	if !strings.Contains(out[strings.Index(out, "[y/N]"):], "Mallory") {
		t.Fatalf("the customer is not asked about Mallory:\n%s", out)
	}
}

// TestStampedAgentWaitsInAChannelQueueUnrefused: a customer who asked for
// help on a channel waits for the first technician to take the session, so
// the first welcome names none (Waiting). That is no tampering: the customer
// is not told the connection could not be verified; an offer is still
// refused until a welcome names the technician who took the session.
func TestStampedAgentWaitsInAChannelQueueUnrefused(t *testing.T) {
	_, org, _ := ed25519.GenerateKey(rand.Reader)
	var peers atomic.Int32
	ui := newTermUI(t)
	s, ctx := stampedRunner(t, ui, org, &peers)
	s.welcomed(&protocol.AgentWelcome{Waiting: true})
	if strings.Contains(ui.text(), unverifiedMessage) {
		t.Fatalf("a customer waiting in a channel queue is told:\n%s", ui.text())
	}
	s.receive(ctx, t, certifiedOffer(t, org, "mallory", "Mallory"))
	if n := peers.Load(); n != 0 {
		t.Fatalf("%d peer connections before a technician took the session", n)
	}
}
