package overlay

import (
	"image"
	"image/color"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/lifeline-support/lifeline/agent/indicator"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

// The agent's indicator (the frame that says the screen is controlled) also
// keeps itself on top. The two must not raise each other forever: once both
// are shown, the X server goes quiet.
func TestOverlayAndIndicatorDoNotFightForTheTop(t *testing.T) {
	d := xvfb.Start(t, 640, 480)
	ind, err := indicator.NewX11(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ind.Close()
	x, err := NewX11(d)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := ind.Show(indicator.Controlled, indicator.Badge{Text: "controlled", End: "End"}); err != nil {
		t.Fatal(err)
	}
	_ = x.Draw([]Stroke{{Color: color.RGBA{R: 255, A: 255}, Width: 4, Points: []image.Point{{10, 10}, {200, 200}}}})
	for i := range 20 {
		_ = x.SetLaser(image.Pt(100+i, 100), true)
	}
	// Watch every restacking on the screen, after letting the last raises settle.
	time.Sleep(500 * time.Millisecond)
	conn, err := xgb.NewConnDisplay(d)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	if err := xproto.ChangeWindowAttributesChecked(conn, root, xproto.CwEventMask, []uint32{xproto.EventMaskSubstructureNotify}).Check(); err != nil {
		t.Fatal(err)
	}
	n := 0
	done := time.After(time.Second)
	evs := make(chan xgb.Event, 1<<16)
	go func() {
		for {
			ev, err := conn.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			evs <- ev
		}
	}()
loop:
	for {
		select {
		case <-evs:
			n++
		case <-done:
			break loop
		}
	}
	if n > 10 {
		t.Fatalf("%d window events in a second on a still screen: the windows keep raising each other", n)
	}
}
