package scripts

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The test binary plays a script that starts a program and waits: as the
// "parent" it starts itself again as the "child", which writes its PID to a
// file and waits too.
func TestMain(m *testing.M) {
	switch os.Getenv("LIFELINE_TEST_TREE") {
	case "parent":
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), "LIFELINE_TEST_TREE=child")
		if err := child.Start(); err != nil {
			os.Exit(3)
		}
		_ = child.Wait()
		os.Exit(0)
	case "child":
		_ = os.WriteFile(os.Getenv("LIFELINE_TEST_PIDFILE"), []byte(strconv.Itoa(os.Getpid())), 0o600)
		time.Sleep(time.Hour)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Stopping a script ends what it started too, not only the interpreter (a
// process group on Unix, a job object on Windows). Run under Wine by
// e2e/wine's TestWindowsUnitTestsUnderWine.
func TestStopEndsWhatTheScriptStarted(t *testing.T) {
	// Not t.TempDir: under Wine the removal of a file a killed process
	// wrote can fail ("Invalid function"), which is not this test's point.
	dir, err := os.MkdirTemp("", "lifeline-tree-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	pidfile := dir + string(os.PathSeparator) + "child.pid"
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "LIFELINE_TEST_TREE=parent", "LIFELINE_TEST_PIDFILE="+pidfile)
	tr, err := newTree(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := tr.started(); err != nil {
		t.Fatal(err)
	}
	var child int
	waitFor(t, "the script's child started", func() bool {
		b, err := os.ReadFile(pidfile)
		if err != nil {
			return false
		}
		child, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && child > 0
	})
	tr.kill()
	_ = cmd.Wait()
	waitFor(t, "the script's child ended", func() bool { return !alive(child) })
}

// waitFor waits up to 20 s for ok.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
