package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/natstest"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// TestInvitationMailGivesTheJoinAddress (issue 18, defect 7): the e-mail
// invitation said "go to the support page and type this code" without the
// page's address. It gives the /join address next to the code, in English
// and in French.
func TestInvitationMailGivesTheJoinAddress(t *testing.T) {
	n := st.StartNode(t, natstest.Server(t), "node")
	tech := st.LogIn(t, n)
	for _, lang := range []string{"en", "fr"} {
		code, ws := tech.Post(t, "/console/sessions?lang="+lang, url.Values{"customer": {"Marie"}})
		if code != http.StatusOK {
			t.Fatalf("creating a session: %d %s", code, ws)
		}
		href := htmlUnescape(st.Find(t, ws, `id="mailto" href="([^"]+)"`))
		q, err := url.ParseQuery(strings.TrimPrefix(href, "mailto:?"))
		if err != nil {
			t.Fatal(err)
		}
		body := q.Get("body")
		pin := strings.TrimSpace(st.Find(t, ws, `id="invite-pin"[^>]*>([^<]+)<`))
		join := n.URL + "/join"
		line := ""
		for _, l := range strings.Split(body, "\n") {
			if strings.Contains(l, pin) {
				line = l
			}
		}
		if !strings.Contains(line, join) {
			t.Errorf("%s: the mail's line with the code %s is %q, want it to give %s\n%s", lang, pin, line, join, body)
		}
	}
}
