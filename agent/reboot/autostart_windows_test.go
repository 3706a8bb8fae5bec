package reboot

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/windows/registry"
)

// The RunOnce command line quotes both paths for Windows' parser.
func TestRunOnceText(t *testing.T) {
	got := runOnceText(`C:\Program Files\Lifeline\agent.exe`, `C:\Users\a b\AppData\Roaming\lifeline\reboot\x.json`)
	want := `"C:\Program Files\Lifeline\agent.exe" --reconnect "C:\Users\a b\AppData\Roaming\lifeline\reboot\x.json"`
	if got != want {
		t.Fatalf("runOnceText = %s, want %s", got, want)
	}
	if q := quoteWin(`C:\dir\`); q != `"C:\dir\\"` {
		t.Fatalf("quoteWin = %s", q)
	}
}

// The user's RunOnce value is written with the entry (with a "*" name in
// safe mode, so Windows runs it there too) and removed when the entry is
// taken.
func TestRunOnceRoundTrip(t *testing.T) {
	for _, safe := range []bool{false, true} {
		p := Place{Config: tempDir(t)}
		e := entry("win1", time.Now())
		e.SafeMode = safe
		file, err := p.Leave(e, `C:\Program Files\Lifeline\agent.exe`)
		if err != nil {
			t.Fatal(err)
		}
		name := RunOnceName
		if safe {
			name = safeModeName
		}
		k, err := registry.OpenKey(registry.CURRENT_USER, runOnceKey, registry.QUERY_VALUE)
		if err != nil {
			t.Fatal(err)
		}
		v, _, err := k.GetStringValue(name)
		k.Close()
		if err != nil || v != runOnceText(`C:\Program Files\Lifeline\agent.exe`, file) {
			t.Fatalf("RunOnce %s = %q, %v", name, v, err)
		}
		if _, err := p.Take(file, time.Now()); err != nil {
			t.Fatal(err)
		}
		k, err = registry.OpenKey(registry.CURRENT_USER, runOnceKey, registry.QUERY_VALUE)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = k.GetStringValue(name)
		k.Close()
		if !errors.Is(err, registry.ErrNotExist) {
			t.Fatalf("RunOnce %s after use: %v", name, err)
		}
	}
}
