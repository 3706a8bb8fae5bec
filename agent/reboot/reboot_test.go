package reboot

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// tempDir is t.TempDir whose removal failing is not the test's failure:
// Wine refuses to remove some folders its programs made ("Invalid
// function"), and the Windows tests run under it.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "reboot-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func entry(sid string, made time.Time) Entry {
	return Entry{Server: "https://support.example", SID: sid, Secret: "s3cret-" + sid, Technician: "Marie", Org: "Acme", Made: made}
}

// The entry's file holds the secret for the user only, is taken once, and
// taking it removes the autostart entry too.
func TestEntryIsOneShotAndPrivate(t *testing.T) {
	p := Place{Config: tempDir(t)}
	now := time.Now()
	file, err := p.Leave(entry("abc", now), "/opt/life line/agent")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 { // Windows: the user's profile ACL
		t.Fatalf("entry file mode %v, want 0600", fi.Mode().Perm())
	}
	e, err := p.Take(file, now.Add(time.Minute))
	if err != nil || e.Secret != "s3cret-abc" || e.Technician != "Marie" {
		t.Fatalf("Take = %+v, %v", e, err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("entry file still there after use: %v", err)
	}
	if _, err := p.Take(file, now.Add(time.Minute)); !errors.Is(err, ErrUsed) {
		t.Fatalf("second Take = %v, want ErrUsed", err)
	}
}

// Past MaxAge the entry brings nothing back, and is removed all the same.
func TestEntryTooOld(t *testing.T) {
	p := Place{Config: tempDir(t)}
	now := time.Now()
	file, err := p.Leave(entry("old", now), "/usr/bin/lifeline-agent")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Take(file, now.Add(MaxAge+time.Second)); !errors.Is(err, ErrTooOld) {
		t.Fatalf("Take after %v = %v, want ErrTooOld", MaxAge, err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("old entry file left: %v", err)
	}
}

func TestEntryBadFiles(t *testing.T) {
	p := Place{Config: tempDir(t)}
	bad := filepath.Join(tempDir(t), "x.json")
	if err := os.WriteFile(bad, []byte(`{"sid":"a"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Take(bad, time.Now()); !errors.Is(err, ErrBadEntry) {
		t.Fatalf("Take(no secret) = %v", err)
	}
	for _, sid := range []string{"", "../x", `a\b`} {
		if _, err := p.File(sid); !errors.Is(err, ErrBadEntry) {
			t.Errorf("File(%q) = %v", sid, err)
		}
	}
}

// Safe mode with networking only where the system has it and the agent is
// a service that starts in it.
func TestSafeModeDecision(t *testing.T) {
	for _, tt := range []struct {
		name            string
		system, service bool
		want            error
	}{
		{"windows service", true, true, nil},
		{"windows program started by the customer", true, false, ErrSafeModeUnavailable},
		{"linux service", false, true, ErrSafeModeUnavailable},
		{"linux program", false, false, ErrSafeModeUnavailable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := safeMode(tt.system, tt.service); !errors.Is(err, tt.want) {
				t.Fatalf("safeMode = %v, want %v", err, tt.want)
			}
		})
	}
}

// The test's own command replaces the system's restart.
func TestCommandFromEnvironment(t *testing.T) {
	t.Setenv(EnvCommand, "/bin/true")
	cmds := Command(false)
	if len(cmds) != 1 || cmds[0].Path != "/bin/true" || len(cmds[0].Args) != 1 {
		t.Fatalf("Command = %+v", cmds)
	}
	if err := Restart(cmds); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvCommand, "/bin/false")
	if err := Restart(Command(false)); err == nil {
		t.Fatal("a failing restart reported no error")
	}
}

// Review item 5: the entry lives as long as the server waits for the
// computer (Entry.Wait, from the restart's request), not a fixed 10
// minutes; without a wait it is MaxAge, and never past MaxWait.
func TestEntryFollowsTheServersWait(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name string
		wait time.Duration
		age  time.Duration
		old  bool
	}{
		{"a longer wait, within it", 30 * time.Minute, 20 * time.Minute, false},
		{"a longer wait, past it", 30 * time.Minute, 31 * time.Minute, true},
		{"a shorter wait, past it", 2 * time.Minute, 3 * time.Minute, true},
		{"no wait said: MaxAge", 0, MaxAge + time.Second, true},
		{"a wait past the bound", 1000 * time.Hour, MaxWait + time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Place{Config: tempDir(t)}
			e := entry("sid1", now.Add(-tc.age))
			e.Wait = tc.wait
			file, err := p.Leave(e, "/usr/bin/lifeline-agent")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Take(file, now); errors.Is(err, ErrTooOld) != tc.old {
				t.Fatalf("Take at %v old with a %v wait = %v, want too old %v", tc.age, tc.wait, err, tc.old)
			}
		})
	}
}

// Review item 8: --reconnect FILE takes only an entry of its own
// directory: any other file is refused and left where it is.
func TestTakeOnlyItsOwnEntries(t *testing.T) {
	p := Place{Config: tempDir(t)}
	other := filepath.Join(tempDir(t), "precious.json")
	if err := os.WriteFile(other, []byte(`{"server":"https://x","sid":"a","secret":"b"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	file, err := p.Leave(entry("sid1", time.Now()), "/usr/bin/lifeline-agent")
	if err != nil {
		t.Fatal(err)
	}
	sneaky := filepath.Join(filepath.Dir(file), "..", "reboot", "..", "..", filepath.Base(filepath.Dir(other)), "precious.json")
	for _, f := range []string{other, sneaky, filepath.Join(filepath.Dir(file), "notes.txt")} {
		if _, err := p.Take(f, time.Now()); !errors.Is(err, ErrBadEntry) {
			t.Errorf("Take(%s) = %v, want ErrBadEntry", f, err)
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("a file outside the entries' directory was removed: %v", err)
	}
	if _, err := p.Take(file, time.Now()); err != nil {
		t.Fatalf("its own entry: %v", err)
	}
}
