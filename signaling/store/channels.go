package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/text"
)

// Bounds of channels.
const (
	// MaxChannels bounds the channels an organisation defines.
	MaxChannels = 50
	// MaxChannelName bounds a channel's name, in characters.
	MaxChannelName = 80
	// MaxChannelText bounds the text shown when a channel is closed, in characters.
	MaxChannelText = 500
	// DefaultChannelWaiting is the waiting sessions a channel holds when
	// the administrator set no cap.
	DefaultChannelWaiting = 20
	// MaxChannelWaiting bounds the cap an administrator may set.
	MaxChannelWaiting = 500
	// DefaultChannelWaitLimit is how long a customer waits on a channel
	// before they are offered to leave a message, when the administrator
	// set nothing; MinChannelWaitLimit and MaxChannelWaitLimit bound what
	// they may set (seconds).
	DefaultChannelWaitLimit = 10 * 60
	MinChannelWaitLimit     = 10
	MaxChannelWaitLimit     = 24 * 60 * 60
)

// Channel is a way for customers to ask for help themselves: a public page
// (/help/<slug>) whose requests land in the queue of the technician groups
// serving it, during its opening hours.
type Channel struct {
	// Slug names the channel in its address; it never changes.
	Slug   string   `json:"slug"`
	Name   string   `json:"name"`
	Groups []string `json:"groups"`
	Hours  Hours    `json:"hours"`
	// ClosedText is what the page says outside hours or when nobody is
	// online.
	ClosedText string `json:"closedText,omitempty"`
	// What the customer is asked besides their name (always asked).
	AskEmail   bool `json:"askEmail,omitempty"`
	AskProblem bool `json:"askProblem,omitempty"`
	// Fields are the IDs of the custom session fields the customer fills.
	Fields []string `json:"fields,omitempty"`
	// MaxWaiting caps the sessions waiting in the channel's queue (0:
	// DefaultChannelWaiting).
	MaxWaiting int `json:"maxWaiting,omitempty"`
	// WaitLimit is how long, in seconds, a customer waits before being
	// told nobody has picked them up and offered to leave a message (0:
	// DefaultChannelWaitLimit).
	WaitLimit int `json:"waitLimit,omitempty"`
}

// Hours are a channel's opening hours (protocol.Hours): no day open means
// always open.
type Hours = protocol.Hours

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// ValidSlug reports whether s can name a channel: lower-case letters,
// digits and dashes, 1–40 of them, not starting with a dash.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// Waiting is the channel's cap on waiting sessions.
func (c Channel) Waiting() int {
	if c.MaxWaiting <= 0 {
		return DefaultChannelWaiting
	}
	return c.MaxWaiting
}

// WaitFor is how long a customer waits on the channel before being offered
// to leave a message.
func (c Channel) WaitFor() time.Duration {
	if c.WaitLimit <= 0 {
		return DefaultChannelWaitLimit * time.Second
	}
	return time.Duration(c.WaitLimit) * time.Second
}

// Serves reports whether technician group groupID serves the channel.
func (c Channel) Serves(groupID string) bool {
	for _, g := range c.Groups {
		if g == GroupOf(groupID) {
			return true
		}
	}
	return false
}

// Validate checks the channel's own fields; that its groups and custom
// fields exist is checked by the caller that knows them.
func (c Channel) Validate() error {
	switch {
	case !ValidSlug(c.Slug):
		return fmt.Errorf("%w: address %q (lower-case letters, digits and dashes)", ErrInvalid, c.Slug)
	case strings.TrimSpace(c.Name) == "" || utf8.RuneCountInString(c.Name) > MaxChannelName || text.CheckName(c.Name) != nil:
		return fmt.Errorf("%w: name %q", ErrInvalid, c.Name)
	case len(c.Groups) == 0:
		return fmt.Errorf("%w: no technician group serves the channel", ErrInvalid)
	case utf8.RuneCountInString(c.ClosedText) > MaxChannelText || text.CheckText(c.ClosedText) != nil:
		return fmt.Errorf("%w: closed text", ErrInvalid)
	case c.MaxWaiting < 0 || c.MaxWaiting > MaxChannelWaiting:
		return fmt.Errorf("%w: waiting cap %d (0 to %d)", ErrInvalid, c.MaxWaiting, MaxChannelWaiting)
	case c.WaitLimit != 0 && (c.WaitLimit < MinChannelWaitLimit || c.WaitLimit > MaxChannelWaitLimit):
		return fmt.Errorf("%w: waiting limit %ds (%d to %d)", ErrInvalid, c.WaitLimit, MinChannelWaitLimit, MaxChannelWaitLimit)
	case len(c.Fields) > MaxFields:
		return fmt.Errorf("%w: %d fields", ErrInvalid, len(c.Fields))
	}
	if err := c.Hours.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// channelsKey is where the channels live in the settings bucket.
const channelsKey = "channels"

type channelList struct {
	Channels []Channel `json:"channels"`
}

// Channels lists the organisation's channels in the order they were made.
func (s *Store) Channels(ctx context.Context) ([]Channel, error) {
	var l channelList
	_, err := get(ctx, s.settings, channelsKey, &l)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return l.Channels, err
}

// Channel reads the channel of slug; ErrNotFound if none.
func (s *Store) Channel(ctx context.Context, slug string) (Channel, error) {
	cs, err := s.Channels(ctx)
	if err != nil {
		return Channel{}, err
	}
	for _, c := range cs {
		if c.Slug == slug {
			return c, nil
		}
	}
	return Channel{}, ErrNotFound
}

// UpdateChannels changes the channels with compare-and-set; fn may refuse
// with an error, and every channel must pass Validate with a slug of its own.
func (s *Store) UpdateChannels(ctx context.Context, fn func([]Channel) ([]Channel, error)) ([]Channel, error) {
	if err := create(ctx, s.settings, channelsKey, channelList{}); err != nil && !errors.Is(err, ErrExists) {
		return nil, err
	}
	l, err := update(ctx, s.settings, channelsKey, func(l *channelList) error {
		cs, err := fn(append([]Channel(nil), l.Channels...))
		if err != nil {
			return err
		}
		if len(cs) > MaxChannels {
			return fmt.Errorf("%w: at most %d channels", ErrInvalid, MaxChannels)
		}
		seen := map[string]bool{}
		for _, c := range cs {
			if err := c.Validate(); err != nil {
				return err
			}
			if seen[c.Slug] {
				return fmt.Errorf("%w: address %q used twice", ErrInvalid, c.Slug)
			}
			seen[c.Slug] = true
		}
		l.Channels = cs
		return nil
	})
	return l.Channels, err
}
