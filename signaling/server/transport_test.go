package server_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/shared/natstest"
	"github.com/lifeline-support/lifeline/signaling/server"
	st "github.com/lifeline-support/lifeline/signaling/servertest"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns their
// paths and a pool trusting it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lifeline test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_ = os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

// With a certificate the node serves HTTPS only, with HSTS and Secure cookies;
// without one it refuses plain HTTP on an address that is not loopback.
func TestTransportSecurity(t *testing.T) {
	natsURL := natstest.Server(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	err := server.Run(context.Background(), server.Config{Addr: "0.0.0.0:0", DataDir: t.TempDir(), NATSURL: natsURL, Logger: quiet, Out: io.Discard})
	if !errors.Is(err, server.ErrPlainHTTP) {
		t.Fatalf("plain HTTP on 0.0.0.0: Run = %v, want ErrPlainHTTP", err)
	}

	cert, key, pool := selfSigned(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, server.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), NATSURL: natsURL, NodeName: "tls",
			AdminPassword: st.AdminPassword, Logger: quiet, Out: pw, TLS: server.TLSConfig{CertFile: cert, KeyFile: key}})
		pw.Close()
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var base string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "Lifeline is listening on "); ok {
			base = u
			go io.Copy(io.Discard, pr)
			break
		}
	}
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("public URL %q, want https", base)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {st.AdminPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if h.Get("Strict-Transport-Security") == "" || !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") ||
		h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'self'") {
		t.Errorf("security headers: %v", h)
	}
	var secure bool
	for _, ck := range resp.Cookies() {
		secure = secure || (ck.Name == "lifeline_login" && ck.Secure && ck.HttpOnly)
	}
	if !secure {
		t.Errorf("login cookie not Secure+HttpOnly: %v", resp.Header["Set-Cookie"])
	}
	// Plain HTTP to the TLS port gets nothing useful.
	plain, err := http.Get("http://" + strings.TrimPrefix(base, "https://") + "/login")
	if err == nil {
		body, _ := io.ReadAll(plain.Body)
		plain.Body.Close()
		if strings.Contains(string(body), "password") {
			t.Error("the login page was served over plain HTTP")
		}
	}
}
