package main

import (
	"testing"

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
