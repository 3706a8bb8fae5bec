package auth

import (
	"context"
	"testing"

	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// TestDefaultGroupSeesOnlyItsOwnQueue: on a new install the default
// technician group may not see other technicians' queues; an install from
// before, whose default group was never saved and so had every permission,
// keeps what it had.
func TestDefaultGroupSeesOnlyItsOwnQueue(t *testing.T) {
	ctx := context.Background()

	fresh, st := newAuth(t, Config{})
	if pw, err := fresh.EnsureAdmin(ctx, "Administrator", ""); err != nil || pw == "" {
		t.Fatalf("first run: %q %v", pw, err)
	}
	g, err := st.Group(ctx, store.DefaultGroupID)
	if err != nil {
		t.Fatal(err)
	}
	if g.Permissions.Has(access.OtherQueues) {
		t.Errorf("a new install's default group may see other technicians' queues: %v", g.Permissions.List())
	}
	if !g.Permissions.Has(access.StartSessions) || !g.Permissions.Has(access.Control) {
		t.Errorf("a new install's default group lost more than other queues: %v", g.Permissions.List())
	}

	old, ost := newAuth(t, Config{})
	if err := ost.CreateAccount(ctx, store.Account{ID: "admin", Name: "Administrator", Role: store.RoleAdmin, PasswordHash: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if pw, err := old.EnsureAdmin(ctx, "Administrator", ""); err != nil || pw != "" {
		t.Fatalf("an existing install: %q %v", pw, err)
	}
	if g, err := ost.Group(ctx, store.DefaultGroupID); err != nil || !g.Permissions.Has(access.OtherQueues) {
		t.Errorf("an existing install's default group changed: %v %v", g.Permissions.List(), err)
	}
	// A new install restarted is not taken for an old one.
	if _, err := fresh.EnsureAdmin(ctx, "Administrator", ""); err != nil {
		t.Fatal(err)
	}
	if g, _ := st.Group(ctx, store.DefaultGroupID); g.Permissions.Has(access.OtherQueues) {
		t.Error("after a restart the new install's default group sees other queues")
	}
}

// TestDefaultGroupHasNoTerminalOrSysInfo: a new install's default group may
// not open terminals nor read system information; an administrator grants
// them to the groups that need them.
func TestDefaultGroupHasNoTerminalOrSysInfo(t *testing.T) {
	ctx := context.Background()
	a, st := newAuth(t, Config{})
	if _, err := a.EnsureAdmin(ctx, "Administrator", ""); err != nil {
		t.Fatal(err)
	}
	g, err := st.Group(ctx, store.DefaultGroupID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []access.Perm{access.Terminal, access.SysInfo, access.FileManager} {
		if g.Permissions.Has(p) {
			t.Errorf("a new install's default group has %q: %v", p, g.Permissions.List())
		}
	}
	if !g.Permissions.Has(access.Control) || !g.Permissions.Has(access.Files) {
		t.Errorf("the default group lost more than terminal and sysinfo: %v", g.Permissions.List())
	}
}
