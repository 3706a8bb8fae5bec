package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/signaling/auth"
)

func TestAddProxies(t *testing.T) {
	var ps auth.Proxies
	if err := addProxies(&ps, "10.0.0.0/8, 192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	if err := addProxies(&ps, "2001:db8::/32"); err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || ps[1].String() != "192.0.2.7/32" {
		t.Errorf("proxies %v", ps)
	}
	if err := addProxies(&ps, "10.0.0.0/8,proxy.example"); err == nil {
		t.Error("a host name was accepted")
	}
}

func TestPortRange(t *testing.T) {
	tests := []struct {
		in       string
		min, max uint16
		ok       bool
	}{
		{"", 0, 0, true},
		{"49152-65535", 49152, 65535, true},
		{"50000-50000", 50000, 50000, true},
		{"65535-49152", 0, 0, false},
		{"0-10", 0, 0, false},
		{"49152", 0, 0, false},
		{"a-b", 0, 0, false},
		{"1-70000", 0, 0, false},
	}
	for _, tt := range tests {
		min, max, err := portRange(tt.in)
		if (err == nil) != tt.ok || min != tt.min || max != tt.max {
			t.Errorf("portRange(%q) = %d, %d, %v", tt.in, min, max, err)
		}
	}
}

func TestCIDRs(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"", "[]", true},
		{"10.20.0.0/16", "[10.20.0.0/16]", true},
		{"127.0.0.1/8, 198.51.100.0/24", "[127.0.0.0/8 198.51.100.0/24]", true},
		{"192.168.1.5,fd00::/8", "[192.168.1.5/32 fd00::/8]", true},
		{"10.0.0.0/33", "", false},
		{"lan", "", false},
	}
	for _, tt := range tests {
		got, err := cidrs(tt.in)
		if (err == nil) != tt.ok || (tt.ok && fmt.Sprint(got) != tt.want) {
			t.Errorf("cidrs(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

// Review item 5: --reboot-wait 0 would keep a session Rebooting forever:
// only a wait of more than nothing is taken.
func TestPositiveDuration(t *testing.T) {
	d := time.Minute
	set := positiveDuration(&d)
	for _, bad := range []string{"0", "0s", "-5m", "soon"} {
		if err := set(bad); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
	if err := set("30m"); err != nil || d != 30*time.Minute {
		t.Errorf("30m: %v, %v", d, err)
	}
}
