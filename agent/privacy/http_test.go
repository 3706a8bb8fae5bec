package privacy

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/i18n"
)

func call(p *Privacy, method, path, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	p.ServeHTTP(w, r)
	return w
}

// The customer's panel: the windows listed, marked, and a window that closed
// meanwhile or a bad request answered with a sentence, not a 500.
func TestPanelMarksWindowsAndRefusesBadInput(t *testing.T) {
	p := New(Config{Desktop: desktop(), Lang: i18n.EN})
	w := call(p, http.MethodGet, "/state?lang=fr", "")
	var s panelState
	if err := json.Unmarshal(w.Body.Bytes(), &s); err != nil || w.Code != http.StatusOK {
		t.Fatalf("state: %d %s", w.Code, w.Body)
	}
	if len(s.Windows) != 2 || s.Strings["agent.privacy.title"] != "Cacher des fenêtres au technicien" || !strings.Contains(s.Programs, "keepassxc") {
		t.Fatalf("state %+v", s)
	}
	if w := call(p, http.MethodPost, "/window", `{"id":"1","private":true}`); w.Code != http.StatusNoContent {
		t.Fatalf("marking a window: %d %s", w.Code, w.Body)
	}
	if ws, _ := p.Windows(); !ws[1].Private {
		t.Fatal("the window is not private after the customer marked it")
	}
	for _, c := range []struct {
		name, path, body string
		code             int
		says             string
	}{
		{"closed window", "/window", `{"id":"99","private":true}`, http.StatusConflict, "That window is closed"},
		{"bad id", "/window", `{"id":"x","private":true}`, http.StatusBadRequest, "bad window id"},
		{"unknown field", "/preset", `{"on":true,"x":1}`, http.StatusBadRequest, "bad request"},
		{"too large", "/window", `{"id":"` + strings.Repeat("1", 400) + `"}`, http.StatusRequestEntityTooLarge, "too large"},
	} {
		w := call(p, http.MethodPost, c.path, c.body)
		if w.Code != c.code || !strings.Contains(w.Body.String(), c.says) {
			t.Errorf("%s: %d %q, want %d %q", c.name, w.Code, w.Body, c.code, c.says)
		}
	}
	if w := call(p, http.MethodPost, "/preset", `{"on":true}`); w.Code != http.StatusNoContent || !p.Preset() {
		t.Fatalf("preset: %d %s", w.Code, w.Body)
	}
}
