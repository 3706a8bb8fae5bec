package e2e

import (
	"strings"
	"testing"
)

// TestSecondConsoleTakesOverSession (issue 20, defect 1): a technician in
// control in the session's workspace opens the same session again from the
// queue of another login of the same account. The second console does not
// touch the session until asked ("use it here?"); once it takes over it gets
// the screen, with the customer's grants (same account: not asked again), and
// the first one says the session was opened in another tab, shows no control
// and no video, offers to take it back, and logged no failed answer.
// Chromium only.
func TestSecondConsoleTakesOverSession(t *testing.T) {
	stack := Start(t)
	first := stack.Technician(t)
	first.WatchConsoleErrors(t)
	c := stack.Customer(t, first.NewSession(t, "Ada Lovelace"))
	c.OpenPage(t)
	c.Allow(t)
	first.WaitVideo(t)
	first.RequestControl(t)
	c.WaitAsked(t)
	c.Allow(t)
	first.WaitStatus(t, "in control")
	sid := first.SID(t)

	second := stack.TechnicianAs(t, "admin", AdminPassword)
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

	waitFor(t, "the first console told", func() bool {
		return strings.Contains(first.Elsewhere(t), "opened in another tab")
	})
	if s := Eval[string](t, first, "status", `document.getElementById("status").textContent`); strings.Contains(s, "in control") {
		t.Errorf("the first console still says %q", s)
	}
	if Eval[bool](t, first, "peer or video left", `!!lifeline.pc || !!lifeline.video.srcObject || lifeline.input.enabled`) {
		t.Error("the first console kept its peer connection, its video or its input")
	}
	if errs := first.ConsoleErrors(t); hasAny(errs, "answer") || hasAny(errs, "setRemoteDescription") {
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
	if errs := first.ConsoleErrors(t); hasAny(errs, "answer") {
		t.Errorf("the first console logged %q", errs)
	}
}
