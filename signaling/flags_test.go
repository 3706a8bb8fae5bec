package main

import "testing"

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
