package bench

import "testing"

func TestNumber(t *testing.T) {
	for v, want := range map[float64]string{
		22997.4: "22,997", 1234567: "1,234,567", -4500: "-4,500", 300.9: "301",
		99.04: "99.0", 9.208: "9.208", 0.572: "0.572", 0: "0.000",
	} {
		if got := number(v); got != want {
			t.Errorf("number(%v) = %q, want %q", v, got, want)
		}
	}
}
