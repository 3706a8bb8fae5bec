package store

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Opening hours are read in the channel's own time zone, summer time
// included, and closed outside the days and the From–To range.
func TestHoursOpenAt(t *testing.T) {
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	paris := Hours{Zone: "Europe/Paris", Days: weekdays, From: "09:00", To: "17:30"}
	tokyo := Hours{Zone: "Asia/Tokyo", Days: weekdays, From: "09:00", To: "18:00"}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name string
		h    Hours
		at   string
		want bool
	}{
		{"always open without days", Hours{}, "2026-12-06T03:00:00Z", true},
		{"winter: 08:30 UTC is 09:30 in Paris", paris, "2026-12-07T08:30:00Z", true},
		{"winter: 07:59 UTC is 08:59 in Paris", paris, "2026-12-07T07:59:00Z", false},
		{"summer: 07:30 UTC is 09:30 in Paris", paris, "2026-07-06T07:30:00Z", true},
		{"summer: 15:30 UTC is 17:30 in Paris, closing time", paris, "2026-07-06T15:30:00Z", false},
		{"Saturday in Paris", paris, "2026-12-05T10:00:00Z", false},
		{"Sunday 23:30 UTC is Monday 08:30 in Tokyo: not yet", tokyo, "2026-12-06T23:30:00Z", false},
		{"Monday 00:30 UTC is Monday 09:30 in Tokyo", tokyo, "2026-12-07T00:30:00Z", true},
		{"Friday 23:00 UTC is Saturday in Tokyo", tokyo, "2026-12-04T23:00:00Z", false},
		{"unknown zone never opens", Hours{Zone: "Mars/Base", Days: weekdays, From: "00:00", To: "23:59"}, "2026-12-07T10:00:00Z", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.h.OpenAt(at(tc.at)); got != tc.want {
				t.Errorf("OpenAt(%s) = %v, want %v", tc.at, got, tc.want)
			}
		})
	}
}

func TestChannelValidate(t *testing.T) {
	good := Channel{Slug: "printers", Name: "Printers", Groups: []string{DefaultGroupID},
		Hours: Hours{Zone: "Europe/Paris", Days: []time.Weekday{time.Monday}, From: "09:00", To: "17:00"}}
	tests := []struct {
		name   string
		change func(*Channel)
		ok     bool
	}{
		{"good", func(*Channel) {}, true},
		{"always open", func(c *Channel) { c.Hours = Hours{} }, true},
		{"slug with capitals", func(c *Channel) { c.Slug = "Printers" }, false},
		{"slug with a slash", func(c *Channel) { c.Slug = "a/b" }, false},
		{"slug starting with a dash", func(c *Channel) { c.Slug = "-a" }, false},
		{"slug too long", func(c *Channel) { c.Slug = strings.Repeat("a", 41) }, false},
		{"no name", func(c *Channel) { c.Name = " " }, false},
		{"name with a bidi override", func(c *Channel) { c.Name = "Print\u202eers" }, false},
		{"no group", func(c *Channel) { c.Groups = nil }, false},
		{"closed text too long", func(c *Channel) { c.ClosedText = strings.Repeat("x", MaxChannelText+1) }, false},
		{"closed text on lines", func(c *Channel) { c.ClosedText = "Closed.\nCome back Monday." }, true},
		{"unknown zone", func(c *Channel) { c.Hours.Zone = "Mars/Base" }, false},
		{"no zone", func(c *Channel) { c.Hours.Zone = "" }, false},
		{"overnight (closing before opening)", func(c *Channel) { c.Hours.From, c.Hours.To = "22:00", "06:00" }, true},
		{"closing as it opens", func(c *Channel) { c.Hours.From, c.Hours.To = "09:00", "09:00" }, false},
		{"bad time", func(c *Channel) { c.Hours.From = "9h" }, false},
		{"bad day", func(c *Channel) { c.Hours.Days = []time.Weekday{9} }, false},
		{"waiting cap too big", func(c *Channel) { c.MaxWaiting = MaxChannelWaiting + 1 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			c.Hours.Days = append([]time.Weekday(nil), good.Hours.Days...)
			tc.change(&c)
			err := c.Validate()
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
				t.Errorf("Validate() = %v, want ok %v", err, tc.ok)
			}
		})
	}
}
