package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/acme/autocert"
)

// TLSConfig says how a node serves HTTPS.
type TLSConfig struct {
	// CertFile and KeyFile are a certificate chain and its key (PEM).
	CertFile, KeyFile string
	// ACMEHosts are public host names to obtain certificates for, from Let's
	// Encrypt (ACME, TLS-ALPN-01 challenge: the node must be reachable on port
	// 443 under those names). Certificates are kept in <data>/acme.
	ACMEHosts []string
	// ACMEEmail is the contact address given to the certificate authority.
	ACMEEmail string
	// InsecureHTTP allows plain HTTP on an address that is not loopback, for a
	// node behind a proxy that terminates TLS.
	InsecureHTTP bool
}

// ErrPlainHTTP means plain HTTP was asked for on a public address.
var ErrPlainHTTP = errors.New("refusing plain HTTP on an address that is not loopback: give --tls-cert and --tls-key, or --acme-host, or --insecure-http behind a proxy that terminates TLS")

// tlsFor returns the TLS configuration for cfg, or nil for plain HTTP after
// checking that plain HTTP is allowed on the listener.
func tlsFor(cfg Config, ln net.Listener) (*tls.Config, error) {
	t := cfg.TLS
	switch {
	case t.CertFile != "" || t.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("TLS certificate: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}, nil
	case len(t.ACMEHosts) > 0:
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(t.ACMEHosts...),
			Cache:      autocert.DirCache(filepath.Join(cfg.DataDir, "acme")),
			Email:      t.ACMEEmail,
		}
		c := m.TLSConfig()
		c.MinVersion = tls.VersionTLS12
		return c, nil
	}
	if !t.InsecureHTTP && !isLoopback(ln.Addr()) {
		return nil, ErrPlainHTTP
	}
	return nil, nil
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// contentSecurityPolicy allows scripts, styles and connections only from this
// server (no inline script), images also from data: (the enrolment QR code)
// and blob:, and framing only by this server's own pages (the console shows
// workspaces in tabs).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

// securityHeaders sets the headers every page gets; hsts adds
// Strict-Transport-Security (only when served over TLS).
func securityHeaders(next http.Handler, hsts bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		// Invitation links carry their token in the path: never leak it.
		h.Set("Referrer-Policy", "no-referrer")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// secureURL reports whether the public URL is https (TLS here or at a proxy).
func secureURL(u string) bool { return strings.HasPrefix(strings.ToLower(u), "https://") }
