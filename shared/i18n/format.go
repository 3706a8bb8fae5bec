package i18n

import "time"

// Times and dates as each language writes them: Go layouts in the catalog
// (12-hour clock in English, 24-hour in French). Pages format in the browser
// with i18n.js's formatTime and formatDateTime, from the page's lang.
func init() {
	add(map[string]text{
		"format.time":     {EN: "3:04 PM", FR: "15:04"},
		"format.dateTime": {EN: "Jan 2, 2006, 3:04 PM", FR: "02/01/2006 15:04"},
	})
}

// Time is the time of day of t as lang writes it: "11:23 PM", "23:23".
func Time(lang Lang, t time.Time) string { return t.Format(T(lang, "format.time")) }

// DateTime is the date and time of t as lang writes them:
// "Jan 2, 2026, 11:23 PM", "02/01/2026 23:23".
func DateTime(lang Lang, t time.Time) string { return t.Format(T(lang, "format.dateTime")) }
