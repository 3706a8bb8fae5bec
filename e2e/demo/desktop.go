package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

// startDesktop starts Xvfb and puts the test pattern window on it, plus xterm,
// xclock and xeyes when installed. It returns the display and the window names.
func (d *demo) startDesktop(ctx context.Context, tmp string) (string, []string, error) {
	srv, err := xvfb.Launch(screenW, screenH)
	if err != nil {
		return "", nil, err
	}
	d.onStop(func() { _ = srv.Close() })
	display := srv.Display()

	tw := filepath.Join(tmp, "testwindow")
	build := exec.CommandContext(ctx, "go", "build", "-o", tw, "github.com/lifeline-support/lifeline/e2e/testwindow")
	if out, err := build.CombinedOutput(); err != nil {
		return "", nil, fmt.Errorf("build the test pattern window: %v: %s", err, out)
	}
	windows := []struct {
		name string
		args []string
	}{
		{"the test pattern", []string{tw, "-x", "40", "-y", "40", "-w", "640", "-h", "400", "-log", filepath.Join(tmp, "testwindow.log")}},
		{"xterm", []string{"xterm", "-geometry", "80x24+720+40"}},
		{"xclock", []string{"xclock", "-geometry", "200x200+740+460"}},
		{"xeyes", []string{"xeyes", "-geometry", "200x120+980+460"}},
	}
	var started []string
	for _, w := range windows {
		if _, err := exec.LookPath(w.args[0]); err != nil {
			continue // not installed: a plainer desktop
		}
		cmd := exec.Command(w.args[0], w.args[1:]...)
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		if _, err := d.start(w.name, cmd, nil); err != nil {
			return "", nil, err
		}
		started = append(started, w.name)
	}
	if len(started) < len(windows) {
		fmt.Println("Hint: apt-get install xterm x11-apps for a richer customer desktop.")
	}
	return display, started, nil
}
