package terminal

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

const hangGuard = 15 * time.Second

func newAPI() *webrtc.API {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// rig is a real pion connection between a "console" and the feature, with
// the audit reports and the transcript the feature wrote.
type rig struct {
	t       *testing.T
	feature *Terminal
	browser *webrtc.PeerConnection

	mu     sync.Mutex
	audits []protocol.Audit
	log    []protocol.LogAppend
}

func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	if cfg.Shell == "" {
		cfg.Shell = "/bin/sh"
	}
	r := &rig{t: t, feature: New(cfg)}
	r.feature.SetAudit(func(a protocol.Audit) { r.mu.Lock(); r.audits = append(r.audits, a); r.mu.Unlock() })
	r.feature.SetLogWriter(func(a protocol.LogAppend) { r.mu.Lock(); r.log = append(r.log, a); r.mu.Unlock() })
	browser, err := newAPI().NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := newAPI().NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = browser.Close(); _ = agent.Close() })
	agent.OnDataChannel(func(dc *webrtc.DataChannel) {
		if r.feature.Handles(dc.Label()) {
			r.feature.Attach(dc)
		}
	})
	// A first channel so that the offer carries SCTP; terminals open later
	// in-band, as the console's do.
	first, err := browser.CreateDataChannel("chat", nil)
	if err != nil {
		t.Fatal(err)
	}
	opened := make(chan struct{})
	first.OnOpen(func() { close(opened) })
	offer, _ := browser.CreateOffer(nil)
	gather := webrtc.GatheringCompletePromise(browser)
	_ = browser.SetLocalDescription(offer)
	<-gather
	_ = agent.SetRemoteDescription(*browser.LocalDescription())
	answer, _ := agent.CreateAnswer(nil)
	gather = webrtc.GatheringCompletePromise(agent)
	_ = agent.SetLocalDescription(answer)
	<-gather
	if err := browser.SetRemoteDescription(*agent.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-opened:
	case <-time.After(hangGuard):
		t.Fatal("connection did not open")
	}
	r.browser = browser
	return r
}

// console is the console's side of one terminal.
type console struct {
	t      *testing.T
	dc     *webrtc.DataChannel
	mu     sync.Mutex
	screen strings.Builder
	ctl    []protocol.TerminalControl
	closed chan struct{}
	change chan struct{}
}

func (r *rig) open(id string) *console {
	r.t.Helper()
	dc, err := r.browser.CreateDataChannel(protocol.ChannelTerminalPrefix+id, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	c := &console{t: r.t, dc: dc, closed: make(chan struct{}), change: make(chan struct{}, 1)}
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		c.mu.Lock()
		if m.IsString {
			var ctl protocol.TerminalControl
			_ = json.Unmarshal(m.Data, &ctl)
			c.ctl = append(c.ctl, ctl)
		} else {
			c.screen.Write(m.Data)
		}
		c.mu.Unlock()
		c.poke()
	})
	dc.OnClose(func() { close(c.closed); c.poke() })
	return c
}

func (c *console) poke() {
	select {
	case c.change <- struct{}{}:
	default:
	}
}

// waitFor waits until cond holds on what the console received.
func (c *console) waitFor(what string, cond func(screen string, ctl []protocol.TerminalControl) bool) {
	c.t.Helper()
	deadline := time.After(hangGuard)
	for {
		c.mu.Lock()
		ok := cond(c.screen.String(), c.ctl)
		screen := c.screen.String()
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-c.change:
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			c.t.Fatalf("waiting for %s; the terminal shows %q", what, screen)
		}
	}
}

func (c *console) waitOpen() {
	c.t.Helper()
	deadline := time.Now().Add(hangGuard)
	for c.dc.ReadyState() != webrtc.DataChannelStateOpen {
		if time.Now().After(deadline) {
			c.t.Fatal("terminal channel did not open")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (c *console) keys(s string) {
	c.t.Helper()
	c.waitOpen()
	if err := c.dc.Send([]byte(s)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *console) control(v any) {
	c.t.Helper()
	c.waitOpen()
	b, _ := json.Marshal(v)
	if err := c.dc.SendText(string(b)); err != nil {
		c.t.Fatal(err)
	}
}

func hasCtl(ctl []protocol.TerminalControl, typ string) *protocol.TerminalControl {
	for i := range ctl {
		if ctl[i].Type == typ {
			return &ctl[i]
		}
	}
	return nil
}

func (r *rig) transcript() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, a := range r.log {
		if a.Kind != protocol.LogTerminal {
			r.t.Errorf("transcript entry of kind %q", a.Kind)
		}
		b.WriteString(a.Text)
	}
	return b.String()
}

func (r *rig) audited(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.audits {
		if strings.Contains(a.Detail, s) {
			return true
		}
	}
	return false
}

// A granted terminal runs a command, and its output (not only the typed
// command's echo) reaches the console and, escape sequences stripped, the
// transcript; exit ends it with its code.
func TestTerminalRunsCommandsAndKeepsTranscript(t *testing.T) {
	r := newRig(t, Config{})
	r.feature.SetGrants(protocol.Permissions{Terminal: true})
	c := r.open("a")
	c.keys("printf '\\033[31mred\\033[0m %s\\n' lifeline-$((6*7))\n")
	c.waitFor("the command's output", func(s string, _ []protocol.TerminalControl) bool { return strings.Contains(s, "lifeline-42") })
	c.keys("exit 3\n")
	c.waitFor("the shell's exit", func(_ string, ctl []protocol.TerminalControl) bool { return hasCtl(ctl, "exit") != nil })
	c.mu.Lock()
	e := hasCtl(c.ctl, "exit")
	c.mu.Unlock()
	if e.Code != 3 {
		t.Errorf("exit code %d, want 3", e.Code)
	}
	<-c.closed
	tr := r.transcript()
	if !strings.Contains(tr, "red lifeline-42") || strings.Contains(tr, "\x1b") {
		t.Errorf("transcript %q: want the output, without escape sequences", tr)
	}
	if !r.audited("terminal a (/bin/sh)") {
		t.Errorf("the terminal's opening was not audited: %+v", r.audits)
	}
	if n := r.feature.Open(); n != 0 {
		t.Errorf("%d terminals open after exit", n)
	}
}

// Ctrl+C interrupts the running command, and the shell goes on.
func TestTerminalCtrlCInterrupts(t *testing.T) {
	r := newRig(t, Config{})
	r.feature.SetGrants(protocol.Permissions{Terminal: true})
	c := r.open("b")
	// cat in the foreground: it proves it runs by sending a line back.
	c.keys("cat; echo cat-ended-$((2+3))\n")
	c.waitFor("the shell's echo of the command", func(s string, _ []protocol.TerminalControl) bool { return strings.Contains(s, "cat-ended") })
	c.keys("lifeline-ping\n")
	c.waitFor("cat running", func(s string, _ []protocol.TerminalControl) bool { return strings.Count(s, "lifeline-ping") >= 2 })
	c.keys("\x03")
	c.waitFor("the interrupt", func(s string, _ []protocol.TerminalControl) bool { return strings.Contains(s, "^C") })
	// The shell handles the interrupt in its own time: keys typed before it
	// is back at its prompt may be dropped, as in any terminal, so the
	// command is typed again until it runs.
	back := func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return strings.Contains(c.screen.String(), "after-2\r\n")
	}
	deadline := time.Now().Add(hangGuard)
	for !back() {
		if time.Now().After(deadline) {
			t.Fatalf("the shell never came back after Ctrl+C: %q", c.screen.String())
		}
		c.keys("echo after-$((1+1))\n")
		again := time.After(time.Second)
	wait:
		for !back() {
			select {
			case <-c.change:
			case <-again:
				break wait
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if strings.Contains(c.screen.String(), "cat-ended-5") {
		t.Error("the interrupted command went on")
	}
}

// A resize the console sends is applied; an absurd one is refused, said to
// the console and audited, and the terminal goes on.
func TestTerminalAbsurdResizeRefused(t *testing.T) {
	r := newRig(t, Config{})
	r.feature.SetGrants(protocol.Permissions{Terminal: true})
	c := r.open("c")
	c.control(protocol.TerminalControl{Type: "resize", Cols: 100000, Rows: 5})
	c.control(protocol.TerminalControl{Type: "resize", Cols: 0, Rows: 5})
	c.waitFor("the refusals", func(_ string, ctl []protocol.TerminalControl) bool {
		n := 0
		for _, x := range ctl {
			if x.Type == "error" {
				n++
			}
		}
		return n == 2
	})
	if !r.audited("terminal c: terminal: bad control message: size 100000×5") {
		t.Errorf("the absurd resize was not audited: %+v", r.audits)
	}
	c.control(protocol.TerminalControl{Type: "resize", Cols: 123, Rows: 45})
	c.keys("stty size\n")
	c.waitFor("the new size", func(s string, _ []protocol.TerminalControl) bool { return strings.Contains(s, "45 123") })
}

// Without the customer's grant no shell starts: the console is told why and
// the channel closes, and the attempt is audited.
func TestTerminalWithoutGrantRefused(t *testing.T) {
	r := newRig(t, Config{})
	c := r.open("d")
	c.waitFor("the refusal", func(_ string, ctl []protocol.TerminalControl) bool { return hasCtl(ctl, "error") != nil })
	select {
	case <-c.closed:
	case <-time.After(hangGuard):
		t.Fatal("the refused channel stayed open")
	}
	c.mu.Lock()
	e := hasCtl(c.ctl, "error")
	c.mu.Unlock()
	if !strings.Contains(e.Text, "not allowed") {
		t.Errorf("refusal %q", e.Text)
	}
	if !r.audited("terminal d without the customer's grant") {
		t.Errorf("not audited: %+v", r.audits)
	}
	if n := r.feature.Open(); n != 0 {
		t.Errorf("%d terminals open", n)
	}
}

// Several terminals run at once; the customer taking the grant back closes
// them all, even one busy with a command.
func TestTerminalGrantTakenBackClosesAll(t *testing.T) {
	r := newRig(t, Config{})
	r.feature.SetGrants(protocol.Permissions{Terminal: true})
	a, b := r.open("e1"), r.open("e2")
	a.keys("echo one-$((0+1))\n")
	b.keys("echo two-$((1+1)); sleep 60\n")
	a.waitFor("the first terminal", func(s string, _ []protocol.TerminalControl) bool { return strings.Contains(s, "one-1") })
	b.waitFor("the second terminal", func(s string, _ []protocol.TerminalControl) bool { return strings.Contains(s, "two-2") })
	if n := r.feature.Open(); n != 2 {
		t.Fatalf("%d terminals open, want 2", n)
	}
	r.feature.SetGrants(protocol.Permissions{})
	for _, c := range []*console{a, b} {
		select {
		case <-c.closed:
		case <-time.After(hangGuard):
			t.Fatal("a terminal stayed open after the grant was taken back")
		}
	}
	deadline := time.Now().Add(hangGuard)
	for r.feature.Open() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d terminals still open", r.feature.Open())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The transcript stops at its bound, and says so once.
func TestTerminalTranscriptBounded(t *testing.T) {
	r := newRig(t, Config{MaxTranscript: 2 << 10})
	r.feature.SetGrants(protocol.Permissions{Terminal: true})
	c := r.open("f")
	c.keys("seq 1 5000; exit\n")
	c.waitFor("the shell's exit", func(_ string, ctl []protocol.TerminalControl) bool { return hasCtl(ctl, "exit") != nil })
	<-c.closed
	r.mu.Lock()
	n, cuts, size := len(r.log), 0, 0
	for _, a := range r.log {
		if strings.Contains(a.Text, "is not kept") {
			cuts++
		} else {
			size += len(a.Text)
		}
	}
	r.mu.Unlock()
	if cuts != 1 || size > 2<<10 || n < 2 {
		t.Errorf("%d entries, %d bytes of transcript and %d cut notes; want at most 2 KiB and one note", n, size, cuts)
	}
}

// TestTerminalWhitespaceOutputBounded: output made only of whitespace (yes
// ”) does not pile up waiting for a piece with text in it.
func TestTerminalWhitespaceOutputBounded(t *testing.T) {
	tm := &term{t: New(Config{}), id: "w"}
	blank := []byte(strings.Repeat("\n", 32<<10))
	for i := 0; i < 64; i++ { // 2 MiB
		tm.transcribe(blank)
		tm.mu.Lock()
		n := tm.text.Len()
		tm.mu.Unlock()
		if n > logPiece {
			t.Fatalf("after %d KiB of blank output %d bytes wait, want at most %d", (i+1)*32, n, logPiece)
		}
	}
	tm.flush()
}

// TestTerminalRecordsTypedInput: what the technician types is kept in the
// transcript, marked as typed, even with the shell's echo off.
func TestTerminalRecordsTypedInput(t *testing.T) {
	r := newRig(t, Config{})
	r.feature.SetGrants(protocol.Permissions{Terminal: true})
	c := r.open("t")
	c.keys("stty -echo; printf 'ec%sff\\n' ho-o\n")
	c.waitFor("the echo off", func(s string, _ []protocol.TerminalControl) bool { return strings.Contains(s, "echo-off") })
	c.keys("echo hidden-$((6*7))\n")
	c.waitFor("the command's output", func(s string, _ []protocol.TerminalControl) bool { return strings.Contains(s, "hidden-42") })
	c.mu.Lock()
	echoed := strings.Contains(c.screen.String(), "$((6*7))")
	c.mu.Unlock()
	if echoed {
		t.Fatal("the shell echoed the command: the test shows nothing")
	}
	c.keys("exit\n")
	c.waitFor("the shell's exit", func(_ string, ctl []protocol.TerminalControl) bool { return hasCtl(ctl, "exit") != nil })
	<-c.closed
	tr := r.transcript()
	// This shell (sh, no line editor) reads with echo off as a password
	// prompt does: the log says that 20 characters were typed unseen (a
	// shell with a line editor, bash, has the command itself kept).
	if !strings.Contains(tr, i18n.T(i18n.EN, "agent.term.typedSecret", len("echo hidden-$((6*7))"))) {
		t.Errorf("transcript %q: the command typed unseen is not said", tr)
	}
}

// TestTerminalKeepsNoPassword: what the technician types while a program
// reads a secret (echo off, line input: as sudo and read -s read a
// password) is counted in the transcript, not kept; the command before it
// is kept.
func TestTerminalKeepsNoPassword(t *testing.T) {
	r := newRig(t, Config{})
	r.feature.SetGrants(protocol.Permissions{Terminal: true})
	c := r.open("p")
	c.keys("stty -echo; printf 'Pa''ss: '; read pw; stty echo; echo got-${#pw}\n")
	c.waitFor("the prompt", func(s string, _ []protocol.TerminalControl) bool { return strings.Contains(s, "Pass: ") })
	c.keys("hunter2-secret\n")
	c.waitFor("the secret read", func(s string, _ []protocol.TerminalControl) bool { return strings.Contains(s, "got-14") })
	c.keys("exit\n")
	c.waitFor("the shell's exit", func(_ string, ctl []protocol.TerminalControl) bool { return hasCtl(ctl, "exit") != nil })
	<-c.closed
	tr := r.transcript()
	if strings.Contains(tr, "hunter2") {
		t.Fatalf("transcript %q keeps the password", tr)
	}
	if !strings.Contains(tr, i18n.T(i18n.EN, "agent.term.typedSecret", 14)) {
		t.Errorf("transcript %q does not say a secret was typed", tr)
	}
	if !strings.Contains(tr, i18n.T(i18n.EN, "agent.term.typed", "stty -echo; printf 'Pa''ss: '; read pw; stty echo; echo got-${#pw}")) {
		t.Errorf("transcript %q: the command is not kept", tr)
	}
}

// TestTerminalClosedWhenTranscriptFull: once the session's transcript is
// full the technician's terminals close and new ones are refused, with a
// clear message, rather than run unrecorded; the customer's panel says so.
func TestTerminalClosedWhenTranscriptFull(t *testing.T) {
	r := newRig(t, Config{MaxTranscript: 2 << 10})
	r.feature.SetGrants(protocol.Permissions{Terminal: true})
	c := r.open("g")
	c.keys("seq 1 5000; sleep 600\n")
	c.waitFor("the terminal closed", func(_ string, ctl []protocol.TerminalControl) bool { return hasCtl(ctl, "exit") != nil })
	<-c.closed
	d := r.open("h")
	d.waitFor("the refusal", func(_ string, ctl []protocol.TerminalControl) bool {
		e := hasCtl(ctl, "error")
		return e != nil && e.Text == ErrTranscriptFull.Error()
	})
	<-d.closed
	if n := r.feature.Open(); n != 0 {
		t.Errorf("%d terminals open with the transcript full", n)
	}
	if s := r.feature.panel(i18n.EN); !s.Full || !strings.Contains(s.Text, "2 KiB") {
		t.Errorf("the customer's panel shows %+v, want the transcript full", s)
	}
}

// TestTerminalPanelSaysItCanSeeTheScreen: while terminals are open, the
// customer's panel reminds them that what runs there can capture the whole
// screen, private windows too, in English and in French.
func TestTerminalPanelSaysItCanSeeTheScreen(t *testing.T) {
	tm := New(Config{Shell: "/bin/sh"})
	for lang, want := range map[i18n.Lang][]string{
		i18n.EN: {"capture your whole screen", "private windows too"},
		i18n.FR: {"capturer tout votre écran", "fenêtres privées comprises"},
	} {
		s := tm.panel(lang)
		for _, w := range want {
			if !strings.Contains(s.Text, w) {
				t.Errorf("%s panel %q lacks %q", lang, s.Text, w)
			}
		}
	}
}
