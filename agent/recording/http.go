package recording

import (
	"embed"
	"net/http"

	"github.com/lifeline-support/lifeline/agent/consent"
	"github.com/lifeline-support/lifeline/shared/i18n"
)

//go:embed panel.js panel.css
var panelFS embed.FS

// state is what the recording banner shows: whether recording is on, and
// what to say.
type state struct {
	On   bool   `json:"on"`
	Text string `json:"text"`
}

// ServeHTTP serves the recording banner of the customer's page (see
// consent.ServePanel).
func (r *Recording) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	consent.ServePanel(w, req, panelFS, func(lang i18n.Lang) (any, <-chan struct{}) {
		r.mu.Lock()
		defer r.mu.Unlock()
		return state{On: r.on, Text: i18n.T(lang, "agent.rec.banner")}, r.changed
	})
}
