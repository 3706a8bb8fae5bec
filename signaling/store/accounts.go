package store

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-support/lifeline/signaling/access"
)

// Bucket names of the account administration.
const (
	bucketGroups   = "lifeline_groups"
	bucketSettings = "lifeline_settings"
)

// DefaultGroupID is the group of technicians not placed in any other; it
// starts as DefaultGroup and cannot be deleted.
const DefaultGroupID = "default"

// DefaultGroup is the default group of a new install: every permission but
// seeing other technicians' queues (access.OtherQueues), watching the
// group's sessions (access.Monitor), opening terminals
// (access.Terminal), running scripts (access.Scripts), reading system
// information (access.SysInfo) and the file manager (access.FileManager), which
// an administrator gives on purpose.
func DefaultGroup() Group {
	p := access.Full()
	delete(p, access.OtherQueues)
	delete(p, access.Monitor)
	delete(p, access.Terminal)
	delete(p, access.SysInfo)
	delete(p, access.FileManager)
	delete(p, access.Scripts)
	return Group{ID: DefaultGroupID, Name: "Technicians", Permissions: p}
}

// KeepDefaultGroup saves g as the default group unless one is saved already
// (ErrExists is not an error).
func (s *Store) KeepDefaultGroup(ctx context.Context, g Group) error {
	g.ID = DefaultGroupID
	if err := create(ctx, s.groups, DefaultGroupID, g); err != nil && !errors.Is(err, ErrExists) {
		return err
	}
	return nil
}

// Group is a technician group and what its members may do.
type Group struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Permissions access.Set `json:"permissions"`
	// Leads are the accounts that lead the group: they see its reports,
	// whichever group they are in themselves.
	Leads []string `json:"leads,omitempty"`
}

// LedBy reports whether account id leads the group.
func (g Group) LedBy(id string) bool {
	for _, l := range g.Leads {
		if l == id {
			return true
		}
	}
	return false
}

// GroupOf is the group an account's GroupID names: the default group for "".
func GroupOf(groupID string) string {
	if groupID == "" {
		return DefaultGroupID
	}
	return groupID
}

// Settings are the organisation's settings, set by an administrator.
type Settings struct {
	// OrgName is the organisation's name shown to customers.
	OrgName string `json:"orgName"`
	// LoginHours is how long a login lasts.
	LoginHours int `json:"loginHours"`
	// MaxActiveSessions bounds the open sessions of one technician; 0 means no limit.
	MaxActiveSessions int `json:"maxActiveSessions"`
	// RequireTOTP makes two-step login mandatory for every account.
	RequireTOTP bool `json:"requireTotp"`
	// PrivatePrograms are the programs whose windows every customer's agent
	// hides from the technician from the start (protocol.CheckPrograms); the
	// customer may show them.
	PrivatePrograms []string `json:"privatePrograms,omitempty"`
}

// LoginTTL is LoginHours as a duration.
func (s Settings) LoginTTL() time.Duration { return time.Duration(s.LoginHours) * time.Hour }

// CreateTechnician stores a new account (a technician unless a.Role says
// otherwise); ErrExists if the ID is taken. The caller hashes the password
// (auth.HashPassword).
func (s *Store) CreateTechnician(ctx context.Context, a Account) error {
	if a.ID == "" || len(a.ID) > 64 {
		return ErrInvalid
	}
	if a.Role == "" {
		a.Role = RoleTechnician
	}
	if a.Created.IsZero() {
		a.Created = time.Now()
	}
	return s.CreateAccount(ctx, a)
}

// UpdateAccount changes an account with compare-and-set; fn may refuse with an error.
func (s *Store) UpdateAccount(ctx context.Context, id string, fn func(*Account) error) (Account, error) {
	return update(ctx, s.accounts, id, fn)
}

// DeleteAccount removes an account.
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	if _, err := s.Account(ctx, id); err != nil {
		return err
	}
	return s.accounts.Delete(ctx, id)
}

// Accounts lists every account, by ID.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	return list[Account](ctx, s.accounts, s.Account, func(a, b Account) bool { return a.ID < b.ID })
}

// Group reads a group; the default group exists even before it is first saved.
func (s *Store) Group(ctx context.Context, id string) (Group, error) {
	if id == "" {
		id = DefaultGroupID
	}
	var g Group
	_, err := get(ctx, s.groups, id, &g)
	if errors.Is(err, ErrNotFound) && id == DefaultGroupID {
		return DefaultGroup(), nil
	}
	return g, err
}

// PutGroup creates or replaces a group.
func (s *Store) PutGroup(ctx context.Context, g Group) error {
	if g.ID == "" || len(g.ID) > 64 {
		return ErrInvalid
	}
	return put(ctx, s.groups, g.ID, g)
}

// DeleteGroup removes a group; its members fall back to the default group.
func (s *Store) DeleteGroup(ctx context.Context, id string) error {
	if id == DefaultGroupID {
		return ErrInvalid
	}
	if !ValidKey(id) {
		return ErrNotFound
	}
	return s.groups.Delete(ctx, id)
}

// Groups lists every group, the default one first.
func (s *Store) Groups(ctx context.Context) ([]Group, error) {
	gs, err := list[Group](ctx, s.groups, s.Group, func(a, b Group) bool { return a.ID < b.ID })
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		if g.ID == DefaultGroupID {
			return moveFirst(gs), nil
		}
	}
	d, _ := s.Group(ctx, DefaultGroupID)
	return append([]Group{d}, gs...), nil
}

func moveFirst(gs []Group) []Group {
	sort.SliceStable(gs, func(i, j int) bool { return gs[i].ID == DefaultGroupID && gs[j].ID != DefaultGroupID })
	return gs
}

// DefaultSettings are the settings before an administrator changes them.
func DefaultSettings(orgName string) Settings {
	return Settings{OrgName: orgName, LoginHours: 12}
}

// Settings reads the organisation's settings; def until an administrator saves some.
func (s *Store) Settings(ctx context.Context, def Settings) (Settings, error) {
	var st Settings
	_, err := get(ctx, s.settings, "org", &st)
	if errors.Is(err, ErrNotFound) {
		return def, nil
	}
	return st, err
}

// PutSettings saves the organisation's settings.
func (s *Store) PutSettings(ctx context.Context, st Settings) error {
	return put(ctx, s.settings, "org", st)
}

// ActiveSessions counts the technician's sessions that are not closed.
func (s *Store) ActiveSessions(ctx context.Context, technicianID string) (int, error) {
	ss, err := s.Sessions(ctx, technicianID)
	n := 0
	for _, x := range ss {
		if !x.State.Closed() {
			n++
		}
	}
	return n, err
}

// list reads every record of kv with read and sorts them with less.
func list[T any](ctx context.Context, kv jetstream.KeyValue, read func(context.Context, string) (T, error), less func(a, b T) bool) ([]T, error) {
	keys, err := kv.Keys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []T
	for _, k := range keys {
		v, err := read(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out, nil
}

// WatchAccounts reports the accounts as they are, then every change to them
// (a nil entry marks the end of the current ones); a deletion is an entry
// whose Operation is not a put. Stop it when done.
func (s *Store) WatchAccounts(ctx context.Context) (jetstream.KeyWatcher, error) {
	return s.accounts.WatchAll(ctx)
}

// WatchGroups reports every change to the technician groups from now on.
func (s *Store) WatchGroups(ctx context.Context) (jetstream.KeyWatcher, error) {
	return s.groups.WatchAll(ctx, jetstream.UpdatesOnly())
}
