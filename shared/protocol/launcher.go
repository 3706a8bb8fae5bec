package protocol

import (
	"fmt"
	"regexp"
)

// The installed "Get help" launcher (Rescue's Calling Card): during a
// session the technician offers to install it (TypeLauncherOffer, the
// technician's launcher permission, on a channel their groups serve); the
// customer agrees on their page (TypeLauncherAnswer); the server records
// the computer under a new launcher ID and tells the agent
// (TypeLauncherInstalled), which installs the launcher. One click on it
// later asks for help on that channel over HTTP (LauncherRequest): a normal
// channel request, through the channel's hours, cap and rate limits, whose
// queue entry says the computer is returning. Added 2026-12-07, additive to
// version 1.
const (
	// TypeLauncherOffer (console → server → agent) offers the customer a
	// launcher for a channel.
	TypeLauncherOffer Type = "launcher.offer"
	// TypeLauncherAnswer (agent → server → console) is the customer's answer.
	TypeLauncherAnswer Type = "launcher.answer"
	// TypeLauncherInstalled (server → agent) gives the launcher's ID: the
	// agent installs the launcher with it.
	TypeLauncherInstalled Type = "launcher.installed"

	// PermissionLauncher names the customer's question about the launcher
	// (TypeLauncherOffer); the agent's, never a console's to ask as a
	// permission.
	PermissionLauncher Permission = "launcher"
	// DeniedLauncher: the technician's group does not allow installing a
	// launcher.
	DeniedLauncher = "launcher"
)

// launcherIDRE is what a launcher ID looks like (invite.NewToken's tokens).
var launcherIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// ValidLauncherID reports whether id can be a launcher's ID.
func ValidLauncherID(id string) bool { return launcherIDRE.MatchString(id) }

// slugRE is a channel's address (store.ValidSlug).
var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// LauncherOffer is the payload of TypeLauncherOffer.
type LauncherOffer struct {
	// Channel is the slug of the channel the launcher asks for help on.
	Channel string `json:"channel"`
	// ChannelName is the channel's name, set by the server for the agent.
	ChannelName string `json:"channelName,omitempty"`
}

func (o *LauncherOffer) validate() error {
	if !slugRE.MatchString(o.Channel) || len(o.ChannelName) > 200 {
		return fmt.Errorf("launcher channel %q", o.Channel)
	}
	return nil
}

// LauncherAnswer is the payload of TypeLauncherAnswer.
type LauncherAnswer struct {
	Allow bool `json:"allow"`
}

// LauncherInstalled is the payload of TypeLauncherInstalled.
type LauncherInstalled struct {
	ID          string `json:"id"`
	Channel     string `json:"channel"`
	ChannelName string `json:"channelName,omitempty"`
}

func (l *LauncherInstalled) validate() error {
	if !ValidLauncherID(l.ID) || !slugRE.MatchString(l.Channel) || len(l.ChannelName) > 200 {
		return fmt.Errorf("launcher %q on %q", l.ID, l.Channel)
	}
	return nil
}

// LauncherRequest is what the launcher posts, as JSON, to
// /help/<channel>/launcher: its ID, and the computer's names now.
type LauncherRequest struct {
	ID       string `json:"id"`
	Hostname string `json:"hostname,omitempty"`
	OS       string `json:"os,omitempty"`
}

// LauncherReply is the server's answer to a LauncherRequest: the
// invitation code the program joins with, or why not (Error, a sentence;
// HelpPage says the channel's page offers what can be done instead, as
// leaving a message when it is closed).
type LauncherReply struct {
	Code     string `json:"code,omitempty"`
	Error    string `json:"error,omitempty"`
	HelpPage bool   `json:"helpPage,omitempty"`
}
