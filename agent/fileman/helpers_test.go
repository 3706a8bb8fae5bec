package fileman

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/lifeline-support/lifeline/shared/i18n"
	"github.com/lifeline-support/lifeline/shared/protocol"
)

// fakeTransfers stands for agent/files: it records what it is asked.
type fakeTransfers struct {
	mu       sync.Mutex
	expected map[string]string
	sent     []string
	err      error
}

func (f *fakeTransfers) Expect(id, dir string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if f.expected == nil {
		f.expected = map[string]string{}
	}
	f.expected[id] = dir
	return nil
}

func (f *fakeTransfers) SendFile(path string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return 0, f.err
	}
	f.sent = append(f.sent, path)
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

type harness struct {
	m     *Manager
	home  string
	tr    *fakeTransfers
	mu    sync.Mutex
	audit []protocol.Audit
	notes []func(i18n.Lang) string // the customer's log
}

// newHarness returns a granted manager whose home is a new folder, with the
// XDG trash inside the test's folder.
func newHarness(t *testing.T) *harness {
	t.Helper()
	// Not t.TempDir: under Wine, Go's RemoveAll fails ("Invalid
	// function"), which would fail the test; what is left there goes with
	// the test's Wine prefix.
	root, err := os.MkdirTemp("", "fileman")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	home := filepath.Join(root, "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_DATA_HOME", filepath.Join(root, "data"))
	h := &harness{home: home, tr: &fakeTransfers{}}
	h.m = New(Config{Logger: slog.New(slog.DiscardHandler), Home: func() (string, error) { return home, nil }, Transfers: h.tr,
		OnLog: func(render func(i18n.Lang) string) {
			h.mu.Lock()
			h.notes = append(h.notes, render)
			h.mu.Unlock()
		}})
	h.m.SetAudit(func(a protocol.Audit) {
		if len(a.Detail) > protocol.MaxAuditDetail || !utf8.ValidString(a.Detail) {
			t.Errorf("audit detail %q is not one the server takes", a.Detail)
		}
		h.mu.Lock()
		h.audit = append(h.audit, a)
		h.mu.Unlock()
	})
	h.m.SetGrants(protocol.Permissions{FileManager: true})
	return h
}

func (h *harness) do(t *testing.T, req map[string]any) protocol.FMReply {
	t.Helper()
	if _, ok := req["id"]; !ok {
		req["id"] = "1"
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	r := h.m.Handle(b)
	if r.ID != req["id"] {
		t.Errorf("reply id %q, want %q", r.ID, req["id"])
	}
	return r
}

// ok runs req and fails the test unless it worked.
func (h *harness) ok(t *testing.T, req map[string]any) protocol.FMReply {
	t.Helper()
	r := h.do(t, req)
	if r.Error != "" || r.Code != "" {
		t.Fatalf("%v: %s (%s)", req, r.Error, r.Code)
	}
	return r
}

// wantCode runs req and checks it fails with code, changing nothing.
func (h *harness) wantCode(t *testing.T, req map[string]any, code string) {
	t.Helper()
	r := h.do(t, req)
	if r.Code != code || r.Error == "" {
		t.Errorf("%v: code %q (%s), want %q", req, r.Code, r.Error, code)
	}
}

// lastNote is the customer's last log line in lang.
func (h *harness) lastNote(lang i18n.Lang) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.notes) == 0 {
		return ""
	}
	return h.notes[len(h.notes)-1](lang)
}

func (h *harness) lastAudit() protocol.Audit {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.audit) == 0 {
		return protocol.Audit{}
	}
	return h.audit[len(h.audit)-1]
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func names(l *protocol.FMListing) []string {
	var out []string
	for _, e := range l.List {
		out = append(out, e.Name)
	}
	return out
}
