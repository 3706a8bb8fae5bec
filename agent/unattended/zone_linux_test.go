package unattended

import (
	"os"
	"path/filepath"
	"testing"
)

// The computer's zone comes from TZ, else the /etc/localtime link, else
// /etc/timezone; a file path or an unknown name is no zone.
func TestLocalZone(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "localtime")
	if err := os.Symlink("/usr/share/zoneinfo/America/Chicago", link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "timezone")
	if err := os.WriteFile(file, []byte("Asia/Tokyo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	none := filepath.Join(dir, "none")
	for _, c := range []struct {
		tz, localtime, timezone string
		want                    string
	}{
		{"Europe/Paris", link, file, "Europe/Paris"},
		{":Europe/Paris", none, none, "Europe/Paris"},
		{"/usr/share/zoneinfo/UTC", link, file, "America/Chicago"},
		{"", link, file, "America/Chicago"},
		{"", none, file, "Asia/Tokyo"},
		{"Mars/Olympus", none, none, ""},
	} {
		got, ok := localZone(c.tz, c.localtime, c.timezone)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("TZ=%q %s %s: %q %v, want %q", c.tz, c.localtime, c.timezone, got, ok, c.want)
		}
	}
}
