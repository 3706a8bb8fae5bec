package screen

import (
	"errors"
	"testing"
)

// A capture that fails (BitBlt is refused while the workstation is locked or
// a UAC prompt holds the secure desktop) does not end the stream: Read hands
// out a grey picture, once, and the screen again as soon as it can be read.
// Before, Read returned the error, which ends mediadevices' track: the
// technician's video froze for good. Runs under Wine (e2e/wine).
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
	f, err := c.Read()
	if err != nil {
		t.Fatalf("Read with a failing capture: %v, want the placeholder", err)
	}
	if f.Seq == seq {
		t.Error("the placeholder kept the last picture's Seq: it would not be encoded")
	}
	for _, i := range []int{0, len(f.Pix) / 2, len(f.Pix) - 4} {
		if got := f.Pix[i : i+3]; got[0] != placeholderGrey || got[1] != placeholderGrey || got[2] != placeholderGrey {
			t.Fatalf("placeholder pixel %d is %v, want grey %d", i/4, got, placeholderGrey)
		}
	}
	// Frames are the Capture's own (Read returns the same *Frame): compare
	// the Seq values read at each step.
	grey := f.Seq
	if again, _ := c.Read(); again.Seq != grey {
		t.Error("a capture still failing made a new picture: the placeholder is sent once")
	}

	c.grab = nil // the screen can be read again
	back, err := c.Read()
	if err != nil {
		t.Fatal(err)
	}
	if back.Seq == grey {
		t.Error("the screen read again after a failure kept the placeholder's Seq")
	}
}
