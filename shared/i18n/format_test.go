package i18n

import (
	"testing"
	"time"
)

// TestTimesFollowTheLanguage (issue 18, defect 9): French writes a 24-hour
// clock, never "11:23 PM".
func TestTimesFollowTheLanguage(t *testing.T) {
	at := time.Date(2026, 1, 2, 23, 23, 0, 0, time.UTC)
	for _, tc := range []struct {
		lang           Lang
		time, dateTime string
	}{
		{EN, "11:23 PM", "Jan 2, 2026, 11:23 PM"},
		{FR, "23:23", "02/01/2026 23:23"},
	} {
		if got := Time(tc.lang, at); got != tc.time {
			t.Errorf("Time(%s) = %q, want %q", tc.lang, got, tc.time)
		}
		if got := DateTime(tc.lang, at); got != tc.dateTime {
			t.Errorf("DateTime(%s) = %q, want %q", tc.lang, got, tc.dateTime)
		}
	}
}
