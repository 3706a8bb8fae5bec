package i18n

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The translator module is served as JavaScript, so browsers load it as an
// ES module (nosniff pages refuse any other type).
func TestScript(t *testing.T) {
	w := httptest.NewRecorder()
	Script(w, httptest.NewRequest(http.MethodGet, "/"+ScriptName, nil))
	if ct := w.Header().Get("Content-Type"); w.Code != http.StatusOK || !strings.HasPrefix(ct, "text/javascript") {
		t.Fatalf("GET: %d %q", w.Code, ct)
	}
	if !strings.Contains(w.Body.String(), "export function translator") {
		t.Fatalf("body: %s", w.Body)
	}
	w = httptest.NewRecorder()
	Script(w, httptest.NewRequest(http.MethodPost, "/"+ScriptName, nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d", w.Code)
	}
}
