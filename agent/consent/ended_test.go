package consent

import (
	"bufio"
	"strings"
	"testing"
)

// Defect 8 of issue 18: after a normal end the agent closes its page at
// once, and the page's stream could stop before it said the session ended:
// the customer read "Lost contact with Lifeline on this computer". The last
// event of every stream says the session ended.
func TestStreamSaysEndedBeforeItCloses(t *testing.T) {
	for i := range 20 {
		h := start(t, Config{})
		res := h.do("GET", "events", "", nil)
		sc := bufio.NewScanner(res.Body)
		var last string
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				if last == "" {
					// The first view is out: now the session ends and
					// the agent closes the page straight away.
					h.ui.Ended(ReasonByTechnician)
					h.ui.Close()
				}
				last = d
			}
		}
		res.Body.Close()
		if !strings.Contains(last, `"ended":true`) {
			t.Fatalf("run %d: the stream closed after %s, without saying the session ended", i, last)
		}
	}
}
