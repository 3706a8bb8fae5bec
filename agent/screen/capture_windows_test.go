package screen

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/agent/win32"
)

// A capture that fails (BitBlt is refused while the workstation is locked or
// a UAC prompt holds the secure desktop) says why, and the capture reads the
// screen again as soon as it can: the next picture counts as new. (Before,
// it handed out a grey picture and nothing said why; agent/peer now keeps
// the video going with a still picture and tells the technician.) Runs
// under Wine (e2e/wine).
func TestCaptureSurvivesAFailedGrab(t *testing.T) {
	c, err := OpenCapture(0, 1000, nil)
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

// Where DXGI Desktop Duplication fails (Wine has none; on Windows a remote
// session or an old driver), the capture reads the screen with GDI by
// itself and says why once per process, not once per session. On a Windows
// that duplicates, the duplicated screen is read instead. Runs under Wine
// (e2e/wine).
func TestCaptureFallsBackToGDIAndSaysSoOnce(t *testing.T) {
	fallbackLogged = sync.Once{}
	noDuplication.Store(false)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	for session := range 2 {
		c, err := OpenCapture(0, 1000, log)
		if err != nil {
			t.Fatal(err)
		}
		f, err := c.Read()
		if err != nil {
			t.Fatal(err)
		}
		if f.Rect.Empty() || len(f.Pix) < f.Stride*f.Rect.Dy() {
			t.Fatalf("session %d: frame %v with %d bytes", session, f.Rect, len(f.Pix))
		}
		if c.dup != nil {
			t.Logf("DXGI Desktop Duplication is used here (%d outputs)", len(c.dup.d.Outputs))
		}
		c.Close()
	}
	t.Logf("logs:\n%s", logs.String())
	if d, err := win32.OpenDuplication(); err == nil {
		d.Close()
		return // real Windows with duplication: nothing fell back
	}
	if n := strings.Count(logs.String(), "DXGI Desktop Duplication is not available; capturing with GDI"); n != 1 {
		t.Fatalf("the fall back to GDI was logged %d times over two sessions, want once:\n%s", n, logs.String())
	}
	if !noDuplication.Load() {
		t.Error("a lasting DXGI failure is not remembered: every session would create a Direct3D device again")
	}
	if !strings.Contains(logs.String(), "DuplicateOutput") && !strings.Contains(logs.String(), "D3D11CreateDevice") {
		t.Errorf("the fall back to GDI does not say why:\n%s", logs.String())
	}
}

// A capture that fails tells a locked workstation from a Windows security
// prompt, from what Windows says of the input desktop and the session (the
// only calls replaced here: BitBlt refused, the desktop's name, the lock
// state); the rest is the real capture, whose error agent/peer turns into
// the console's "The customer's screen is locked" or "A Windows security
// prompt is open on the customer's screen". Runs under Wine (e2e/wine).
func TestFailedCaptureSaysLockedOrSecurePrompt(t *testing.T) {
	defer func(d func() (string, error), l func() (bool, bool)) { queryInputDesktop, querySessionLock = d, l }(queryInputDesktop, querySessionLock)
	tests := []struct {
		name    string
		desktop string
		deskErr error
		locked  bool
		want    error
	}{
		{"locked workstation", "", errors.New("OpenInputDesktop: access denied"), true, ErrLocked},
		{"UAC prompt on the secure desktop", "Winlogon", nil, false, ErrSecureDesktop},
		{"secure desktop not ours to open", "", errors.New("OpenInputDesktop: access denied"), false, ErrSecureDesktop},
		{"own desktop, capture refused", "Default", nil, false, ErrUnreadable},
	}
	c, err := OpenCapture(0, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			queryInputDesktop = func() (string, error) { return tt.desktop, tt.deskErr }
			querySessionLock = func() (bool, bool) { return tt.locked, true }
			c.grab = func(x, y int) error { return errors.New("BitBlt: access denied") }
			if _, err := c.Read(); !errors.Is(err, tt.want) {
				t.Fatalf("Read: %v, want %v", err, tt.want)
			}
			c.grab = nil
			queryInputDesktop = func() (string, error) { return "Default", nil }
			if _, err := c.Read(); err != nil {
				t.Fatalf("the screen readable again: %v", err)
			}
		})
	}
}

// When another desktop receives input (the lock screen, a UAC prompt's
// secure desktop), the capture says so even while BitBlt still returns
// pixels (a stale or black picture of the user's desktop on Windows; the
// live one under Wine), and the screen comes back, as a new picture, as
// soon as the user's desktop receives input again. Before, only a failed
// BitBlt was noticed: the console showed the stale picture. Only the input
// desktop's name and the lock state are replaced (Wine's SwitchDesktop is a
// stub); the capture is real. Runs under Wine (e2e/wine).
func TestCaptureNoticesAnotherInputDesktopWhileBitBltReads(t *testing.T) {
	defer func(d func() (string, error), l func() (bool, bool)) { queryInputDesktop, querySessionLock = d, l }(queryInputDesktop, querySessionLock)
	var mu sync.Mutex
	desktop, deskErr, locked, known := "Default", error(nil), false, false
	set := func(d string, e error, l, k bool) {
		mu.Lock()
		defer mu.Unlock()
		desktop, deskErr, locked, known = d, e, l, k
	}
	queryInputDesktop = func() (string, error) { mu.Lock(); defer mu.Unlock(); return desktop, deskErr }
	querySessionLock = func() (bool, bool) { mu.Lock(); defer mu.Unlock(); return locked, known }

	c, err := OpenCapture(0, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := c.Read()
	if err != nil {
		t.Fatal(err)
	}
	seq := f.Seq

	// A UAC prompt: Winlogon receives input, the session is not locked.
	// Noticed within desktopCheckEvery: read until Read says so.
	set("Winlogon", nil, false, true)
	deadline := time.Now().Add(30 * time.Second)
	for err == nil && time.Now().Before(deadline) {
		_, err = c.Read()
	}
	if !errors.Is(err, ErrSecureDesktop) {
		t.Fatalf("Read while Winlogon receives input: %v, want %v", err, ErrSecureDesktop)
	}
	if _, err := c.Read(); !errors.Is(err, ErrSecureDesktop) {
		t.Fatalf("the next Read: %v, want %v still", err, ErrSecureDesktop)
	}

	// Locked: the input desktop cannot be opened, the session says locked.
	set("", errors.New("OpenInputDesktop: Access is denied."), true, true)
	if _, err := c.Read(); !errors.Is(err, ErrLocked) {
		t.Fatalf("Read while locked: %v, want %v", err, ErrLocked)
	}

	// Unlocked: the user's desktop again, at the next Read, as a new picture.
	set("Default", nil, false, true)
	back, err := c.Read()
	if err != nil {
		t.Fatalf("Read once the user's desktop receives input again: %v", err)
	}
	if back.Seq == seq {
		t.Error("the screen back after the secure desktop kept the last picture's Seq: it would not be encoded")
	}
}

// BenchmarkCaptureGDI reads the screen with GDI as fast as it comes (run it
// under Wine with a scrolling screen: e2e/bench's pattern -mode scroll) and
// reports the share of each step: the virtual screen's size (asked once a
// second), the BitBlt (Wine's or Windows' own) and
// the band compare with the last capture (ours).
func BenchmarkCaptureGDI(b *testing.B) {
	noDuplication.Store(true)
	c, err := OpenCapture(0, 1000, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var size, grab, cmp time.Duration
	changed := 0
	for b.Loop() {
		t := time.Now()
		if err := c.fitScreen(t); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		size += t0.Sub(t)
		if err := c.shot.Grab(c.origin.X, c.origin.Y); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if c.changed() {
			changed++
		}
		grab, cmp = grab+t1.Sub(t0), cmp+time.Since(t1)
	}
	n := float64(b.N)
	b.ReportMetric(float64(size.Microseconds())/n, "µs-size/op")
	b.ReportMetric(float64(grab.Microseconds())/n, "µs-grab/op")
	b.ReportMetric(float64(cmp.Microseconds())/n, "µs-compare/op")
	b.ReportMetric(float64(changed)/n, "changed/op")
	b.Logf("%dx%d", c.shot.W, c.shot.H)
}
