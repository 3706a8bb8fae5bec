package xvfb

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestStart(t *testing.T) {
	var sockets []string
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
			sockets = append(sockets, "/tmp/.X11-unix/X"+d[1:])
		}
	})
	// The subtest's cleanup stopped both servers: nothing answers on their sockets.
	for _, s := range sockets {
		if err := handshake(s, time.Second); err == nil {
			t.Errorf("%s still answers after cleanup", s)
		}
	}
}

func TestLaunchClose(t *testing.T) {
	srv, err := Launch(320, 200)
	if errors.Is(err, ErrNotInstalled) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	socket := "/tmp/.X11-unix/X" + srv.Display()[1:]
	if err := handshake(socket, time.Second); err != nil {
		t.Fatalf("%s: %v", srv.Display(), err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	if _, err := os.Stat(socket); !os.IsNotExist(err) {
		t.Errorf("%s still exists after Close (err %v)", socket, err)
	}
}
