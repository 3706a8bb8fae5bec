package server_test

import (
	"slices"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// pageSignal reads the agent's messages until a page signal of kind comes,
// or fails.
func pageSignal(t *testing.T, c *st.Conn, kind string) *protocol.PageSignal {
	t.Helper()
	for {
		m, err := c.Read(10 * time.Second)
		if err != nil {
			t.Fatalf("waiting for page.signal %s: %v", kind, err)
		}
		if p, ok := m.Body.(*protocol.PageSignal); ok && p.Kind == kind {
			return p
		}
	}
}

// refusedWith reads c until the error answering message id comes, and
// returns its code.
func refusedWith(t *testing.T, c *st.Conn, id string) protocol.ErrorCode {
	t.Helper()
	for {
		m, err := c.Read(10 * time.Second)
		if err != nil {
			t.Fatalf("waiting for the answer to %s: %v", id, err)
		}
		if e, ok := m.Body.(*protocol.Error); ok && m.ID == id {
			return e.Code
		}
	}
}

// The technician's screen and voice reach the customer's page through the
// server only as the technician's group allows, message by message; the
// page's answers come back to the technician; what starts and stops is
// audited with who did it.
func TestPageSignalNeedsTheGroupsPermission(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	admin := st.LogIn(t, n)
	admin.PutGroup(t, "quiet", permsBut(access.ShowScreen, access.Voice)...)
	admin.CreateTechnician(t, "paul", "Paul", techPassword, "quiet")
	paul := st.LogInAs(t, n, "paul", techPassword)

	// Paul's group allows neither: nothing reaches his customer's agent.
	psid, pc, pa := liveSession(t, n, paul, protocol.AgentHello{})
	offer := &webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0\r\n"}
	for _, p := range []protocol.PageSignal{
		{Kind: protocol.PageShare, On: true},
		{Kind: protocol.PageOffer, SDP: offer, Screen: true},
		{Kind: protocol.PageOffer, SDP: offer},
		{Kind: protocol.PageCandidate, Candidate: &webrtc.ICECandidateInit{Candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host"}},
		{Kind: protocol.PageCall, On: true},
	} {
		if code := refusedWith(t, pc, pc.Send(protocol.TypePageSignal, psid, p)); code != protocol.CodeForbidden {
			t.Errorf("Paul's %s: %s, want forbidden", p.Kind, code)
		}
	}
	// Nor does anything of the customer's program reach Paul.
	for _, p := range []protocol.PageSignal{
		{Kind: protocol.PageCall, On: true},
		{Kind: protocol.PageClosed},
		{Kind: protocol.PageCandidate},
	} {
		if code := refusedWith(t, pa, pa.Send(protocol.TypePageSignal, psid, p)); code != protocol.CodeForbidden {
			t.Errorf("Paul's agent's %s: %s, want forbidden", p.Kind, code)
		}
	}
	pc.Send(protocol.TypeSessionEnd, psid, protocol.SessionEnd{Reason: protocol.EndByTechnician})
	for {
		m, err := pa.Read(10 * time.Second)
		if err != nil {
			t.Fatalf("Paul's agent: %v", err)
		}
		if _, ok := m.Body.(*protocol.PageSignal); ok {
			t.Fatalf("Paul's agent got a page signal: %+v", m.Body)
		}
		if m.Type == protocol.TypeSessionEnd {
			break
		}
	}

	// The administrator's group allows both: share, offer and candidates go
	// to the agent with his name; the page's answer and its close come back.
	sid, console, agent := liveSession(t, n, admin, protocol.AgentHello{})
	console.Send(protocol.TypePageSignal, sid, protocol.PageSignal{Kind: protocol.PageShare, On: true, Name: "Someone Else"})
	if p := pageSignal(t, agent, protocol.PageShare); !p.On || p.Name != "Administrator" {
		t.Errorf("share as the agent heard it: %+v, want on, by Administrator", p)
	}
	console.Send(protocol.TypePageSignal, sid, protocol.PageSignal{Kind: protocol.PageOffer, SDP: offer, Screen: true})
	pageSignal(t, agent, protocol.PageOffer)
	agent.Send(protocol.TypePageSignal, sid, protocol.PageSignal{Kind: protocol.PageAnswer, SDP: &webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: "v=0\r\n"}})
	if p := pageSignal(t, console, protocol.PageAnswer); p.Name != "Marie" {
		t.Errorf("the answer names %q, want the customer", p.Name)
	}
	agent.Send(protocol.TypePageSignal, sid, protocol.PageSignal{Kind: protocol.PageClosed})
	pageSignal(t, console, protocol.PageClosed)
	// An agent never offers: the technician's browser does.
	if code := refusedWith(t, agent, agent.Send(protocol.TypePageSignal, sid, protocol.PageSignal{Kind: protocol.PageOffer, SDP: offer})); code != protocol.CodeForbidden {
		t.Errorf("an agent's offer: %s, want forbidden", code)
	}

	var got []string
	for _, e := range readTrail(t, natsURL) {
		switch e.Type {
		case "screen.shown", "screen.hidden":
			got = append(got, e.Type+" by "+e.Actor)
		case "permission.denied":
			if e.Actor == "paul" {
				got = append(got, "denied "+e.Detail)
			}
		}
	}
	for _, want := range []string{"denied show_screen", "denied voice", "screen.shown by admin", "screen.hidden by customer"} {
		if !slices.Contains(got, want) {
			t.Errorf("audit trail %q lacks %q", got, want)
		}
	}
}

// countTrail counts the events of session sid of type typ on the trail.
func countTrail(t *testing.T, natsURL, sid, typ string) int {
	t.Helper()
	n := 0
	for _, e := range readTrail(t, natsURL) {
		if e.SessionID == sid && e.Type == typ {
			n++
		}
	}
	return n
}

// The customer's side cannot flood the audit trail with page signals: a
// close of a screen that is not shown, or a hang-up with no call on, is no
// entry; the technician's screen shown then closed twice is one of each.
func TestCustomerPageSignalsAuditOnlyChanges(t *testing.T) {
	natsURL := natstest.Server(t)
	n := st.StartNode(t, natsURL, "node")
	admin := st.LogIn(t, n)
	sid, console, agent := liveSession(t, n, admin, protocol.AgentHello{})
	offer := &webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0\r\n"}
	// flood sends p from the customer's side times times, then waits until
	// the server has handled them all (it answers a refused offer after).
	flood := func(p protocol.PageSignal, times int) {
		for range times {
			agent.Send(protocol.TypePageSignal, sid, p)
		}
		refusedWith(t, agent, agent.Send(protocol.TypePageSignal, sid, protocol.PageSignal{Kind: protocol.PageOffer, SDP: offer}))
	}
	flood(protocol.PageSignal{Kind: protocol.PageClosed}, 20)
	flood(protocol.PageSignal{Kind: protocol.PageCall}, 20)
	if hidden, ended := countTrail(t, natsURL, sid, "screen.hidden"), countTrail(t, natsURL, sid, "voice.ended"); hidden+ended != 0 {
		t.Fatalf("nothing shown, no call: %d screen.hidden and %d voice.ended on record, want none", hidden, ended)
	}
	console.Send(protocol.TypePageSignal, sid, protocol.PageSignal{Kind: protocol.PageShare, On: true})
	pageSignal(t, agent, protocol.PageShare)
	deadline := time.Now().Add(10 * time.Second)
	for countTrail(t, natsURL, sid, "screen.shown") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the technician's screen shown is not on record")
		}
		time.Sleep(20 * time.Millisecond)
	}
	flood(protocol.PageSignal{Kind: protocol.PageClosed}, 2)
	if hidden := countTrail(t, natsURL, sid, "screen.hidden"); hidden != 1 {
		t.Errorf("the screen shown once, closed twice: %d screen.hidden on record, want 1", hidden)
	}
	// Declines change nothing kept: they count against the session's cap
	// of what its customer's side reports.
	flood(protocol.PageSignal{Kind: protocol.PageAccept}, audit.DefaultMaxPeerEvents+10)
	if declined := countTrail(t, natsURL, sid, "voice.ended"); declined >= audit.DefaultMaxPeerEvents {
		t.Errorf("%d declines on record, want fewer than the cap of %d", declined, audit.DefaultMaxPeerEvents)
	}
	if capped := countTrail(t, natsURL, sid, string(audit.PeerReportsCapped)); capped != 1 {
		t.Errorf("%d %s on record, want 1", capped, audit.PeerReportsCapped)
	}
}
