package sessions

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/store"
	"github.com/lifeline-support/lifeline/signaling/storetest"
)

// collabFixture is a session service on a real store and NATS, with Alice
// working on session sid (her lead), colleagues Bob, Carol, Dan, Eve and
// Fay online in group "helpers", and what reaches the agent and Bob's
// consoles.
type collabFixture struct {
	t       *testing.T
	s       *Service
	st      *store.Store
	trail   *audit.Log
	toAgent *nats.Subscription
	toBob   *nats.Subscription
	alice   auth.Technician
	techs   map[string]auth.Technician
}

const collabSID = "s1"

func newCollabFixture(t *testing.T) *collabFixture {
	st, nc := storetest.Open(t)
	ctx := t.Context()
	trail, err := audit.Open(ctx, nc, audit.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(trail.Close)
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	au := auth.New(auth.Config{Audit: trail, Logger: log}, st)
	s := New(Config{NC: nc, Store: st, Auth: au, Audit: trail, Logger: log, Invites: invite.New(invite.Defaults(), st)})
	t.Cleanup(s.Close)
	f := &collabFixture{t: t, s: s, st: st, trail: trail, techs: map[string]auth.Technician{}}
	helpers := access.Full()
	delete(helpers, access.Monitor) // group leads are given it in their test
	if err := st.PutGroup(ctx, store.Group{ID: "helpers", Name: "Helpers", Permissions: helpers}); err != nil {
		t.Fatal(err)
	}
	f.alice = auth.Technician{Account: store.Account{ID: "alice", Name: "Alice", Role: store.RoleTechnician, GroupID: "helpers"}, Perms: helpers}
	if err := st.CreateAccount(ctx, f.alice.Account); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"bob", "carol", "dan", "eve", "fay"} {
		acc := store.Account{ID: id, Name: "Tech " + id, Role: store.RoleTechnician, GroupID: "helpers"}
		if err := st.CreateAccount(ctx, acc); err != nil {
			t.Fatal(err)
		}
		f.online(id)
		f.techs[id] = auth.Technician{Account: acc, Perms: helpers}
	}
	if err := st.CreateSession(ctx, store.Session{ID: collabSID, TechnicianID: "alice", TechnicianName: "Alice", CustomerName: "Marie",
		State: session.Active, AgentConnected: true, Console: "A"}); err != nil {
		t.Fatal(err)
	}
	if f.toAgent, err = nc.SubscribeSync(AgentSubject(collabSID)); err != nil {
		t.Fatal(err)
	}
	if f.toBob, err = nc.SubscribeSync(TechSubject("bob", collabSID)); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *collabFixture) online(id string) {
	f.t.Helper()
	if _, err := f.st.UpdatePresence(f.t.Context(), id, func(p *store.Presence) error {
		p.Status, p.Seen = store.StatusOnline, time.Now()
		return nil
	}); err != nil {
		f.t.Fatal(err)
	}
}

// send is a console message of tech (on console connection "A" for Alice,
// their own ID for the others) for the session.
func (f *collabFixture) send(tech auth.Technician, body any) error {
	f.t.Helper()
	var typ protocol.Type
	switch body.(type) {
	case *protocol.SessionCollaborate:
		typ = protocol.TypeSessionCollaborate
	case *protocol.Offer:
		typ = protocol.TypeOffer
	case *protocol.Candidate:
		typ = protocol.TypeCandidate
	case *protocol.SessionOpen:
		typ = protocol.TypeSessionOpen
	case *protocol.SessionStart:
		typ = protocol.TypeSessionStart
	case *protocol.SessionHold:
		typ = protocol.TypeSessionHold
	case *protocol.SessionTransfer:
		typ = protocol.TypeSessionTransfer
	case *protocol.SessionEnd:
		typ = protocol.TypeSessionEnd
	case *protocol.PermissionRequest:
		typ = protocol.TypePermissionRequest
	case *protocol.Pointer:
		typ = protocol.TypePointer
	case *protocol.LogAppend:
		typ = protocol.TypeLogAppend
	case *protocol.PageSignal:
		typ = protocol.TypePageSignal
	default:
		f.t.Fatalf("no type for %T", body)
	}
	console := tech.ID
	if tech.ID == "alice" {
		console = "A"
	}
	_, err := f.s.FromConsole(f.t.Context(), tech, console, protocol.Message{Envelope: protocol.Envelope{Type: typ, ID: "m", SID: collabSID}, Body: body})
	return err
}

func collab(action, tech string) *protocol.SessionCollaborate {
	return &protocol.SessionCollaborate{Action: action, Tech: tech}
}

func offer(peer string) *protocol.Offer {
	return &protocol.Offer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "v=0"}, Peer: peer}
}

// next returns the next message of type typ on sub, skipping others.
func (f *collabFixture) next(sub *nats.Subscription, typ protocol.Type) protocol.Message {
	f.t.Helper()
	for {
		msg, err := sub.NextMsg(10 * time.Second)
		if err != nil {
			f.t.Fatalf("waiting for %s: %v", typ, err)
		}
		m, err := protocol.Decode(msg.Data)
		if err != nil {
			f.t.Fatal(err)
		}
		if m.Type == typ {
			return m
		}
	}
}

func (f *collabFixture) session() store.Session {
	f.t.Helper()
	ss, err := f.st.Session(f.t.Context(), collabSID)
	if err != nil {
		f.t.Fatal(err)
	}
	return ss
}

// The rules of collaboration, at the server: who may invite whom, what an
// invited colleague and a collaborator may send, whose connection an offer
// is (the server's word, not the console's), who may hand control over, the
// limit of colleagues, and the audit trail in each one's name.
func TestCollaborationRules(t *testing.T) {
	f := newCollabFixture(t)
	bob, carol := f.techs["bob"], f.techs["carol"]

	// Not invited: Bob does not even see the session.
	if err := f.send(bob, &protocol.SessionOpen{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Bob opening a session he is not in: %v, want ErrNotFound", err)
	}
	// An away colleague is not offered the session.
	if _, err := f.st.UpdatePresence(t.Context(), "fay", func(p *store.Presence) error { p.Status = store.StatusAway; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		to   string
		want error
	}{
		{"away", "fay", ErrNotAvailable},
		{"oneself", "alice", ErrSelf},
		{"nobody", "mallory", ErrNoTechnician},
	} {
		if err := f.send(f.alice, collab(protocol.CollabInvite, c.to)); !errors.Is(err, c.want) {
			t.Errorf("inviting %s: %v, want %v", c.name, err, c.want)
		}
	}
	// Without the group permission, the lead may not invite.
	noCollab := f.alice
	noCollab.Perms = access.Full()
	delete(noCollab.Perms, access.Collaborate)
	var denial *DeniedError
	if err := f.send(noCollab, collab(protocol.CollabInvite, "bob")); !errors.As(err, &denial) {
		t.Errorf("inviting without the permission: %v, want a denial", err)
	}

	// Alice invites Bob, who hears of it.
	if err := f.send(f.alice, &protocol.SessionCollaborate{Action: protocol.CollabInvite, Tech: "bob", Comment: "printer"}); err != nil {
		t.Fatalf("inviting Bob: %v", err)
	}
	st := f.next(f.toBob, protocol.TypeSessionState).Body.(*protocol.SessionState)
	if st.Collaboration == nil || len(st.Collaboration.Invited) != 1 || st.Collaboration.Invited[0].Comment != "printer" || st.Collaboration.Invited[0].By != "Alice" {
		t.Fatalf("Bob's state after the invitation: %+v", st.Collaboration)
	}
	if err := f.send(f.alice, collab(protocol.CollabInvite, "bob")); !errors.Is(err, ErrAlreadyIn) {
		t.Errorf("inviting Bob twice: %v, want ErrAlreadyIn", err)
	}
	// Invited is not in: Bob may look, accept or decline, nothing more.
	if err := f.send(bob, &protocol.SessionOpen{}); err != nil {
		t.Errorf("Bob opening the session he is invited to: %v", err)
	}
	if err := f.send(bob, offer("")); !errors.Is(err, ErrJoinFirst) {
		t.Errorf("Bob's offer before accepting: %v, want ErrJoinFirst", err)
	}
	if err := f.send(bob, collab(protocol.CollabAccept, "")); err != nil {
		t.Fatalf("Bob accepting: %v", err)
	}
	if m := f.next(f.toAgent, protocol.TypeCollaborators).Body.(*protocol.Collaboration); len(m.Members) != 1 || m.Members[0].ID != "bob" || m.Members[0].Name != "Tech bob" || len(m.Invited) != 0 {
		t.Fatalf("the agent heard %+v", m)
	}

	// Bob's offer reaches the agent as his, whatever his console says; Alice's as hers.
	for _, c := range []struct {
		tech     auth.Technician
		claimed  string
		wantPeer string
	}{
		{bob, "", "bob"}, {bob, "alice", "bob"}, {f.alice, "bob", ""},
	} {
		if err := f.send(c.tech, offer(c.claimed)); err != nil {
			t.Fatalf("%s's offer: %v", c.tech.ID, err)
		}
		if got := f.next(f.toAgent, protocol.TypeOffer).Body.(*protocol.Offer); got.Peer != c.wantPeer {
			t.Errorf("%s's offer claiming %q reached the agent as %q's, want %q's", c.tech.ID, c.claimed, got.Peer, c.wantPeer)
		}
	}
	// The agent's answer for Bob goes to Bob; one for a stranger goes nowhere.
	if _, err := f.s.FromAgent(t.Context(), collabSID, "", protocol.Message{Envelope: protocol.Envelope{Type: protocol.TypeAnswer, SID: collabSID},
		Body: &protocol.Answer{SessionDescription: webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: "v=0 for bob"}, Peer: "bob"}}); err != nil {
		t.Fatal(err)
	}
	if got := f.next(f.toBob, protocol.TypeAnswer).Body.(*protocol.Answer); got.SDP != "v=0 for bob" {
		t.Errorf("Bob got the answer %q", got.SDP)
	}

	// What only the lead does, Bob may not.
	for _, body := range []any{
		&protocol.SessionEnd{}, &protocol.SessionHold{On: true}, &protocol.SessionStart{},
		&protocol.SessionTransfer{To: "carol"}, &protocol.PermissionRequest{Permission: protocol.PermissionControl},
		collab(protocol.CollabInvite, "carol"), collab(protocol.CollabRemove, "bob"), collab(protocol.CollabControl, "bob"),
	} {
		if err := f.send(bob, body); !errors.Is(err, ErrLeadOnly) {
			t.Errorf("Bob sending %T: %v, want ErrLeadOnly", body, err)
		}
	}
	if ss := f.session(); ss.State != session.Active || ss.Collab.Controller != "" {
		t.Fatalf("after Bob's attempts: %s, control with %q", ss.State, ss.Collab.Controller)
	}
	// Nor may the session change hands while he is in.
	if err := f.send(f.alice, &protocol.SessionTransfer{To: "carol"}); !errors.Is(err, ErrCollaborating) {
		t.Errorf("transferring with a collaborator in: %v, want ErrCollaborating", err)
	}

	// Control: the lead hands it over; only its holder gives it back.
	if err := f.send(f.alice, collab(protocol.CollabControl, "carol")); !errors.Is(err, ErrNotCollaborator) {
		t.Errorf("control to Carol, not in: %v, want ErrNotCollaborator", err)
	}
	if err := f.send(f.alice, collab(protocol.CollabControl, "bob")); err != nil {
		t.Fatalf("control to Bob: %v", err)
	}
	if m := f.next(f.toAgent, protocol.TypeCollaborators).Body.(*protocol.Collaboration); m.Controller != "bob" {
		t.Fatalf("the agent heard control is %q's", m.Controller)
	}
	if err := f.send(bob, collab(protocol.CollabControl, "")); err != nil {
		t.Fatalf("Bob giving control back: %v", err)
	}
	if m := f.next(f.toAgent, protocol.TypeCollaborators).Body.(*protocol.Collaboration); m.Controller != "" {
		t.Fatalf("control back with the lead, the agent heard %q", m.Controller)
	}

	// At most MaxCollaborators colleagues, in or invited.
	for _, id := range []string{"carol", "dan", "eve"} {
		if err := f.send(f.alice, collab(protocol.CollabInvite, id)); err != nil {
			t.Fatalf("inviting %s: %v", id, err)
		}
	}
	f.online("fay")
	if err := f.send(f.alice, collab(protocol.CollabInvite, "fay")); !errors.Is(err, ErrTooManyHelpers) {
		t.Errorf("a fifth colleague: %v, want ErrTooManyHelpers", err)
	}
	if err := f.send(f.alice, collab(protocol.CollabWithdraw, "carol")); err != nil {
		t.Fatalf("withdrawing Carol's invitation: %v", err)
	}
	if err := f.send(carol, collab(protocol.CollabAccept, "")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Carol accepting a withdrawn invitation: %v, want ErrNotFound", err)
	}

	// Alice removes Bob: he no longer sees the session, and his offers go nowhere.
	if err := f.send(f.alice, collab(protocol.CollabRemove, "bob")); err != nil {
		t.Fatalf("removing Bob: %v", err)
	}
	if err := f.send(bob, offer("")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Bob's offer after his removal: %v, want ErrNotFound", err)
	}

	// Each step is in the trail, in the name of who took it.
	events, err := f.trail.Query(t.Context(), audit.Filter{SessionID: collabSID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.Type != audit.PermissionDenied {
			got = append(got, string(e.Type)+" "+e.Actor+" "+e.Detail)
		}
	}
	for _, want := range []string{
		"collab.invited alice bob", "collab.joined bob Tech bob", "control.passed alice bob", "control.passed bob alice",
		"collab.withdrawn alice carol", "collab.removed alice bob",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("no %q in the trail %q", want, got)
		}
	}
}

// A collaborator whose console closes is away: back if it opens the session
// again within the grace, out after it; one whose login ends leaves the
// session at once. The session stays with its technician; when the lead ends the session,
// the collaborator hears it ended.
func TestCollaboratorLeavesAndLeadEnds(t *testing.T) {
	f := newCollabFixture(t)
	bob, carol := f.techs["bob"], f.techs["carol"]
	join := func(tech auth.Technician) {
		t.Helper()
		if err := f.send(f.alice, collab(protocol.CollabInvite, tech.ID)); err != nil {
			t.Fatal(err)
		}
		if err := f.send(tech, collab(protocol.CollabAccept, "")); err != nil {
			t.Fatal(err)
		}
	}
	join(bob)
	join(carol)
	if err := f.send(f.alice, collab(protocol.CollabControl, "bob")); err != nil {
		t.Fatal(err)
	}

	// Bob's console closes (a reload): he stays, away, with what he was
	// granted; control he had is the lead's at once. He opens the session
	// again: back. It closes again, and once the grace is over he is out.
	f.s.ConsoleClosed(t.Context(), "bob", "bob", []string{collabSID})
	ss := f.session()
	if m, ok := ss.Collab.Member("bob"); !ok || m.Away == 0 || ss.Collab.Controller != "" {
		t.Fatalf("after Bob's console closed: members %+v, control with %q; want Bob away, control with the lead", ss.Collab.Members, ss.Collab.Controller)
	}
	grant := ss.Collab.Members[0].Denied
	if err := f.send(bob, &protocol.SessionOpen{}); err != nil {
		t.Fatal(err)
	}
	ss = f.session()
	if m, ok := ss.Collab.Member("bob"); !ok || m.Away != 0 || !slices.Equal(m.Denied, grant) {
		t.Fatalf("after Bob's console came back: members %+v, want him present with the same permissions", ss.Collab.Members)
	}
	f.s.ConsoleClosed(t.Context(), "bob", "bob", []string{collabSID})
	f.s.sweepAway(t.Context(), f.session(), time.Now().Add(f.s.cfg.ColleagueGrace/2))
	if ss := f.session(); !ss.Collaborating("bob") {
		t.Fatal("Bob taken out before the grace was over")
	}
	f.s.sweepAway(t.Context(), f.session(), time.Now().Add(f.s.cfg.ColleagueGrace))
	ss = f.session()
	if ss.Collaborating("bob") || ss.Collab.Controller != "" || ss.State != session.Active || ss.TechnicianID != "alice" {
		t.Fatalf("after Bob's grace: %s, members %+v, control with %q", ss.State, ss.Collab.Members, ss.Collab.Controller)
	}
	f.s.LoginEnded(t.Context(), "carol", []string{collabSID})
	if ss := f.session(); ss.Collaborating("carol") || ss.State != session.Active {
		t.Fatalf("after Carol's login ended: %s, members %+v", ss.State, ss.Collab.Members)
	}

	join(bob)
	if err := f.send(f.alice, &protocol.SessionEnd{}); err != nil {
		t.Fatal(err)
	}
	for {
		st := f.next(f.toBob, protocol.TypeSessionState).Body.(*protocol.SessionState)
		if st.State == string(session.ClosedByTechnician) {
			break
		}
	}
	if err := f.send(bob, offer("")); err == nil {
		t.Error("Bob's offer into the ended session was taken")
	}
}

// A group change that takes a collaborator's rights away reaches the agent
// at once, with control back to the lead, and the server refuses his
// connection from then on (his login's permissions are read on every
// message).
func TestCollaboratorsGroupChangeDeniesAtOnce(t *testing.T) {
	f := newCollabFixture(t)
	bob := f.techs["bob"]
	if err := f.send(f.alice, collab(protocol.CollabInvite, "bob")); err != nil {
		t.Fatal(err)
	}
	if err := f.send(bob, collab(protocol.CollabAccept, "")); err != nil {
		t.Fatal(err)
	}
	if err := f.send(f.alice, collab(protocol.CollabControl, "bob")); err != nil {
		t.Fatal(err)
	}
	// Alice's group stays; Bob moves to a group without view or control.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	limited := access.Full()
	delete(limited, access.View)
	delete(limited, access.Control)
	if err := f.st.PutGroup(ctx, store.Group{ID: "limited", Name: "Limited", Permissions: limited}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.UpdateAccount(ctx, "bob", func(a *store.Account) error { a.GroupID = "limited"; return nil }); err != nil {
		t.Fatal(err)
	}
	for {
		m := f.next(f.toAgent, protocol.TypeCollaborators).Body.(*protocol.Collaboration)
		b, ok := m.Member("bob")
		if ok && slices.Contains(b.Denied, protocol.DeniedView) && slices.Contains(b.Denied, protocol.DeniedControl) {
			if m.Controller != "" {
				t.Errorf("control stayed with Bob after his group lost it")
			}
			break
		}
	}
	bob.Perms = limited
	var denial *DeniedError
	if err := f.send(bob, offer("")); !errors.As(err, &denial) {
		t.Errorf("Bob's offer without view: %v, want a denial", err)
	}
}

// A group lead (the Monitor permission) watches the session of a technician
// of their group without an invitation, view only: never in control. A lead
// of another group, or a technician without the permission, does not even
// see it.
func TestGroupLeadWatchesViewOnly(t *testing.T) {
	f := newCollabFixture(t)
	ctx := t.Context()
	others := access.Full()
	if err := f.st.PutGroup(ctx, store.Group{ID: "others", Name: "Others", Permissions: others}); err != nil {
		t.Fatal(err)
	}
	stranger := auth.Technician{Account: store.Account{ID: "olga", Name: "Olga", Role: store.RoleTechnician, GroupID: "others"}, Perms: others}
	if err := f.st.CreateAccount(ctx, stranger.Account); err != nil {
		t.Fatal(err)
	}
	noMonitor := f.techs["carol"]
	for _, tech := range []auth.Technician{stranger, noMonitor} {
		if err := f.send(tech, collab(protocol.CollabMonitor, "")); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s watching: %v, want ErrNotFound", tech.ID, err)
		}
		if _, err := f.s.Visible(ctx, tech, collabSID); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s sees the session: %v", tech.ID, err)
		}
	}

	lead := f.techs["bob"] // same group as Alice
	lead.Perms = access.Full()
	// The Monitor permission alone, given to the whole group for its leads,
	// does not let a member who leads nothing watch the others.
	if _, err := f.s.Visible(ctx, lead, collabSID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a member of the group who does not lead it sees the session: %v", err)
	}
	g, err := f.st.Group(ctx, groupOf(f.alice.Account))
	if err != nil {
		t.Fatal(err)
	}
	g.Leads = append(g.Leads, lead.ID)
	if err := f.st.PutGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Visible(ctx, lead, collabSID); err != nil {
		t.Fatalf("the group lead does not see the session: %v", err)
	}
	if err := f.send(lead, offer("")); !errors.Is(err, ErrNotFound) {
		t.Errorf("the lead's offer before watching: %v, want ErrNotFound", err)
	}
	if err := f.send(lead, collab(protocol.CollabMonitor, "")); err != nil {
		t.Fatalf("the group lead watching: %v", err)
	}
	m := f.next(f.toAgent, protocol.TypeCollaborators).Body.(*protocol.Collaboration)
	if b, ok := m.Member("bob"); !ok || b.Role != protocol.RoleMonitor {
		t.Fatalf("the agent heard %+v", m)
	}
	if err := f.send(f.alice, collab(protocol.CollabControl, "bob")); !errors.Is(err, ErrViewOnly) {
		t.Errorf("control to the watching lead: %v, want ErrViewOnly", err)
	}
	if err := f.send(lead, offer("")); err != nil {
		t.Errorf("the watching lead's offer: %v", err)
	}
	if got := f.next(f.toAgent, protocol.TypeOffer).Body.(*protocol.Offer); got.Peer != "bob" {
		t.Errorf("the watching lead's offer reached the agent as %q's", got.Peer)
	}
	events, err := f.trail.Query(ctx, audit.Filter{SessionID: collabSID, Type: string(audit.CollabMonitoring)})
	if err != nil || len(events) != 1 || events[0].Actor != "bob" {
		t.Errorf("the trail has %+v (%v), want bob watching", events, err)
	}
	// No longer the group's lead: watching stops at the next message.
	g.Leads = nil
	if err := f.st.PutGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	if err := f.send(lead, offer("")); !errors.Is(err, ErrNotFound) {
		t.Errorf("an offer of a lead who no longer leads the group: %v, want ErrNotFound", err)
	}
}

// Opening the session gives each colleague only their share of its running
// log: nothing to someone invited who has not joined, the chat and events
// without the customer's terminals to a collaborator, only the technicians'
// own chat to a lead who watches.
func TestColleaguesSeeTheirShareOfTheLog(t *testing.T) {
	f := newCollabFixture(t)
	ctx := t.Context()
	for _, e := range []protocol.LogEntry{
		{ID: "c", Kind: protocol.LogMessage, From: protocol.FromCustomer, Author: "Marie", Text: "my password is hunter2", At: 1},
		{ID: "t", Kind: protocol.LogTerminal, Text: "$ cat ~/.ssh/id_ed25519", At: 2},
		{ID: "i", Kind: protocol.LogMessage, From: protocol.FromTechnician, Author: "Alice", By: "alice", Text: "between us", At: 3, Internal: true},
	} {
		if err := f.st.AppendLog(ctx, collabSID, e, store.DefaultLogLimits, "full"); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(tech string) string {
		l, err := f.s.LogFor(ctx, tech, collabSID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range l.Entries {
			out = append(out, e.ID)
		}
		return strings.Join(out, ",")
	}
	if got := ids("alice"); got != "c,t,i" {
		t.Errorf("the lead's log: %q", got)
	}
	if err := f.send(f.alice, collab(protocol.CollabInvite, "bob")); err != nil {
		t.Fatal(err)
	}
	if got := ids("bob"); got != "" {
		t.Errorf("invited, not joined: %q, want nothing", got)
	}
	if err := f.send(f.techs["bob"], collab(protocol.CollabAccept, "")); err != nil {
		t.Fatal(err)
	}
	if got := ids("bob"); got != "c,i" {
		t.Errorf("a collaborator's log: %q, want the chat without the terminal", got)
	}
	if got := ids("carol"); got != "" {
		t.Errorf("a technician not in the session: %q", got)
	}
}

// The technicians in a session talk among themselves: a collaborator may
// write only such messages, in their own name; the lead hears them through
// the log, and nothing of it goes to the agent (the customer).
func TestTechniciansOnlyChat(t *testing.T) {
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
	if err := f.s.cfg.NC.Flush(); err != nil {
		t.Fatal(err)
	}
	say := func(tech auth.Technician, text string, internal bool) error {
		_, err := f.s.FromConsole(t.Context(), tech, tech.ID, protocol.Message{Envelope: protocol.Envelope{Type: protocol.TypeLogAppend, ID: "m", SID: collabSID},
			Body: &protocol.LogAppend{ID: text, Kind: protocol.LogMessage, From: protocol.FromTechnician, Text: text, At: 1, Internal: internal}})
		return err
	}
	var denial *DeniedError
	if err := say(bob, "to the customer", false); !errors.As(err, &denial) || denial.What != protocol.DeniedChat {
		t.Errorf("Bob writing to the customer's chat, not granted it: %v, want a denial of chat", err)
	}
	if err := say(bob, "the driver is the old one", true); err != nil {
		t.Fatalf("Bob's message to the technicians: %v", err)
	}
	for {
		p := f.next(toAlice, protocol.TypeLogEntries).Body.(*protocol.LogEntries)
		if n := len(p.Entries); n > 0 {
			e := p.Entries[n-1]
			if !e.Internal || e.Author != "Tech bob" || e.By != "bob" || e.Text != "the driver is the old one" {
				t.Fatalf("Alice got %+v", e)
			}
			// The new line alone, not the whole log again for each one.
			if !p.Append || n != 1 {
				t.Errorf("Alice got %d entries (append %v), want the new one appended", n, p.Append)
			}
			break
		}
	}
	// Nothing of the log went to the agent.
	if err := f.s.cfg.NC.Publish(AgentSubject(collabSID), []byte("marker")); err != nil {
		t.Fatal(err)
	}
	for {
		msg, err := f.toAgent.NextMsg(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if string(msg.Data) == "marker" {
			break
		}
		if m, err := protocol.Decode(msg.Data); err == nil && (m.Type == protocol.TypeLogEntries || m.Type == protocol.TypeLogAppend) {
			t.Fatalf("the agent got %s", m.Type)
		}
	}
}

// Per-collaborator permissions, at the server: the lead grants a subset of
// their own, the agent hears what each colleague is denied, a colleague
// not granted the screen or control gets neither whatever their console
// sends, and the lead changes the grant live (control not granted any more
// goes back to the lead).
func TestCollaboratorPermissions(t *testing.T) {
	f := newCollabFixture(t)
	bob, carol := f.techs["bob"], f.techs["carol"]

	// The lead cannot grant what her own group does not allow, nor an unknown permission.
	noFiles := f.alice
	noFiles.Perms = access.Full()
	delete(noFiles.Perms, access.Files)
	var denial *DeniedError
	if err := f.send(noFiles, &protocol.SessionCollaborate{Action: protocol.CollabInvite, Tech: "bob", Grant: []string{protocol.DeniedView, protocol.DeniedFiles}}); !errors.As(err, &denial) {
		t.Fatalf("granting files without them: %v, want a denial", err)
	}
	if _, err := protocol.Decode([]byte(`{"v":1,"type":"session.collaborate","id":"m","sid":"s1","payload":{"action":"invite","tech":"bob","grant":["root"]}}`)); err == nil {
		t.Errorf("granting an unknown permission was decoded")
	}

	// Bob: the screen only. Carol: the screen, control and files.
	for _, c := range []struct {
		tech  auth.Technician
		grant []string
	}{
		{bob, []string{protocol.DeniedView}},
		{carol, []string{protocol.DeniedFiles, protocol.DeniedView, protocol.DeniedControl, protocol.DeniedView}},
	} {
		if err := f.send(f.alice, &protocol.SessionCollaborate{Action: protocol.CollabInvite, Tech: c.tech.ID, Grant: c.grant}); err != nil {
			t.Fatalf("inviting %s: %v", c.tech.ID, err)
		}
		if err := f.send(c.tech, collab(protocol.CollabAccept, "")); err != nil {
			t.Fatalf("%s accepting: %v", c.tech.ID, err)
		}
	}
	var heard *protocol.Collaboration
	for heard == nil || len(heard.Members) < 2 {
		heard = f.next(f.toAgent, protocol.TypeCollaborators).Body.(*protocol.Collaboration)
	}
	want := map[string][]string{
		"bob":   {protocol.DeniedControl, protocol.DeniedFiles, protocol.DeniedClipboard, protocol.DeniedDrawing, protocol.DeniedChat, protocol.DeniedRecording},
		"carol": {protocol.DeniedClipboard, protocol.DeniedDrawing, protocol.DeniedChat, protocol.DeniedRecording},
	}
	for id, w := range want {
		m, _ := heard.Member(id)
		for _, d := range w {
			if !slices.Contains(m.Denied, d) {
				t.Errorf("the agent heard %s denied %q, want %s in it", id, m.Denied, d)
			}
		}
		for _, g := range m.Grant {
			if slices.Contains(m.Denied, g) {
				t.Errorf("%s both granted and denied %s", id, g)
			}
		}
	}
	if m, _ := heard.Member("carol"); !slices.Equal(m.Grant, []string{protocol.DeniedView, protocol.DeniedControl, protocol.DeniedFiles}) {
		t.Errorf("Carol's grant %q, want view, control, files once each", m.Grant)
	}

	// Control cannot go to Bob; it can go to Carol.
	if err := f.send(f.alice, collab(protocol.CollabControl, "bob")); !errors.As(err, &denial) {
		t.Errorf("control to Bob, not granted it: %v, want a denial", err)
	}
	if err := f.send(f.alice, collab(protocol.CollabControl, "carol")); err != nil {
		t.Fatalf("control to Carol: %v", err)
	}
	// Only the lead changes a grant.
	if err := f.send(carol, &protocol.SessionCollaborate{Action: protocol.CollabPermissions, Tech: "carol", Grant: protocol.Grantable}); !errors.Is(err, ErrLeadOnly) {
		t.Errorf("Carol granting herself everything: %v, want ErrLeadOnly", err)
	}
	// The lead takes control and the screen from Carol, live: control comes
	// back to the lead, and Carol's next offer is refused at the server.
	if err := f.send(f.alice, &protocol.SessionCollaborate{Action: protocol.CollabPermissions, Tech: "carol", Grant: []string{protocol.DeniedFiles}}); err != nil {
		t.Fatalf("changing Carol's grant: %v", err)
	}
	ss := f.session()
	if ss.Collab.Controller != "" {
		t.Errorf("control stayed with %q after it was no longer granted", ss.Collab.Controller)
	}
	if m, _ := ss.Collab.Member("carol"); !slices.Contains(m.Denied, protocol.DeniedView) || !slices.Contains(m.Denied, protocol.DeniedControl) || slices.Contains(m.Denied, protocol.DeniedFiles) {
		t.Errorf("Carol denied %q after the change", m.Denied)
	}
	if err := f.send(carol, offer("")); !errors.As(err, &denial) {
		t.Errorf("Carol's offer without the screen: %v, want a denial", err)
	}
	// Given the screen back, her offer goes through.
	if err := f.send(f.alice, &protocol.SessionCollaborate{Action: protocol.CollabPermissions, Tech: "carol", Grant: []string{protocol.DeniedView}}); err != nil {
		t.Fatal(err)
	}
	if err := f.send(carol, offer("")); err != nil {
		t.Errorf("Carol's offer with the screen granted again: %v", err)
	}
	events, err := f.trail.Query(t.Context(), audit.Filter{SessionID: collabSID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e audit.Event) bool {
		return e.Type == audit.CollabGranted && e.Actor == "alice" && e.Detail == "carol: files"
	}) {
		t.Errorf("the change of Carol's grant is not in the trail")
	}
}

// Pointers: a collaborator's pointer reaches the lead named by the server
// (whatever the console claims), the lead's reaches the collaborator; an
// invited colleague not in yet, and a stranger, send none.
func TestPointersGoToTheOtherTechnicians(t *testing.T) {
	f := newCollabFixture(t)
	bob := f.techs["bob"]
	toAlice, err := f.s.cfg.NC.SubscribeSync(TechSubject("alice", collabSID))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*protocol.SessionCollaborate{
		{Action: protocol.CollabInvite, Tech: "bob"}, {Action: protocol.CollabInvite, Tech: "carol"},
	} {
		if err := f.send(f.alice, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.send(bob, collab(protocol.CollabAccept, "")); err != nil {
		t.Fatal(err)
	}
	if err := f.send(f.techs["carol"], &protocol.Pointer{X: 0.1, Y: 0.1}); !errors.Is(err, ErrJoinFirst) {
		t.Errorf("an invited colleague's pointer: %v, want ErrJoinFirst", err)
	}
	if err := f.send(f.techs["dan"], &protocol.Pointer{X: 0.1, Y: 0.1}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a stranger's pointer: %v, want ErrNotFound", err)
	}
	if err := f.send(bob, &protocol.Pointer{X: 0.25, Y: 0.75, Tech: "alice", Name: "Alice"}); err != nil {
		t.Fatalf("Bob's pointer: %v", err)
	}
	if p := f.next(toAlice, protocol.TypePointer).Body.(*protocol.Pointer); p.Tech != "bob" || p.Name != "Tech bob" || p.X != 0.25 || p.Y != 0.75 {
		t.Errorf("Alice sees the pointer %+v, want Tech bob's at 0.25, 0.75", p)
	}
	if err := f.send(f.alice, &protocol.Pointer{Off: true}); err != nil {
		t.Fatalf("Alice's pointer: %v", err)
	}
	if p := f.next(f.toBob, protocol.TypePointer).Body.(*protocol.Pointer); p.Tech != "alice" || !p.Off {
		t.Errorf("Bob sees the pointer %+v, want Alice's, off the screen", p)
	}
}

// A collaborator the lead granted chat with the customer and the clipboard
// writes in the customer's chat (named by the server) and asks the customer
// for the clipboard; taken back live, the very next message is refused and
// audited, at the server.
func TestCollaboratorGrantedChatAndClipboard(t *testing.T) {
	f := newCollabFixture(t)
	bob := f.techs["bob"]
	if err := f.send(f.alice, &protocol.SessionCollaborate{Action: protocol.CollabInvite, Tech: "bob",
		Grant: []string{protocol.DeniedView, protocol.DeniedChat, protocol.DeniedClipboard}}); err != nil {
		t.Fatal(err)
	}
	if err := f.send(bob, collab(protocol.CollabAccept, "")); err != nil {
		t.Fatal(err)
	}
	say := func(text string) error {
		return f.send(bob, &protocol.LogAppend{ID: text, Kind: protocol.LogMessage, From: protocol.FromTechnician, Text: text, At: 1})
	}
	// Whether Bob may ask (delivering it needs an agent, which this test has not).
	ask := func() error {
		_, err := f.s.Authorize(t.Context(), bob, bob.ID, protocol.Message{Envelope: protocol.Envelope{Type: protocol.TypePermissionRequest, ID: "m", SID: collabSID},
			Body: &protocol.PermissionRequest{Permission: protocol.PermissionClipboard}})
		return err
	}
	if err := say("Hello, I am Bob"); err != nil {
		t.Fatalf("Bob granted chat writing to the customer: %v", err)
	}
	if err := ask(); err != nil {
		t.Fatalf("Bob granted the clipboard asking for it: %v", err)
	}
	entries, _, err := f.s.cfg.Store.RunningLog(t.Context(), collabSID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(entries, func(e store.LogEntry) bool {
		return e.Text == "Hello, I am Bob" && e.By == "bob" && e.Author == "Tech bob" && !e.Internal
	}) {
		t.Errorf("Bob's line is not in the customer's chat under his name: %+v", entries)
	}
	// The lead takes both back: refused at once.
	if err := f.send(f.alice, &protocol.SessionCollaborate{Action: protocol.CollabPermissions, Tech: "bob", Grant: []string{protocol.DeniedView}}); err != nil {
		t.Fatal(err)
	}
	var denial *DeniedError
	if err := say("still here"); !errors.As(err, &denial) || denial.What != protocol.DeniedChat {
		t.Errorf("Bob's chat once taken back: %v, want a denial", err)
	}
	if err := ask(); !errors.As(err, &denial) || denial.What != protocol.DeniedClipboard {
		t.Errorf("Bob asking for the clipboard once taken back: %v, want a denial", err)
	}
	events, err := f.trail.Query(t.Context(), audit.Filter{SessionID: collabSID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e audit.Event) bool {
		return e.Type == audit.PermissionDenied && e.Actor == "bob" && e.Detail == "collaborator chat"
	}) {
		t.Errorf("the refusal is not in the trail")
	}
}

// Who asks the customer for a permission is named by the server, from the
// sender's login, whatever the console wrote: the agent hears that Bob
// asks, not Alice, and a console naming someone else is overwritten.
func TestPermissionRequestNamesWhoAsks(t *testing.T) {
	f := newCollabFixture(t)
	bob := f.techs["bob"]
	if err := f.send(f.alice, &protocol.SessionCollaborate{Action: protocol.CollabInvite, Tech: "bob",
		Grant: []string{protocol.DeniedView, protocol.DeniedClipboard}}); err != nil {
		t.Fatal(err)
	}
	if err := f.send(bob, collab(protocol.CollabAccept, "")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		from     auth.Technician
		forged   protocol.PermissionRequest
		wantTech string
		wantName string
	}{
		{"the colleague, naming the lead", bob, protocol.PermissionRequest{Permission: protocol.PermissionClipboard, Tech: "alice", Name: "Alice"}, "bob", "Tech bob"},
		{"the colleague, naming nobody", bob, protocol.PermissionRequest{Permission: protocol.PermissionClipboard}, "bob", "Tech bob"},
		{"the lead, naming the colleague", f.alice, protocol.PermissionRequest{Permission: protocol.PermissionClipboard, Tech: "bob", Name: "Tech bob"}, "alice", "Alice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sent := make(chan error, 1)
			go func() { sent <- f.send(c.from, &c.forged) }()
			// The agent's hub answers each delivery (deliver waits for it).
			var got *protocol.PermissionRequest
			for got == nil {
				msg, err := f.toAgent.NextMsg(10 * time.Second)
				if err != nil {
					t.Fatalf("waiting for the request: %v", err)
				}
				if m, err := protocol.Decode(msg.Data); err == nil && m.Type == protocol.TypePermissionRequest {
					got = m.Body.(*protocol.PermissionRequest)
					_ = msg.Respond(nil)
				}
			}
			if err := <-sent; err != nil {
				t.Fatal(err)
			}
			if got.Tech != c.wantTech || got.Name != c.wantName || got.Permission != protocol.PermissionClipboard {
				t.Errorf("the agent heard %+v, want %s (%s) asking for the clipboard", got, c.wantName, c.wantTech)
			}
		})
	}
}

// The lead passes the lead to a collaborator: the session is Carol's, the
// agent is welcomed again naming her, and Alice stays as a collaborator,
// granted what her group allows; Alice leaves. Carol's console closes with
// Bob in: the session stays hers for the grace, then passes to Bob, the
// longest-present collaborator. Bob, alone, cannot leave it without ending
// or transferring it.
func TestLeadPassesToACollaborator(t *testing.T) {
	f := newCollabFixture(t)
	bob, carol := f.techs["bob"], f.techs["carol"]
	for _, tech := range []auth.Technician{bob, carol} {
		if err := f.send(f.alice, collab(protocol.CollabInvite, tech.ID)); err != nil {
			t.Fatal(err)
		}
		if err := f.send(tech, collab(protocol.CollabAccept, "")); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.send(bob, collab(protocol.CollabLead, "bob")); !errors.Is(err, ErrLeadOnly) {
		t.Errorf("Bob taking the lead himself: %v, want ErrLeadOnly", err)
	}
	if err := f.send(f.alice, collab(protocol.CollabLead, "carol")); err != nil {
		t.Fatalf("passing the lead to Carol: %v", err)
	}
	ss := f.session()
	alice, stays := ss.Collab.Member("alice")
	if ss.TechnicianID != "carol" || ss.TechnicianName != "Tech carol" || ss.Collaborating("carol") || !stays || !ss.Collaborating("bob") || ss.Console != "" {
		t.Fatalf("after the lead passed: technician %q (%q), members %+v, console %q", ss.TechnicianID, ss.TechnicianName, ss.Collab.Members, ss.Console)
	}
	if !slices.Contains(alice.Grant, protocol.DeniedFiles) || slices.Contains(alice.Denied, protocol.DeniedFiles) {
		t.Errorf("Alice as a collaborator: granted %q, denied %q; want what her group allows", alice.Grant, alice.Denied)
	}
	for {
		m := f.next(f.toAgent, protocol.TypeAgentWelcome)
		if w := m.Body.(*protocol.AgentWelcome); w.TechnicianID == "carol" {
			if _, in := w.Collaboration.Member("alice"); !in {
				t.Errorf("the agent's welcome does not name Alice as a collaborator: %+v", w.Collaboration)
			}
			break
		}
	}
	if err := f.send(f.alice, collab(protocol.CollabLeave, "")); err != nil {
		t.Fatalf("Alice leaving: %v", err)
	}

	// Carol's console holds the session, then closes.
	if err := f.send(carol, &protocol.SessionOpen{}); err != nil {
		t.Fatal(err)
	}
	f.s.ConsoleClosed(t.Context(), "carol", "carol", []string{collabSID})
	if ss := f.session(); ss.LeadAway == 0 {
		t.Fatal("Carol's console gone: the session does not say so")
	}
	f.s.sweepLead(t.Context(), f.session(), time.Now().Add(f.s.cfg.ColleagueGrace/2))
	if ss := f.session(); ss.TechnicianID != "carol" {
		t.Fatalf("the lead passed to %q before the grace was over", ss.TechnicianID)
	}
	f.s.sweepLead(t.Context(), f.session(), time.Now().Add(f.s.cfg.ColleagueGrace))
	ss = f.session()
	if ss.TechnicianID != "bob" || ss.Collaborating("carol") || ss.Collaborating("bob") || ss.State != session.Active {
		t.Fatalf("after Carol's grace: technician %q, members %+v, %s", ss.TechnicianID, ss.Collab.Members, ss.State)
	}
	if err := f.send(bob, collab(protocol.CollabLeave, "")); !errors.Is(err, ErrNoColleague) {
		t.Errorf("Bob leaving his session with nobody to take it: %v, want ErrNoColleague", err)
	}
	events, err := f.trail.Query(t.Context(), audit.Filter{SessionID: collabSID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e audit.Event) bool {
		return e.Type == audit.LeadPassed && e.Actor == "server" && e.Detail == "bob"
	}) {
		t.Errorf("the lead passed by the server is not in the trail")
	}
}

// Passing the lead, by the lead or by the server once the lead's console is
// gone, keeps only viewing of what the customer allowed: the new lead was
// let in to watch, and asks again for the rest (the agent drops it too).
func TestLeadPassedKeepsOnlyViewing(t *testing.T) {
	f := newCollabFixture(t)
	bob, carol := f.techs["bob"], f.techs["carol"]
	for _, tech := range []auth.Technician{bob, carol} {
		if err := f.send(f.alice, collab(protocol.CollabInvite, tech.ID)); err != nil {
			t.Fatal(err)
		}
		if err := f.send(tech, collab(protocol.CollabAccept, "")); err != nil {
			t.Fatal(err)
		}
	}
	all := protocol.Permissions{View: true, Control: true, Clipboard: true, Terminal: true, SysInfo: true, FileManager: true}
	grantAll := func() {
		t.Helper()
		if _, err := f.st.UpdateSession(t.Context(), collabSID, func(ss *store.Session) error {
			ss.Permissions = all
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	grantAll()
	if err := f.send(f.alice, collab(protocol.CollabLead, "carol")); err != nil {
		t.Fatalf("passing the lead to Carol: %v", err)
	}
	if p := f.session().Permissions; p != (protocol.Permissions{View: true}) {
		t.Errorf("after Alice passed the lead to Carol the session's grants are %+v, want only viewing", p)
	}

	// Carol's tab goes stale with everything allowed again: the server
	// passes the lead to Bob after the grace.
	grantAll()
	if err := f.send(carol, &protocol.SessionOpen{}); err != nil {
		t.Fatal(err)
	}
	f.s.ConsoleClosed(t.Context(), "carol", "carol", []string{collabSID})
	f.s.sweepLead(t.Context(), f.session(), time.Now().Add(f.s.cfg.ColleagueGrace))
	ss := f.session()
	if ss.TechnicianID != "bob" {
		t.Fatalf("the lead did not pass to Bob: %q", ss.TechnicianID)
	}
	if ss.Permissions != (protocol.Permissions{View: true}) {
		t.Errorf("after the server passed the lead to Bob the session's grants are %+v, want only viewing", ss.Permissions)
	}
}

// The lead passed while a third colleague holds remote control: control
// drops (nobody has it), and the agent's welcome says so, so the
// customer's page names nobody in control.
func TestLeadPassedDropsAThirdColleaguesControl(t *testing.T) {
	f := newCollabFixture(t)
	bob, carol := f.techs["bob"], f.techs["carol"]
	for _, tech := range []auth.Technician{bob, carol} {
		if err := f.send(f.alice, collab(protocol.CollabInvite, tech.ID)); err != nil {
			t.Fatal(err)
		}
		if err := f.send(tech, collab(protocol.CollabAccept, "")); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.send(f.alice, collab(protocol.CollabControl, "carol")); err != nil {
		t.Fatalf("giving Carol control: %v", err)
	}
	if c := f.session().Collab.Controller; c != "carol" {
		t.Fatalf("controller %q, want carol", c)
	}
	if err := f.send(f.alice, collab(protocol.CollabLead, "bob")); err != nil {
		t.Fatalf("passing the lead to Bob: %v", err)
	}
	if c := f.session().Collab.Controller; c != "" {
		t.Errorf("after the lead passed to Bob, %q is still listed as having control; want nobody", c)
	}
	for {
		m := f.next(f.toAgent, protocol.TypeAgentWelcome)
		if w := m.Body.(*protocol.AgentWelcome); w.TechnicianID == "bob" {
			if w.Collaboration != nil && w.Collaboration.Controller != "" {
				t.Errorf("the agent's welcome names %q in control; want nobody", w.Collaboration.Controller)
			}
			break
		}
	}
}

// The lead's console gone past the grace with no colleague left to take
// the lead (the only one left meanwhile): the session goes back to the
// queue, Waiting, its customer's grants and the collaboration dropped, the
// agent told (the customer's page says they wait), the log kept.
func TestLeadGoneWithNobodyReturnsToTheQueue(t *testing.T) {
	f := newCollabFixture(t)
	bob := f.techs["bob"]
	if err := f.send(f.alice, collab(protocol.CollabInvite, "bob")); err != nil {
		t.Fatal(err)
	}
	if err := f.send(bob, collab(protocol.CollabAccept, "")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.UpdateSession(t.Context(), collabSID, func(ss *store.Session) error {
		ss.Permissions = protocol.Permissions{View: true, Control: true}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.send(f.alice, &protocol.LogAppend{ID: "l1", Kind: protocol.LogMessage, From: protocol.FromTechnician, Text: "hello Marie", At: 1}); err != nil {
		t.Fatal(err)
	}
	f.s.ConsoleClosed(t.Context(), "alice", "A", []string{collabSID})
	if err := f.send(bob, collab(protocol.CollabLeave, "")); err != nil {
		t.Fatal(err)
	}
	f.s.sweepLead(t.Context(), f.session(), time.Now().Add(f.s.cfg.ColleagueGrace/2))
	if ss := f.session(); ss.State != session.Active {
		t.Fatalf("before the grace was over the session is %s", ss.State)
	}
	f.s.sweepLead(t.Context(), f.session(), time.Now().Add(f.s.cfg.ColleagueGrace))
	ss := f.session()
	if ss.State != session.Waiting || ss.Permissions != (protocol.Permissions{}) || ss.LeadAway != 0 || len(ss.Collab.Members) != 0 {
		t.Fatalf("after the lead's grace with nobody left: %s, grants %+v, lead away %d, members %+v; want Waiting, nothing granted",
			ss.State, ss.Permissions, ss.LeadAway, ss.Collab.Members)
	}
	if ss.TechnicianID != "alice" {
		t.Errorf("the session left Alice's own queue: technician %q", ss.TechnicianID)
	}
	for {
		w := f.next(f.toAgent, protocol.TypeAgentWelcome).Body.(*protocol.AgentWelcome)
		if w.Waiting {
			break
		}
	}
	entries, _, err := f.st.RunningLog(t.Context(), collabSID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(entries, func(e store.LogEntry) bool { return e.Text == "hello Marie" }) {
		t.Errorf("the session's log lost the chat: %+v", entries)
	}
	events, err := f.trail.Query(t.Context(), audit.Filter{SessionID: collabSID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e audit.Event) bool { return e.Type == audit.SessionRequeued && e.Actor == "server" }) {
		t.Errorf("the return to the queue is not in the trail")
	}
	// Alice comes back: she starts it again from her queue.
	if err := f.send(f.alice, &protocol.SessionStart{}); err != nil {
		t.Fatalf("Alice starting it again: %v", err)
	}
	if ss := f.session(); ss.State != session.Active {
		t.Errorf("after Alice started it again: %s", ss.State)
	}
}
