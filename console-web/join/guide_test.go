package join_test

import (
	"html"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// Defect 16 of issue 18: after the download the customer was not told what
// to do with the file. The page carries, hidden until the download starts,
// where this browser put the file and how to open it; on Linux the one
// command that runs it if the browser dropped its permission to run.
func TestJoinPageSaysHowToOpenTheDownload(t *testing.T) {
	agents := t.TempDir()
	for _, f := range []string{"lifeline-agent-linux-amd64", "lifeline-agent-windows-amd64.exe"} {
		if err := os.WriteFile(filepath.Join(agents, f), []byte("agent"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	n := st.StartNode(t, natstest.Server(t), "node", func(c *server.Config) { c.AgentDir = agents })
	_, token, _ := st.LogIn(t, n).NewSession(t, "Dana")
	for _, c := range []struct {
		name, ua, lang string
		want           []string
	}{
		{"linux firefox", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "en",
			[]string{"Downloads", "chmod +x ~/Downloads/lifeline-support &amp;&amp; ~/Downloads/lifeline-support", "downloads arrow at the top right of Firefox"}},
		{"linux chromium, French", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", "fr",
			[]string{"Téléchargements", "chmod +x ~/Downloads/lifeline-support &amp;&amp; ~/Downloads/lifeline-support"}},
		{"windows edge", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0", "en",
			[]string{"lifeline-support.exe", "Edge", "Downloads folder"}},
		{"windows chrome", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", "en",
			[]string{"lifeline-support.exe", "Chrome", "Downloads folder"}},
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
			i := strings.Index(body, `id="after-download"`)
			if i < 0 {
				t.Fatalf("no guidance after the download:\n%s", body)
			}
			guide := html.UnescapeString(body[i:])
			tag := body[strings.LastIndex(body[:i], "<"):]
			if tag = tag[:strings.Index(tag, ">")]; !strings.Contains(tag, " hidden") {
				t.Errorf("the guidance shows before the download started")
			}
			for _, w := range c.want {
				if !strings.Contains(guide, html.UnescapeString(w)) {
					t.Errorf("the guidance lacks %q:\n%s", w, guide)
				}
			}
			if !strings.Contains(body, `src="/static/join.js"`) {
				t.Error("nothing shows the guidance when the download starts")
			}
		})
	}
}
