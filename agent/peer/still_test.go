package peer

import (
	"image"
	"sync"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/io/video"
)

// A still screen is not captured again: the last frame is handed out (at the
// frame rate just after a drawing, then every stillWait); a drawing makes the
// next frame a fresh capture.
func TestStillReaderCapturesOnlyAfterDrawing(t *testing.T) {
	captures := 0
	src := countingScreen(&captures)
	changes := make(chan struct{}, 1)
	clock := &virtualClock{}
	r := stillReaderOn(clock, src, changes, nil, 100)
	read := func() image.Image {
		t.Helper()
		img, _, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	first := read()
	if captures != 1 {
		t.Fatalf("%d captures for the first frame", captures)
	}
	// Still: frames keep coming, all the same capture.
	start := clock.Now()
	for range 20 {
		if read() != first {
			t.Fatal("a still screen was captured again")
		}
	}
	if captures != 1 {
		t.Fatalf("%d captures of a still screen", captures)
	}
	if d := clock.Now().Sub(start); d < 19*10*time.Millisecond {
		t.Fatalf("20 frames of a still screen at 100 fps came in %v: not paced", d)
	}
	// Once settled, a frame every stillWait.
	clock.Add(stillSettle)
	start = clock.Now()
	read()
	if d := clock.Now().Sub(start); d < stillWait {
		t.Fatalf("a settled still screen gave a frame after %v, want %v", d, stillWait)
	}
	// Something is drawn: the next frame is captured.
	changes <- struct{}{}
	if read() == first || captures != 2 {
		t.Fatalf("after a drawing: %d captures, want 2", captures)
	}
	// A drawing during a wait ends the wait at once (the wait itself would
	// never end).
	clock.Add(stillSettle)
	clock.Freeze()
	go func() {
		time.Sleep(20 * time.Millisecond)
		changes <- struct{}{}
	}()
	read()
	if captures != 3 {
		t.Fatalf("a drawing during the wait: %d captures, want 3", captures)
	}
}

// Without news the screen is still captured every stillMaxAge; once the news
// stop for good (a closed channel), every frame is captured.
func TestStillReaderSafetyNets(t *testing.T) {
	captures := 0
	src := countingScreen(&captures)
	changes := make(chan struct{}, 1)
	clock := &virtualClock{}
	r := stillReaderOn(clock, src, changes, nil, 100)
	start := clock.Now()
	for clock.Now().Sub(start) < stillMaxAge+stillWait+100*time.Millisecond {
		if _, _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	}
	if captures != 2 {
		t.Fatalf("%d captures in %v without news, want 2 (the first and one after stillMaxAge)", captures, clock.Now().Sub(start))
	}
	close(changes)
	for range 5 {
		r.Read()
	}
	if captures != 7 {
		t.Fatalf("%d captures after the news stopped, want every frame (7)", captures)
	}
}

// countingScreen returns a screen that counts its captures in n, each a new image.
func countingScreen(n *int) video.Reader {
	return video.ReaderFunc(func() (image.Image, func(), error) {
		*n++
		return image.NewRGBA(image.Rect(0, 0, 8, 8)), func() {}, nil
	})
}

// A value on fresh (video turned on) captures the screen at once, from a
// settled still screen whose next frame would otherwise wait stillWait.
func TestStillReaderCapturesWhenAskedFresh(t *testing.T) {
	captures := 0
	src := countingScreen(&captures)
	changes, fresh := make(chan struct{}, 1), make(chan struct{}, 1)
	clock := &virtualClock{}
	r := stillReaderOn(clock, src, changes, fresh, 100)
	if _, _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	clock.Add(stillSettle)
	clock.Freeze() // only fresh ends the wait
	go func() { time.Sleep(20 * time.Millisecond); fresh <- struct{}{} }()
	if _, _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	if captures != 2 {
		t.Fatalf("%d captures, want 2: the frame after fresh is a new capture", captures)
	}
}

// virtualClock is a stillClock on which waiting moves time: After(d) moves
// the clock by d and fires at once, so the tests do not depend on how busy
// the machine is; once frozen, nothing fires.
type virtualClock struct {
	mu     sync.Mutex
	now    time.Time
	frozen bool
}

func (c *virtualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *virtualClock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// Freeze makes every later After wait for ever.
func (c *virtualClock) Freeze() { c.mu.Lock(); c.frozen = true; c.mu.Unlock() }

func (c *virtualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return nil
	}
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}
