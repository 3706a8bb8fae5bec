// Package chat is the customer's side of the session chat: messages both ways on
// the chat data channel, links sent by the technician (opened in the customer's
// browser automatically if they allow it, else on a click), and the chat panel of
// the customer's page.
package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
	plain "github.com/lifeline-support/lifeline/shared/text"
)

// Events the agent reports to the console on the chat channel (ChatMessage.Event).
const (
	// EventLinkOpened: a link was opened in the customer's browser; Text is the URL.
	EventLinkOpened = "link_opened"
	// EventLinkShown: a link is shown to the customer, to open with a click; Text is the URL.
	EventLinkShown = "link_shown"
	// EventLinkFailed: the customer's browser could not be started; Text is the URL.
	EventLinkFailed = "link_failed"
	// EventRefused: a message from the console was refused; Text is the reason
	// (ReasonTooLarge, ReasonBadURL, ReasonMalformed).
	EventRefused = "refused"
	// EventAutoLinks: the customer turned automatic opening of links on or off;
	// Text is "on" or "off".
	EventAutoLinks = "auto_links"
)

// Reasons of EventRefused.
const (
	ReasonTooLarge  = "too_large"
	ReasonBadURL    = "bad_url"
	ReasonMalformed = "malformed"
)

// maxEntries bounds the log kept for the customer's page; the oldest go first.
const maxEntries = 2000

// Config configures a Chat.
type Config struct {
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// OpenURL opens a checked http(s) URL in the customer's default browser; nil
	// means consent.OpenURL (xdg-open, open, ShellExecute).
	OpenURL func(url string) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Entry kinds of the customer's log.
const (
	kindMessage = "message"
	kindLink    = "link"
	kindEvent   = "event"
)

// Authors of messages.
const (
	fromTechnician = "technician"
	fromCustomer   = "customer"
)

// entry is one line of the customer's log. Events are catalog keys, translated
// for each page.
type entry struct {
	Seq  int    `json:"seq"`
	Kind string `json:"kind"`
	From string `json:"from,omitempty"`
	// Name is the colleague of the technician who wrote it (their lines,
	// From the technician's side); "" for the technician's own.
	Name string `json:"name,omitempty"`
	At   int64  `json:"at"`
	Text string `json:"text,omitempty"`
	URL  string `json:"url,omitempty"`
	key  string // catalog key of an event
	arg  string // its argument, if any
	// render, if set, writes the event in a page's language (NoteFunc).
	render func(i18n.Lang) string
}

// Chat serves the chat data channel and the chat panel of the customer's page.
// It implements session.Feature and http.Handler. All methods are safe for
// concurrent use.
type Chat struct {
	cfg Config
	log *slog.Logger

	shutdownOnce sync.Once
	stop         chan struct{} // closed when the page's server shuts down

	mu      sync.Mutex // guards the fields below
	dc      *webrtc.DataChannel
	entries []entry
	seq     int
	nextID  int
	auto    bool
	perms   protocol.Permissions
	changed chan struct{} // closed and replaced on every change
	// toLog writes the customer's messages to the session's running log on
	// the server (SetLogWriter); nil until the session sets it.
	toLog func(protocol.LogAppend)
}

// SetLogWriter makes the customer's messages go to the session's running log
// on the server as well (session.LogWriter): the server takes the
// customer's words from the agent only.
func (c *Chat) SetLogWriter(write func(protocol.LogAppend)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.toLog = write
}

// New creates a Chat.
func New(cfg Config) *Chat {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.OpenURL == nil {
		cfg.OpenURL = consent.OpenURL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Chat{
		cfg:     cfg,
		log:     cfg.Logger.With("component", "chat"),
		stop:    make(chan struct{}),
		changed: make(chan struct{}),
	}
}

// Handles reports whether label is the chat channel.
func (c *Chat) Handles(label string) bool { return label == protocol.ChannelChat }

// Attach takes a new chat channel from the browser; the newest open one is used
// for sending.
func (c *Chat) Attach(dc *webrtc.DataChannel) {
	dc.OnOpen(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.dc == dc {
			return
		}
		c.dc = dc
		c.eventLocked("agent.chat.ev.connected", "")
	})
	dc.OnClose(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.dc == dc {
			c.dc = nil
			c.eventLocked("agent.chat.ev.disconnected", "")
		}
	})
	dc.OnMessage(func(m webrtc.DataChannelMessage) { c.receive(dc, m.Data, "") })
}

// AttachHelper takes the chat channel of colleague name, a colleague of the
// technician the lead granted chat with the customer (session.HelperFeature):
// their messages and links reach the customer under their name, each only
// while allowed says so, and their links never open by themselves (the
// customer let the technician's open, not theirs); the customer's side
// keeps going to the lead's channel (colleagues read it in the session's
// log).
func (c *Chat) AttachHelper(dc *webrtc.DataChannel, name string, allowed func() bool) {
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		if !allowed() {
			c.log.Warn("chat: message of a colleague not allowed to chat dropped", "size", len(m.Data))
			return
		}
		c.receive(dc, m.Data, name)
	})
}

// SetGrants records what the customer allows, for the log.
func (c *Chat) SetGrants(p protocol.Permissions) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, g := range []struct {
		name      string
		was, isOn bool
	}{
		{"view", c.perms.View, p.View},
		{"control", c.perms.Control, p.Control},
		{"clipboard", c.perms.Clipboard, p.Clipboard},
	} {
		if g.was != g.isOn {
			c.eventLocked("agent.chat.ev."+g.name+"."+onOff(g.isOn), "")
		}
	}
	c.perms = p
}

// receive handles one message from the console: the technician's, or
// colleague's (their name) when not "". It runs on pion's callback: it only
// records, starts the opener and sends small replies.
func (c *Chat) receive(dc *webrtc.DataChannel, data []byte, colleague string) {
	m, err := protocol.DecodeChat(data)
	if err != nil {
		reason := ReasonMalformed
		switch {
		case errors.Is(err, protocol.ErrBadURL):
			reason = ReasonBadURL
		case errors.Is(err, protocol.ErrTooLarge):
			reason = ReasonTooLarge
		}
		c.log.Warn("chat: message refused", "size", len(data), "err", err)
		c.mu.Lock()
		c.eventLocked("agent.chat.ev.refused."+reason, "")
		c.mu.Unlock()
		c.sendEvent(dc, EventRefused, reason)
		return
	}
	switch m.Kind {
	case protocol.ChatText:
		c.mu.Lock()
		c.addLocked(entry{Kind: kindMessage, From: fromTechnician, Name: colleague, At: c.now(), Text: m.Text})
		c.mu.Unlock()
	case protocol.ChatURL:
		c.mu.Lock()
		auto := c.auto && colleague == ""
		c.addLocked(entry{Kind: kindLink, From: fromTechnician, Name: colleague, At: c.now(), URL: m.URL, Text: m.Text})
		c.mu.Unlock()
		if !auto {
			c.sendEvent(dc, EventLinkShown, m.URL)
			return
		}
		c.open(dc, m.URL)
	case protocol.ChatEvent:
		c.log.Debug("chat: event from the console", "event", m.Event)
	}
}

// open opens a link that arrived while automatic opening is on.
func (c *Chat) open(dc *webrtc.DataChannel, u string) {
	// DecodeChat checked it; check again right before the opener runs it.
	if err := protocol.CheckURL(u); err != nil {
		c.log.Warn("chat: link refused", "err", err)
		return
	}
	if err := c.cfg.OpenURL(u); err != nil {
		c.log.Warn("chat: could not open a link", "err", err)
		c.mu.Lock()
		c.eventLocked("agent.chat.ev.openFailed", u)
		c.mu.Unlock()
		c.sendEvent(dc, EventLinkFailed, u)
		return
	}
	c.log.Info("chat: link opened automatically")
	c.mu.Lock()
	c.eventLocked("agent.chat.ev.opened", u)
	c.mu.Unlock()
	c.sendEvent(dc, EventLinkOpened, u)
}

// Note adds an event to the customer's log: key is a catalog key (agent.chat.ev.*),
// translated for each page. Other features tell the customer things through it.
func (c *Chat) Note(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.eventLocked(key, "")
}

// NoteFunc adds an event that render writes in each page's language: other
// features (files) put their own lines in the customer's one running log.
func (c *Chat) NoteFunc(render func(i18n.Lang) string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addLocked(entry{Kind: kindEvent, At: c.now(), render: render})
}

// Send sends the customer's message to the technician and logs it.
func (c *Chat) Send(text string) error {
	if strings.TrimSpace(text) == "" {
		return ErrEmpty
	}
	if len(text) > protocol.MaxChatText {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(text), protocol.MaxChatText)
	}
	if plain.CheckText(text) != nil {
		return ErrHidden
	}
	c.mu.Lock()
	if c.dc == nil {
		c.mu.Unlock()
		return ErrNotConnected
	}
	at := c.now()
	// One ID for the message the technician gets and the log's entry, so a
	// console that replays the server's log shows the message once.
	id := fmt.Sprintf("agent-%d-%d", at, c.seq+1) // the entry's Seq, given below
	if err := c.sendLocked(c.dc, protocol.ChatMessage{Kind: protocol.ChatText, ID: id, At: at, Text: text}); err != nil {
		c.mu.Unlock()
		return fmt.Errorf("%w: %v", ErrNotConnected, err)
	}
	c.addLocked(entry{Kind: kindMessage, From: fromCustomer, At: at, Text: text})
	toLog := c.toLog
	c.mu.Unlock()
	if toLog != nil { // outside the lock: a write to signaling may take a while
		toLog(protocol.LogAppend{ID: id, Kind: protocol.LogMessage, From: protocol.FromCustomer, Text: text, At: at})
	}
	return nil
}

// Opened records that the customer clicked the link of log entry seq, and tells
// the technician.
func (c *Chat) Opened(seq int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		if e.Seq == seq && e.Kind == kindLink {
			c.eventLocked("agent.chat.ev.clicked", e.URL)
			if c.dc != nil {
				_ = c.sendLocked(c.dc, protocol.ChatMessage{Kind: protocol.ChatEvent, At: c.now(), Event: EventLinkOpened, Text: e.URL})
			}
			return nil
		}
	}
	return ErrNotALink
}

// SetAutoOpen turns automatic opening of links on or off, for this session.
func (c *Chat) SetAutoOpen(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.auto == on {
		return
	}
	c.auto = on
	c.eventLocked("agent.chat.ev.auto."+onOff(on), "")
	if c.dc != nil {
		_ = c.sendLocked(c.dc, protocol.ChatMessage{Kind: protocol.ChatEvent, At: c.now(), Event: EventAutoLinks, Text: onOff(on)})
	}
}

func (c *Chat) sendEvent(dc *webrtc.DataChannel, name, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.sendLocked(dc, protocol.ChatMessage{Kind: protocol.ChatEvent, At: c.now(), Event: name, Text: text}); err != nil {
		c.log.Debug("chat: event not sent", "event", name, "err", err)
	}
}

// sendLocked numbers m (unless it has the ID of its log entry) and sends it
// on dc. c.mu must be held.
func (c *Chat) sendLocked(dc *webrtc.DataChannel, m protocol.ChatMessage) error {
	if m.ID == "" { // a message without an entry in the server's log
		c.nextID++
		m.ID = "a" + strconv.Itoa(c.nextID)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return dc.SendText(string(b))
}

// eventLocked logs an event for the customer. c.mu must be held.
func (c *Chat) eventLocked(key, arg string) {
	c.addLocked(entry{Kind: kindEvent, At: c.now(), key: key, arg: arg})
}

// addLocked appends to the log and wakes the pages. c.mu must be held.
func (c *Chat) addLocked(e entry) {
	c.seq++
	e.Seq = c.seq
	if len(c.entries) >= maxEntries {
		c.entries = append(c.entries[:0:0], c.entries[len(c.entries)-maxEntries+1:]...)
	}
	c.entries = append(c.entries, e)
	c.notifyLocked()
}

func (c *Chat) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Chat) now() int64 { return c.cfg.Now().UnixMilli() }

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
