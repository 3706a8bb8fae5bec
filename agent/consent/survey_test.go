package consent

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lifeline-support/lifeline/shared/protocol"
)

// The survey on the customer's page: answered only once shown (at the end,
// or sent by the technician), the answers go to the session, and the page
// hears the server's refusal in the customer's language, or that they were
// kept; then the survey is settled.
func TestSurveyOnThePage(t *testing.T) {
	h := start(t, Config{})
	body := `{"answers":[{"rating":5}]}`
	if got := h.status("POST", "survey", body, nil); got != http.StatusConflict {
		t.Fatalf("answers with no survey: %d, want 409", got)
	}
	h.ui.SetSurvey(&protocol.SurveyForm{Questions: []protocol.SurveyQuestion{{Text: "How was it?", Kind: protocol.SurveyRating}}})
	if got := h.status("POST", "survey", body, nil); got != http.StatusConflict {
		t.Fatalf("answers before the survey shows: %d, want 409", got)
	}
	if !h.ui.SurveyPending() {
		t.Fatal("a survey given is not pending")
	}
	h.ui.Ended(ReasonByTechnician)
	res := h.do("GET", "events", "", nil)
	first, err := bufio.NewReader(res.Body).ReadString('\n')
	res.Body.Close()
	if err != nil || !strings.Contains(first, `"survey":{"questions":[{"text":"How was it?","kind":"rating"}],"show":true}`) {
		t.Fatalf("the ended page does not show the survey: %s %v", first, err)
	}

	// post sends the answers and lets the session answer with err.
	post := func(lang string, err error) (int, string) {
		t.Helper()
		type result struct {
			code int
			text string
		}
		done := make(chan result, 1)
		go func() {
			res := h.do("POST", "survey?lang="+lang, body, nil)
			b, _ := io.ReadAll(res.Body)
			done <- result{res.StatusCode, strings.TrimSpace(string(b))}
		}()
		sub := <-h.ui.Surveys()
		if len(sub.Answers) != 1 || sub.Answers[0].Rating != 5 {
			t.Fatalf("session got %+v", sub)
		}
		sub.Done(err)
		r := <-done
		return r.code, r.text
	}
	if code, text := post("fr", &SurveyRefused{Code: protocol.CodeUsed, Message: "already"}); code != http.StatusConflict || !strings.Contains(text, "déjà répondu") {
		t.Fatalf("refused as answered before: %d %q", code, text)
	}
	if code, text := post("en", &SurveyRefused{Code: protocol.CodeBadMessage, Message: "question 1 wants a rating from 1 to 5"}); code != http.StatusBadRequest || !strings.Contains(text, "question 1 wants a rating") {
		t.Fatalf("refused as out of bounds: %d %q", code, text)
	}
	if code, _ := post("en", nil); code != http.StatusNoContent {
		t.Fatalf("kept: %d", code)
	}
	if h.ui.SurveyPending() {
		t.Fatal("a survey answered is still pending")
	}
	if got := h.status("POST", "survey", body, nil); got != http.StatusConflict {
		t.Fatalf("answers after the survey was settled: %d, want 409", got)
	}
}
