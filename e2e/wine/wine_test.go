package wine_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-support/lifeline/e2e/testwindow/twtest"
	"github.com/lifeline-support/lifeline/e2e/wine"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

// A Go program cross-built for Windows runs under Wine (Debian's Wine 8
// lacks ProcessPrng: without the shim it dies at start with "fatal error:
// bcryptprimitives.dll not found") and reads the X screen it runs on through
// GDI, as the Windows agent will: the screen's size and the colours of the
// test window's red and green quadrants.
func TestGoRunsUnderWine(t *testing.T) {
	prefix := wine.NewPrefix(t)
	const w, h = 640, 480
	display := xvfb.Start(t, w, h)
	twtest.Start(t, display, twtest.Options{X: 100, Y: 80, W: 200, H: 160})

	exe := filepath.Join(t.TempDir(), "grab.exe")
	build := exec.Command("go", "build", "-o", exe, "./testdata/grab")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cross-build grab.exe: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := prefix.Command(ctx, exe, "150", "120", "250", "120")
	cmd.Env = append(cmd.Env, "DISPLAY="+display)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("grab.exe under Wine: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	want := fmt.Sprintf("screen %d %d\n150 120 255 0 0\n250 120 0 255 0\n", w, h)
	if string(out) != want {
		t.Fatalf("grab.exe printed\n%s\nwant\n%s\nstderr:\n%s", out, want, stderr.String())
	}
}
