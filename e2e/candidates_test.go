package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// slowAnswer makes the console's browser apply each answer 500 ms late, as a
// loaded browser or a reordering path would: the agent's first candidates
// (sent as soon as its answer is set) then arrive before the answer is.
const slowAnswer = `(() => {
  const set = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = function (d) {
    if (d?.type !== "answer") return set.call(this, d);
    return new Promise((res) => setTimeout(res, 500)).then(() => set.call(this, d));
  };
})();`

// The agent's candidates that arrive before its answer is applied are kept
// and added once it is, not dropped: the Firefox story run found the console
// warning "candidate InvalidStateError: No remoteDescription" and losing the
// agent's first (host) candidates. Chromium only (CDP injects slowAnswer);
// the rule is the console's, the same in every browser.
func TestConsoleKeepsCandidatesBeforeAnswer(t *testing.T) {
	stack := Start(t)
	tech := stack.Technician(t)
	ctx, cancel := context.WithTimeout(tech.Page(), Timeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: slowAnswer}); err != nil {
		t.Fatal(err)
	}
	customer := stack.Customer(t, tech.NewSession(t, "Ada"))
	customer.OpenPage(t)
	customer.Allow(t)
	tech.WaitVideo(t)
	tech.WaitStatus(t, "Connected to Ada — view only")
	// Every candidate the agent sent reached the connection.
	waitFor(t, "the agent's candidates in the connection", func() bool {
		return Eval[bool](t, tech, "remote candidates", `lifeline.pc.getStats().then((st) => { let n = 0; st.forEach((r) => { if (r.type === "remote-candidate" && r.candidateType === "host") n++; }); return n > 0; })`)
	})
	var bad []string
	for _, p := range tech.PageProblems(t) {
		if strings.Contains(p, "candidate") {
			bad = append(bad, p)
		}
	}
	if len(bad) > 0 {
		t.Fatalf("the console dropped the agent's candidates:\n%s", strings.Join(bad, "\n"))
	}
}
