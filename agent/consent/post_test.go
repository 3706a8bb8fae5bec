package consent

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The one check the page and its panels (chat, files) run on every POST.
func TestPagePost(t *testing.T) {
	for _, tc := range []struct {
		name, method, site, ctype string
		want                      int
	}{
		{"same-origin JSON", http.MethodPost, "same-origin", "application/json; charset=utf-8", 0},
		{"no browser hint", http.MethodPost, "", "application/json", 0},
		{"GET", http.MethodGet, "same-origin", "application/json", http.StatusMethodNotAllowed},
		{"cross-site", http.MethodPost, "cross-site", "application/json", http.StatusForbidden},
		{"same-site, other port", http.MethodPost, "same-site", "application/json", http.StatusForbidden},
		{"form body", http.MethodPost, "same-origin", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"no type", http.MethodPost, "same-origin", "", http.StatusUnsupportedMediaType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/x", strings.NewReader(`{}`))
			r.Header.Set("Sec-Fetch-Site", tc.site)
			r.Header.Set("Content-Type", tc.ctype)
			w := httptest.NewRecorder()
			ok := PagePost(w, r, "application/json")
			if ok != (tc.want == 0) || !ok && w.Code != tc.want {
				t.Fatalf("PagePost = %v, status %d; want %d", ok, w.Code, tc.want)
			}
		})
	}
}

func TestDecodeJSON(t *testing.T) {
	var v struct {
		A int `json:"a"`
	}
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"a":1}`, 0},
		{`{"a":1,"b":2}`, http.StatusBadRequest},
		{`{"a":"` + strings.Repeat("x", 100) + `"}`, http.StatusRequestEntityTooLarge},
		{`not json`, http.StatusBadRequest},
	} {
		w := httptest.NewRecorder()
		ok := DecodeJSON(w, httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(tc.body)), &v, 64, "too long")
		if ok != (tc.want == 0) || !ok && w.Code != tc.want {
			t.Errorf("DecodeJSON(%.20q) = %v, status %d; want %d", tc.body, ok, w.Code, tc.want)
		}
	}
}
