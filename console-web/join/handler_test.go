package join_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// The invitation page offers the agent for the customer's system: a Linux
// browser gets the Linux agent; a Windows browser hears that the Windows
// program is coming (while the server has none); a Mac that it is not
// supported yet; a browser whose system is unknown (a phone, a Chromebook)
// gets every choice and a plain sentence. Windows and unknown browsers used
// to be told "not available for Windows yet" and offered the Linux agent as
// theirs.
func TestJoinPageOffersTheAgentForTheBrowsersSystem(t *testing.T) {
	agents := t.TempDir()
	if err := os.WriteFile(filepath.Join(agents, "lifeline-agent-linux-amd64"), []byte("agent"), 0o755); err != nil {
		t.Fatal(err)
	}
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) { c.AgentDir = agents })
	_, token, _ := st.LogIn(t, n).NewSession(t, "Dana")
	linux := `href="/download/` + token + `/linux"`
	for _, c := range []struct {
		name, ua, lang string
		want, notWant  []string
	}{
		{"linux", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "en",
			[]string{`id="download" ` + linux, "Download for Linux"}, []string{"coming soon", "Choose"}},
		{"windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", "en",
			[]string{"The support program for Windows is coming soon", "Other systems:", linux}, []string{`id="download"`}},
		{"windows, French", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", "fr",
			[]string{"Le programme d&#39;assistance pour Windows arrive bientôt"}, []string{`id="download"`}},
		{"macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "en",
			[]string{"not available for macOS yet"}, []string{`id="download"`}},
		{"android", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36", "en",
			[]string{"Choose the system of the computer you need help with", `id="download-linux" ` + linux, "The support program for Windows is coming soon"}, []string{`id="download" `}},
		{"chromebook", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", "en",
			[]string{"Choose the system", `id="download-linux"`}, []string{`id="download" `}},
		{"no user agent", "", "en",
			[]string{"Choose the system", `id="download-linux"`}, []string{`id="download" `}},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", n.URL+"/s/"+token, nil)
			req.Header.Set("User-Agent", c.ua)
			req.Header.Set("Accept-Language", c.lang)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := st.ReadAll(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d:\n%s", resp.StatusCode, body)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(body, w) {
					t.Errorf("page has %q:\n%s", w, body)
				}
			}
		})
	}
}
