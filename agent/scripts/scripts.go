// Package scripts runs the administrator's scripts on the customer's
// machine, one at a time, each over its own data channel ("script:<id>"),
// only while the customer allows commands (the terminal's grant, checked
// again on every request). The script and its attached files are written to
// a private temporary folder (0700, files 0600, names checked, nothing
// outside it), the interpreter runs the script file as its argument (never a
// command line), and the folder is removed when the script ends. Its output
// goes live to the console and to the session's log, up to Config.MaxOutput
// bytes per session; its exit code to the console, the log and the audit
// trail.
package scripts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// DefaultMaxOutput bounds the output the scripts of one session show and
// keep: 256 KiB. Beyond, the running script is stopped and no more run.
const DefaultMaxOutput = 256 << 10

const (
	// logPiece bounds the text of one log entry, in bytes.
	logPiece = 8 << 10
	// flushAfter is how long output waits for more before it goes to the
	// log (checked as output arrives; the rest goes when the script ends).
	flushAfter = time.Second
)

// Config configures Scripts.
type Config struct {
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// MaxOutput bounds the session's script output in bytes; 0 means
	// DefaultMaxOutput.
	MaxOutput int
	// TempDir is where each script's private folder is made; "" means the
	// system's temporary folder.
	TempDir string
}

// Scripts serves the script channels (a session.Feature, Auditor and
// LogWriter). Methods are safe for concurrent use.
type Scripts struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex // guards the fields below
	granted bool
	report  func(protocol.Audit)
	write   func(protocol.LogAppend)
	used    int  // output bytes shown this session
	full    bool // used reached MaxOutput
	running *run
	seq     int
}

// New returns the feature.
func New(cfg Config) *Scripts {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxOutput <= 0 {
		cfg.MaxOutput = DefaultMaxOutput
	}
	return &Scripts{cfg: cfg, log: cfg.Logger.With("component", "scripts")}
}

// Handles reports whether label names a script channel.
func (s *Scripts) Handles(label string) bool {
	_, ok := protocol.ScriptID(label)
	return ok
}

// SetAudit gives the feature the audit reporter.
func (s *Scripts) SetAudit(report func(protocol.Audit)) {
	s.mu.Lock()
	s.report = report
	s.mu.Unlock()
}

// SetLogWriter gives the feature the running log's writer.
func (s *Scripts) SetLogWriter(write func(protocol.LogAppend)) {
	s.mu.Lock()
	s.write = write
	s.mu.Unlock()
}

// SetGrants records whether the customer allows commands; taking the grant
// back stops the running script.
func (s *Scripts) SetGrants(p protocol.Permissions) {
	s.mu.Lock()
	s.granted = p.Terminal
	r := s.running
	s.mu.Unlock()
	if !p.Terminal && r != nil {
		r.stop(ErrGrantTaken)
	}
}

// endWait bounds how long the end of a session waits for a stopped script
// to be cleaned up (its folder removed).
const endWait = 5 * time.Second

// SessionEnded stops the running script (it runs in a process group of its
// own, which the agent's exit would not end) and waits for its folder to be
// removed.
func (s *Scripts) SessionEnded() {
	s.mu.Lock()
	r := s.running
	s.mu.Unlock()
	if r == nil {
		return
	}
	r.stop(ErrSessionEnded)
	select {
	case <-r.done:
	case <-time.After(endWait):
		s.log.Warn("script not cleaned up in time at the session's end", "name", r.req.Name, "dir", r.dir)
	}
}

// audit reports a, if there is a reporter.
func (s *Scripts) audit(a protocol.Audit) {
	s.mu.Lock()
	report := s.report
	s.mu.Unlock()
	if report != nil {
		if len(a.Detail) > protocol.MaxAuditDetail {
			a.Detail = cutUTF8(a.Detail, protocol.MaxAuditDetail)
		}
		report(a)
	}
}

// Attach takes a script channel the console opened: it gathers the run
// request and runs it on "run". Without the customer's grant the console is
// told why, the refusal audited and the channel closed.
func (s *Scripts) Attach(dc *webrtc.DataChannel) {
	id, _ := protocol.ScriptID(dc.Label())
	s.mu.Lock()
	granted := s.granted
	s.mu.Unlock()
	if !granted {
		s.refuse(dc, id, ErrNotGranted)
		return
	}
	ch := &channel{s: s, id: id, dc: dc}
	dc.OnMessage(func(m webrtc.DataChannelMessage) { ch.receive(m) })
	dc.OnClose(func() {
		if r := ch.current(); r != nil {
			r.stop(ErrStopped)
		}
	})
}

// refuse tells the console why, audits a refusal for want of the grant,
// and closes the channel.
func (s *Scripts) refuse(dc *webrtc.DataChannel, id string, why error) {
	if errors.Is(why, ErrNotGranted) {
		s.audit(protocol.Audit{Event: protocol.AuditRefused, Detail: "script " + id + " without the customer's grant"})
	}
	s.log.Info("script refused", "id", id, "why", why)
	send := func() {
		sendControl(dc, protocol.ScriptControl{Type: "error", Text: why.Error()})
		_ = dc.Close()
	}
	if dc.ReadyState() == webrtc.DataChannelStateOpen {
		send()
		return
	}
	dc.OnOpen(send)
}

// channel is one script channel: the request gathered so far and the run.
type channel struct {
	s  *Scripts
	id string
	dc *webrtc.DataChannel

	mu  sync.Mutex // guards the fields below
	req bytes.Buffer
	bad bool
	r   *run
}

func (ch *channel) current() *run {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.r
}

// receive handles one message: a piece of the request (binary) or a
// control (text). It runs on the channel's read loop: it never blocks.
func (ch *channel) receive(m webrtc.DataChannelMessage) {
	s := ch.s
	if !m.IsString {
		ch.mu.Lock()
		if ch.req.Len()+len(m.Data) > protocol.MaxScriptRequest {
			ch.bad = true
			ch.req.Reset()
		} else if !ch.bad {
			ch.req.Write(m.Data)
		}
		ch.mu.Unlock()
		return
	}
	c, err := protocol.DecodeScriptControl(m.Data)
	if err != nil {
		s.audit(protocol.Audit{Event: protocol.AuditRefused, Detail: "script " + ch.id + ": " + err.Error()})
		sendControl(ch.dc, protocol.ScriptControl{Type: "error", Text: err.Error()})
		return
	}
	if c.Type == "stop" {
		if r := ch.current(); r != nil {
			r.stop(ErrStopped)
		}
		return
	}
	ch.mu.Lock()
	data, bad, started := ch.req.Bytes(), ch.bad, ch.r != nil
	ch.req = bytes.Buffer{}
	ch.mu.Unlock()
	if started {
		return // one run per channel
	}
	if bad {
		s.refuse(ch.dc, ch.id, fmt.Errorf("%w: request over %d bytes", protocol.ErrBadScript, protocol.MaxScriptRequest))
		return
	}
	req, err := protocol.DecodeScriptRun(data)
	if err != nil {
		s.audit(protocol.Audit{Event: protocol.AuditRefused, Detail: "script " + ch.id + ": " + err.Error()})
		s.refuse(ch.dc, ch.id, err)
		return
	}
	r, err := s.start(ch, req)
	if err != nil {
		s.refuse(ch.dc, ch.id, err)
		return
	}
	ch.mu.Lock()
	ch.r = r
	ch.mu.Unlock()
	go r.wait()
}

// run is one script running.
type run struct {
	s    *Scripts
	ch   *channel
	req  protocol.ScriptRun
	dir  string
	cmd  *exec.Cmd
	tree *tree // cmd and what it starts
	out  *os.File
	once sync.Once
	why  error // why it was stopped, set once
	text strings.Builder
	// flushed is when the output last went to the log.
	flushed time.Time
	done    chan struct{} // closed once it ended and its folder is removed
}

// start checks the grant (again: it may have gone since the channel
// opened), the bound and that no script runs, then prepares the script's
// folder and starts the interpreter.
func (s *Scripts) start(ch *channel, req protocol.ScriptRun) (*run, error) {
	s.mu.Lock()
	switch {
	case !s.granted:
		s.mu.Unlock()
		return nil, ErrNotGranted
	case s.full:
		s.mu.Unlock()
		return nil, ErrOutputFull
	case s.running != nil:
		s.mu.Unlock()
		return nil, ErrBusy
	}
	// Started under the lock: one at a time, and a grant taken back
	// meanwhile finds it running, to stop.
	r := &run{s: s, ch: ch, req: req, done: make(chan struct{}), flushed: time.Now()}
	if err := r.begin(); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	s.running = r
	s.mu.Unlock()
	names := make([]string, len(req.Files))
	for i, f := range req.Files {
		names[i] = f.Name
	}
	detail := fmt.Sprintf("script %q (%s)", req.Name, req.Lang)
	if len(names) > 0 {
		detail += " with " + strings.Join(names, ", ")
	}
	s.audit(protocol.Audit{Event: protocol.AuditScriptRun, Detail: detail})
	s.log.Info("script started", "id", ch.id, "name", req.Name, "lang", req.Lang, "files", len(req.Files))
	return r, nil
}

// begin prepares the script's folder and starts the interpreter on it, its
// output and errors on one pipe.
func (r *run) begin() error {
	args, file, err := interpreter(r.req.Lang)
	if err != nil {
		return err
	}
	dir, script, err := prepare(r.s.cfg.TempDir, file, r.req)
	if err != nil {
		return err
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	cmd := exec.Command(args[0], append(args[1:], script)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LIFELINE_SCRIPT=1")
	cmd.Stdout, cmd.Stderr = pw, pw
	t, err := newTree(cmd)
	if err == nil {
		if err = cmd.Start(); err == nil {
			if err = t.started(); err != nil {
				_ = cmd.Wait()
			}
		}
		if err != nil {
			t.close()
		}
	}
	_ = pw.Close()
	if err != nil {
		_ = pr.Close()
		_ = os.RemoveAll(dir)
		return fmt.Errorf("the script did not start: %v", err)
	}
	r.dir, r.cmd, r.tree, r.out = dir, cmd, t, pr
	return nil
}

// prepare makes the script's private folder under base and writes the
// script (as file) and its attachments into it, nothing outside it.
func prepare(base, file string, req protocol.ScriptRun) (dir, script string, err error) {
	if err := req.Check(); err != nil {
		return "", "", err
	}
	made, err := os.MkdirTemp(base, "lifeline-script-")
	if err != nil {
		return "", "", err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(made)
		}
	}()
	dir = made
	if err = os.Chmod(dir, 0o700); err != nil {
		return "", "", err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", "", err
	}
	defer root.Close()
	put := func(name string, data []byte) error {
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			_ = f.Close()
			return err
		}
		return f.Close()
	}
	if err = put(file, []byte(req.Text)); err != nil {
		return "", "", err
	}
	for _, f := range req.Files {
		if err = put(f.Name, f.Data); err != nil {
			return "", "", fmt.Errorf("%w: file %q: %v", protocol.ErrBadScript, f.Name, err)
		}
	}
	return dir, filepath.Join(dir, file), nil
}

// stop ends the script and what it started, saying why.
func (r *run) stop(why error) {
	r.once.Do(func() {
		r.why = why
		r.tree.kill()
	})
}

// wait sends the script's output to the console and the log until it ends,
// then its exit code; ends what it left running and removes its folder.
func (r *run) wait() {
	s := r.s
	done := make(chan struct{})
	go func() {
		_ = r.cmd.Wait()
		// What the script left running ends with it, and its output too.
		r.tree.kill()
		close(done)
	}()
	buf := make([]byte, 16<<10)
	for {
		n, err := r.out.Read(buf)
		if n > 0 {
			r.output(buf[:n])
		}
		if err != nil {
			break
		}
	}
	<-done
	_ = r.out.Close()
	if err := os.RemoveAll(r.dir); err != nil {
		s.log.Warn("script folder not removed", "dir", r.dir, "err", err)
	}
	r.flush()
	code := r.cmd.ProcessState.ExitCode()
	var why error
	r.once.Do(func() {}) // no stop after this
	r.tree.close()
	why = r.why
	var line string
	if why != nil {
		line = i18n.T(i18n.EN, "agent.script.stopped", r.req.Name, why.Error())
	} else {
		line = i18n.T(i18n.EN, "agent.script.exit", r.req.Name, code)
	}
	r.logLine(line)
	s.audit(protocol.Audit{Event: protocol.AuditScriptEnded, Detail: line})
	s.log.Info("script ended", "id", r.ch.id, "name", r.req.Name, "code", code, "why", why)
	s.mu.Lock()
	s.running = nil
	s.mu.Unlock()
	close(r.done)
	if why != nil {
		sendControl(r.ch.dc, protocol.ScriptControl{Type: "error", Code: code, Text: why.Error()})
	} else {
		sendControl(r.ch.dc, protocol.ScriptControl{Type: "exit", Code: code})
	}
	_ = r.ch.dc.Close()
}

// output shows and keeps b within the session's bound; at the bound the
// script is stopped.
func (r *run) output(b []byte) {
	s := r.s
	s.mu.Lock()
	room := s.cfg.MaxOutput - s.used
	over := len(b) > room
	if over {
		b = b[:max(room, 0)]
		s.full = true
	}
	s.used += len(b)
	s.mu.Unlock()
	if len(b) > 0 {
		_ = r.ch.dc.Send(b)
		r.text.WriteString(strings.ToValidUTF8(string(b), "\uFFFD"))
		if r.text.Len() >= logPiece || time.Since(r.flushed) >= flushAfter {
			r.flush()
		}
	}
	if over {
		r.flush()
		r.logLine(i18n.T(i18n.EN, "agent.script.cut", s.cfg.MaxOutput>>10))
		r.stop(ErrOutputFull)
	}
}

// flush writes the output kept so far to the session's log.
func (r *run) flush() {
	r.flushed = time.Now()
	text := r.text.String()
	r.text.Reset()
	for text != "" {
		piece := cutUTF8(text, logPiece)
		text = text[len(piece):]
		if strings.TrimSpace(piece) != "" {
			r.logLine(i18n.T(i18n.EN, "agent.script.output", r.req.Name, piece))
		}
	}
}

// logLine writes one entry to the session's log.
func (r *run) logLine(text string) {
	s := r.s
	s.mu.Lock()
	write := s.write
	s.seq++
	seq := s.seq
	s.mu.Unlock()
	if write != nil {
		write(protocol.LogAppend{ID: fmt.Sprintf("script-%s-%d", r.ch.id, seq), Kind: protocol.LogTerminal,
			Text: text, At: time.Now().UnixMilli()})
	}
}

// cutUTF8 returns the longest prefix of s of at most n bytes that ends on a
// character boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// sendControl sends a control message to the console, if it is there.
func sendControl(dc *webrtc.DataChannel, c protocol.ScriptControl) {
	b, _ := json.Marshal(c)
	_ = dc.SendText(string(b))
}
