package files

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// Defect 10 of issue 18: the customer's file card put a 64-digit SHA-256 in
// every line of its log. The line says what happened; the SHA-256 is in the
// line's details.
func TestFileLogKeepsTheSHAInDetails(t *testing.T) {
	dir := t.TempDir()
	f := newFeature(t, dir, nil)
	c := pair(t, f)
	content := bytes.Repeat([]byte("lifeline "), 1000)
	id := offerAndAccept(t, f, c, "report.txt", len(content))
	c.chunks(7, content)
	c.send(protocol.FileMessage{Kind: protocol.FileDone, ID: id, SHA256: hexSum(content)})
	if m := c.next(); m.Kind != protocol.FileResult {
		t.Fatalf("got %+v", m)
	}
	v, _, _ := f.view("en")
	last := v.Log[len(v.Log)-1]
	if want := "File received: report.txt, 9.0 kB (saved as " + filepath.Join(dir, "report.txt") + ")"; last.Text != want {
		t.Errorf("log line %q, want %q", last.Text, want)
	}
	if last.Detail != "SHA-256 "+hexSum(content) {
		t.Errorf("log details %q, want the SHA-256", last.Detail)
	}
}

// Defect 10 of issue 18: the customer had to type the path of the folder to
// save a file in. The panel browses folders instead: the places (the
// default folder first), a folder's subfolders (not hidden ones, not
// files), its parent; a path that is not an absolute folder gets a clear
// answer.
func TestFolderChooser(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"b", "a", ".cache"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	_ = os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600)
	f := newFeature(t, dir, nil)
	list := func(query string) (int, folderList, string) {
		t.Helper()
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/folders?lang=en"+query, nil))
		var l folderList
		if rec.Code == http.StatusOK {
			if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil {
				t.Fatal(err)
			}
		}
		return rec.Code, l, rec.Body.String()
	}
	code, l, body := list("")
	if code != http.StatusOK || l.Path != dir || !slices.Equal(l.Dirs, []string{"a", "b"}) || l.Parent != filepath.Dir(dir) {
		t.Fatalf("the default folder: %d %+v %s", code, l, body)
	}
	if len(l.Places) == 0 || l.Places[0].Path != dir {
		t.Errorf("places %+v, want the default folder first", l.Places)
	}
	if code, l, _ = list("&path=" + filepath.Join(dir, "a")); code != http.StatusOK || l.Path != filepath.Join(dir, "a") || len(l.Dirs) != 0 {
		t.Errorf("a subfolder: %d %+v", code, l)
	}
	if code, _, body = list("&path=" + filepath.Join(dir, "nope")); code != http.StatusNotFound || !strings.Contains(body, "does not exist") {
		t.Errorf("a folder that does not exist: %d %s", code, body)
	}
	if code, _, body = list("&path=relative/dir"); code != http.StatusBadRequest || !strings.Contains(body, "folder") {
		t.Errorf("a relative path: %d %s", code, body)
	}
}
