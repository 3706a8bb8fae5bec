package unattended

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LocalZone is this computer's time zone as an IANA name: TZ when it names
// one, else where /etc/localtime points into the zoneinfo tree, else
// /etc/timezone (Debian's); false when none names a zone Go knows.
func LocalZone() (string, bool) { return localZone(os.Getenv("TZ"), "/etc/localtime", "/etc/timezone") }

func localZone(tz, localtime, timezone string) (string, bool) {
	var names []string
	if tz = strings.TrimPrefix(tz, ":"); tz != "" && !filepath.IsAbs(tz) {
		names = append(names, tz)
	}
	if target, err := filepath.EvalSymlinks(localtime); err == nil {
		if _, name, ok := strings.Cut(target, "/zoneinfo/"); ok {
			names = append(names, name)
		}
	}
	if b, err := os.ReadFile(timezone); err == nil {
		names = append(names, strings.TrimSpace(string(b)))
	}
	for _, n := range names {
		n = strings.TrimPrefix(n, "posix/")
		if _, err := time.LoadLocation(n); err == nil && n != "" && n != "Local" {
			return n, true
		}
	}
	return "", false
}
