package sessions

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
)

// fromPage is a page signal of the customer's page, as the agent sends it.
func (f *collabFixture) fromPage(p protocol.PageSignal) error {
	f.t.Helper()
	_, err := f.s.FromAgent(f.t.Context(), collabSID, "", protocol.Message{Envelope: protocol.Envelope{Type: protocol.TypePageSignal, ID: "a", SID: collabSID}, Body: &p})
	return err
}

// Colleagues on the customer's page, at the server: a collaborator joins
// the call the lead has going (never starts one, never without voice),
// on their own connection with the page: the agent hears it as theirs,
// and the page's answers reach them only; a console naming another
// technician's connection is refused. One technician shows their screen
// at a time. Refusals are audited.
func TestColleaguesOnTheCustomersPage(t *testing.T) {
	f := newCollabFixture(t)
	bob := f.techs["bob"]
	if err := f.send(f.alice, collab(protocol.CollabInvite, "bob")); err != nil {
		t.Fatal(err)
	}
	if err := f.send(bob, collab(protocol.CollabAccept, "")); err != nil {
		t.Fatal(err)
	}

	// No call yet: Bob cannot start one.
	if err := f.send(bob, &protocol.PageSignal{Kind: protocol.PageCall, On: true}); !errors.Is(err, ErrNoCall) {
		t.Errorf("Bob's call with none going on: %v, want ErrNoCall", err)
	}
	// Alice calls, the customer accepts: a call is on.
	if err := f.send(f.alice, &protocol.PageSignal{Kind: protocol.PageCall, On: true}); err != nil {
		t.Fatal(err)
	}
	if p := f.next(f.toAgent, protocol.TypePageSignal).Body.(*protocol.PageSignal); p.Tech != "alice" || p.Kind != protocol.PageCall {
		t.Errorf("the agent heard %+v, want Alice's call", p)
	}
	if err := f.fromPage(protocol.PageSignal{Kind: protocol.PageAccept, On: true, Tech: "alice"}); err != nil {
		t.Fatal(err)
	}
	if !f.session().PageCall {
		t.Fatal("the customer accepted, but the session keeps no call")
	}

	// Bob without voice (his group changed): refused, audited.
	mute := bob
	mute.Perms = access.Full()
	delete(mute.Perms, access.Voice)
	var denial *DeniedError
	if err := f.send(mute, &protocol.PageSignal{Kind: protocol.PageCall, On: true}); !errors.As(err, &denial) {
		t.Errorf("Bob's join without voice: %v, want a denial", err)
	}
	// Bob names Alice's connection: refused, audited.
	if err := f.send(bob, &protocol.PageSignal{Kind: protocol.PageMute, On: true, Tech: "alice"}); !errors.Is(err, ErrNotYourPeer) {
		t.Errorf("Bob's mute of Alice's connection: %v, want ErrNotYourPeer", err)
	}

	// Bob joins: the agent hears it as Bob's, whatever his console said.
	if err := f.send(bob, &protocol.PageSignal{Kind: protocol.PageCall, On: true, Name: "Alice"}); err != nil {
		t.Fatal(err)
	}
	if p := f.next(f.toAgent, protocol.TypePageSignal).Body.(*protocol.PageSignal); p.Tech != "bob" || p.Name != "Tech bob" {
		t.Errorf("the agent heard %+v, want Bob's join in his name", p)
	}
	// The page accepts him: that reaches Bob, and the call stays Alice's.
	if err := f.fromPage(protocol.PageSignal{Kind: protocol.PageAccept, On: true, Tech: "bob"}); err != nil {
		t.Fatal(err)
	}
	if p := f.next(f.toBob, protocol.TypePageSignal).Body.(*protocol.PageSignal); p.Kind != protocol.PageAccept || !p.On || p.Tech != "bob" {
		t.Errorf("Bob heard %+v, want the page's accept", p)
	}
	// Bob leaves: the call goes on.
	if err := f.send(bob, &protocol.PageSignal{Kind: protocol.PageCall}); err != nil {
		t.Fatal(err)
	}
	if !f.session().PageCall {
		t.Error("Bob left and the session keeps no call")
	}

	// Alice shows her screen; Bob may not while she does.
	if err := f.send(f.alice, &protocol.PageSignal{Kind: protocol.PageShare, On: true}); err != nil {
		t.Fatal(err)
	}
	var taken *ShareTakenError
	if err := f.send(bob, &protocol.PageSignal{Kind: protocol.PageShare, On: true}); !errors.As(err, &taken) || !strings.Contains(err.Error(), "Alice is showing") {
		t.Errorf("Bob's share while Alice shares: %v, want refused naming Alice", err)
	}
	if err := f.send(f.alice, &protocol.PageSignal{Kind: protocol.PageShare}); err != nil {
		t.Fatal(err)
	}
	if err := f.send(bob, &protocol.PageSignal{Kind: protocol.PageShare, On: true}); err != nil {
		t.Errorf("Bob's share once Alice stopped: %v", err)
	}
	if ss := f.session(); !ss.PageScreen || ss.PageSharer != "bob" {
		t.Errorf("the session keeps screen %v by %q, want Bob's", ss.PageScreen, ss.PageSharer)
	}

	events, err := f.trail.Query(t.Context(), audit.Filter{SessionID: collabSID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.Type == audit.PermissionDenied && e.Actor == "bob" {
			got = append(got, e.Detail)
		}
	}
	for _, want := range []string{"voice", "page signal for alice"} {
		if !slices.Contains(got, want) {
			t.Errorf("Bob's refusals on the trail %q lack %q", got, want)
		}
	}
}

// When the customer's page resets (hold, another technician, the lead
// passed, a permission lost), every technician's console hears it, with
// why, and the session keeps no screen shown nor call; a reset of one
// colleague's connection reaches that colleague only.
func TestPageResetReachesEveryConsole(t *testing.T) {
	f := newCollabFixture(t)
	bob := f.techs["bob"]
	if err := f.send(f.alice, collab(protocol.CollabInvite, "bob")); err != nil {
		t.Fatal(err)
	}
	if err := f.send(bob, collab(protocol.CollabAccept, "")); err != nil {
		t.Fatal(err)
	}
	toAlice, err := f.s.cfg.NC.SubscribeSync(TechSubject("alice", collabSID))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.send(f.alice, &protocol.PageSignal{Kind: protocol.PageShare, On: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.send(f.alice, &protocol.PageSignal{Kind: protocol.PageCall, On: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.fromPage(protocol.PageSignal{Kind: protocol.PageAccept, On: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.fromPage(protocol.PageSignal{Kind: protocol.PageReset, Reason: protocol.ResetHold}); err != nil {
		t.Fatal(err)
	}
	for {
		p := f.next(toAlice, protocol.TypePageSignal).Body.(*protocol.PageSignal)
		if p.Kind == protocol.PageReset {
			if p.Reason != protocol.ResetHold {
				t.Errorf("Alice heard %+v, want a reset: hold", p)
			}
			break
		}
	}
	if p := f.next(f.toBob, protocol.TypePageSignal).Body.(*protocol.PageSignal); p.Kind != protocol.PageReset || p.Reason != protocol.ResetHold {
		t.Errorf("Bob heard %+v, want a reset: hold", p)
	}
	if ss := f.session(); ss.PageScreen || ss.PageCall || ss.PageSharer != "" {
		t.Errorf("after the reset the session keeps screen %v (%q), call %v", ss.PageScreen, ss.PageSharer, ss.PageCall)
	}
	// Bob's connection alone: Bob hears it, Alice does not.
	if err := f.fromPage(protocol.PageSignal{Kind: protocol.PageReset, Tech: "bob", Reason: protocol.ResetPermission}); err != nil {
		t.Fatal(err)
	}
	if p := f.next(f.toBob, protocol.TypePageSignal).Body.(*protocol.PageSignal); p.Kind != protocol.PageReset || p.Reason != protocol.ResetPermission {
		t.Errorf("Bob heard %+v, want a reset: permission", p)
	}
	if msg, err := toAlice.NextMsg(200 * time.Millisecond); err == nil {
		t.Errorf("Alice heard Bob's reset: %s", msg.Data)
	}
}
