// Package terminal gives the technician shells on the customer's machine: one
// pty per data channel ("terminal:<id>"), several at once, as the agent's
// user, only while the customer allows terminals. Everything a terminal shows
// and the technician types (a line at a time, marked as typed) goes to the
// session's running log on the server as plain text, escape sequences
// stripped, up to Config.MaxTranscript bytes per session; then the terminals
// close and no more open. The customer's page says how many terminals are
// open and closes them in one click.
package terminal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// DefaultMaxTranscript bounds the transcript one session keeps, in bytes of
// text: 512 KiB. The running log on the server has its own, larger bound.
const DefaultMaxTranscript = 512 << 10

const (
	// logPiece bounds the text of one transcript entry, in bytes.
	logPiece = 8 << 10
	// flushAfter is how long transcript text waits for more before it goes.
	flushAfter = time.Second
	// highWater and lowWater bound what waits in a channel's send buffer:
	// a shell that prints fast waits for the technician's browser.
	highWater = 1 << 20
	lowWater  = 256 << 10
	// inputQueue bounds the key messages waiting for a busy shell.
	inputQueue = 256
	// hangUpGrace is how long a hung-up shell has to end before it is killed.
	hangUpGrace = 2 * time.Second
)

// shellProc is a running shell on a terminal (per OS: pty_unix.go,
// pty_windows.go).
type shellProc interface {
	Read([]byte) (int, error)
	Write([]byte) (int, error)
	Resize(cols, rows int) error
	// Close hangs the terminal up.
	Close() error
	// Kill ends the shell and everything it started.
	Kill()
	// ReadsSecret says whether the program on the terminal reads a line
	// without showing it (a password: canonical input with echo off, as
	// sudo and read -s set it), so that the transcript keeps its length,
	// not its text.
	ReadsSecret() bool
	// Wait returns the shell's exit status once it ended.
	Wait() int
}

// Config configures a Terminal.
type Config struct {
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Shell is the program run in each terminal (a path, no arguments);
	// "" means the user's login shell ($SHELL), else /bin/sh.
	Shell string
	// MaxTranscript bounds the session's transcript in bytes; 0 means
	// DefaultMaxTranscript.
	MaxTranscript int
	// OnChange is told how many terminals are open after each change (the
	// customer's log); it must not block.
	OnChange func(open int)
}

// Terminal serves the terminal channels (a session.Feature, Auditor and
// LogWriter) and the customer's terminal panel (http.Handler). Methods are
// safe for concurrent use.
type Terminal struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex // guards the fields below
	granted bool
	open    map[*webrtc.DataChannel]*term
	report  func(protocol.Audit)
	write   func(protocol.LogAppend)
	logged  int  // transcript bytes written this session
	cut     bool // the transcript reached MaxTranscript
	seq     int
	changed chan struct{} // closed and replaced on every change of open
}

// New returns the feature.
func New(cfg Config) *Terminal {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Shell == "" {
		cfg.Shell = defaultShell()
	}
	if cfg.MaxTranscript <= 0 {
		cfg.MaxTranscript = DefaultMaxTranscript
	}
	return &Terminal{cfg: cfg, log: cfg.Logger.With("component", "terminal"),
		open: map[*webrtc.DataChannel]*term{}, changed: make(chan struct{})}
}

// Handles reports whether label names a terminal channel.
func (t *Terminal) Handles(label string) bool {
	_, ok := protocol.TerminalID(label)
	return ok
}

// SetAudit gives the feature the audit reporter.
func (t *Terminal) SetAudit(report func(protocol.Audit)) {
	t.mu.Lock()
	t.report = report
	t.mu.Unlock()
}

// SetLogWriter gives the feature the running log's writer, for transcripts.
func (t *Terminal) SetLogWriter(write func(protocol.LogAppend)) {
	t.mu.Lock()
	t.write = write
	t.mu.Unlock()
}

// SetGrants records whether the customer allows terminals; taking the grant
// back closes every terminal.
func (t *Terminal) SetGrants(p protocol.Permissions) {
	t.mu.Lock()
	t.granted = p.Terminal
	var closing []*term
	if !p.Terminal {
		for _, tm := range t.open {
			closing = append(closing, tm)
		}
	}
	t.mu.Unlock()
	for _, tm := range closing {
		t.log.Info("terminal grant taken back; closing", "id", tm.id)
		tm.hangUp()
	}
}

// Open reports how many terminals are open.
func (t *Terminal) Open() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.open)
}

// term is one terminal: a shell and the channel it is shown on.
type term struct {
	t   *Terminal
	id  string
	dc  *webrtc.DataChannel
	sh  shellProc
	in  chan []byte
	low chan struct{} // the send buffer went under lowWater

	opened   chan struct{}
	gone     chan struct{} // the channel closed
	done     chan struct{} // the shell ended and the terminal is closed
	goneOnce sync.Once
	hupOnce  sync.Once

	mu      sync.Mutex // guards the transcript below
	strip   stripper
	text    strings.Builder
	timer   *time.Timer
	inStrip stripper        // the technician's keys, stripped as the output is
	typed   strings.Builder // the typed line so far
	// typedSecret counts the characters of the line typed while a program
	// read a secret.
	typedSecret int
}

// Attach takes a terminal channel the console opened and starts its shell
// (80×24 until the console says its size). Without the customer's grant,
// beyond MaxTerminals, or where terminals cannot run, the console is told
// why and the channel closed.
func (t *Terminal) Attach(dc *webrtc.DataChannel) {
	id, _ := protocol.TerminalID(dc.Label())
	t.mu.Lock()
	var refusal error
	switch {
	case !t.granted:
		refusal = ErrNotGranted
	case t.cut:
		refusal = ErrTranscriptFull
	case len(t.open) >= protocol.MaxTerminals:
		refusal = ErrTooMany
	}
	var sh shellProc
	if refusal == nil {
		var err error
		if sh, err = startShell(t.cfg.Shell, 80, 24); err != nil {
			t.log.Warn("terminal did not start", "shell", t.cfg.Shell, "err", err)
			refusal = fmt.Errorf("%w (%v)", ErrUnavailable, err)
			if errors.Is(err, ErrUnavailable) {
				refusal = err
			}
		}
	}
	if refusal != nil {
		report := t.report
		t.mu.Unlock()
		if report != nil && refusal == ErrNotGranted {
			report(protocol.Audit{Event: protocol.AuditRefused, Detail: "terminal " + id + " without the customer's grant"})
		}
		dc.OnOpen(func() {
			sendControl(dc, protocol.TerminalControl{Type: "error", Text: refusal.Error()})
			_ = dc.Close()
		})
		return
	}
	tm := &term{t: t, id: id, dc: dc, sh: sh, in: make(chan []byte, inputQueue),
		low: make(chan struct{}, 1), opened: make(chan struct{}), gone: make(chan struct{}), done: make(chan struct{})}
	t.open[dc] = tm
	report := t.report
	t.changedLocked()
	t.mu.Unlock()
	if report != nil {
		report(protocol.Audit{Event: protocol.AuditTerminalOpened, Detail: "terminal " + id + " (" + t.cfg.Shell + ")"})
	}
	t.log.Info("terminal opened", "id", id, "shell", t.cfg.Shell)

	dc.OnOpen(func() {
		dc.SetBufferedAmountLowThreshold(lowWater)
		close(tm.opened)
	})
	dc.OnBufferedAmountLow(func() {
		select {
		case tm.low <- struct{}{}:
		default:
		}
	})
	dc.OnClose(func() {
		tm.goneOnce.Do(func() { close(tm.gone) })
		tm.hangUp()
	})
	dc.OnMessage(func(m webrtc.DataChannelMessage) { tm.receive(m) })
	go tm.pump()
	go tm.feed()
}

// receive handles one message from the console: keys (binary) or a resize
// (text). It runs on the channel's read loop: it never blocks.
func (tm *term) receive(m webrtc.DataChannelMessage) {
	t := tm.t
	t.mu.Lock()
	granted, report := t.granted, t.report
	t.mu.Unlock()
	if !granted {
		// The grant went away while the message crossed: SetGrants closes
		// the terminal.
		return
	}
	if !m.IsString {
		if len(m.Data) > protocol.MaxTerminalInput {
			sendControl(tm.dc, protocol.TerminalControl{Type: "error", Text: ErrTooLarge.Error()})
			return
		}
		select {
		case tm.in <- append([]byte(nil), m.Data...):
		default:
			t.log.Warn("terminal input dropped: the shell does not read", "id", tm.id)
			sendControl(tm.dc, protocol.TerminalControl{Type: "error", Text: "the shell is busy: keys dropped"})
		}
		return
	}
	c, err := protocol.DecodeTerminalControl(m.Data)
	if err != nil {
		t.log.Warn("terminal control refused", "id", tm.id, "err", err)
		if report != nil {
			report(protocol.Audit{Event: protocol.AuditRefused, Detail: "terminal " + tm.id + ": " + err.Error()})
		}
		sendControl(tm.dc, protocol.TerminalControl{Type: "error", Text: err.Error()})
		return
	}
	if err := tm.sh.Resize(c.Cols, c.Rows); err != nil {
		t.log.Warn("terminal resize", "id", tm.id, "err", err)
	}
}

// feed writes the technician's keys to the shell, in order.
func (tm *term) feed() {
	for {
		select {
		case b := <-tm.in:
			tm.transcribeTyped(b, tm.sh.ReadsSecret())
			if _, err := tm.sh.Write(b); err != nil {
				return
			}
		case <-tm.gone:
			return
		}
	}
}

// pump sends what the shell prints to the console and the transcript until
// the shell ends, then says how it ended and closes the channel.
func (tm *term) pump() {
	buf := make([]byte, 32<<10)
	select {
	case <-tm.opened:
	case <-tm.gone:
	}
	for {
		n, err := tm.sh.Read(buf)
		if n > 0 {
			tm.transcribe(buf[:n])
			if !tm.send(buf[:n]) {
				tm.hangUp()
			}
		}
		if err != nil {
			break
		}
	}
	code := tm.sh.Wait()
	tm.flush()
	t := tm.t
	t.mu.Lock()
	delete(t.open, tm.dc)
	t.changedLocked()
	t.mu.Unlock()
	t.log.Info("terminal ended", "id", tm.id, "code", code)
	sendControl(tm.dc, protocol.TerminalControl{Type: "exit", Code: code})
	_ = tm.dc.Close()
	tm.goneOnce.Do(func() { close(tm.gone) })
	close(tm.done)
}

// send sends one piece of output, waiting while the channel's buffer is
// full; false if the channel went away.
func (tm *term) send(b []byte) bool {
	for tm.dc.BufferedAmount() > highWater {
		select {
		case <-tm.low:
		case <-tm.gone:
			return false
		case <-time.After(time.Second): // a missed wake-up costs a second
		}
	}
	select {
	case <-tm.gone:
		return false
	default:
	}
	return tm.dc.Send(b) == nil
}

// hangUp closes the shell's terminal (SIGHUP to its session) and kills
// what is left of it after hangUpGrace.
func (tm *term) hangUp() {
	tm.hupOnce.Do(func() {
		_ = tm.sh.Close()
		go func() {
			select {
			case <-time.After(hangUpGrace):
				tm.sh.Kill()
			case <-tm.done:
			}
		}()
	})
}

// changedLocked wakes whoever watches the open terminals. t.mu must be held.
func (t *Terminal) changedLocked() {
	close(t.changed)
	t.changed = make(chan struct{})
	if t.cfg.OnChange != nil {
		t.cfg.OnChange(len(t.open))
	}
}

// transcribe adds output to the terminal's transcript, sent in pieces.
func (tm *term) transcribe(b []byte) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.text.WriteString(tm.strip.strip(b))
	if tm.text.Len() >= logPiece {
		tm.flushLocked()
		return
	}
	if tm.timer == nil && tm.text.Len() > 0 {
		tm.timer = time.AfterFunc(flushAfter, tm.flush)
	}
}

// transcribeTyped adds the technician's keys to the transcript, a line at a
// time, marked as typed: with the shell's echo off (stty -echo) they are not
// in the output. Keys typed while a program reads a secret (secret) are
// counted, not kept: a password has no place in the session's log, and the
// log still says that something was typed unseen.
func (tm *term) transcribeTyped(b []byte, secret bool) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	// Enter is a carriage return, which the stripper drops.
	keys := tm.inStrip.strip(bytes.ReplaceAll(b, []byte{'\r'}, []byte{'\n'}))
	for keys != "" {
		line, rest, ended := strings.Cut(keys, "\n")
		if secret {
			tm.typedSecret += utf8.RuneCountInString(line)
			line = ""
		}
		tm.typed.WriteString(line)
		keys = rest
		if ended || tm.typed.Len() >= logPiece {
			tm.typedLineLocked()
		}
	}
	if tm.text.Len() >= logPiece {
		tm.flushLocked()
		return
	}
	if tm.timer == nil && (tm.text.Len() > 0 || tm.typed.Len() > 0) {
		tm.timer = time.AfterFunc(flushAfter, tm.flush)
	}
}

// typedLineLocked moves the typed line to the transcript's text. tm.mu must
// be held.
func (tm *term) typedLineLocked() {
	if line := tm.typed.String(); strings.TrimSpace(line) != "" {
		tm.text.WriteString("\n" + i18n.T(i18n.EN, "agent.term.typed", line) + "\n")
	}
	if tm.typedSecret > 0 {
		tm.text.WriteString("\n" + i18n.T(i18n.EN, "agent.term.typedSecret", tm.typedSecret) + "\n")
	}
	tm.typed.Reset()
	tm.typedSecret = 0
}

func (tm *term) flush() {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.flushLocked()
}

// flushLocked writes the waiting transcript text to the running log, within
// the session's bound. tm.mu must be held.
func (tm *term) flushLocked() {
	if tm.timer != nil {
		tm.timer.Stop()
		tm.timer = nil
	}
	tm.typedLineLocked()
	text := tm.text.String()
	if strings.TrimSpace(text) == "" {
		// Kept for the next piece (the log refuses blank entries), up to
		// a piece: beyond, blank output (yes '') is dropped.
		if len(text) >= logPiece {
			tm.text.Reset()
		}
		return
	}
	tm.text.Reset()
	t := tm.t
	t.mu.Lock()
	write, room, cut := t.write, t.cfg.MaxTranscript-t.logged, t.cut
	if !cut && len(text) > room {
		text = cutUTF8(text, room)
		t.cut = true
	}
	t.logged += len(text)
	justCut := !cut && t.cut
	t.mu.Unlock()
	if justCut {
		// After the note below: a terminal does not run unrecorded.
		defer t.closeAll(ErrTranscriptFull)
	}
	if write == nil || cut {
		return
	}
	for text != "" {
		piece := cutUTF8(text, logPiece)
		text = text[len(piece):]
		if strings.TrimSpace(piece) == "" {
			continue
		}
		t.mu.Lock()
		t.seq++
		seq := t.seq
		t.mu.Unlock()
		write(protocol.LogAppend{ID: fmt.Sprintf("term-%s-%d", tm.id, seq), Kind: protocol.LogTerminal,
			Text: piece, At: time.Now().UnixMilli()})
	}
	t.mu.Lock()
	nowCut := t.cut
	t.mu.Unlock()
	if nowCut && !cut {
		write(protocol.LogAppend{ID: "term-" + tm.id + "-cut", Kind: protocol.LogTerminal,
			Text: i18n.T(i18n.EN, "agent.term.cut", t.cfg.MaxTranscript>>10), At: time.Now().UnixMilli()})
	}
}

// closeAll tells every open terminal's console why and closes it: the
// transcript is full, and a terminal does not run unrecorded.
func (t *Terminal) closeAll(why error) {
	t.mu.Lock()
	closing := make([]*term, 0, len(t.open))
	for _, tm := range t.open {
		closing = append(closing, tm)
	}
	t.changedLocked() // the customer's panel says the transcript is full
	t.mu.Unlock()
	for _, tm := range closing {
		t.log.Warn("closing terminal", "id", tm.id, "why", why)
		sendControl(tm.dc, protocol.TerminalControl{Type: "error", Text: why.Error()})
		tm.hangUp()
	}
}

// cutUTF8 returns the longest prefix of s of at most n bytes that ends on a
// character boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n < 0 {
		n = 0
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// sendControl sends a control message to the console, if it is there.
func sendControl(dc *webrtc.DataChannel, c protocol.TerminalControl) {
	b, _ := json.Marshal(c)
	_ = dc.SendText(string(b))
}
