package scripts

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

const hangGuard = 20 * time.Second

func newAPI() *webrtc.API {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithSettingEngine(se))
}

// rig is a real pion connection between a "console" and the feature, with
// the audit reports and the log entries the feature wrote.
type rig struct {
	t       testing.TB
	feature *Scripts
	browser *webrtc.PeerConnection

	mu     sync.Mutex
	audits []protocol.Audit
	log    []protocol.LogAppend
}

func newRig(t testing.TB, cfg Config) *rig {
	t.Helper()
	if cfg.TempDir == "" {
		cfg.TempDir = t.TempDir()
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

// result is what the console saw of one run.
type result struct {
	output string
	ctl    []protocol.ScriptControl
}

// runScript opens a script channel, sends req (in pieces, as the console
// does) and "run", and waits for the channel to close.
func (r *rig) runScript(id string, req protocol.ScriptRun, during func(dc *webrtc.DataChannel)) result {
	r.t.Helper()
	dc, err := r.browser.CreateDataChannel(protocol.ChannelScriptPrefix+id, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	var mu sync.Mutex
	var res result
	closed := make(chan struct{})
	gotOutput := make(chan struct{}, 1)
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		mu.Lock()
		defer mu.Unlock()
		if m.IsString {
			var c protocol.ScriptControl
			_ = json.Unmarshal(m.Data, &c)
			res.ctl = append(res.ctl, c)
			return
		}
		res.output += string(m.Data)
		select {
		case gotOutput <- struct{}{}:
		default:
		}
	})
	dc.OnClose(func() { close(closed) })
	dc.OnOpen(func() {
		b, _ := json.Marshal(req)
		for len(b) > 0 {
			n := min(len(b), 16<<10)
			_ = dc.Send(b[:n])
			b = b[n:]
		}
		_ = dc.SendText(`{"type":"run"}`)
		if during != nil {
			go func() {
				select {
				case <-gotOutput:
					during(dc)
				case <-closed:
				}
			}()
		}
	})
	select {
	case <-closed:
	case <-time.After(hangGuard):
		r.t.Fatal("the script's channel did not close")
	}
	mu.Lock()
	defer mu.Unlock()
	return res
}

func (r *rig) logText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.log {
		b.WriteString(e.Text + "\n")
	}
	return b.String()
}

func (r *rig) audited(ev protocol.AuditEvent) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, a := range r.audits {
		if a.Event == ev {
			out = append(out, a.Detail)
		}
	}
	return out
}

func grant(on bool) protocol.Permissions { return protocol.Permissions{View: true, Terminal: on} }

// leftovers lists what is left in dir.
func leftovers(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestScriptRunsWithAttachmentAndIsRemoved(t *testing.T) {
	tmp := t.TempDir()
	r := newRig(t, Config{TempDir: tmp})
	r.feature.SetGrants(grant(true))
	res := r.runScript("s1", protocol.ScriptRun{Name: "check disk", Lang: protocol.ScriptSh,
		Text:  "cat 'notes with space.txt'\nstat -c %a . \"$0\"\necho done >&2\nexit 3\n",
		Files: []protocol.ScriptFile{{Name: "notes with space.txt", Data: []byte("attached-hello\n")}}}, nil)
	for _, want := range []string{"attached-hello", "700\n600", "done"} {
		if !strings.Contains(res.output, want) {
			t.Errorf("output %q lacks %q", res.output, want)
		}
	}
	if len(res.ctl) != 1 || res.ctl[0].Type != "exit" || res.ctl[0].Code != 3 {
		t.Fatalf("controls %+v, want exit 3", res.ctl)
	}
	if left := leftovers(t, tmp); len(left) != 0 {
		t.Errorf("the script's folder is left behind: %v", left)
	}
	logged := r.logText()
	if !strings.Contains(logged, "attached-hello") || !strings.Contains(logged, `"check disk" ended with exit code 3`) {
		t.Errorf("log %q lacks the output or the exit code", logged)
	}
	if got := r.audited(protocol.AuditScriptRun); len(got) != 1 || !strings.Contains(got[0], "notes with space.txt") {
		t.Errorf("script.run audits %q", got)
	}
	if got := r.audited(protocol.AuditScriptEnded); len(got) != 1 || !strings.Contains(got[0], "exit code 3") {
		t.Errorf("script.ended audits %q", got)
	}
}

func TestScriptRefusedWithoutGrant(t *testing.T) {
	tmp := t.TempDir()
	r := newRig(t, Config{TempDir: tmp})
	res := r.runScript("s1", protocol.ScriptRun{Name: "x", Lang: protocol.ScriptSh, Text: "touch /tmp/should-not\n"}, nil)
	if len(res.ctl) != 1 || res.ctl[0].Type != "error" || res.ctl[0].Text != ErrNotGranted.Error() {
		t.Fatalf("controls %+v, want the refusal", res.ctl)
	}
	if got := r.audited(protocol.AuditRefused); len(got) != 1 {
		t.Errorf("refusals audited: %q", got)
	}
	if left := leftovers(t, tmp); len(left) != 0 {
		t.Errorf("a refused script left %v", left)
	}
}

func TestScriptStoppedWhenGrantTakenBack(t *testing.T) {
	tmp := t.TempDir()
	r := newRig(t, Config{TempDir: tmp})
	r.feature.SetGrants(grant(true))
	res := r.runScript("s1", protocol.ScriptRun{Name: "long", Lang: protocol.ScriptSh, Text: "echo started\nsleep 600\n"},
		func(*webrtc.DataChannel) { r.feature.SetGrants(grant(false)) })
	if len(res.ctl) != 1 || res.ctl[0].Type != "error" || res.ctl[0].Text != ErrGrantTaken.Error() {
		t.Fatalf("controls %+v, want the grant taken back", res.ctl)
	}
	if left := leftovers(t, tmp); len(left) != 0 {
		t.Errorf("the script's folder is left behind: %v", left)
	}
}

func TestScriptStoppedWhenSessionEnds(t *testing.T) {
	tmp := t.TempDir()
	r := newRig(t, Config{TempDir: tmp})
	r.feature.SetGrants(grant(true))
	res := r.runScript("s1", protocol.ScriptRun{Name: "long", Lang: protocol.ScriptSh, Text: "echo started\nsleep 600\n"},
		func(*webrtc.DataChannel) { r.feature.SessionEnded() })
	if len(res.ctl) != 1 || res.ctl[0].Text != ErrSessionEnded.Error() {
		t.Fatalf("controls %+v, want the session ended", res.ctl)
	}
	if left := leftovers(t, tmp); len(left) != 0 {
		t.Errorf("the script's folder is left behind: %v", left)
	}
}

func TestScriptStop(t *testing.T) {
	r := newRig(t, Config{})
	r.feature.SetGrants(grant(true))
	res := r.runScript("s1", protocol.ScriptRun{Name: "long", Lang: protocol.ScriptBash, Text: "echo started\nsleep 600 & wait\n"},
		func(dc *webrtc.DataChannel) { _ = dc.SendText(`{"type":"stop"}`) })
	if len(res.ctl) != 1 || res.ctl[0].Type != "error" || res.ctl[0].Text != ErrStopped.Error() {
		t.Fatalf("controls %+v, want stopped", res.ctl)
	}
	if !strings.Contains(r.logText(), "stopped by the technician") {
		t.Errorf("log %q does not say the script was stopped", r.logText())
	}
}

func TestScriptOutputCappedPerSession(t *testing.T) {
	r := newRig(t, Config{MaxOutput: 4096})
	r.feature.SetGrants(grant(true))
	res := r.runScript("s1", protocol.ScriptRun{Name: "loud", Lang: protocol.ScriptSh, Text: "while :; do echo 0123456789abcdef; done\n"}, nil)
	if len(res.output) != 4096 {
		t.Errorf("console got %d bytes, want the 4096 of the bound", len(res.output))
	}
	if len(res.ctl) != 1 || res.ctl[0].Text != ErrOutputFull.Error() {
		t.Fatalf("controls %+v, want output full", res.ctl)
	}
	if !strings.Contains(r.logText(), "reached 4 KiB") {
		t.Errorf("log does not state the bound: %q", r.logText())
	}
	res = r.runScript("s2", protocol.ScriptRun{Name: "next", Lang: protocol.ScriptSh, Text: "echo hi\n"}, nil)
	if len(res.ctl) != 1 || res.ctl[0].Text != ErrOutputFull.Error() {
		t.Fatalf("a script after the bound: controls %+v, want refused", res.ctl)
	}
}

func TestScriptOneAtATime(t *testing.T) {
	r := newRig(t, Config{})
	r.feature.SetGrants(grant(true))
	var second result
	first := r.runScript("s1", protocol.ScriptRun{Name: "long", Lang: protocol.ScriptSh, Text: "echo started\nsleep 600\n"},
		func(dc *webrtc.DataChannel) {
			second = r.runScript("s2", protocol.ScriptRun{Name: "next", Lang: protocol.ScriptSh, Text: "echo hi\n"}, nil)
			_ = dc.SendText(`{"type":"stop"}`)
		})
	if len(second.ctl) != 1 || second.ctl[0].Text != ErrBusy.Error() {
		t.Errorf("a second script while one runs: %+v, want busy", second.ctl)
	}
	if len(first.ctl) != 1 || first.ctl[0].Text != ErrStopped.Error() {
		t.Errorf("the first script: %+v, want stopped", first.ctl)
	}
}

func TestScriptRequestOverBoundRefused(t *testing.T) {
	tmp := t.TempDir()
	r := newRig(t, Config{TempDir: tmp})
	r.feature.SetGrants(grant(true))
	big := protocol.ScriptRun{Name: "big", Lang: protocol.ScriptSh, Text: "true\n",
		Files: []protocol.ScriptFile{{Name: "a", Data: make([]byte, protocol.MaxScriptRequest)}}}
	res := r.runScript("s1", big, nil)
	if len(res.ctl) != 1 || res.ctl[0].Type != "error" || !strings.Contains(res.ctl[0].Text, "over") {
		t.Fatalf("controls %+v, want the request refused as too large", res.ctl)
	}
	if left := leftovers(t, tmp); len(left) != 0 {
		t.Errorf("a refused request left %v", left)
	}
}

func TestPrepareKeepsFilesInsideItsFolder(t *testing.T) {
	base := t.TempDir()
	ok := protocol.ScriptRun{Name: "n", Lang: protocol.ScriptSh, Text: "true\n"}
	for _, tt := range []struct {
		name string
		file string
	}{
		{"parent", "../escape"},
		{"absolute", "/tmp/escape"},
		{"nested", "a/b"},
		{"backslash", `a\b`},
		{"dotdot", ".."},
		{"newline", "a\nb"},
		{"the script's own name", "script.sh"},
		{"not UTF-8", "a\xffb"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := ok
			req.Files = []protocol.ScriptFile{{Name: tt.file, Data: []byte("x")}}
			if _, _, err := prepare(base, "script.sh", req); !errors.Is(err, protocol.ErrBadScript) {
				t.Errorf("prepare(%q) = %v, want ErrBadScript", tt.file, err)
			}
		})
	}
	if left := leftovers(t, base); len(left) != 0 {
		t.Errorf("refused runs left %v", left)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(base), "escape")); err == nil {
		t.Error("a file escaped the folder")
	}
}

func TestPrepareBoundsAttachments(t *testing.T) {
	req := protocol.ScriptRun{Name: "n", Lang: protocol.ScriptSh, Text: "true\n",
		Files: []protocol.ScriptFile{{Name: "big", Data: make([]byte, protocol.MaxScriptAttachments+1)}}}
	if _, _, err := prepare(t.TempDir(), "script.sh", req); !errors.Is(err, protocol.ErrBadScript) {
		t.Errorf("an attachment over the bound: %v", err)
	}
}
