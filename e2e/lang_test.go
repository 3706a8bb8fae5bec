package e2e

import (
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestTimesFollowThePageLanguageInFrench (issue 18, defect 9): French pages
// showed times as "11:23 PM" (the browser's own locale). The workspace's log
// in French shows 24-hour times, as French writes them. Chromium only.
func TestTimesFollowThePageLanguageInFrench(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	run(t, tech.Page(), "switch the console to French",
		chromedp.Navigate(stack.URL+"/console?lang=fr"), chromedp.WaitVisible(chromedp.ID("customer")))
	c := stack.Customer(t, tech.NewSession(t, "Ada Lovelace"))
	c.OpenPage(t)
	c.Allow(t)
	tech.WaitVideo(t)
	if lang := Eval[string](t, tech, "page language", `document.documentElement.lang`); lang != "fr" {
		t.Fatalf("the workspace's language is %q", lang)
	}
	var times [][]string
	waitFor(t, "an entry in the log", func() bool {
		times = Eval[[][]string](t, tech, "log times", `[...document.querySelectorAll("#session-log li time")].map((e) => [e.dateTime, e.textContent])`)
		return len(times) > 0
	})
	hhmm := regexp.MustCompile(`^\d{2}:\d{2}$`)
	for _, tm := range times {
		at, err := time.Parse(time.RFC3339, tm[0])
		if err != nil {
			t.Fatal(err)
		}
		if want := at.Local().Format("15:04"); tm[1] != want || !hhmm.MatchString(tm[1]) {
			t.Errorf("a French log entry at %s reads %q, want %q", tm[0], tm[1], want)
		}
	}
}

// The pages' translator fills each %s once, in order: a file name or a
// customer's text that itself holds "%s" or "%d" is shown as it is, and the
// next argument still goes where it belongs. Before, each argument replaced
// the first placeholder left in the text, its own inserted "%s" included.
func TestTranslatorFillsEachPlaceholderOnce(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	run(t, tech.Page(), "open the console", chromedp.Navigate(stack.URL+"/console"), chromedp.WaitVisible(chromedp.ID("customer")))
	got := get(t, tech.Page(), "translate", chromedp.Evaluate[string](`import("/static/i18n.js").then((m) =>
		m.translator(() => ({ k: "Received %s (%d bytes) from %s" }))("k", "100%s_%d.txt", 42, "Marie"))`, chromedp.EvalAwaitPromise))
	if want := "Received 100%s_%d.txt (42 bytes) from Marie"; got != want {
		t.Fatalf("translated %q, want %q", got, want)
	}
}
