package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// InviteColleague invites technician id, with comment, from the Colleagues
// panel of the workspace open on the page (the lead's), granting them what
// the form checks at first (the screen and control) or, if grant is given,
// just that (view, control, files, clipboard, drawing, chat, recording).
func (tc *Technician) InviteColleague(t testing.TB, id, comment string, grant ...string) {
	t.Helper()
	tc.OpenPanel(t, "team")
	waitFor(t, id+" in the colleagues to invite", func() bool {
		return evalJS[bool](t, tc.p, "colleagues to invite",
			`[...document.querySelectorAll("#collab-pick option")].some(o => o.value === `+jsString(id)+`)`)
	})
	if grant != nil {
		evalJS[bool](t, tc.p, "choose what "+id+" is granted", `(() => {
			const want = `+jsonOf(grant)+`;
			for (const c of document.querySelectorAll("#collab-grants input")) c.checked = want.includes(c.value);
			return true; })()`)
	}
	run(t, tc.ctx, "invite "+id,
		chromedp.SetValue(chromedp.ID("collab-pick"), id),
		chromedp.SendKeys(chromedp.ID("collab-comment"), comment),
		click("collab-invite"))
}

// TeamAction clicks, in the Colleagues panel of the workspace on the page,
// the button action (control, takeback, remove, withdraw, giveback) of the
// row of technician id.
func (tc *Technician) TeamAction(t testing.TB, id, action string) {
	t.Helper()
	tc.OpenPanel(t, "team")
	clickOn(t, tc.p, `#collab-list li[data-tech="`+id+`"] button[data-action="`+action+`"]`)
}

// TeamGrant checks (on) or unchecks, in the Colleagues panel of the
// workspace on the page, permission perm of collaborator id: what they are
// granted changes at once.
func (tc *Technician) TeamGrant(t testing.TB, id, perm string, on bool) {
	t.Helper()
	tc.OpenPanel(t, "team")
	sel := `#collab-list li[data-tech="` + id + `"] details.collab-member-grants`
	evalJS[bool](t, tc.p, "open "+id+"'s permissions", `(document.querySelector(`+jsString(sel)+`).open = true, true)`)
	box := sel + ` input[value="` + perm + `"]`
	if evalJS[bool](t, tc.p, "read "+id+"'s "+perm, `document.querySelector(`+jsString(box)+`).checked`) != on {
		clickOn(t, tc.p, box)
	}
}

// TeamText is the text of the Colleagues panel's list on the page.
func (tc *Technician) TeamText(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "the colleagues list", `document.getElementById("collab-list")?.textContent ?? ""`)
}

// inTab evaluates expr in the workspace tab of sid of the queue page, with w
// its window and d its document; it returns expr's value as JSON decodes it.
func inTab[T any](t testing.TB, tc *Technician, sid, what, expr string) T {
	t.Helper()
	return evalJS[T](t, tc.p, what, `(() => { const w = lifelineQueue.frame(`+jsString(sid)+`).contentWindow, d = w.document; return (`+expr+`); })()`)
}

// TabRequestControl clicks Request control in the workspace tab of sid, once
// it is enabled.
func (tc *Technician) TabRequestControl(t testing.TB, sid string) {
	t.Helper()
	waitFor(t, "Request control enabled in the tab", func() bool {
		return inTab[bool](t, tc, sid, "click Request control in the tab", `(() => {
			const b = d.getElementById("request-control");
			if (!b || b.disabled || b.hidden) return false;
			b.click();
			return true;
		})()`)
	})
}

// TabPixel is the colour of the customer's screen pixel (x, y) in the video
// of the workspace tab of sid.
func (tc *Technician) TabPixel(t testing.TB, sid string, x, y int) [3]int {
	t.Helper()
	rgb := inTab[[]int](t, tc, sid, "read a pixel in the tab", fmt.Sprintf(`(() => {
		const v = w.lifeline.video, c = d.createElement("canvas");
		if (!v.videoWidth) return [-1, -1, -1];
		c.width = v.videoWidth; c.height = v.videoHeight;
		const g = c.getContext("2d");
		g.drawImage(v, 0, 0);
		const px = Math.round(%d / %d * v.videoWidth), py = Math.round(%d / %d * v.videoHeight);
		const p = g.getImageData(px, py, 1, 1).data;
		return [p[0], p[1], p[2]];
	})()`, x, ScreenW, y, ScreenH))
	return [3]int{rgb[0], rgb[1], rgb[2]}
}

// TabClick clicks the customer's screen pixel (x, y) in the video of the
// workspace tab of sid, through the browser's input.
func (tc *Technician) TabClick(t testing.TB, sid string, x, y int) {
	t.Helper()
	p := evalJS[[]float64](t, tc.p, "locate a remote pixel in the tab", fmt.Sprintf(`(() => {
		const f = lifelineQueue.frame(%s), fr = f.getBoundingClientRect();
		const v = f.contentWindow.lifeline.video, r = v.getBoundingClientRect();
		const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
		const w = v.videoWidth * s, h = v.videoHeight * s;
		return [fr.left + r.left + (r.width - w) / 2 + (%d + 0.5) / %d * w, fr.top + r.top + (r.height - h) / 2 + (%d + 0.5) / %d * h];
	})()`, jsString(sid), x, ScreenW, y, ScreenH))
	do(t, "click the remote screen in the tab", func(ctx context.Context) error { return tc.p.Click(ctx, p[0], p[1]) })
}

// TabHover moves the mouse, no button held, over the customer's screen
// pixel (x, y) in the video of the workspace tab of sid.
func (tc *Technician) TabHover(t testing.TB, sid string, x, y int) {
	t.Helper()
	p := evalJS[[]float64](t, tc.p, "locate a remote pixel in the tab", fmt.Sprintf(`(() => {
		const f = lifelineQueue.frame(%s), fr = f.getBoundingClientRect();
		const v = f.contentWindow.lifeline.video, r = v.getBoundingClientRect();
		const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
		const w = v.videoWidth * s, h = v.videoHeight * s;
		return [fr.left + r.left + (r.width - w) / 2 + (%d + 0.5) / %d * w, fr.top + r.top + (r.height - h) / 2 + (%d + 0.5) / %d * h];
	})()`, jsString(sid), x, ScreenW, y, ScreenH))
	run(t, tc.ctx, "move the mouse in the tab", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, p[0], p[1], chromedp.ButtonNone))
}

// peerPointerJS reads, in window w and document d, the pointer of
// technician tech shown over the customer's screen: "name|x|y" with x and y
// the pixel of the customer's screen it points at, "" when none shows.
const peerPointerJS = `((w, d, tech) => {
	const m = d.querySelector('.peer-pointer[data-tech="' + tech + '"]');
	if (!m || m.hidden) return "";
	const v = w.lifeline.video, r = v.getBoundingClientRect(), mr = m.getBoundingClientRect();
	const s = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
	const vw = v.videoWidth * s, vh = v.videoHeight * s;
	const fx = (mr.left + mr.width / 2 - r.left - (r.width - vw) / 2) / vw, fy = (mr.top + mr.height / 2 - r.top - (r.height - vh) / 2) / vh;
	return m.textContent + "|" + Math.round(fx * ` + "%d" + `) + "|" + Math.round(fy * ` + "%d" + `);
})`

// PeerPointer is the pointer of technician tech shown on the workspace on
// the page: "name|x|y" (x, y: the customer's screen pixel), "" when none.
func (tc *Technician) PeerPointer(t testing.TB, tech string) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read "+tech+"'s pointer", fmt.Sprintf(peerPointerJS, ScreenW, ScreenH)+`(window, document, `+jsString(tech)+`)`)
}

// TabPeerPointer is PeerPointer in the workspace tab of sid.
func (tc *Technician) TabPeerPointer(t testing.TB, sid, tech string) string {
	t.Helper()
	return inTab[string](t, tc, sid, "read "+tech+"'s pointer", fmt.Sprintf(peerPointerJS, ScreenW, ScreenH)+`(w, d, `+jsString(tech)+`)`)
}

// TabForgeInput sends a click at the customer's screen pixel (x, y) straight
// on the input data channel of the workspace tab of sid, whatever the page
// allows (a hostile console).
func (tc *Technician) TabForgeInput(t testing.TB, sid string, x, y int) {
	t.Helper()
	inTab[bool](t, tc, sid, "forge input in the tab", fmt.Sprintf(`(() => {
		const ch = w.lifeline.input.input;
		for (const down of [true, false]) ch.send(JSON.stringify({k: "button", b: 0, d: down, x: %f, y: %f}));
		return true;
	})()`, float64(x)/float64(ScreenW-1), float64(y)/float64(ScreenH-1)))
}

// CloseTab closes the workspace tab of sid on the queue page.
func (tc *Technician) CloseTab(t testing.TB, sid string) {
	t.Helper()
	clickOn(t, tc.p, `#tabs [data-tab="`+sid+`"] .tab-close`)
}

// Shown is the text of the element with ID id on the customer's page, ""
// when it is missing or hidden.
func (c *Customer) Shown(t testing.TB, id string) string {
	t.Helper()
	return get(t, c.ctx, "read #"+id, chromedp.Evaluate[string](`(() => { const e = document.getElementById(`+jsString(id)+`);
		return e && !e.closest("[hidden]") ? e.textContent : ""; })()`))
}

// LogCount is how many times the agent's log says text.
func (c *Customer) LogCount(text string) int { return strings.Count(c.errs.String(), text) }

// Deny answers the question on screen with Deny.
func (c *Customer) Deny(t testing.TB) {
	t.Helper()
	c.WaitAsked(t)
	run(t, c.ctx, "deny", click("deny"), chromedp.WaitNotVisible(chromedp.ID("deny")))
}

// QueueNotice is the text of the queue page's notice line, "" when hidden.
func (tc *Technician) QueueNotice(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "the queue's notice", `(() => { const e = document.getElementById("queue-error"); return e && !e.hidden ? e.textContent : ""; })()`)
}

// RemoveHelpers clicks, on the customer's page, the button that asks the
// technician's colleagues to leave.
func (c *Customer) RemoveHelpers(t testing.TB) {
	t.Helper()
	run(t, c.ctx, "ask the colleagues to leave", click("remove-helpers"))
}

// InviteExternal makes, from the Colleagues panel of the workspace open on
// the page (the lead's), an external collaborator's invitation granting
// just grant (view, control, files, clipboard, drawing, chat, recording),
// with comment; it returns the link and the PIN the panel shows.
func (tc *Technician) InviteExternal(t testing.TB, comment string, grant ...string) Invitation {
	t.Helper()
	tc.OpenPanel(t, "team")
	waitVisible(t, tc.p, "#ext-invite")
	evalJS[bool](t, tc.p, "choose what the external is granted", `(() => {
		const want = `+jsonOf(grant)+`;
		for (const c of document.querySelectorAll("#ext-grants input")) c.checked = want.includes(c.value);
		return true; })()`)
	typeInto(t, tc.p, "#ext-comment", comment)
	clickOn(t, tc.p, "#ext-invite")
	waitVisible(t, tc.p, "#ext-link")
	return Invitation{
		Link: evalJS[string](t, tc.p, "the external link", `document.getElementById("ext-link").value`),
		PIN:  evalJS[string](t, tc.p, "the external PIN", `document.getElementById("ext-pin").textContent`),
	}
}

// External opens an external collaborator's link in a browser context of
// its own (no login, as on another computer), types name and returns their
// limited console.
func (s *Stack) External(t testing.TB, link, name string) *Technician {
	t.Helper()
	ctx := s.tab(t, chromedp.WithNewBrowserContext())
	p := newChromiumPage(t, ctx)
	navigate(t, p, link)
	typeInto(t, p, "#ext-name", name)
	clickOn(t, p, "#ext-join")
	waitVisible(t, p, "#workspace")
	return &Technician{s: s, p: p, ctx: ctx}
}
