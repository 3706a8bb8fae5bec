package auth

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestTrustedProxyOnlyReadsForwardedFromTrustedPeers: X-Forwarded-For and
// Forwarded count only when the peer is a trusted proxy, and then the client
// is the rightmost hop that is not a trusted proxy, whatever a client wrote
// to the left of it.
func TestTrustedProxyOnlyReadsForwardedFromTrustedPeers(t *testing.T) {
	var trusted Proxies
	for _, s := range []string{"10.0.0.0/8", "2001:db8:ffff::/48", "192.0.2.7"} {
		p, err := ParseProxy(s)
		if err != nil {
			t.Fatal(err)
		}
		trusted = append(trusted, p)
	}
	for _, tc := range []struct {
		name    string
		proxies Proxies
		peer    string
		xff     []string
		fwd     []string
		want    string
	}{
		{"no proxy configured", nil, "203.0.113.5:4000", []string{"198.51.100.1"}, nil, "203.0.113.5"},
		{"untrusted peer", trusted, "203.0.113.5:4000", []string{"198.51.100.1"}, []string{"for=198.51.100.2"}, "203.0.113.5"},
		{"trusted peer without header", trusted, "10.0.0.2:4000", nil, nil, "10.0.0.2"},
		{"trusted single address", trusted, "192.0.2.7:4000", []string{"198.51.100.9"}, nil, "198.51.100.9"},
		{"rightmost untrusted hop", trusted, "10.0.0.2:4000", []string{"6.6.6.6, 198.51.100.9"}, nil, "198.51.100.9"},
		{"trusted hops skipped", trusted, "10.0.0.2:4000", []string{"6.6.6.6, 198.51.100.9, 10.1.1.1"}, nil, "198.51.100.9"},
		{"several headers in order", trusted, "10.0.0.2:4000", []string{"6.6.6.6", "198.51.100.9"}, nil, "198.51.100.9"},
		{"every hop trusted", trusted, "10.0.0.2:4000", []string{"10.0.0.5, 10.0.0.3"}, nil, "10.0.0.5"},
		{"garbage hop from the proxy", trusted, "10.0.0.2:4000", []string{"6.6.6.6, unknown"}, nil, "10.0.0.2"},
		{"garbage left of the client", trusted, "10.0.0.2:4000", []string{"<script>, 198.51.100.9"}, nil, "198.51.100.9"},
		{"Forwarded with IPv6 and port", trusted, "10.0.0.2:4000", nil, []string{`for=6.6.6.6, for="[2001:db8::1]:4711";proto=https`}, "2001:db8::1"},
		{"Forwarded obfuscated hop", trusted, "10.0.0.2:4000", nil, []string{`for=6.6.6.6, for=_hidden`}, "10.0.0.2"},
		{"Forwarded wins over X-Forwarded-For", trusted, "10.0.0.2:4000", []string{"6.6.6.6"}, []string{"for=198.51.100.9"}, "198.51.100.9"},
		{"IPv6 trusted proxy", trusted, "[2001:db8:ffff::1]:443", []string{"2001:db8:1::5"}, nil, "2001:db8:1::5"},
		{"IPv4-mapped trusted proxy", trusted, "[::ffff:10.0.0.2]:4000", []string{"198.51.100.9"}, nil, "198.51.100.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			for _, v := range tc.fwd {
				r.Header.Add("Forwarded", v)
			}
			var got string
			tc.proxies.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = ClientIP(r) })).
				ServeHTTP(httptest.NewRecorder(), r)
			if got != tc.want {
				t.Errorf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "10.0.0.0/33", "example.com", "10.0.0"} {
		if _, err := ParseProxy(bad); err == nil {
			t.Errorf("ParseProxy(%q) accepted", bad)
		}
	}
}

// TestTrustedProxyPrefersForwardedOverXForwardedFor: the standard Forwarded
// header (RFC 7239) is read before X-Forwarded-For when a trusted proxy sends
// both; X-Forwarded-For is the fallback; from an untrusted peer neither counts.
func TestTrustedProxyPrefersForwardedOverXForwardedFor(t *testing.T) {
	p, err := ParseProxy("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	trusted := Proxies{p}
	for _, tc := range []struct {
		name, peer string
		xff, fwd   string
		want       string
	}{
		{"both: Forwarded wins", "10.0.0.2:4000", "6.6.6.6", "for=198.51.100.9", "198.51.100.9"},
		{"both, Forwarded quoted IPv6", "10.0.0.2:4000", "6.6.6.6", `for="[2001:db8::1]:4711";proto=https`, "2001:db8::1"},
		{"only X-Forwarded-For", "10.0.0.2:4000", "198.51.100.9", "", "198.51.100.9"},
		{"only Forwarded", "10.0.0.2:4000", "", "for=198.51.100.9", "198.51.100.9"},
		{"both from an untrusted peer", "203.0.113.5:4000", "6.6.6.6", "for=198.51.100.9", "203.0.113.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if tc.fwd != "" {
				r.Header.Set("Forwarded", tc.fwd)
			}
			var got string
			trusted.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = ClientIP(r) })).
				ServeHTTP(httptest.NewRecorder(), r)
			if got != tc.want {
				t.Errorf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
}
