package protocol

import (
	"errors"
	"testing"
	"time"
)

// at is the instant of a wall-clock time in zone.
func at(t *testing.T, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A window is open by the wall clock of its own zone, whatever the zone
// of the instant asked about; to the end of the day with 24:00; across
// midnight when it closes before it opens (the night belongs to the day
// it began); and on both sides of a daylight saving change.
func TestHoursOpenAt(t *testing.T) {
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	monSat := append(weekdays, time.Saturday)
	paris := Hours{Zone: "Europe/Paris", Days: monSat, From: "07:00", To: "19:00"}
	for _, c := range []struct {
		name string
		h    Hours
		at   time.Time
		want bool
	}{
		{"always", Hours{}, time.Now(), true},
		{"Saturday morning in Paris", paris, at(t, "Europe/Paris", "2026-12-05 07:00"), true},
		{"Saturday 18:59", paris, at(t, "Europe/Paris", "2026-12-05 18:59"), true},
		{"Saturday 19:00 closes", paris, at(t, "Europe/Paris", "2026-12-05 19:00"), false},
		{"Sunday", paris, at(t, "Europe/Paris", "2026-12-06 10:00"), false},
		{"asked from New York: 01:30 there is 07:30 in Paris", paris, at(t, "America/New_York", "2026-12-07 01:30"), true},
		{"asked from Tokyo: Monday 02:00 there is Sunday in Paris", paris, at(t, "Asia/Tokyo", "2026-12-07 02:00"), false},
		{"to midnight", Hours{Zone: "UTC", Days: weekdays, From: "18:00", To: "24:00"}, at(t, "UTC", "2026-12-07 23:59"), true},
		{"to midnight, not the next morning", Hours{Zone: "UTC", Days: []time.Weekday{time.Monday}, From: "18:00", To: "24:00"}, at(t, "UTC", "2026-12-08 00:00"), false},
		{"overnight: Friday night", Hours{Zone: "Europe/Paris", Days: []time.Weekday{time.Friday}, From: "22:00", To: "06:00"}, at(t, "Europe/Paris", "2026-12-11 23:00"), true},
		{"overnight: into Saturday", Hours{Zone: "Europe/Paris", Days: []time.Weekday{time.Friday}, From: "22:00", To: "06:00"}, at(t, "Europe/Paris", "2026-12-12 05:59"), true},
		{"overnight: Saturday 06:00 closes", Hours{Zone: "Europe/Paris", Days: []time.Weekday{time.Friday}, From: "22:00", To: "06:00"}, at(t, "Europe/Paris", "2026-12-12 06:00"), false},
		{"overnight: not Thursday's night", Hours{Zone: "Europe/Paris", Days: []time.Weekday{time.Friday}, From: "22:00", To: "06:00"}, at(t, "Europe/Paris", "2026-12-11 03:00"), false},
		// Paris springs forward on 2026-03-29 at 02:00 (to 03:00) and
		// falls back on 2026-10-25 at 03:00 (to 02:00).
		{"the morning after spring forward", paris, at(t, "UTC", "2026-03-30 05:30"), true},                                                                                         // 07:30 CEST
		{"the hour before, by UTC", paris, at(t, "UTC", "2026-03-30 04:30"), false},                                                                                                 // 06:30 CEST
		{"the morning after fall back", paris, at(t, "UTC", "2026-10-26 06:30"), true},                                                                                              // 07:30 CET
		{"an hour earlier, by UTC", paris, at(t, "UTC", "2026-10-26 05:30"), false},                                                                                                 // 06:30 CET
		{"the night of fall back, twice 02:30", Hours{Zone: "Europe/Paris", Days: []time.Weekday{time.Sunday}, From: "02:00", To: "03:00"}, at(t, "UTC", "2026-10-25 01:30"), true}, // 02:30 CET, the second one
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.h.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if got := c.h.OpenAt(c.at); got != c.want {
				t.Errorf("OpenAt(%s) = %v, want %v", c.at, got, c.want)
			}
		})
	}
}

// Validate refuses an unknown zone, a missing zone, a day out of range,
// hours that do not parse and a window that opens and closes at once.
func TestHoursValidate(t *testing.T) {
	mon := []time.Weekday{time.Monday}
	for _, h := range []Hours{
		{Zone: "Mars/Olympus", Days: mon, From: "08:00", To: "18:00"},
		{Days: mon, From: "08:00", To: "18:00"},
		{Zone: "UTC", Days: []time.Weekday{7}, From: "08:00", To: "18:00"},
		{Zone: "UTC", Days: mon, From: "8h", To: "18:00"},
		{Zone: "UTC", Days: mon, From: "08:00", To: "24:01"},
		{Zone: "UTC", Days: mon, From: "24:00", To: "06:00"},
		{Zone: "UTC", Days: mon, From: "08:00", To: "08:00"},
	} {
		if err := h.Validate(); !errors.Is(err, ErrBadHours) {
			t.Errorf("%+v: %v, want ErrBadHours", h, err)
		}
	}
}
