package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lifeline-support/lifeline/signaling/auth"
)

// env returns the environment variable name, or def when it is empty.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// envInt returns the environment variable name as an integer, or def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// fail reports a bad option and exits with the usage status.
func fail(option string, err error) {
	fmt.Fprintf(os.Stderr, "signaling: %s: %v\n", option, err)
	os.Exit(2)
}

// portRange parses "MIN-MAX"; empty means no range (0, 0).
func portRange(s string) (min, max uint16, err error) {
	if s == "" {
		return 0, 0, nil
	}
	lo, hi, _ := strings.Cut(s, "-")
	a, err1 := strconv.ParseUint(lo, 10, 16)
	b, err2 := strconv.ParseUint(hi, 10, 16)
	if err1 != nil || err2 != nil || a == 0 || a > b {
		return 0, 0, fmt.Errorf("%q is not a port range; use MIN-MAX, e.g. 49152-65535", s)
	}
	return uint16(a), uint16(b), nil
}

// optionalIP parses an IP address; empty means none.
func optionalIP(s string) (net.IP, error) {
	if s == "" {
		return nil, nil
	}
	ip := net.ParseIP(s)
	if ip == nil {
		return nil, fmt.Errorf("%q is not an IP address", s)
	}
	return ip, nil
}

// cidrs parses a comma-separated list of CIDR prefixes (a bare address is
// one host); empty means none.
func cidrs(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for f := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(f) == "" {
			continue
		}
		p, err := auth.ParseProxy(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR prefix; use e.g. 10.20.0.0/16 or 192.168.1.5", strings.TrimSpace(f))
		}
		out = append(out, p)
	}
	return out, nil
}

// addProxies appends the comma-separated CIDRs or addresses of s to ps.
func addProxies(ps *auth.Proxies, s string) error {
	p, err := cidrs(s)
	if err != nil {
		return err
	}
	*ps = append(*ps, p...)
	return nil
}

// newLogger builds the server's logger: text or JSON on stderr, at level.
func newLogger(format, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("format %q: use text or json", format)
}

// positiveDuration is a flag.Func setter of *d that takes only a duration
// of more than nothing.
func positiveDuration(d *time.Duration) func(string) error {
	return func(s string) error {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		if v <= 0 {
			return fmt.Errorf("%s: give a wait of more than 0, e.g. 10m", s)
		}
		*d = v
		return nil
	}
}
