package server_test

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// get fetches url and returns its status, content type and body.
func getBody(t *testing.T, url string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// TestFaviconIsServed (issue 20, defect 2): /favicon.ico answered 404 on
// every page. It is the product's icon (the agent's lifebuoy), and every page
// links an SVG icon that is served.
func TestFaviconIsServed(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	code, typ, body := getBody(t, n.URL+"/favicon.ico")
	if code != http.StatusOK || (typ != "image/x-icon" && typ != "image/vnd.microsoft.icon") || !bytes.HasPrefix(body, []byte{0, 0, 1, 0}) {
		t.Fatalf("/favicon.ico: %d %q, %d bytes starting % x", code, typ, len(body), body[:min(4, len(body))])
	}
	link := regexp.MustCompile(`<link rel="icon" href="([^"]+)" type="image/svg\+xml"`)
	for _, page := range []string{"/login", "/join"} {
		code, _, body := getBody(t, n.URL+page)
		m := link.FindSubmatch(body)
		if code != http.StatusOK || m == nil {
			t.Fatalf("%s (%d) links no SVG icon", page, code)
		}
		code, typ, svg := getBody(t, n.URL+string(m[1]))
		if code != http.StatusOK || typ != "image/svg+xml" || !bytes.Contains(svg, []byte("<svg")) {
			t.Fatalf("%s's icon %s: %d %q", page, m[1], code, typ)
		}
	}
}
