package terminal

import (
	"embed"
	"net/http"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

//go:embed panel.js panel.css
var panelFS embed.FS

// panelState is what the customer's terminal panel shows: how many
// terminals are open, and what to say.
type panelState struct {
	Open   int    `json:"open"`
	Text   string `json:"text"`
	Button string `json:"button"`
}

// ServeHTTP serves the terminal panel of the customer's page (see
// consent.ServePanel). The panel's button posts the page's own
// revoke_terminal action.
func (t *Terminal) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	consent.ServePanel(w, req, panelFS, func(lang i18n.Lang) (any, <-chan struct{}) {
		t.mu.Lock()
		n, changed := len(t.open), t.changed
		t.mu.Unlock()
		return panelState{Open: n, Text: i18n.T(lang, "agent.term.open", n), Button: i18n.T(lang, "agent.term.close")}, changed
	})
}
