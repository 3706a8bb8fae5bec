package sessions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/protocol"
	"github.com/lifeline-support/lifeline/shared/session"
	"github.com/lifeline-support/lifeline/shared/text"
	"github.com/lifeline-support/lifeline/signaling/audit"
	"github.com/lifeline-support/lifeline/signaling/invite"
	"github.com/lifeline-support/lifeline/signaling/limit"
	"github.com/lifeline-support/lifeline/signaling/store"
)

// Bounds of what a customer types on a channel's form.
const (
	// MaxEmail bounds the customer's e-mail address, in characters.
	MaxEmail = 254
	// MaxProblem bounds the customer's description of the problem, in characters.
	MaxProblem = 1000
)

// Why a channel's request was refused.
var (
	// ErrNoChannel means no channel has that address.
	ErrNoChannel = errors.New("no such channel")
	// ErrChannelClosed means the channel is outside its hours or nobody
	// who serves it is online: the customer may leave a message instead.
	ErrChannelClosed = errors.New("nobody can take this request now; leave a message and we will call you back")
	// ErrChannelFull means the channel's queue holds its cap of waiting sessions.
	ErrChannelFull = errors.New("too many customers are waiting on this channel; try again later")
	// ErrBadEmail means an e-mail address that is missing, too long or malformed.
	ErrBadEmail = fmt.Errorf("the e-mail address must look like name@example.com, at most %d characters", MaxEmail)
	// ErrBadProblem means a description of the problem that is too long or
	// holds invisible characters.
	ErrBadProblem = fmt.Errorf("the description of the problem must be at most %d characters", MaxProblem)
	// ErrTaken means another technician took the channel's session first.
	ErrTaken = errors.New("another technician took this session first")
)

// ChannelLimits bound how often customers may ask for help on channels,
// like the PIN limits (invite.Config): per client address, and from all
// addresses together (paced, then refused with invite.ErrBusy). PerAddress
// also bounds, apart, how often a customer helped in the browser asks for
// the program (Service.Handover).
type ChannelLimits struct {
	PerAddress, Global int
	Window, MaxWait    time.Duration
}

// DefaultChannelLimits are the production limits.
var DefaultChannelLimits = ChannelLimits{PerAddress: 5, Global: 60, Window: time.Minute, MaxWait: 3 * time.Second}

// channelGlobalKey is the limits-bucket key of the server-wide request counter.
const channelGlobalKey = "channel-global"

// ChannelRequest is what a customer typed on a channel's form.
type ChannelRequest struct {
	Name, Email, Problem string
	// Fields are the channel's custom fields' values (field ID → value).
	Fields map[string]string
	// Callback leaves a message to be called back instead of waiting.
	Callback bool
}

// ChannelForm is what a channel's page needs: the channel, the custom
// fields it asks, and whether someone can take a request now.
type ChannelForm struct {
	Channel store.Channel
	Fields  []store.CustomField
	Open    bool
}

// channelFields are the definitions of the custom fields channel c asks, in
// the administrator's order.
func channelFields(defs []store.CustomField, c store.Channel) []store.CustomField {
	var out []store.CustomField
	for _, d := range defs {
		for _, id := range c.Fields {
			if d.ID == id {
				out = append(out, d)
			}
		}
	}
	return out
}

// Channel reads the form of the channel at slug and whether it can take a
// request at now: inside its hours, with a technician of one of its groups
// online.
func (s *Service) Channel(ctx context.Context, slug string, now time.Time) (ChannelForm, error) {
	c, err := s.cfg.Store.Channel(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return ChannelForm{}, ErrNoChannel
	}
	if err != nil {
		return ChannelForm{}, err
	}
	defs, err := s.cfg.Store.CustomFields(ctx)
	if err != nil {
		return ChannelForm{}, err
	}
	f := ChannelForm{Channel: c, Fields: channelFields(defs, c)}
	if c.Hours.OpenAt(now) {
		f.Open, err = s.someoneOnline(ctx, c, now)
	}
	return f, err
}

// someoneOnline reports whether a technician of a group serving c is
// online (not away, busy or offline).
func (s *Service) someoneOnline(ctx context.Context, c store.Channel, now time.Time) (bool, error) {
	ps, err := s.cfg.Store.Presences(ctx)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if p.Effective(now, 0, 0) != store.StatusOnline {
			continue
		}
		acc, err := s.cfg.Store.Account(ctx, p.TechnicianID)
		if err != nil || acc.Disabled || !c.Serves(acc.GroupID) {
			continue
		}
		if n, err := s.ActiveCount(ctx, acc.ID); err == nil && (s.cfg.BusyAt < 0 || n < s.cfg.BusyAt) {
			return true, nil
		}
	}
	return false, nil
}

// checkRequest checks and cleans what the customer typed against form f.
func checkRequest(f ChannelForm, r ChannelRequest) (ChannelRequest, []store.FieldValue, error) {
	r.Name, r.Email, r.Problem = strings.TrimSpace(r.Name), strings.TrimSpace(r.Email), strings.TrimSpace(r.Problem)
	if r.Name == "" || utf8.RuneCountInString(r.Name) > MaxCustomerName || text.CheckName(r.Name) != nil {
		return r, nil, ErrBadName
	}
	if f.Channel.AskEmail {
		at := strings.LastIndexByte(r.Email, '@')
		if utf8.RuneCountInString(r.Email) > MaxEmail || text.CheckName(r.Email) != nil || strings.ContainsAny(r.Email, " <>\"") ||
			at < 1 || at == len(r.Email)-1 || !strings.Contains(r.Email[at:], ".") {
			return r, nil, ErrBadEmail
		}
	} else {
		r.Email = ""
	}
	if !f.Channel.AskProblem {
		r.Problem = ""
	} else if utf8.RuneCountInString(r.Problem) > MaxProblem || text.CheckText(r.Problem) != nil {
		return r, nil, ErrBadProblem
	}
	values, err := CheckFields(f.Fields, r.Fields)
	return r, values, err
}

// takeRequest counts a request from addr against the per-address and the
// server-wide limits, waiting its turn under the latter; a refusal is an
// *invite.RateLimitError, as for PINs.
func (s *Service) takeRequest(ctx context.Context, addr string) error {
	if err := s.takeAddr(ctx, "channel-", addr); err != nil {
		return err
	}
	key := "channel-" + invite.LimitKey(addr)
	at, err := s.channelGlobal.Take(ctx, channelGlobalKey)
	if err == nil {
		err = limit.Sleep(ctx, at.Wait)
	}
	if err != nil {
		s.channelAddr.Give(ctx, key)
		return invite.RateLimited(err)
	}
	return nil
}

// takeAddr counts a customer's request from addr (under the key prefix of
// its kind) against the per-address limit of ChannelLimits; a refusal is an
// *invite.RateLimitError.
func (s *Service) takeAddr(ctx context.Context, prefix, addr string) error {
	if _, err := s.channelAddr.Take(ctx, prefix+invite.LimitKey(addr)); err != nil {
		return invite.RateLimited(err)
	}
	return nil
}

// waitingOn counts the sessions of channel slug nobody took yet.
func (s *Service) waitingOn(ctx context.Context, slug string) (int, error) {
	all, err := s.cfg.Store.OpenSessions(ctx)
	n := 0
	for _, ss := range all {
		if ss.Channel == slug && ss.TechnicianID == "" && !ss.State.Closed() {
			n++
		}
	}
	return n, err
}

// Request is a customer's request for help on the channel at slug, from
// client address addr: checked (ErrBadName, ErrBadEmail, ErrBadProblem, a
// FieldsError), counted against the limits (an *invite.RateLimitError),
// refused when the channel is closed (ErrChannelClosed, unless it is a
// callback) or its queue full (ErrChannelFull). It makes a session in the
// channel's queue: Connecting with an invitation link for the agent's
// download, or Waiting with Callback set for a message.
func (s *Service) Request(ctx context.Context, slug, addr string, r ChannelRequest) (store.Session, error) {
	f, err := s.Channel(ctx, slug, time.Now())
	if err != nil {
		return store.Session{}, err
	}
	r, values, err := checkRequest(f, r)
	if err != nil {
		return store.Session{}, err
	}
	detail := r.Name + " on channel " + slug
	if r.Callback {
		detail += " (callback)"
	}
	return s.openRequest(ctx, f, addr, detail, store.Session{
		CustomerName: r.Name, Fields: values, Email: r.Email, Problem: r.Problem, Callback: r.Callback,
	})
}

// openRequest counts a request from addr on the channel of form f against
// the limits, refuses it when the channel is closed (unless it is a
// callback) or its queue full, and makes its session from ss (what the
// customer gave): in the channel's queue, Connecting with an invitation
// link for the program, or Waiting for a callback. detail describes it
// in the audit trail.
func (s *Service) openRequest(ctx context.Context, f ChannelForm, addr, detail string, ss store.Session) (store.Session, error) {
	if err := s.takeRequest(ctx, addr); err != nil {
		return store.Session{}, err
	}
	if !f.Open && !ss.Callback {
		return store.Session{}, ErrChannelClosed
	}
	c := f.Channel
	if n, err := s.waitingOn(ctx, c.Slug); err != nil {
		return store.Session{}, err
	} else if n >= c.Waiting() {
		return store.Session{}, ErrChannelFull
	}
	sid, err := invite.NewToken()
	if err != nil {
		return store.Session{}, err
	}
	if err := s.cfg.Audit.Record(ctx, audit.Event{Type: audit.SessionCreated, Actor: "customer", SessionID: sid, IP: addr, Detail: detail}); err != nil {
		s.log.Error("channel session not created: its audit entry could not be written", "err", err)
		return store.Session{}, err
	}
	now := time.Now()
	ss.ID, ss.State, ss.Created, ss.Changed = sid, session.Connecting, now, now
	ss.Channel, ss.ChannelName, ss.ChannelGroups = c.Slug, c.Name, append([]string(nil), c.Groups...)
	if ss.Callback {
		ss.State = session.Waiting
	} else {
		inv, err := s.cfg.Invites.IssueLink(ctx, sid)
		if err != nil {
			return store.Session{}, err
		}
		ss.InviteToken, ss.InviteExpires = inv.Token, inv.Expires
	}
	if err := s.cfg.Store.CreateSession(ctx, ss); err != nil {
		return store.Session{}, err
	}
	s.log.Info("channel session created", "sid", sid, "channel", c.Slug, "callback", ss.Callback, "launcher", ss.Launcher)
	return ss, nil
}

// waitLimit is, for a customer waiting on a channel, how long (seconds)
// before they are offered to leave a message instead; 0 otherwise.
func (s *Service) waitLimit(ctx context.Context, ss store.Session) int {
	if ss.Channel == "" || ss.Callback || !waitingNow(ss) {
		return 0
	}
	c, err := s.cfg.Store.Channel(ctx, ss.Channel)
	if err != nil {
		// A channel deleted since: its default.
		c = store.Channel{}
	}
	return int(c.WaitFor() / time.Second)
}

// leaveMessage turns channel session sid, still waiting for a technician,
// into a callback request with the customer's message: it stays in the
// channel's queue, marked "Callback requested", with nobody connected.
func (s *Service) leaveMessage(ctx context.Context, sid string, body *protocol.SessionCallback) error {
	msg := strings.TrimSpace(body.Message)
	ss, err := s.cfg.Store.UpdateSession(ctx, sid, func(ss *store.Session) error {
		if ss.Channel == "" || ss.TechnicianID != "" || ss.State != session.Waiting || ss.Callback {
			return ErrNotWaiting
		}
		ss.Callback = true
		if msg != "" {
			p := strings.TrimSpace(ss.Problem + "\n" + msg)
			if r := []rune(p); len(r) > MaxProblem {
				p = string(r[:MaxProblem])
			}
			ss.Problem = p
		}
		ss.AgentConnected, ss.AgentConn, ss.AgentSecret = false, "", ""
		ss.Permissions, ss.Changed = protocol.Permissions{}, time.Now()
		return nil
	})
	if err != nil {
		return err
	}
	s.record(audit.Event{Type: audit.CallbackRequested, Actor: "customer", SessionID: sid, Detail: "waited past the channel's limit"})
	s.log.Info("waiting customer left a message", "sid", sid, "channel", ss.Channel)
	s.publishState(ss)
	return nil
}

// channelTechs lists the technicians of the groups serving channel session
// ss: their queues show it while nobody took it, and drop it at once when
// someone does.
func (s *Service) channelTechs(ctx context.Context, ss store.Session) []string {
	if ss.Channel == "" {
		return nil
	}
	accs, err := s.cfg.Store.Accounts(ctx)
	if err != nil {
		s.log.Warn("channel's technicians unreadable: their queues catch up on their next poll", "err", err)
		return nil
	}
	var out []string
	for _, a := range accs {
		if !a.Disabled && slices.Contains(ss.ChannelGroups, store.GroupOf(a.GroupID)) {
			out = append(out, a.ID)
		}
	}
	return out
}
