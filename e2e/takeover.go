package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// SID is the session of the workspace open in the tab.
func (tc *Technician) SID(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the session ID", `document.getElementById("workspace")?.dataset.sid ?? ""`)
}

// elsewhereJS is the other-console notice of the document d ("" when there is none).
const elsewhereJS = `(() => { const e = d.getElementById("elsewhere"); return e && !e.hidden ? e.textContent : ""; })()`

// Elsewhere is the notice a workspace shows while another console of the
// same technician holds the session ("" when there is none).
func (tc *Technician) Elsewhere(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the other-tab notice", `(() => { const d = document; return `+elsewhereJS+`; })()`)
}

// TakeBack clicks the workspace's button that takes the session back from
// another console.
func (tc *Technician) TakeBack(t testing.TB) {
	t.Helper()
	clickOn(t, tc.p, "#take-over")
}

// TabElsewhere is the other-console notice in the queue's workspace tab of sid.
func (tc *Technician) TabElsewhere(t testing.TB, sid string) string {
	t.Helper()
	return tc.inFrame(t, sid, `[`+elsewhereJS+`, "", ""]`)[0]
}

// TabStatus is the status line of the queue's workspace tab of sid.
func (tc *Technician) TabStatus(t testing.TB, sid string) string {
	t.Helper()
	return tc.inFrame(t, sid, `[d.getElementById("status")?.textContent ?? "", "", ""]`)[0]
}

// TabProblems returns the warnings and errors the queue's workspace tab of
// sid has reported since it loaded (see problemWatch).
func (tc *Technician) TabProblems(t testing.TB, sid string) []string {
	t.Helper()
	return evalJS[[]string](t, tc.p, "read the tab's problems",
		`lifelineQueue.frame(`+jsString(sid)+`)?.contentWindow?.__problems ?? ["no problem watch in the tab"]`)
}

// TabTakeOver clicks "Use it here" in the queue's workspace tab of sid with
// the mouse, once it is shown in the tab in front.
func (tc *Technician) TabTakeOver(t testing.TB, sid string) {
	t.Helper()
	// Where the button is on the page: the frame's box plus the button's
	// box in it; armed to tell whether the click reached it.
	js := `(() => { const f = lifelineQueue.frame(` + jsString(sid) + `), d = f?.contentDocument;
		const b = d?.getElementById("take-over");
		if (!b || b.offsetParent === null || f.offsetParent === null) return null;
		b.scrollIntoView({block: "center", behavior: "instant"});
		const fr = f.getBoundingClientRect(), r = b.getBoundingClientRect();
		const X = r.left + r.width / 2, Y = r.top + r.height / 2;
		const h = d.elementFromPoint(X, Y);
		if (h !== b && !b.contains(h)) return null;
		b.__e2eClicked = false;
		b.addEventListener("click", () => { b.__e2eClicked = true; }, {once: true});
		return [fr.left + f.clientLeft + X, fr.top + f.clientTop + Y];
	})()`
	var at []float64
	waitFor(t, "the Use it here button", func() bool {
		at = evalJS[[]float64](t, tc.p, "locate Use it here", js)
		return len(at) == 2
	})
	do(t, "click Use it here", func(ctx context.Context) error { return tc.p.Click(ctx, at[0], at[1]) })
	waitFor(t, fmt.Sprintf("the click at (%.0f, %.0f) on Use it here", at[0], at[1]), func() bool {
		return tc.inFrame(t, sid, `[d.getElementById("take-over")?.__e2eClicked ?? true, "", ""]`)[0] != "false"
	})
}

// hasAny reports whether one of lines contains sub.
func hasAny(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}
