package i18n

import (
	"bytes"
	_ "embed"
	"net/http"
	"time"
)

// ScriptName is the file name pages import the translator module by; each
// server serves Script under it beside the pages' own modules.
const ScriptName = "i18n.js"

//go:embed i18n.js
var script []byte

// Script serves i18n.js, the one ES module that formats the catalog's strings
// in the browser (translator), for the console and the customer's page.
func Script(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	http.ServeContent(w, r, ScriptName, time.Time{}, bytes.NewReader(script))
}
