package screen

import (
	"image"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

// Drawing on either X screen is reported; a still display reports nothing.
func TestDamageReportsDrawing(t *testing.T) {
	display := xvfb.StartScreens(t, image.Pt(640, 480), image.Pt(800, 600))
	t.Setenv("DISPLAY", display)
	d, err := WatchDamage(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	changes, stop := d.Subscribe()
	defer stop()
	if !got(changes, time.Second) {
		t.Fatal("a new subscription is not told to capture its first frame")
	}
	settle(t, changes) // the new display's first paint
	if got(changes, 500*time.Millisecond) {
		t.Fatal("a still display reported drawing")
	}
	for _, screen := range []string{display, display + ".1"} {
		twtest.Start(t, screen, twtest.Options{X: 10, Y: 10, W: 100, H: 80})
		if !got(changes, 10*time.Second) {
			t.Fatalf("a window drawn on %s was not reported", screen)
		}
		settle(t, changes)
	}
	stop()
	twtest.Start(t, display, twtest.Options{X: 200, Y: 200, W: 100, H: 80})
	if got(changes, 500*time.Millisecond) {
		t.Error("a subscription told after it stopped")
	}
}

func got(ch <-chan struct{}, wait time.Duration) bool {
	select {
	case <-ch:
		return true
	case <-time.After(wait):
		return false
	}
}

// settle waits until nothing has been reported for 300 ms.
func settle(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	for i := 0; got(ch, 300*time.Millisecond); i++ {
		if i > 100 {
			t.Fatal("the display never stops drawing")
		}
	}
}
