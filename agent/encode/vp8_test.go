package encode

import (
	"errors"
	"image"
	"io"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
)

// frames returns a reader of the given pictures (each a grey level), then EOF.
func frames(levels ...byte) video.Reader {
	return video.ReaderFunc(func() (image.Image, func(), error) {
		if len(levels) == 0 {
			return nil, func() {}, io.EOF
		}
		img := image.NewYCbCr(image.Rect(0, 0, 64, 48), image.YCbCrSubsampleRatio420)
		for i := range img.Y {
			img.Y[i] = levels[0]
		}
		for i := range img.Cb {
			img.Cb[i], img.Cr[i] = 128, 128
		}
		levels = levels[1:]
		return img, func() {}, nil
	})
}

// A still picture is encoded RefineFrames more times, then not again until
// it changes; a keyframe request is honoured even on a still picture.
func TestVP8SkipsUnchangedFrames(t *testing.T) {
	p := DefaultVP8
	p.RefineFrames = 2
	p.IdleInterval = time.Hour
	p.SharpQuantizer = -1   // a flat picture is coded finely at once
	p.KeyFrameInterval = -1 // the request comes at once (see TestVP8KeyFramesOnRequestAtMostOncePerInterval)
	enc, err := p.BuildVideoEncoder(frames(10, 10, 10, 10, 10, 10, 200, 200, 200, 200, 200), prop.Media{Video: prop.Video{Width: 64, Height: 48}})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	var keys []bool
	read := func() {
		t.Helper()
		b, _, err := enc.Read()
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 10 {
			t.Fatalf("frame of %d bytes", len(b))
		}
		keys = append(keys, isKeyFrame(b))
	}
	read() // 10: first picture (a keyframe)
	read() // 10: refine 1
	read() // 10: refine 2
	read() // 10, 10, 10 skipped; 200 changed
	read() // 200: refine 1
	read() // 200: refine 2
	enc.Controller().(interface{ ForceKeyFrame() error }).ForceKeyFrame()
	read() // 200: still, but a keyframe was asked for
	if _, _, err := enc.Read(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last picture: %v, want EOF (the still 200s skipped)", err)
	}
	want := []bool{true, false, false, false, false, false, true}
	if !slices.Equal(keys, want) {
		t.Errorf("keyframes %v, want %v (the first frame and the requested one)", keys, want)
	}
}

// isKeyFrame reads a VP8 frame's tag (RFC 6386 9.1): bit 0 of the first
// byte is 0 for a keyframe, which also carries the start code 9d 01 2a.
func isKeyFrame(b []byte) bool {
	return b[0]&1 == 0 && b[3] == 0x9d && b[4] == 0x01 && b[5] == 0x2a
}

func TestVP8Close(t *testing.T) {
	enc, err := DefaultVP8.BuildVideoEncoder(frames(1, 2), prop.Media{Video: prop.Video{Width: 64, Height: 48}})
	if err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := enc.Read(); !errors.Is(err, io.EOF) {
		t.Fatalf("Read after Close: %v, want EOF", err)
	}
}

// Frames that change size, RGBA as the screen gives them, with the garbage
// collector running between frames (mediadevices' ToI420 corrupted the heap
// when frames got smaller).
func TestVP8FollowsFrameSize(t *testing.T) {
	sizes := []image.Rectangle{image.Rect(0, 0, 320, 180), image.Rect(0, 0, 160, 90), image.Rect(0, 0, 200, 150)}
	i := 0
	src := video.ReaderFunc(func() (image.Image, func(), error) {
		i++
		img := image.NewRGBA(sizes[(i/3)%len(sizes)])
		img.Pix[i%len(img.Pix)] = byte(i)
		return img, func() {}, nil
	})
	enc, err := DefaultVP8.BuildVideoEncoder(src, prop.Media{Video: prop.Video{Width: 320, Height: 180}})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	for n := range 60 {
		b, _, err := enc.Read()
		if err != nil || len(b) == 0 {
			t.Fatalf("frame %d: %d bytes, %v", n, len(b), err)
		}
		runtime.GC()
	}
}

// Once a still picture is refined, the idle refreshes that keep the stream
// alive are nearly empty frames: the rate control does not spend the idle
// time's budget sharpening what does not change.
func TestVP8IdleRefreshesAreNearlyEmpty(t *testing.T) {
	// A busy picture (text-like noise), the same every time.
	img := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	seed := uint32(1)
	for i := range img.Pix {
		seed = seed*1664525 + 1013904223
		img.Pix[i] = byte(seed >> 24)
	}
	src := video.ReaderFunc(func() (image.Image, func(), error) {
		time.Sleep(2 * time.Millisecond) // past IdleInterval each time
		return img, func() {}, nil
	})
	p := DefaultVP8
	p.RefineFrames = 3
	p.IdleInterval = time.Millisecond
	enc, err := p.BuildVideoEncoder(src, prop.Media{Video: prop.Video{Width: 1920, Height: 1080}})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	var sizes []int
	for range 12 {
		b, _, err := enc.Read()
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(b))
	}
	for i, n := range sizes[1+p.RefineFrames:] {
		if n > 1000 {
			t.Errorf("idle refresh %d is %d bytes, want a nearly empty frame (all sizes %v)", i+1, n, sizes)
		}
	}
	t.Logf("frame sizes: %v", sizes)
}

// A size libvpx cannot take is refused when the encoder is built, even though
// libvpx itself is set up beside the caller.
func TestVP8RefusesBadSize(t *testing.T) {
	if _, err := DefaultVP8.BuildVideoEncoder(frames(1), prop.Media{Video: prop.Video{Width: 0, Height: 48}}); !errors.Is(err, ErrEncode) {
		t.Fatalf("0x48: %v, want ErrEncode", err)
	}
}

// A still picture captured as RGBA is converted to I420 once: its
// refinements reuse the conversion, and a new picture is converted afresh
// (its frame is not the near-empty one of an unchanged picture).
func TestVP8ConvertsAStillPictureOnce(t *testing.T) {
	picture := func(level byte) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, 160, 96))
		for i := range img.Pix {
			img.Pix[i] = level
			if i%4 == 3 {
				img.Pix[i] = 0xff
			}
		}
		return img
	}
	pics := []*image.RGBA{picture(20), picture(20), picture(20), picture(20), picture(230)}
	for y := range 96 { // the new picture has detail the old one has not
		for x := range 160 {
			if (x/8+y/8)%2 == 0 {
				pics[4].Set(x, y, image.Black.C)
			}
		}
	}
	i := 0
	src := video.ReaderFunc(func() (image.Image, func(), error) {
		if i == len(pics) {
			return nil, func() {}, io.EOF
		}
		i++
		return pics[i-1], func() {}, nil
	})
	p := DefaultVP8
	p.RefineFrames = 3
	p.SharpQuantizer = -1 // a flat picture is coded finely at once
	enc, err := p.BuildVideoEncoder(src, prop.Media{Video: prop.Video{Width: 160, Height: 96}})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	var sizes []int
	for range pics {
		b, _, err := enc.Read()
		if err != nil {
			t.Fatalf("frame %d: %v", len(sizes), err)
		}
		sizes = append(sizes, len(b))
	}
	if sizes[4] < 4*sizes[3] {
		t.Fatalf("frame sizes %v: the new picture's frame is not much larger than a refinement of the old one", sizes)
	}
}

// A small change to a still, refined picture (a click, a typed letter) is
// coded where it changed: a frame of a few kilobytes, not the picture coded
// again (libvpx re-codes every block whose last coding is not exact, and a
// still spell leaves it a large budget: 150–750 kB at 1080p before).
func TestVP8CodesOnlyWhatChanged(t *testing.T) {
	const w, h = 1280, 720
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	seed := uint32(1)
	for i := range img.Y { // lines of text-like noise on a light background
		img.Y[i] = 200
		if (i/w)%20 < 12 && (i%w)%9 < 6 {
			seed = seed*1664525 + 1013904223
			img.Y[i] = byte(seed >> 24)
		}
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 128, 128
	}
	n := 0
	src := video.ReaderFunc(func() (image.Image, func(), error) {
		n++
		if n%10 == 0 { // a still spell, then a 60×60 square changes
			time.Sleep(300 * time.Millisecond)
			for y := 300; y < 360; y++ {
				for x := 600; x < 660; x++ {
					img.Y[y*img.YStride+x] ^= 0xff
				}
			}
		} else {
			time.Sleep(5 * time.Millisecond)
		}
		return img, func() {}, nil
	})
	p := DefaultVP8
	p.IdleInterval = time.Hour
	p.SharpQuantizer = -1 // every change refined: frames at known places
	enc, err := p.BuildVideoEncoder(src, prop.Media{Video: prop.Video{Width: w, Height: h}})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	var sizes []int
	for range 1 + p.RefineFrames + 3*(1+p.RefineFrames) { // the picture, then three changes
		b, _, err := enc.Read()
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(b))
	}
	for c := 1; c <= 3; c++ {
		if n := sizes[c*(1+p.RefineFrames)]; n > 20_000 {
			t.Errorf("change %d: a frame of %d bytes (first picture %d); all sizes %v", c, n, sizes[0], sizes)
		}
	}
}

// A small change coded finely at once (a block of a flat picture) is not
// refined: the next frames of the same picture are skipped. The first
// picture, and a large change, are (TestVP8SkipsUnchangedFrames).
func TestVP8DoesNotRefineWhatIsSharp(t *testing.T) {
	pics := 0
	src := video.ReaderFunc(func() (image.Image, func(), error) {
		pics++
		if pics > 20 {
			return nil, func() {}, io.EOF
		}
		// At the pace of a stream: each frame's budget is a frame's worth
		// (a busy machine only makes it larger).
		time.Sleep(33 * time.Millisecond)
		img := image.NewYCbCr(image.Rect(0, 0, 128, 96), image.YCbCrSubsampleRatio420)
		for i := range img.Y {
			img.Y[i] = 100
		}
		for i := range img.Cb {
			img.Cb[i], img.Cr[i] = 128, 128
		}
		if pics > 10 { // one 16×16 block changes
			for y := 32; y < 48; y++ {
				for x := 48; x < 64; x++ {
					img.Y[y*img.YStride+x] = 160
				}
			}
		}
		return img, func() {}, nil
	})
	p := DefaultVP8
	p.IdleInterval = time.Hour
	enc, err := p.BuildVideoEncoder(src, prop.Media{Video: prop.Video{Width: 128, Height: 96}})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	n := 0
	for {
		if _, _, err := enc.Read(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			break
		}
		n++
	}
	if want := 1 + p.RefineFrames + 1; n != want {
		t.Errorf("%d frames, want %d: the first picture refined, the small change not", n, want)
	}
}

// On a lossy link the browser asks for a keyframe after each loss it cannot
// repair, and each 1080p keyframe is many times a normal frame: requests
// within KeyFrameInterval of the last keyframe wait for it to pass (one
// keyframe then answers them all), rather than a keyframe each.
func TestVP8KeyFramesOnRequestAtMostOncePerInterval(t *testing.T) {
	p := DefaultVP8
	p.KeyFrameInterval = time.Hour
	levels := make([]byte, 12)
	for i := range levels {
		levels[i] = byte(20 * i) // every picture changes
	}
	enc, err := p.BuildVideoEncoder(frames(levels...), prop.Media{Video: prop.Video{Width: 64, Height: 48}})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	force := enc.Controller().(interface{ ForceKeyFrame() error }).ForceKeyFrame
	var keys []bool
	read := func() {
		t.Helper()
		b, _, err := enc.Read()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, isKeyFrame(b))
	}
	read() // the first frame: a keyframe
	for range 5 {
		force() // losses, one after the other
		read()
	}
	if want := []bool{true, true, false, false, false, false}; !slices.Equal(keys, want) {
		t.Fatalf("keyframes %v within the interval, want %v (the first frame, and the first request at once)", keys, want)
	}
	// The interval has passed: the pending request is answered at once.
	e := enc.(*encoder)
	e.mu.Lock()
	e.lastKey = time.Now().Add(-2 * time.Hour)
	e.mu.Unlock()
	read()
	read()
	if got := keys[len(keys)-2:]; !slices.Equal(got, []bool{true, false}) {
		t.Errorf("after the interval: keyframes %v, want [true false] (one keyframe for all the requests)", got)
	}
}
