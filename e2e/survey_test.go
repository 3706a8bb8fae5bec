package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSurveys plays issue 18's surveys as people would: an administrator
// turns on the customer's survey for the technicians' group and makes the
// technician's survey required; a session runs, the technician sends the
// survey early and ends the session; the technician answers their survey
// (no Skip: it is required); the customer's page shows the survey under
// "The session has ended", refuses an out-of-bounds rating with the
// server's message, then takes the answers; the agent leaves once they are
// kept, and both surveys show in the session's History & notes.
// With LIFELINE_SCREENSHOTS=1 it saves both surveys into e2e/screenshots/.
func TestSurveys(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	save := os.Getenv("LIFELINE_SCREENSHOTS") != ""

	// The administrator sets the surveys of the default group.
	navigate(t, tech.p, stack.URL+"/admin")
	waitVisible(t, tech.p, "#survey-default")
	Eval[bool](t, tech, "fill the default group's surveys", `(() => {
		const f = document.getElementById("survey-default");
		f.querySelector("[name=customer]").checked = true;
		const q = f.querySelectorAll("[name=q]"), k = f.querySelectorAll("[name=kind]");
		q[0].value = "How satisfied are you with the help you got?"; k[0].value = "rating";
		q[1].value = "Is your problem solved?"; k[1].value = "yesno";
		q[2].value = "Anything to tell us?"; k[2].value = "text";
		f.querySelector("[name=required]").checked = true;
		f.querySelector("[name=categories]").value = "Printer\nNetwork";
		return true; })()`)
	clickOn(t, tech.p, "#survey-default button[type=submit]")
	waitVisible(t, tech.p, "#admin-notice")
	if got := Eval[string](t, tech, "the notice", `document.getElementById("admin-notice").textContent`); !strings.Contains(got, "Surveys saved") {
		t.Fatalf("after saving the surveys the page says %q", got)
	}

	// A session runs; the technician sends the survey before the end.
	c := stack.Customer(t, tech.NewSession(t, "Marie Dupont"))
	c.OpenPage(t)
	c.Allow(t)
	tech.WaitVideo(t)
	sid := tech.SessionID(t)
	clickOn(t, tech.p, "#survey-send")
	run(t, c.ctx, "the survey shows on the customer's page", chromedp.WaitVisible(chromedp.ID("survey-send")))

	// The technician ends the session and must answer their survey.
	tech.End(t)
	waitVisible(t, tech.p, "#tech-survey")
	if Eval[bool](t, tech, "is there a Skip button", `!!document.getElementById("survey-skip")`) {
		t.Error("the technician's survey can be skipped though the administrator made it required")
	}
	cats := Eval[[]string](t, tech, "the categories", `[...document.querySelectorAll("#survey-category option")].map((o) => o.value)`)
	if strings.Join(cats, ",") != ",Printer,Network" {
		t.Errorf("the technician picks a category from %q, want the group's (none, Printer, Network)", cats)
	}
	clickOn(t, tech.p, "#survey-resolved")
	Eval[bool](t, tech, "pick the category", `(() => { document.getElementById("survey-category").value = "Printer"; return true; })()`)
	typeInto(t, tech.p, "#survey-notes", "Reinstalled the printer driver.")
	if save {
		writeShot(t, get(t, tech.Page(), "screenshot the technician's survey", chromedp.CaptureScreenshot()), "survey-technician-light")
	}
	clickOn(t, tech.p, "#survey-save")
	waitJS(t, tech.p, "the technician's survey saved", `!document.getElementById("tech-survey")`)

	// The customer's page: the end, and the survey under it.
	if text := c.WaitEnded(t); !strings.Contains(text, "ended") {
		t.Errorf("the customer's page says %q at the end", text)
	}
	run(t, c.ctx, "the survey is still usable after the end", chromedp.WaitEnabled(chromedp.ID("survey-send")))
	if save {
		writeShot(t, get(t, c.ctx, "screenshot the customer's survey", chromedp.CaptureScreenshot()), "survey-customer-light")
	}
	// A rating out of bounds (as a tampered page would send) is refused by
	// the server, and the page says why; nothing is lost.
	get(t, c.ctx, "tamper with the rating", chromedp.Evaluate[bool](`(() => { document.querySelector("#survey-questions input[name=q0][value='5']").value = "9"; return true; })()`))
	run(t, c.ctx, "answer with the tampered rating",
		clickSteady(`#survey-questions input[name=q0][value='9'] + span`),
		clickSteady(`#survey-questions input[name=q1][value='yes'] + span`),
		chromedp.SendKeys(chromedp.CSS(`#survey-questions textarea[name=q2]`), "Très efficace, merci !"),
		click("survey-send"),
		chromedp.WaitVisible(chromedp.ID("survey-error")))
	refused := get(t, c.ctx, "read the refusal", chromedp.Text(chromedp.ID("survey-error")))
	if !strings.Contains(refused, "cannot be kept") || !strings.Contains(refused, "rating from 1 to 5") {
		t.Fatalf("the refused answers say %q, want the server's reason", refused)
	}
	run(t, c.ctx, "answer again within bounds",
		clickSteady(`#survey-questions input[name=q0][value='4'] + span`),
		click("survey-send"),
		chromedp.WaitVisible(chromedp.ID("survey-done")))
	if done := get(t, c.ctx, "read the thanks", chromedp.Text(chromedp.ID("survey-done"))); !strings.Contains(done, "Thank you") {
		t.Errorf("after sending, the page says %q", done)
	}
	// The agent stayed for the survey only: it leaves now.
	if code, _, stderr := c.WaitExit(t); code != 0 {
		t.Errorf("the agent exited with %d after the survey: %s", code, stderr)
	}

	// Both surveys show in the session's History & notes.
	navigate(t, tech.p, stack.URL+"/console/sessions/"+sid)
	tech.waitReady(t)
	tech.OpenPanel(t, "notes")
	waitJS(t, tech.p, "the surveys in History & notes", `!!document.querySelector("#notes-surveys .notes-surveys")`)
	shown := Eval[string](t, tech, "read the surveys", `document.getElementById("notes-surveys").textContent`)
	for _, want := range []string{"How satisfied are you with the help you got?", "4 / 5", "Is your problem solved?", "Yes", "Très efficace, merci !", "Resolved", "Printer", "Reinstalled the printer driver."} {
		if !strings.Contains(shown, want) {
			t.Errorf("History & notes shows %q, without %q", shown, want)
		}
	}
	if Eval[bool](t, tech, "a survey dialog after the reload", `!!document.getElementById("tech-survey")`) {
		t.Error("the technician's survey is asked again after it was answered")
	}
}

// writeShot saves png as e2e/screenshots/name.png.
func writeShot(t testing.TB, png []byte, name string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join("screenshots", name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
