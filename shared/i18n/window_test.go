package i18n

import (
	"testing"
	"time"
)

// A window reads plainly in each language: ranges of days, lists, every
// day, overnight hours, and always.
func TestWindow(t *testing.T) {
	mon, tue, wed, sat, sun := time.Monday, time.Tuesday, time.Wednesday, time.Saturday, time.Sunday
	for _, c := range []struct {
		lang     Lang
		days     []time.Weekday
		from, to string
		want     string
	}{
		{EN, nil, "", "", "at any time"},
		{FR, nil, "", "", "à tout moment"},
		{EN, []time.Weekday{mon, tue, wed, time.Thursday, time.Friday, sat}, "07:00", "19:00", "Monday to Saturday, from 07:00 to 19:00 (Europe/Paris time)"},
		{FR, []time.Weekday{sat, mon, tue, wed, time.Thursday, time.Friday}, "07:00", "19:00", "du lundi au samedi, de 07:00 à 19:00 (heure de Europe/Paris)"},
		{EN, []time.Weekday{mon, wed, sat, sun}, "08:00", "12:00", "Monday, Wednesday, Saturday, Sunday, from 08:00 to 12:00 (Europe/Paris time)"},
		{EN, []time.Weekday{0, 1, 2, 3, 4, 5, 6}, "22:00", "06:00", "every day, from 22:00 to 06:00 the next morning (Europe/Paris time)"},
	} {
		if got := Window(c.lang, c.days, c.from, c.to, "Europe/Paris"); got != c.want {
			t.Errorf("%s %v %s–%s: %q, want %q", c.lang, c.days, c.from, c.to, got, c.want)
		}
	}
}
