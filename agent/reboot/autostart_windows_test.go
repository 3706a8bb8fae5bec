package reboot

import "testing"

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
