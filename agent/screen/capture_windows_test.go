package screen

import (
	"errors"
	"testing"
)

// A capture that fails (BitBlt is refused while the workstation is locked or
// a UAC prompt holds the secure desktop) says why, and the capture reads the
// screen again as soon as it can: the next picture counts as new. (Before,
// it handed out a grey picture and nothing said why; agent/peer now keeps
// the video going with a still picture and tells the technician.) Runs
// under Wine (e2e/wine).
func TestCaptureSurvivesAFailedGrab(t *testing.T) {
	c, err := OpenCapture(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	first, err := c.Read()
	if err != nil {
		t.Fatal(err)
	}
	seq := first.Seq

	c.grab = func(x, y int) error { return errors.New("BitBlt: access denied") }
	_, err = c.Read()
	if !errors.Is(err, ErrLocked) && !errors.Is(err, ErrSecureDesktop) && !errors.Is(err, ErrUnreadable) {
		t.Fatalf("Read with a failing capture: %v, want why the screen cannot be read", err)
	}
	t.Logf("a failed capture says: %v", err)

	c.grab = nil // the screen can be read again
	back, err := c.Read()
	if err != nil {
		t.Fatal(err)
	}
	if back.Seq == seq {
		t.Error("the screen read again after a failure kept the last picture's Seq: it would not be encoded")
	}
}
