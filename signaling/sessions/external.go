package sessions

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/text"
	"github.com/lifeline-support/lifeline/signaling/access"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/auth"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// External collaborators: someone with no account whom the session's lead
// lets in by a link or a PIN (access.InviteExternal). The invitation counts
// toward protocol.MaxCollaborators from the start, grants a subset of the
// lead's permissions as a colleague's does, is used once, and lapses after
// ExternalTTL unused or with the session. Whoever uses it types their name
// and becomes a collaborator marked External (the customer is asked, sees
// them as external and may remove them, the agent enforces their grants);
// their login (ExternalLogin) is good for this session only, while they are
// in it.

// ExternalTTL is how long an external collaborator's invitation stays good
// unused.
const ExternalTTL = 30 * time.Minute

// MaxExternalName is the longest name an external collaborator may give.
const MaxExternalName = 64

// ExternalInvitation is what the lead hands an external collaborator: the
// link's token and the PIN, each good once, until Expires; ID is their
// collaborator ID in the session (to withdraw it).
type ExternalInvitation struct {
	ID      string
	Token   string
	PIN     string
	Expires time.Time
}

// ExternalLogin is what an external collaborator's limited console presents
// for session SID: their collaborator ID and secret (see ExternalTechnician).
type ExternalLogin struct {
	SID    string
	ID     string
	Secret string
}

// ExternalCookie names the cookie that carries an external collaborator's
// login (ExternalLogin.String).
const ExternalCookie = "lifeline_external"

// String is the login as its cookie holds it.
func (l ExternalLogin) String() string { return l.SID + "." + l.ID + "." + l.Secret }

// ExternalFromRequest reads the external collaborator's login from r's
// cookie; false when there is none, or not one.
func ExternalFromRequest(r *http.Request) (ExternalLogin, bool) {
	c, err := r.Cookie(ExternalCookie)
	if err != nil {
		return ExternalLogin{}, false
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return ExternalLogin{}, false
	}
	return ExternalLogin{SID: parts[0], ID: parts[1], Secret: parts[2]}, true
}

// externalPerms is what an external collaborator granted grant may do, as a
// technician's permissions: the grantable things granted, nothing else.
func externalPerms(grant []string) access.Set {
	p := access.Set{}
	for _, g := range grant {
		switch g {
		case protocol.DeniedView:
			p[access.View] = true
		case protocol.DeniedControl:
			p[access.Control] = true
		case protocol.DeniedFiles:
			p[access.Files] = true
		case protocol.DeniedClipboard:
			p[access.Clipboard] = true
		case protocol.DeniedDrawing:
			p[access.Drawing] = true
		case protocol.DeniedRecording:
			p[access.Recording] = true
		}
	}
	return p
}

// externalDenied is what the agent refuses an external collaborator granted
// grant: everything not granted, and all that only a technician's group
// may allow (terminals, scripts, the file manager, ...).
func externalDenied(grant []string) []string {
	return memberDenied(deniedFor(externalPerms(protocol.Grantable)), grant)
}

// InviteExternal makes an external collaborator's invitation into session
// sid on its lead tech's behalf, granting grant (nil: protocol.DefaultGrant;
// nothing tech's group does not allow), with comment for the customer and
// the colleagues.
func (s *Service) InviteExternal(ctx context.Context, tech auth.Technician, sid string, grant []string, comment string) (ExternalInvitation, error) {
	ss, err := s.Session(ctx, sid)
	if err != nil {
		return ExternalInvitation{}, err
	}
	switch {
	case ss.TechnicianID != tech.ID && !ss.Collaborating(tech.ID):
		return ExternalInvitation{}, ErrNotFound
	case ss.TechnicianID != tech.ID:
		return ExternalInvitation{}, ErrLeadOnly
	case !tech.Can(access.InviteExternal):
		s.record(audit.Event{Type: audit.PermissionDenied, Actor: tech.ID, SessionID: sid, Detail: string(access.InviteExternal)})
		return ExternalInvitation{}, denied(string(access.InviteExternal), "your group does not allow inviting external collaborators")
	}
	comment = strings.TrimSpace(comment)
	if text.CheckText(comment) != nil || utf8.RuneCountInString(comment) > protocol.MaxTransferComment {
		return ExternalInvitation{}, ErrBadComment
	}
	if grant == nil {
		grant = protocol.DefaultGrant
	}
	if grant, err = s.grantable(tech, sid, grant); err != nil {
		return ExternalInvitation{}, err
	}
	// Checked before the invitation is made, and again as it is kept.
	if err := roomFor(&ss, ""); err != nil {
		return ExternalInvitation{}, err
	}
	key, err := invite.NewToken()
	if err != nil {
		return ExternalInvitation{}, err
	}
	id := "ext-" + key[:12]
	inv, err := s.cfg.Invites.IssueExternal(ctx, sid, ExternalTTL)
	if err != nil {
		return ExternalInvitation{}, err
	}
	err = s.changeCollab(ctx, sid, func(ss *store.Session) error {
		if ss.TechnicianID != tech.ID {
			return ErrLeadOnly
		}
		if err := roomFor(ss, id); err != nil {
			return err
		}
		ss.Collab.Invited = append(ss.Collab.Invited, protocol.Invited{ID: id, By: tech.Name, Comment: comment, Grant: grant, External: true})
		// Only the records of who is invited or in are kept: withdrawn,
		// lapsed or removed ones serve nothing, and would grow the session.
		ss.Externals = slices.DeleteFunc(slices.Clone(ss.Externals), func(e store.External) bool {
			_, in := ss.Collab.Member(e.ID)
			return !in && !ss.InvitedToHelp(e.ID)
		})
		ss.Externals = append(ss.Externals, store.External{ID: id, Token: store.HashKey(inv.Token), By: tech.ID, Expires: inv.Expires.UnixMilli()})
		return nil
	}, audit.Event{Type: audit.CollabInvited, Actor: tech.ID, SessionID: sid, Detail: "external " + id + ": " + strings.Join(grant, ",")})
	if err != nil {
		return ExternalInvitation{}, err
	}
	return ExternalInvitation{ID: id, Token: inv.Token, PIN: inv.PIN, Expires: inv.Expires}, nil
}

// JoinExternal lets whoever holds external invitation token (a link's, or
// the one a PIN stands for) into its session under name: once, while the
// invitation is neither expired nor withdrawn, the session open and with
// room. Each refusal is a sentence for them (ErrExternal*,
// ErrTooManyHelpers).
func (s *Service) JoinExternal(ctx context.Context, token, name string) (ExternalLogin, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxExternalName || text.CheckText(name) != nil {
		return ExternalLogin{}, ErrExternalName
	}
	sid, err := s.cfg.Invites.UseExternal(ctx, token)
	switch {
	case errors.Is(err, invite.ErrUsed):
		return ExternalLogin{}, ErrExternalUsed
	case errors.Is(err, invite.ErrExpired):
		return ExternalLogin{}, ErrExternalExpired
	case errors.Is(err, invite.ErrInvalid):
		return ExternalLogin{}, ErrExternalInvalid
	case err != nil:
		return ExternalLogin{}, err
	}
	secret, err := invite.NewToken()
	if err != nil {
		return ExternalLogin{}, err
	}
	hash := store.HashKey(token)
	// Who they are in the session, and who invited them, for the audit
	// entry: read first, checked again as they come in.
	var id, by string
	if ss, err := s.cfg.Store.Session(ctx, sid); err == nil {
		if i := slices.IndexFunc(ss.Externals, func(e store.External) bool { return e.Token == hash }); i >= 0 {
			id = ss.Externals[i].ID
			for _, inv := range ss.Collab.Invited {
				if inv.ID == id {
					by = inv.By
				}
			}
		}
	}
	err = s.changeCollab(ctx, sid, func(ss *store.Session) error {
		i := slices.IndexFunc(ss.Externals, func(e store.External) bool { return e.Token == hash })
		if i < 0 || ss.Externals[i].ID != id || !ss.InvitedToHelp(id) {
			return ErrExternalWithdrawn
		}
		if len(ss.Collab.Members) >= protocol.MaxCollaborators {
			return ErrTooManyHelpers
		}
		var grant []string
		for _, inv := range ss.Collab.Invited {
			if inv.ID == id {
				grant = inv.Grant
			}
		}
		dropInvited(ss, id)
		ss.Collab.Members = append(ss.Collab.Members, protocol.Collaborator{
			ID: id, Name: name, Role: protocol.RoleCollaborator, External: true, By: by, Grant: grant, Denied: externalDenied(grant)})
		ss.Externals = slices.Clone(ss.Externals)
		ss.Externals[i].Secret = store.HashKey(secret)
		return nil
	}, audit.Event{Type: audit.CollabJoined, Actor: id, SessionID: sid, Detail: externalDetail(name, by)})
	switch {
	case errors.Is(err, ErrClosed), errors.Is(err, store.ErrNotFound):
		return ExternalLogin{}, ErrExternalEnded
	case err != nil:
		return ExternalLogin{}, err
	}
	return ExternalLogin{SID: sid, ID: id, Secret: secret}, nil
}

// externalDetail names an external collaborator in the audit trail: their
// name, marked external, and who invited them.
func externalDetail(name, by string) string {
	return name + " (external, invited by " + by + ")"
}

// ExternalTechnician is the identity of the external collaborator whose
// limited console presents login, as the console service checks every
// message against: their name, and as permissions only what they are
// granted now. It fails (ErrExternalGone) once they are out of the session
// (left, removed by the lead or the customer) or it has ended, and for any
// other session: the login is good for this session only.
func (s *Service) ExternalTechnician(ctx context.Context, login ExternalLogin) (auth.Technician, error) {
	ss, err := s.Session(ctx, login.SID)
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, store.ErrNotFound) {
			return auth.Technician{}, ErrExternalGone
		}
		return auth.Technician{}, err
	}
	e, ok := ss.External(login.ID)
	m, in := ss.Collab.Member(login.ID)
	if !ok || !in || !m.External || ss.State.Closed() || e.Secret == "" ||
		subtle.ConstantTimeCompare([]byte(e.Secret), []byte(store.HashKey(login.Secret))) != 1 {
		return auth.Technician{}, ErrExternalGone
	}
	return auth.Technician{Account: store.Account{ID: m.ID, Name: m.Name, Role: store.RoleTechnician}, Perms: externalPerms(m.Grant)}, nil
}

// sweepExternal withdraws the external invitations of session ss left
// unused past their time at now.
func (s *Service) sweepExternal(ctx context.Context, ss store.Session, now time.Time) {
	for _, e := range ss.Externals {
		if e.Secret != "" || !ss.InvitedToHelp(e.ID) || now.UnixMilli() < e.Expires {
			continue
		}
		_ = s.changeCollab(ctx, ss.ID, func(ss *store.Session) error {
			if !ss.InvitedToHelp(e.ID) {
				return errUnchanged
			}
			dropInvited(ss, e.ID)
			return nil
		}, audit.Event{Type: audit.CollabWithdrawn, Actor: "server", SessionID: ss.ID, Detail: e.ID + ": expired unused"})
	}
}
