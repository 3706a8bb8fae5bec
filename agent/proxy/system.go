package proxy

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

var osGetenv = os.Getenv

// parseWinINET turns the Internet Settings of Windows (ProxyEnable,
// ProxyServer, ProxyOverride under HKCU\Software\Microsoft\Windows\
// CurrentVersion\Internet Settings) into a proxy configuration. ProxyServer
// is either one host:port for every protocol or per-protocol entries such
// as "http=p1:80;https=p2:443;ftp=p3:21"; ProxyOverride lists hosts reached
// directly, separated by semicolons, "<local>" meaning names without a dot.
func parseWinINET(enable uint32, server, override string) (httpproxy.Config, bool) {
	server = strings.TrimSpace(server)
	if enable == 0 || server == "" {
		return httpproxy.Config{}, false
	}
	var all, https, http string
	for _, part := range strings.Split(server, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		scheme, addr, ok := strings.Cut(part, "=")
		if !ok {
			all = part
			continue
		}
		switch strings.ToLower(strings.TrimSpace(scheme)) {
		case "https":
			https = strings.TrimSpace(addr)
		case "http":
			http = strings.TrimSpace(addr)
		}
	}
	p := first(https, all, http)
	if p == "" {
		return httpproxy.Config{}, false
	}
	var no []string
	for _, o := range strings.Split(override, ";") {
		o = strings.TrimSpace(o)
		switch {
		case o == "":
		case strings.EqualFold(o, "<local>"):
			// Names without a dot: NO_PROXY has no such pattern; loopback is
			// never proxied anyway.
			no = append(no, "localhost")
		case strings.HasSuffix(o, ".*"):
			// "10.*" or "192.168.*": a network prefix, a CIDR for NO_PROXY.
			if cidr, ok := prefixCIDR(strings.TrimSuffix(o, ".*")); ok {
				no = append(no, cidr)
			}
		default:
			// WinINET's "*.corp.example" is NO_PROXY's ".corp.example".
			no = append(no, strings.TrimPrefix(o, "*"))
		}
	}
	return httpproxy.Config{HTTPProxy: p, HTTPSProxy: p, NoProxy: strings.Join(no, ",")}, true
}

// prefixCIDR turns the leading octets of an IPv4 address ("10", "192.168")
// into a CIDR ("10.0.0.0/8").
func prefixCIDR(p string) (string, bool) {
	parts := strings.Split(p, ".")
	if len(parts) > 3 {
		return "", false
	}
	oct := [4]int{}
	for i, s := range parts {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 255 {
			return "", false
		}
		oct[i] = n
	}
	return fmt.Sprintf("%d.%d.%d.%d/%d", oct[0], oct[1], oct[2], oct[3], 8*len(parts)), true
}
