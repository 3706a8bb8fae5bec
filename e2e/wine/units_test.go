package wine_test

import (
	"context"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/e2e/wine"
	"github.com/lifeline-support/lifeline/e2e/xvfb"
)

// The agent's Windows unit tests (files *_windows_test.go) pass, cross-built
// and run under Wine on an X display: each package below is built with go
// test -c for Windows and its test binary run in a fresh prefix.
func TestWindowsUnitTestsUnderWine(t *testing.T) {
	prefix := wine.NewPrefix(t)
	display := xvfb.Start(t, 640, 480)
	// Environment of a package's run: shared/i18n runs in a French Windows
	// and checks the agent reads it. Wine takes the user's locale from the
	// Unix one, which must exist: it is built into a folder of the test's
	// (LOCPATH), as this machine may have only C.
	locales := t.TempDir()
	if out, err := exec.Command("localedef", "-i", "fr_FR", "-f", "UTF-8", filepath.Join(locales, "fr_FR.UTF-8")).CombinedOutput(); err != nil {
		t.Fatalf("build the French locale: %v\n%s", err, out)
	}
	env := map[string][]string{"../../shared/i18n": {"LOCPATH=" + locales, "LANG=fr_FR.UTF-8", "LIFELINE_TEST_LOCALE=fr"}}
	// agent/fileman deletes to the Recycle Bin, which Wine keeps in the
	// Unix user's trash, ~/.local/share/Trash (it does not read
	// XDG_DATA_HOME): a home of the test's, that the test looks into
	// (through Wine's Z: drive).
	home := t.TempDir()
	env["../../agent/fileman"] = []string{"HOME=" + home,
		`LIFELINE_TEST_TRASH=Z:` + strings.ReplaceAll(filepath.Join(home, ".local", "share", "Trash"), "/", `\`)}
	// agent/scripts: only its process tree (its other tests run bash);
	// agent/sysinfo: only its inventory (its process tests are Linux's).
	only := map[string]string{"../../agent/scripts": "^TestStopEndsWhatTheScriptStarted$", "../../agent/sysinfo": "^TestWindowsInventory$",
		"../../agent/reboot": "^(TestEntry|TestSafeMode|TestRunOnce)"} // agent/reboot: not its restart command, a Unix program
	for _, pkg := range []string{"../../agent/screen", "../../agent/privacy", "../../agent/proxy", "../../agent/indicator", "../../shared/i18n", "../../agent/fileman", "../../agent/scripts", "../../agent/sysinfo", "../../agent/reboot"} {
		t.Run(filepath.Base(pkg), func(t *testing.T) {
			exe := filepath.Join(t.TempDir(), filepath.Base(pkg)+".test.exe")
			build := exec.Command("go", "test", "-c", "-o", exe, pkg)
			build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("cross-build the tests of %s: %v\n%s", pkg, err, out)
			}
			ctx, cancel := context.WithTimeout(context.Background(), wine.BootTimeout)
			defer cancel()
			args := []string{"-test.v"}
			if run, ok := only[pkg]; ok {
				args = append(args, "-test.run", run)
			}
			cmd := prefix.Command(ctx, exe, args...)
			cmd.Env = append(cmd.Env, "DISPLAY="+display)
			cmd.Env = append(cmd.Env, env[pkg]...)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "--- PASS") {
				t.Fatalf("the tests of %s under Wine: %v\n%s", pkg, err, out)
			}
			t.Logf("%s", out)
		})
	}

	// Two monitors: Xvfb's Xinerama heads, which Wine lists when told not
	// to use RandR. Last, as it changes the prefix.
	t.Run("screen with two monitors", func(t *testing.T) {
		exe := filepath.Join(t.TempDir(), "screen.test.exe")
		build := exec.Command("go", "test", "-c", "-o", exe, "../../agent/screen")
		build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("cross-build the tests of agent/screen: %v\n%s", err, out)
		}
		heads := xvfb.StartXinerama(t, image.Pt(800, 600), image.Pt(640, 480))
		prefix.UseXinerama(t)
		ctx, cancel := context.WithTimeout(context.Background(), wine.BootTimeout)
		defer cancel()
		cmd := prefix.Command(ctx, exe, "-test.v", "-test.run", "^TestMonitorsListsEachMonitor$")
		cmd.Env = append(cmd.Env, "DISPLAY="+heads, "LIFELINE_TEST_MONITORS=800x600,640x480")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS") {
			t.Fatalf("the monitors under Wine with two Xinerama heads: %v\n%s", err, out)
		}
		t.Logf("%s", out)
	})
}
