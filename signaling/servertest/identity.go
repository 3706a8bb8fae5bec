package servertest

import (
	"crypto/ecdsa"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/console-web/identity"
	sid "github.com/lifeline-support/lifeline/shared/identity"
)

// Certify has the technician's browser certify key, as the console's
// identity.js does, and returns the certificate and the organisation keys.
func (tc *Tech) Certify(t testing.TB, key *ecdsa.PrivateKey) identity.Response {
	t.Helper()
	pub, err := sid.EncodeKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(identity.Request{Key: pub})
	req, _ := http.NewRequest(http.MethodPost, tc.Base+identity.Path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", tc.CSRF)
	resp, err := tc.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	text := ReadAll(t, resp)
	var r identity.Response
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(text), &r) != nil {
		t.Fatalf("certify: %d %s", resp.StatusCode, text)
	}
	return r
}
