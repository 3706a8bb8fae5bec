package consent

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
)

// PagePost checks that r is a POST from the customer's page itself with a body
// of type mediaType ("application/json", "application/octet-stream"): the
// page already refused any request with a foreign Origin, and any POST without
// its own (ServeHTTP), so what is left is a browser's hint that the request
// came from elsewhere (Sec-Fetch-Site). It answers a refusal itself. The page
// and every panel mounted on it check their POSTs with it.
func PagePost(w http.ResponseWriter, r *http.Request, mediaType string) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return false
	}
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" {
		http.Error(w, "forbidden", http.StatusForbidden)
		return false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != mediaType {
		http.Error(w, mediaType+" body expected", http.StatusUnsupportedMediaType)
		return false
	}
	return true
}

// DecodeJSON reads a JSON body of at most limit bytes strictly (no unknown
// field) into v. It answers errors itself: tooLarge (a sentence for the
// customer) when the body is over limit, "bad request" otherwise.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any, limit int64, tooLarge string) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, tooLarge, http.StatusRequestEntityTooLarge)
			return false
		}
		http.Error(w, "bad request", http.StatusBadRequest)
		return false
	}
	return true
}
