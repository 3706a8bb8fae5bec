// Package clipboard shares the customer's text clipboard with the technician, both
// ways, over the clipboard data channel, and only while the customer allows it.
package clipboard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// DefaultPoll is how often the clipboard is read for changes when the X server
// cannot report them (no XFixes).
const DefaultPoll = 500 * time.Millisecond

// Config configures a Clipboard.
type Config struct {
	// Display is the X display whose CLIPBOARD selection is shared; "" means $DISPLAY.
	Display string
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Poll is the polling interval used without XFixes; 0 means DefaultPoll.
	Poll time.Duration
	// OnNote, if set, is told what happened, for the customer's eyes. It is called
	// on the Clipboard's own goroutine and must not block.
	OnNote func(Note)
}

// NoteKind names something the customer may want to know about.
type NoteKind string

// Notes.
const (
	// NoteSent: the customer's clipboard text went to the technician.
	NoteSent NoteKind = "sent"
	// NoteReceived: text from the technician is now on the customer's clipboard.
	NoteReceived NoteKind = "received"
	// NoteTooLarge: the customer copied text over protocol.MaxClipboard; not sent.
	NoteTooLarge NoteKind = "too_large"
	// NoteRefused: the technician sent text over protocol.MaxClipboard; not applied.
	NoteRefused NoteKind = "refused"
)

// Note is one thing that happened; Chars counts the characters of the text, when known.
type Note struct {
	Kind  NoteKind
	Chars int
}

// Clipboard is the clipboard feature of the agent (a session.Feature). Every X
// and xclip call runs on its own goroutine, never on pion's. Create it with New
// and stop it with Close.
type Clipboard struct {
	cfg    Config
	log    *slog.Logger
	x      *system
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	wake   chan struct{} // one pending wake-up of the loop

	mu      sync.Mutex // guards the fields below
	granted bool
	epoch   int                 // counts the times sharing was switched on
	dc      *webrtc.DataChannel // the channel in use, if any
	in      *string             // the latest text received, not yet applied
	refused bool                // a text over the limit arrived
}

// New starts watching the clipboard of cfg.Display. It fails with ErrNoXclip
// when xclip is not installed. Nothing is read or sent until SetGrants allows it.
func New(cfg Config) (*Clipboard, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	x, err := openSystem(cfg.Display)
	if err != nil {
		return nil, err
	}
	c := &Clipboard{cfg: cfg, log: cfg.Logger.With("component", "clipboard"), x: x, wake: make(chan struct{}, 1)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if x.changes == nil {
		c.log.Info("no XFixes on the display: polling the clipboard", "every", cfg.Poll)
	}
	c.wg.Add(1)
	go c.run()
	return c, nil
}

// Close stops syncing and waits for the Clipboard's goroutines. It is idempotent.
// Text the technician sent stays on the clipboard (xclip keeps owning it).
func (c *Clipboard) Close() error {
	c.once.Do(func() {
		c.cancel()
		c.wg.Wait()
		c.x.close()
		c.mu.Lock()
		c.dc, c.in = nil, nil
		c.mu.Unlock()
	})
	return nil
}

// Handles reports whether label is the clipboard channel.
func (c *Clipboard) Handles(label string) bool { return label == protocol.ChannelClipboard }

// SetGrants starts syncing when p allows the clipboard and stops it when not.
func (c *Clipboard) SetGrants(p protocol.Permissions) {
	c.mu.Lock()
	if p.Clipboard && !c.granted {
		c.epoch++
	}
	c.granted = p.Clipboard
	c.mu.Unlock()
	c.poke()
}

// Attach takes the clipboard channel the technician's console opened; it only
// attaches handlers. A newer channel replaces an older one.
func (c *Clipboard) Attach(dc *webrtc.DataChannel) {
	c.attach(dc, nil)
}

// AttachHelper takes the clipboard channel of a colleague of the technician
// the lead granted the clipboard (session.HelperFeature): what they copy
// reaches the customer's clipboard as the technician's does, each time only
// while allowed says so and the customer allows the clipboard. The
// customer's clipboard keeps going to the lead's channel only.
func (c *Clipboard) AttachHelper(dc *webrtc.DataChannel, _ string, allowed func() bool) {
	c.attach(dc, allowed)
}

// attach attaches the handlers of clipboard channel dc: the technician's
// (allowed nil), which the customer's clipboard is sent on, or a
// colleague's, whose every message allowed must let through.
func (c *Clipboard) attach(dc *webrtc.DataChannel, allowed func() bool) {
	if c.ctx.Err() != nil {
		_ = dc.Close()
		return
	}
	if allowed == nil {
		c.mu.Lock()
		c.dc = dc
		c.mu.Unlock()
		dc.OnClose(func() {
			c.mu.Lock()
			if c.dc == dc {
				c.dc = nil
			}
			c.mu.Unlock()
		})
	}
	var asm assembler
	dc.OnMessage(func(msg webrtc.DataChannelMessage) {
		ch, err := protocol.DecodeClipboard(msg.Data)
		if err != nil {
			c.log.Warn("invalid clipboard message dropped", "size", len(msg.Data), "err", err)
			return
		}
		c.mu.Lock()
		granted := c.granted
		c.mu.Unlock()
		if allowed != nil && !allowed() {
			if ch.Seq == 0 {
				c.log.Warn("clipboard text of a colleague not granted the clipboard dropped")
			}
			asm.reset()
			return
		}
		if !granted {
			if ch.Seq == 0 {
				c.log.Warn("clipboard text without a clipboard grant dropped")
			}
			asm.reset()
			return
		}
		text, done, err := asm.add(ch)
		switch {
		case errors.Is(err, protocol.ErrTooLarge):
			c.log.Warn("clipboard text from the technician refused", "err", err)
			c.mu.Lock()
			c.refused = true
			c.mu.Unlock()
			c.poke()
		case err != nil:
			c.log.Warn("clipboard text dropped", "err", err)
		case done && text != "":
			c.mu.Lock()
			c.in = &text
			c.mu.Unlock()
			c.poke()
		}
	})
}

// poke wakes the loop without ever blocking.
func (c *Clipboard) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// run is the one goroutine that talks to X: it applies received text, and
// reads and sends the clipboard when it changes, while the grant holds.
func (c *Clipboard) run() {
	defer c.wg.Done()
	var tick <-chan time.Time
	polling := c.x.changes == nil
	if polling {
		t := time.NewTicker(c.cfg.Poll)
		defer t.Stop()
		tick = t.C
	}
	var (
		last       [sha256.Size]byte // hash of the last text synced either way
		wasGranted bool
		epoch      int
		tooLarge   bool // the clipboard holds text over the limit (noted once)
	)
	for {
		changed := false
		select {
		case <-c.ctx.Done():
			return
		case <-c.wake:
		case <-c.x.changes:
			changed = true
		case <-tick:
			changed = true
		}
		c.mu.Lock()
		granted, dc, in, refused, ep := c.granted, c.dc, c.in, c.refused, c.epoch
		c.in, c.refused = nil, false
		c.mu.Unlock()

		if granted && ep != epoch {
			// Switched on (again): what was copied before, or while sharing was
			// off, stays private; only later copies are sent.
			select {
			case <-c.x.changes:
			default:
			}
			changed = false
			text, err := c.x.read(c.ctx)
			last, tooLarge = sha256.Sum256([]byte(text)), errors.Is(err, ErrTooLarge)
			epoch = ep
			c.log.Info("clipboard sharing on")
		} else if !granted && wasGranted {
			c.log.Info("clipboard sharing off")
		}
		wasGranted = granted
		if !granted {
			continue
		}
		if refused {
			c.note(NoteRefused, 0)
		}
		if in != nil {
			if err := c.x.write(c.ctx, *in); err != nil {
				c.log.Warn("could not set the clipboard", "err", err)
			} else {
				last = sha256.Sum256([]byte(*in))
				c.log.Info("clipboard set from the technician", "bytes", len(*in))
				c.note(NoteReceived, utf8.RuneCountInString(*in))
			}
		}
		if !changed || dc == nil || dc.ReadyState() != webrtc.DataChannelStateOpen {
			continue
		}
		text, err := c.x.read(c.ctx)
		switch {
		case errors.Is(err, ErrTooLarge):
			if !tooLarge {
				c.log.Warn("clipboard text too large to share", "max", protocol.MaxClipboard)
				c.note(NoteTooLarge, 0)
			}
			tooLarge = true
			continue
		case err != nil:
			tooLarge = false
			continue
		}
		tooLarge = false
		h := sha256.Sum256([]byte(text))
		if h == last {
			continue // unchanged, or the text we just set: no echo
		}
		last = h
		if err := send(dc, text); err != nil {
			c.log.Warn("could not send the clipboard", "err", err)
			continue
		}
		c.log.Info("clipboard sent to the technician", "bytes", len(text))
		c.note(NoteSent, utf8.RuneCountInString(text))
	}
}

func (c *Clipboard) note(k NoteKind, chars int) {
	if c.cfg.OnNote != nil {
		c.cfg.OnNote(Note{Kind: k, Chars: chars})
	}
}

// send writes text on dc as chunks of at most protocol.MaxClipboardChunk bytes,
// cut between characters.
func send(dc *webrtc.DataChannel, text string) error {
	if len(text) > protocol.MaxClipboard {
		return ErrTooLarge
	}
	id, err := newID()
	if err != nil {
		return err
	}
	parts := split(text, protocol.MaxClipboardChunk)
	for i, p := range parts {
		b, err := json.Marshal(protocol.ClipboardChunk{ID: id, Seq: i, Last: i == len(parts)-1, Text: p})
		if err != nil {
			return err
		}
		if err := dc.SendText(string(b)); err != nil {
			return err
		}
	}
	return nil
}

// split cuts s into pieces of at most max bytes, never inside a character.
func split(s string, max int) []string {
	var parts []string
	for len(s) > max {
		n := max
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return append(parts, s)
}

func newID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// assembler joins the chunks of one text. It is used by one channel's message
// handler, which pion calls one message at a time.
type assembler struct {
	id   string
	next int
	buf  []byte
	skip bool // drop the rest of this text
}

func (a *assembler) reset() { *a = assembler{skip: true} }

// add takes one chunk; done reports a complete text.
func (a *assembler) add(ch protocol.ClipboardChunk) (text string, done bool, err error) {
	if ch.Seq == 0 {
		*a = assembler{id: ch.ID, buf: a.buf[:0]}
	} else if a.skip {
		return "", false, nil
	} else if ch.ID != a.id || ch.Seq != a.next {
		a.reset()
		return "", false, fmt.Errorf("%w: chunk %d of %q out of order", protocol.ErrMalformed, ch.Seq, ch.ID)
	}
	if len(a.buf)+len(ch.Text) > protocol.MaxClipboard {
		a.reset()
		return "", false, fmt.Errorf("%w: text over %d bytes", protocol.ErrTooLarge, protocol.MaxClipboard)
	}
	a.buf = append(a.buf, ch.Text...)
	a.next++
	if !ch.Last {
		return "", false, nil
	}
	text = string(a.buf)
	a.reset()
	return text, true, nil
}
