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
	"github.com/lifeline-support/lifeline/signaling/store"
)

// An external collaborator: the lead (with the group permission) makes a
// link and a PIN granting part of what she may do; whoever uses it, once,
// is in the session under the name they type, marked external with who
// invited them, their grants enforced like a colleague's; their login is
// good for this session only, and dies when they are removed or the
// session ends. Nobody else may invite one, nor grant more than they have.
func TestExternalCollaborator(t *testing.T) {
	f := newCollabFixture(t)
	ctx := t.Context()
	view := []string{protocol.DeniedView, protocol.DeniedChat}

	noExt := f.alice
	noExt.Perms = access.Set{access.View: true, access.Collaborate: true}
	if _, err := f.s.InviteExternal(ctx, noExt, collabSID, view, ""); err == nil || !strings.Contains(err.Error(), "external") {
		t.Errorf("inviting an external without the permission: %v", err)
	}
	if _, err := f.s.InviteExternal(ctx, f.techs["bob"], collabSID, view, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("Bob, not in the session, inviting an external: %v, want ErrNotFound", err)
	}
	lacks := f.alice
	lacks.Perms = access.Set{access.View: true, access.InviteExternal: true}
	if _, err := f.s.InviteExternal(ctx, lacks, collabSID, []string{protocol.DeniedFiles}, ""); err == nil {
		t.Error("a lead without files granted an external files")
	}

	inv, err := f.s.InviteExternal(ctx, f.alice, collabSID, view, "our network vendor")
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Token) < 26 || !protocol.IsPIN(inv.PIN) || time.Until(inv.Expires) > ExternalTTL {
		t.Fatalf("invitation %+v", inv)
	}
	if i := f.session().Collab.Invited; len(i) != 1 || !i[0].External || i[0].Comment != "our network vendor" {
		t.Fatalf("the session's invitations: %+v", i)
	}
	// A customer's join does not take it.
	if _, err := f.s.cfg.Invites.Check(ctx, inv.Token); err == nil {
		t.Error("an external invitation passed for a customer's")
	}
	if _, err := f.s.JoinExternal(ctx, inv.Token, "  "); !errors.Is(err, ErrExternalName) {
		t.Errorf("joining with no name: %v, want ErrExternalName", err)
	}
	login, err := f.s.JoinExternal(ctx, inv.Token, "Victor Vendor")
	if err != nil {
		t.Fatalf("joining: %v", err)
	}
	if _, err := f.s.JoinExternal(ctx, inv.Token, "Someone Else"); !errors.Is(err, ErrExternalUsed) {
		t.Errorf("the link used twice: %v, want ErrExternalUsed", err)
	}
	ss := f.session()
	m, ok := ss.Collab.Member(login.ID)
	if !ok || !m.External || m.Name != "Victor Vendor" || m.By != "Alice" || !slices.Equal(m.Grant, view) {
		t.Fatalf("the external in the session: %+v", m)
	}
	for _, d := range []string{protocol.DeniedControl, protocol.DeniedFiles, protocol.DeniedTerminal, protocol.DeniedFileManager, protocol.DeniedScripts} {
		if !slices.Contains(m.Denied, d) {
			t.Errorf("the agent is not told to refuse %s to the external: %v", d, m.Denied)
		}
	}
	// The agent hears who is in.
	for {
		c := f.next(f.toAgent, protocol.TypeCollaborators).Body.(*protocol.Collaboration)
		if x, ok := c.Member(login.ID); ok {
			if !x.External {
				t.Error("the agent is not told the collaborator is external")
			}
			break
		}
	}

	ext, err := f.s.ExternalTechnician(ctx, login)
	if err != nil {
		t.Fatal(err)
	}
	if ext.Can(access.Control) || ext.Can(access.Files) || !ext.Can(access.View) || ext.IsAdmin() {
		t.Errorf("the external's permissions: %v", ext.Perms)
	}
	other := login
	other.SID = "another"
	if _, err := f.s.ExternalTechnician(ctx, other); !errors.Is(err, ErrExternalGone) {
		t.Errorf("the login for another session: %v, want ErrExternalGone", err)
	}
	forged := login
	forged.Secret = "x"
	if _, err := f.s.ExternalTechnician(ctx, forged); !errors.Is(err, ErrExternalGone) {
		t.Errorf("a forged secret: %v, want ErrExternalGone", err)
	}
	// What the external's console sends is checked as a colleague's.
	if err := f.send(ext, &protocol.SessionCollaborate{Action: protocol.CollabInvite, Tech: "bob"}); !errors.Is(err, ErrLeadOnly) {
		t.Errorf("the external inviting: %v, want ErrLeadOnly", err)
	}
	if err := f.send(ext, &protocol.SessionTransfer{To: "bob"}); err == nil {
		t.Error("the external transferred the session")
	}
	if err := f.send(ext, &protocol.SessionEnd{}); err == nil {
		t.Error("the external ended the session")
	}
	if err := f.send(ext, &protocol.PermissionRequest{Permission: protocol.PermissionClipboard}); err == nil {
		t.Error("the external asked for the clipboard, not granted")
	}
	if err := f.send(f.alice, collab(protocol.CollabControl, login.ID)); err == nil {
		t.Error("control handed to the external, not granted it")
	}
	if err := f.send(f.alice, collab(protocol.CollabLead, login.ID)); err == nil {
		t.Error("the lead passed to the external")
	}
	// The lead grants control live, then removes them: their login dies.
	if err := f.send(f.alice, &protocol.SessionCollaborate{Action: protocol.CollabPermissions, Tech: login.ID, Grant: append(view, protocol.DeniedControl)}); err != nil {
		t.Fatalf("granting the external control: %v", err)
	}
	if ext, err := f.s.ExternalTechnician(ctx, login); err != nil || !ext.Can(access.Control) {
		t.Errorf("after control was granted: %v, %v", ext.Perms, err)
	}
	if err := f.send(f.alice, collab(protocol.CollabControl, login.ID)); err != nil {
		t.Errorf("control to the external, granted it: %v", err)
	}
	if err := f.send(f.alice, collab(protocol.CollabRemove, login.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ExternalTechnician(ctx, login); !errors.Is(err, ErrExternalGone) {
		t.Errorf("the login of a removed external: %v, want ErrExternalGone", err)
	}
	if c := f.session().Collab.Controller; c != "" {
		t.Errorf("the removed external still has control: %q", c)
	}

	events, err := f.trail.Query(ctx, audit.Filter{SessionID: collabSID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e audit.Event) bool {
		return e.Type == audit.CollabJoined && e.Actor == login.ID && e.Detail == "Victor Vendor (external, invited by Alice)"
	}) {
		t.Errorf("the external's arrival is not audited as external: %+v", events)
	}
}

// Bad external invitations each say so plainly: withdrawn, expired, after
// the session ended, unknown; and a fifth collaborator, internal or
// external, is refused.
func TestExternalInvitationRefusals(t *testing.T) {
	f := newCollabFixture(t)
	ctx := t.Context()
	grant := []string{protocol.DeniedView}

	withdrawn, err := f.s.InviteExternal(ctx, f.alice, collabSID, grant, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.send(f.alice, collab(protocol.CollabWithdraw, withdrawn.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.JoinExternal(ctx, withdrawn.Token, "Victor"); !errors.Is(err, ErrExternalWithdrawn) {
		t.Errorf("a withdrawn invitation: %v, want ErrExternalWithdrawn", err)
	}
	if _, err := f.s.JoinExternal(ctx, "notatokenatallnotatokenatall", "Victor"); !errors.Is(err, ErrExternalInvalid) {
		t.Errorf("an unknown link: %v, want ErrExternalInvalid", err)
	}

	expired, err := f.s.InviteExternal(ctx, f.alice, collabSID, grant, "")
	if err != nil {
		t.Fatal(err)
	}
	f.s.sweepExternal(ctx, f.session(), time.Now().Add(ExternalTTL/2))
	if ss := f.session(); !ss.InvitedToHelp(expired.ID) {
		t.Fatal("the invitation lapsed before its time")
	}
	f.s.sweepExternal(ctx, f.session(), time.Now().Add(ExternalTTL+time.Second))
	if ss := f.session(); ss.InvitedToHelp(expired.ID) {
		t.Error("an invitation left unused past its time still holds a place")
	}
	if _, err := f.st.UpdateInvite(ctx, expired.Token, func(in *store.Invite) error {
		in.Expires = time.Now().Add(-time.Second)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.JoinExternal(ctx, expired.Token, "Victor"); !errors.Is(err, ErrExternalExpired) {
		t.Errorf("an expired invitation: %v, want ErrExternalExpired", err)
	}

	// Four colleagues in or invited: neither a fifth colleague nor an
	// external gets in.
	for _, id := range []string{"bob", "carol", "dan"} {
		if err := f.send(f.alice, collab(protocol.CollabInvite, id)); err != nil {
			t.Fatal(err)
		}
		if err := f.send(f.techs[id], collab(protocol.CollabAccept, "")); err != nil {
			t.Fatal(err)
		}
	}
	fourth, err := f.s.InviteExternal(ctx, f.alice, collabSID, grant, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.InviteExternal(ctx, f.alice, collabSID, grant, ""); !errors.Is(err, ErrTooManyHelpers) {
		t.Errorf("a fifth collaborator, external: %v, want ErrTooManyHelpers", err)
	}
	if err := f.send(f.alice, collab(protocol.CollabInvite, "eve")); !errors.Is(err, ErrTooManyHelpers) {
		t.Errorf("a fifth collaborator, a colleague: %v, want ErrTooManyHelpers", err)
	}
	if _, err := f.s.JoinExternal(ctx, fourth.Token, "Victor"); err != nil {
		t.Fatalf("the fourth collaborator, external: %v", err)
	}

	// The session ends: an invitation still out says so.
	late, err := f.s.InviteExternal(ctx, f.alice, collabSID, grant, "")
	if !errors.Is(err, ErrTooManyHelpers) {
		t.Fatalf("a fifth: %v", err)
	}
	_ = late
	if err := f.send(f.alice, collab(protocol.CollabRemove, "dan")); err != nil {
		t.Fatal(err)
	}
	last, err := f.s.InviteExternal(ctx, f.alice, collabSID, grant, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.send(f.alice, &protocol.SessionEnd{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.JoinExternal(ctx, last.Token, "Victor"); !errors.Is(err, ErrExternalEnded) {
		t.Errorf("an invitation into a session that ended: %v, want ErrExternalEnded", err)
	}
}

// Review item 7: an external collaborator's console socket re-reads their
// login (Watch) the moment they are removed and when the session ends, so
// it closes at once rather than at their next message.
func TestExternalConsoleIsPokedOnRemovalAndEnd(t *testing.T) {
	f := newCollabFixture(t)
	ctx := t.Context()
	join := func(name string) (ExternalLogin, <-chan struct{}) {
		t.Helper()
		inv, err := f.s.InviteExternal(ctx, f.alice, collabSID, []string{protocol.DeniedView}, "")
		if err != nil {
			t.Fatal(err)
		}
		login, err := f.s.JoinExternal(ctx, inv.Token, name)
		if err != nil {
			t.Fatal(err)
		}
		changes, stop := f.s.Watch(login.ID)
		t.Cleanup(stop)
		for len(changes) > 0 { // what joining said
			<-changes
		}
		return login, changes
	}
	poked := func(what string, changes <-chan struct{}) {
		t.Helper()
		select {
		case <-changes:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the external's console was not told to read its login again", what)
		}
	}
	victor, vc := join("Victor Vendor")
	_, wc := join("Wendy Vendor")
	if err := f.send(f.alice, collab(protocol.CollabRemove, victor.ID)); err != nil {
		t.Fatal(err)
	}
	poked("removed", vc)
	if err := f.send(f.alice, &protocol.SessionEnd{}); err != nil {
		t.Fatal(err)
	}
	poked("session ended", wc)
}

// Review item 8: the session keeps the records of its external
// invitations only while they are invited or in: withdrawn ones and
// removed collaborators are dropped, so inviting and withdrawing again and
// again does not grow the session without bound.
func TestExternalRecordsArePruned(t *testing.T) {
	f := newCollabFixture(t)
	ctx := t.Context()
	for range 10 {
		inv, err := f.s.InviteExternal(ctx, f.alice, collabSID, []string{protocol.DeniedView}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.send(f.alice, collab(protocol.CollabWithdraw, inv.ID)); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := f.s.InviteExternal(ctx, f.alice, collabSID, []string{protocol.DeniedView}, "")
	if err != nil {
		t.Fatal(err)
	}
	login, err := f.s.JoinExternal(ctx, inv.Token, "Victor Vendor")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.send(f.alice, collab(protocol.CollabRemove, login.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.InviteExternal(ctx, f.alice, collabSID, []string{protocol.DeniedView}, ""); err != nil {
		t.Fatal(err)
	}
	if n := len(f.session().Externals); n != 1 {
		t.Fatalf("the session keeps %d external records, want 1 (the one invited now)", n)
	}
}
