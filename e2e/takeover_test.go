package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestSecondConsoleTakesOverSession (issue 20, defect 1): a technician in
// control in the session's workspace opens the same session again from the
// queue of another login of the same account. The second console does not
// touch the session until asked ("use it here?"); once it takes over it gets
// the screen, with the customer's grants (same account: not asked again), and
// the first one says the session was opened in another tab, shows no control
// and no video, offers to take it back, and logged no failed answer. Behind
// the queue, the second console's tab keeps the session alive. Both
// consoles (two logins) in the same browser, in each browser we support.
func TestSecondConsoleTakesOverSession(t *testing.T) {
	for _, browser := range []string{Chromium, Firefox} {
		t.Run(browser, func(t *testing.T) { secondConsoleTakesOver(t, browser) })
	}
}

func secondConsoleTakesOver(t *testing.T, browser string) {
	began := time.Now()
	stack := Start(t)
	Animate(t, stack.Display, 900, 500, 120, 90) // a moving corner, so frames keep coming
	first := stack.TechnicianIn(t, browser)
	c := stack.Customer(t, first.NewSession(t, "Ada Lovelace"))
	c.OpenPage(t)
	c.Allow(t)
	first.WaitVideo(t)
	first.RequestControl(t)
	c.WaitAsked(t)
	c.Allow(t)
	first.WaitStatus(t, "in control")
	sid := first.SID(t)

	second := stack.TechnicianAsIn(t, browser, "admin", AdminPassword)
	second.OpenQueue(t)
	second.QueueAction(t, sid, "q-open")
	waitFor(t, "the second console asking before it takes the session", func() bool {
		return strings.Contains(second.TabElsewhere(t, sid), "open in another tab")
	})
	// Asking took nothing: the first console still works the session.
	if _, pc, _ := second.TabState(t, sid); pc != "" {
		t.Fatalf("the second console made a peer connection (%s) before it was told to take over", pc)
	}
	first.WaitFramesAfter(t, first.Frames(t))
	first.WaitStatus(t, "in control")

	second.TabTakeOver(t, sid)
	waitFor(t, "the screen in the console that took over", func() bool {
		st, pc, frames := second.TabState(t, sid)
		return st == "active" && pc == "connected" && frames > 0
	})
	waitFor(t, "control kept by the console that took over", func() bool {
		return strings.Contains(second.TabStatus(t, sid), "in control")
	})
	// Behind the queue the tab's session stays alive: connected, the
	// screen still arriving. Firefox stops showing (and counting) frames of
	// a video it does not display, Chromium goes on: nothing may rely on
	// frames advancing there. In front again, the frames advance.
	second.ShowTab(t, "queue")
	_, _, hidden := second.TabState(t, sid)
	bytes := second.TabReceivedBytes(t, sid)
	waitFor(t, "the screen still arriving in the tab behind the queue", func() bool {
		return second.TabReceivedBytes(t, sid) > bytes+50_000
	})
	st, pc, behind := second.TabState(t, sid)
	if st != "active" || pc != "connected" {
		t.Fatalf("the tab behind the queue is %s, its connection %s", st, pc)
	}
	t.Logf("%s: frames %d → %d while the tab was behind the queue", browser, hidden, behind)
	second.ShowTab(t, sid)
	waitFor(t, "frames in the tab in front again", func() bool {
		_, _, frames := second.TabState(t, sid)
		return frames > behind
	})

	waitFor(t, "the first console told", func() bool {
		return strings.Contains(first.Elsewhere(t), "opened in another tab")
	})
	if s := Eval[string](t, first, "status", `document.getElementById("status").textContent`); strings.Contains(s, "in control") {
		t.Errorf("the first console still says %q", s)
	}
	if Eval[bool](t, first, "peer or video left", `!!lifeline.pc || !!lifeline.video.srcObject || lifeline.input.enabled`) {
		t.Error("the first console kept its peer connection, its video or its input")
	}
	if errs := first.PageProblems(t); hasAny(errs, "answer") || hasAny(errs, "setRemoteDescription") {
		t.Errorf("the first console logged %q", errs)
	}

	// And back: the first console takes the session again.
	first.TakeBack(t)
	waitFor(t, "the screen back in the first console", func() bool {
		return Eval[bool](t, first, "video", `!!lifeline.pc && lifeline.pc.connectionState === "connected" && lifeline.video.videoWidth > 0`)
	})
	first.WaitStatus(t, "in control")
	waitFor(t, "the second console told", func() bool {
		return strings.Contains(second.TabElsewhere(t, sid), "opened in another tab")
	})
	// Nothing went wrong on the way, as far as either console's page knows.
	if p := first.PageProblems(t); len(p) > 0 {
		t.Errorf("the first console reported problems:\n%s", strings.Join(p, "\n"))
	}
	if p := second.TabProblems(t, sid); len(p) > 0 {
		t.Errorf("the second console's tab reported problems:\n%s", strings.Join(p, "\n"))
	}
	if p := second.PageProblems(t); len(p) > 0 {
		t.Errorf("the second console's queue reported problems:\n%s", strings.Join(p, "\n"))
	}
	t.Logf("%s takeover: %s", browser, time.Since(began).Round(100*time.Millisecond))
}
