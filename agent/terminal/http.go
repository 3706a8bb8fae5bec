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
	// Full says the transcript is full: terminals are closed and refused.
	Full bool `json:"full"`
}

// ServeHTTP serves the terminal panel of the customer's page (see
// consent.ServePanel). The panel's button posts the page's own
// revoke_terminal action.
func (t *Terminal) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	consent.ServePanel(w, req, panelFS, func(lang i18n.Lang) (any, <-chan struct{}) {
		t.mu.Lock()
		changed := t.changed
		t.mu.Unlock()
		return t.panel(lang), changed
	})
}

// panel returns what the customer's terminal panel shows now.
func (t *Terminal) panel(lang i18n.Lang) panelState {
	t.mu.Lock()
	n, full := len(t.open), t.cut
	t.mu.Unlock()
	s := panelState{Open: n, Text: i18n.N(lang, "agent.term.open", n), Button: i18n.T(lang, "agent.term.close"), Full: full}
	if full {
		s.Text = i18n.T(lang, "agent.term.full", t.cfg.MaxTranscript>>10)
	}
	return s
}
