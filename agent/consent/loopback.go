package consent

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// Loopback is a page for this computer's user alone, served on 127.0.0.1
// on a random port: the first segment of every path is a 256-bit secret
// (another local user, who can reach the port, cannot guess it), only its
// own Host is accepted (no DNS rebinding), any Origin must be its own and
// every request but GET and HEAD must carry it (no cross-site requests).
// The customer's page and the unattended access page are both served so.
type Loopback struct {
	ln     net.Listener
	secret string
	host   string // "127.0.0.1:port", the only Host accepted
	origin string // "http://127.0.0.1:port", the only Origin accepted
	url    string
}

// ListenLoopback listens on 127.0.0.1 on a random port with a new secret.
func ListenLoopback() (*Loopback, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	l := &Loopback{ln: ln, secret: base64.RawURLEncoding.EncodeToString(raw[:]),
		host: "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)}
	l.origin = "http://" + l.host
	l.url = l.origin + "/" + l.secret + "/"
	return l, nil
}

// URL is the page's address, http://127.0.0.1:PORT/SECRET/. It is a
// credential: whoever has it can act for the user.
func (l *Loopback) URL() string { return l.url }

// Listener is the socket to serve.
func (l *Loopback) Listener() net.Listener { return l.ln }

// Host is 127.0.0.1:PORT.
func (l *Loopback) Host() string { return l.host }

// Prefix is "/SECRET/": what to strip before the page's own paths.
func (l *Loopback) Prefix() string { return "/" + l.secret + "/" }

// Check applies the checks above to r and sets the headers every answer
// carries (no caching, no referrer, no framing, no sniffing). It returns
// the path after /SECRET/ ("" for the page itself), or false when it
// answered r itself (403, 404, or a redirect to the page).
func (l *Loopback) Check(w http.ResponseWriter, r *http.Request) (sub string, ok bool) {
	if r.Host != l.host {
		http.Error(w, "forbidden", http.StatusForbidden)
		return "", false
	}
	if o := r.Header.Get("Origin"); o != "" && o != l.origin ||
		o == "" && r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "forbidden", http.StatusForbidden)
		return "", false
	}
	rest := strings.TrimPrefix(r.URL.Path, "/")
	secret, sub, slash := strings.Cut(rest, "/")
	if subtle.ConstantTimeCompare([]byte(secret), []byte(l.secret)) != 1 {
		http.NotFound(w, r)
		return "", false
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	if !slash {
		http.Redirect(w, r, l.Prefix(), http.StatusFound)
		return "", false
	}
	return sub, true
}
