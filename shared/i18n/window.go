package i18n

import (
	"fmt"
	"strings"
	"time"
)

// Days of the week and time windows, as customers and technicians read
// them: "Monday to Saturday, from 07:00 to 19:00 (Europe/Paris time)".
func init() {
	add(map[string]text{
		"day.0":              {EN: "Sunday", FR: "dimanche"},
		"day.1":              {EN: "Monday", FR: "lundi"},
		"day.2":              {EN: "Tuesday", FR: "mardi"},
		"day.3":              {EN: "Wednesday", FR: "mercredi"},
		"day.4":              {EN: "Thursday", FR: "jeudi"},
		"day.5":              {EN: "Friday", FR: "vendredi"},
		"day.6":              {EN: "Saturday", FR: "samedi"},
		"days.range":         {EN: "%s to %s", FR: "du %s au %s"},
		"days.every":         {EN: "every day", FR: "tous les jours"},
		"window.always":      {EN: "at any time", FR: "à tout moment"},
		"window.hours":       {EN: "%s, from %s to %s (%s time)", FR: "%s, de %s à %s (heure de %s)"},
		"window.hours.night": {EN: "%s, from %s to %s the next morning (%s time)", FR: "%s, de %s à %s le lendemain matin (heure de %s)"},
	})
}

// Window says when a time window is open, in lang: at any time when days
// is empty, else its days (runs of three days or more as a range, the week
// from Monday) and hours in its zone. A to before from is overnight.
func Window(lang Lang, days []time.Weekday, from, to, zone string) string {
	if len(days) == 0 {
		return T(lang, "window.always")
	}
	var on [7]bool
	for _, d := range days {
		if d >= time.Sunday && d <= time.Saturday {
			on[d] = true
		}
	}
	key := "window.hours"
	if to < from {
		key = "window.hours.night"
	}
	if on == [7]bool{true, true, true, true, true, true, true} {
		return T(lang, key, T(lang, "days.every"), from, to, zone)
	}
	d := func(k int) time.Weekday { return time.Weekday((k + 1) % 7) } // Monday first
	var parts []string
	for i := 0; i < 7; {
		if !on[d(i)] {
			i++
			continue
		}
		j := i
		for j+1 < 7 && on[d(j+1)] {
			j++
		}
		if j-i >= 2 {
			parts = append(parts, T(lang, "days.range", dayName(lang, d(i)), dayName(lang, d(j))))
		} else {
			for k := i; k <= j; k++ {
				parts = append(parts, dayName(lang, d(k)))
			}
		}
		i = j + 1
	}
	return T(lang, key, strings.Join(parts, ", "), from, to, zone)
}
func dayName(lang Lang, d time.Weekday) string { return T(lang, fmt.Sprintf("day.%d", d)) }
