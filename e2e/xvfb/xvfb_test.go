package xvfb

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestStart(t *testing.T) {
	var locks []string
	t.Run("two servers", func(t *testing.T) {
		a := Start(t, 640, 480)
		b := Start(t, 320, 200)
		if a == b || !strings.HasPrefix(a, ":") {
			t.Fatalf("displays %q and %q, want two distinct :N", a, b)
		}
		for _, d := range []string{a, b} {
			if err := handshake("/tmp/.X11-unix/X"+d[1:], time.Second); err != nil {
				t.Errorf("%s: %v", d, err)
			}
			locks = append(locks, "/tmp/.X"+d[1:]+"-lock")
		}
	})
	// The subtest's cleanup stopped both servers, which remove their locks.
	for _, l := range locks {
		if _, err := os.Stat(l); !os.IsNotExist(err) {
			t.Errorf("%s still exists after cleanup (err %v)", l, err)
		}
	}
}
