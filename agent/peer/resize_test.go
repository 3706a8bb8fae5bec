package peer

import (
	"image"
	"runtime"
	"testing"

	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
)

// The VP8 encoder survives frames that change size (monitor switch, low
// quality), with the garbage collector running between frames: the
// re-initialisation inside mediadevices v0.10.0 corrupted the heap here
// (agent/encode re-initialises libvpx itself).
func TestEncoderFollowsFrameSize(t *testing.T) {
	params := vp8Encoder(1_000_000)
	sizes := []image.Rectangle{image.Rect(0, 0, 320, 180), image.Rect(0, 0, 160, 90), image.Rect(0, 0, 200, 150)}
	i := 0
	src := video.ReaderFunc(func() (image.Image, func(), error) {
		i++
		return image.NewRGBA(sizes[(i/3)%len(sizes)]), func() {}, nil
	})
	enc, err := params.BuildVideoEncoder(src, prop.Media{Video: prop.Video{Width: 320, Height: 180}})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	if err := enc.Controller().(codec.BitRateController).SetBitRate(500_000); err != nil {
		t.Fatal(err)
	}
	for n := 0; n < 30; n++ {
		b, _, err := enc.Read()
		if err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		if len(b) == 0 {
			t.Fatalf("frame %d: no data", n)
		}
		runtime.GC()
	}
}
