package protocol

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/text"
)

// Messages of collaboration: a colleague invited into a running session
// (added 2026-12-07, additive to version 1).
const (
	// TypeSessionCollaborate (console → server) invites a colleague into a
	// session, withdraws the invitation, accepts or declines it, leaves,
	// removes a collaborator or hands remote control over.
	TypeSessionCollaborate Type = "session.collaborate"
	// TypeCollaborators (server → agent) tells the agent who is in the
	// session besides its technician and who has remote control: the agent
	// takes a collaborator's connection, and its input, on this list only.
	TypeCollaborators Type = "session.collaborators"
	// TypePointer (console → server → the other technicians' consoles of
	// the session) says where a technician's pointer is on the customer's
	// screen, so each console shows the others' with their names.
	TypePointer Type = "session.pointer"
)

// Pointer is the payload of TypePointer.
type Pointer struct {
	// X and Y are the pointer's place on the screen shown, from 0 to 1.
	X float64 `json:"x"`
	Y float64 `json:"y"`
	// Off says the pointer left the screen: consoles hide it.
	Off bool `json:"off,omitempty"`
	// Tech and Name are whose pointer it is: set by the server, whatever
	// the console said.
	Tech string `json:"tech,omitempty"`
	Name string `json:"name,omitempty"`
}

func (p *Pointer) validate() error {
	if p.X < 0 || p.X > 1 || p.Y < 0 || p.Y > 1 {
		return fmt.Errorf("pointer outside the screen")
	}
	if len(p.Tech) > 64 || len(p.Name) > 200 {
		return fmt.Errorf("pointer's technician too long")
	}
	return nil
}

// What SessionCollaborate.Action may be.
const (
	// CollabInvite (the session's technician) offers the session to Tech, with Comment.
	CollabInvite = "invite"
	// CollabWithdraw (the session's technician) takes the invitation of Tech back.
	CollabWithdraw = "withdraw"
	// CollabAccept (the invited technician) joins.
	CollabAccept = "accept"
	// CollabDecline (the invited technician) says no.
	CollabDecline = "decline"
	// CollabLeave (a collaborator) leaves; the session stays with its technician.
	CollabLeave = "leave"
	// CollabRemove (the session's technician) removes collaborator Tech.
	CollabRemove = "remove"
	// CollabControl hands remote control to Tech ("" or the session's
	// technician: back to them). The session's technician may give it to
	// anyone in the session; the collaborator who has it may give it back.
	CollabControl = "control"
	// CollabMonitor (a group lead, see signaling/access.Monitor) joins the
	// session of a technician of their group to watch it, view only, once
	// the customer allows it.
	CollabMonitor = "monitor"
	// CollabPermissions (the session's technician) changes what collaborator
	// Tech is granted (Grant), live.
	CollabPermissions = "permissions"
	// CollabLead (the session's technician) passes the lead to collaborator
	// Tech: the session is theirs from now on, and the technician who had it
	// stays as a collaborator, granted what their group allows (they may
	// leave then). CollabLeave by the session's technician passes the lead
	// to the longest-present collaborator and leaves.
	CollabLead = "lead"
)

// DeniedChat names chatting with the customer, which a lead may withhold
// from a collaborator (every technician chats with their own customers).
const DeniedChat = "chat"

// Grantable lists what the session's technician may grant a collaborator,
// in the order consoles show it: each a Denied* name, granted only if the
// lead has it.
var Grantable = []string{DeniedView, DeniedControl, DeniedFiles, DeniedClipboard, DeniedDrawing, DeniedChat, DeniedRecording}

// DefaultGrant is what a collaborator is granted when the invitation names
// nothing (consoles before per-collaborator permissions): the screen and
// remote control when handed over.
var DefaultGrant = []string{DeniedView, DeniedControl}

// MaxCollaborators is the most colleagues in a session besides its technician.
const MaxCollaborators = 4

// SessionCollaborate is the payload of TypeSessionCollaborate.
type SessionCollaborate struct {
	Action  string `json:"action"`
	Tech    string `json:"tech,omitempty"`
	Comment string `json:"comment,omitempty"`
	// Grant is what the colleague is granted (Grantable names), for
	// CollabInvite (nil: DefaultGrant) and CollabPermissions.
	Grant []string `json:"grant,omitempty"`
}

func (c *SessionCollaborate) validate() error {
	switch c.Action {
	case CollabInvite, CollabWithdraw, CollabRemove, CollabPermissions, CollabLead:
		if c.Tech == "" {
			return fmt.Errorf("%s needs a technician", c.Action)
		}
	case CollabAccept, CollabDecline, CollabLeave, CollabControl, CollabMonitor:
	default:
		return fmt.Errorf("unknown action %q", c.Action)
	}
	switch {
	case len(c.Tech) > 64:
		return fmt.Errorf("technician too long")
	case c.Comment != "" && c.Action != CollabInvite:
		return fmt.Errorf("only an invitation takes a comment")
	case c.Grant != nil && c.Action != CollabInvite && c.Action != CollabPermissions:
		return fmt.Errorf("only an invitation or a change of permissions grants anything")
	case len(c.Grant) > len(Grantable):
		return fmt.Errorf("too many permissions")
	case text.CheckText(c.Comment) != nil || utf8.RuneCountInString(c.Comment) > MaxTransferComment:
		return fmt.Errorf("comment must be UTF-8 without invisible or direction-changing characters, at most %d characters", MaxTransferComment)
	}
	for _, g := range c.Grant {
		if !slices.Contains(Grantable, g) {
			return fmt.Errorf("unknown permission %q", g)
		}
	}
	return nil
}

// Roles of a technician in a session besides its own technician.
const (
	// RoleCollaborator: a colleague invited by the session's technician.
	RoleCollaborator = "collaborator"
	// RoleMonitor: a group lead who watches: view only, never in control,
	// and the agent shows them the screen only once the customer allows it.
	RoleMonitor = "monitor"
)

// PermissionWatch is the customer's question about a group lead who wants
// to watch (RoleMonitor); it is the agent's, never a console's to ask.
const PermissionWatch Permission = "watch"

// PermissionHelp is the customer's question about a colleague the
// technician invited, before they see the screen; the agent's, never a
// console's to ask.
const PermissionHelp Permission = "help"

// Collaborator is a technician in a session besides its own technician.
type Collaborator struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	// Denied is what the collaborator may not do (Denied* constants):
	// what their group does not allow and what the session's technician
	// did not grant them; the agent refuses it to them whatever their
	// console sends.
	Denied []string `json:"denied,omitempty"`
	// Grant is what the session's technician granted them (Grantable
	// names); Denied is what counts.
	Grant []string `json:"grant,omitempty"`
	// Away is when (Unix milliseconds) their console's connection closed
	// without their leaving (a reload, a dropped network): they stay, with
	// their permissions and the customer's answer, and are taken out only
	// if they have not opened the session again within the server's grace.
	Away int64 `json:"away,omitempty"`
	// External marks an external collaborator: someone with no account,
	// let in by a link or a PIN the session's technician made; By names
	// the technician who invited them.
	External bool   `json:"external,omitempty"`
	By       string `json:"by,omitempty"`
}

// Invited is a pending invitation into a session.
type Invited struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	By      string `json:"by"` // the inviting technician's name
	Comment string `json:"comment,omitempty"`
	// Grant is what they will be granted (Grantable names).
	Grant []string `json:"grant,omitempty"`
	// External marks an external collaborator's invitation (a link and a
	// PIN, nobody named until they arrive).
	External bool `json:"external,omitempty"`
}

// Collaboration is who works on a session besides its technician, in a
// SessionState and, less the invitations, in TypeCollaborators.
type Collaboration struct {
	Members []Collaborator `json:"members,omitempty"`
	Invited []Invited      `json:"invited,omitempty"`
	// Controller is the technician who has remote control ("" or the
	// session's technician: the session's technician).
	Controller string `json:"controller,omitempty"`
}

// Member returns the collaborator with ID id.
func (c *Collaboration) Member(id string) (Collaborator, bool) {
	if c == nil {
		return Collaborator{}, false
	}
	for _, m := range c.Members {
		if m.ID == id {
			return m, true
		}
	}
	return Collaborator{}, false
}
