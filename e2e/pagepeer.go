package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// The technician's screen shown on the customer's page, and voice: steps as
// the technician and the customer take them (share.js, voice.js in the
// console; agent/pagepeer's panel on the customer's page).

// ShowScreen clicks "Show my screen" and waits until the browser captures.
func (tc *Technician) ShowScreen(t testing.TB) {
	t.Helper()
	clickOn(t, tc.p, "#share-screen")
	waitJS(t, tc.p, "the technician's screen captured", `window.lifelineShare?.sharing === true`)
}

// StopShowingScreen clicks "Stop showing my screen".
func (tc *Technician) StopShowingScreen(t testing.TB) {
	t.Helper()
	clickOn(t, tc.p, "#share-screen")
	waitJS(t, tc.p, "the technician's screen no longer captured", `window.lifelineShare?.sharing === false`)
}

// Sharing reports whether the technician's console shares its screen.
func (tc *Technician) Sharing(t testing.TB) bool {
	t.Helper()
	return evalJS[bool](t, tc.p, "read whether the screen is shared", `window.lifelineShare?.sharing === true`)
}

// ShareText is what the console says about the sharing (its state and warning).
func (tc *Technician) ShareText(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the sharing state",
		`[document.getElementById("share-state"), document.getElementById("share-warning")].filter((e) => e && !e.hidden).map((e) => e.title || e.textContent).join(" | ")`)
}

// averageJS draws a video into a 4×4 canvas and returns its pixels (RGB, 48
// numbers), or null before the video has a frame. %s is the video element.
const averageJS = `(() => {
  const vid = %s;
  if (!vid || vid.readyState < 2 || !vid.videoWidth) return null;
  const c = document.createElement("canvas");
  c.width = 4; c.height = 4;
  const g = c.getContext("2d");
  g.drawImage(vid, 0, 0, 4, 4);
  const d = g.getImageData(0, 0, 4, 4).data, out = [];
  for (let i = 0; i < d.length; i += 4) out.push(d[i], d[i + 1], d[i + 2]);
  return out;
})()`

// SharedPixels is the technician's own capture drawn at 4×4 (nil before a frame).
func (tc *Technician) SharedPixels(t testing.TB) []int {
	t.Helper()
	return evalJS[[]int](t, tc.p, "draw the technician's capture", `(() => {
  const tr = window.lifelineShare?.track;
  if (!tr) return null;
  let v = window.__ownCapture;
  if (!v || v.srcObject?.getVideoTracks()[0] !== tr) {
    v = window.__ownCapture = document.createElement("video");
    v.muted = true; v.autoplay = true; v.srcObject = new MediaStream([tr]);
    v.play().catch(() => {});
  }
  return `+fmt.Sprintf(averageJS, "v")+`;
})()`)
}

// SharedScreenPixels is the technician's screen as the customer's page shows
// it, drawn at 4×4 (nil while it shows none).
func (c *Customer) SharedScreenPixels(t testing.TB) []int {
	t.Helper()
	return get(t, c.ctx, "draw the technician's screen on the customer's page",
		chromedp.Evaluate[[]int](fmt.Sprintf(averageJS, `(() => { const v = document.getElementById("pp-video"); return v && v.getClientRects().length ? v : null; })()`)))
}

// SharedScreenShown reports whether the customer's page shows the
// technician's screen.
func (c *Customer) SharedScreenShown(t testing.TB) bool {
	t.Helper()
	return get(t, c.ctx, "see whether the technician's screen shows",
		chromedp.Evaluate[bool](`(() => { const e = document.getElementById("pp-screen"); return !!e && !e.hidden && e.getClientRects().length > 0; })()`))
}

// SharedScreenTitle is the title above the technician's screen.
func (c *Customer) SharedScreenTitle(t testing.TB) string {
	t.Helper()
	return get(t, c.ctx, "read the title of the technician's screen", chromedp.Text(chromedp.ID("pp-screen-title")))
}

// CloseSharedScreen clicks the close button of the technician's screen.
func (c *Customer) CloseSharedScreen(t testing.TB) {
	t.Helper()
	run(t, c.ctx, "close the technician's screen", click("pp-close"))
}

// SharedScreenOffer is the button with which the customer views the
// technician's screen shared again after they closed it ("" while none shows).
func (c *Customer) SharedScreenOffer(t testing.TB) string {
	t.Helper()
	return get(t, c.ctx, "read the offer of the technician's screen",
		chromedp.Evaluate[string](`(() => { const b = document.getElementById("pp-view"), box = document.getElementById("pp-offer"); return b && box && !box.hidden && b.getClientRects().length ? b.textContent : ""; })()`))
}

// ViewSharedScreen clicks the button that shows the technician's screen
// shared again.
func (c *Customer) ViewSharedScreen(t testing.TB) {
	t.Helper()
	run(t, c.ctx, "view the technician's screen", click("pp-view"))
}

// PagePeerClosed reports whether the customer's page has no connection to
// the technician's browser and takes neither their screen nor a call.
func (c *Customer) PagePeerClosed(t testing.TB) bool {
	t.Helper()
	return get(t, c.ctx, "see whether the page's connection is closed",
		chromedp.Evaluate[bool](`(() => { const p = window.lifelinePagePeer; return !!p && !p.pc && !p.sharing && !p.offered && p.call === "idle"; })()`))
}

// AudioIn is what a page's peer connection has received of the other side's
// voice (its inbound-rtp audio statistics).
type AudioIn struct {
	Bytes   int     `json:"bytes"`
	Packets int     `json:"packets"`
	Energy  float64 `json:"energy"`
}

// audioInJS reads the inbound audio of the peer connection %s (null without one).
const audioInJS = `(async () => {
  const pc = %s;
  if (!pc) return null;
  const r = await pc.getStats();
  let out = null;
  r.forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "audio") out = { bytes: s.bytesReceived || 0, packets: s.packetsReceived || 0, energy: s.totalAudioEnergy || 0 };
  });
  return out;
})()`

// VoiceIn is the customer's voice as the technician's browser receives it.
func (tc *Technician) VoiceIn(t testing.TB) AudioIn {
	t.Helper()
	var a *AudioIn
	a = evalJS[*AudioIn](t, tc.p, "read the technician's inbound audio", fmt.Sprintf(audioInJS, "window.lifelineVoice?.pc"))
	if a == nil {
		return AudioIn{}
	}
	return *a
}

// VoiceIn is the technician's voice as the customer's page receives it.
func (c *Customer) VoiceIn(t testing.TB) AudioIn {
	t.Helper()
	a := get(t, c.ctx, "read the customer's inbound audio",
		chromedp.Evaluate[*AudioIn](fmt.Sprintf(audioInJS, "window.lifelinePagePeer?.pc"), chromedp.EvalAwaitPromise))
	if a == nil {
		return AudioIn{}
	}
	return *a
}

// VoiceState is the technician's call: idle, calling, ringing or active.
func (tc *Technician) VoiceState(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the call's state", `window.lifelineVoice?.state || ""`)
}

// VoiceText is what the console's call indicator says in full.
func (tc *Technician) VoiceText(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the call's indicator", `document.getElementById("voice-state")?.title || ""`)
}

// ClickVoice clicks the console's call control with id (voice-call,
// voice-answer, voice-decline, voice-mute).
func (tc *Technician) ClickVoice(t testing.TB, id string) {
	t.Helper()
	clickOn(t, tc.p, "#"+id)
}

// ClickCall clicks the customer page's call control with id (pp-talk,
// pp-accept, pp-decline, pp-mute, pp-hangup) once it shows.
func (c *Customer) ClickCall(t testing.TB, id string) {
	t.Helper()
	run(t, c.ctx, "click "+id, chromedp.WaitVisible(chromedp.ID(id)), click(id))
}

// CallText is what the customer's page says of the call and the microphone.
func (c *Customer) CallText(t testing.TB) string {
	t.Helper()
	return get(t, c.ctx, "read the call", chromedp.Evaluate[string](
		`["pp-mic", "pp-call-text"].map((id) => document.getElementById(id)).filter((e) => e && !e.hidden).map((e) => e.textContent).join(" | ")`))
}

// CallState is the customer page's call: idle, ringing, calling or active.
func (c *Customer) CallState(t testing.TB) string {
	t.Helper()
	return get(t, c.ctx, "read the customer's call", chromedp.Evaluate[string](`window.lifelinePagePeer?.call || ""`))
}

// ForgePagePeer makes the technician's console act as a hostile one would:
// it sends its camera as a screen and its microphone to the customer's page
// without saying it shares anything or calling (the page peer's own
// negotiation, page.signal offers the server lets through). It returns once
// the page has answered.
func (tc *Technician) ForgePagePeer(t testing.TB) {
	t.Helper()
	evalJS[bool](t, tc.p, "forge the page peer's offer", `(async () => {
  const { pagePeer } = await import("/static/pagepeer.js");
  const peer = pagePeer();
  const s = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  peer.setTrack("video", s.getVideoTracks()[0]);
  peer.setTrack("audio", s.getAudioTracks()[0]);
  window.__forged = peer;
  return true;
})()`)
	waitJS(t, tc.p, "the page's answers to the forged offers",
		`(() => { const f = window.__forged; return !!f?.pc && !f.busy && f.pc.getTransceivers().length === 2 && f.pc.getTransceivers().every((tr) => tr.currentDirection); })()`)
}

// ForgedDirections are the directions the page's answer left the forged
// connection's transceivers (video and audio).
func (tc *Technician) ForgedDirections(t testing.TB) []string {
	t.Helper()
	return evalJS[[]string](t, tc.p, "read the forged connection's directions",
		`window.__forged.pc.getTransceivers().map((tr) => tr.receiver.track.kind + " " + tr.currentDirection)`)
}

// PageSendsNothing reports whether the customer's page has a peer connection
// that sends no track at all (no microphone, no camera).
func (c *Customer) PageSendsNothing(t testing.TB) bool {
	t.Helper()
	return get(t, c.ctx, "read what the page sends", chromedp.Evaluate[bool](
		`(() => { const pc = window.lifelinePagePeer?.pc; return !!pc && pc.getSenders().every((s) => !s.track); })()`))
}

// ClickSharedScreenTool clicks a tool above the technician's screen (pp-fit,
// pp-actual, pp-full, pp-zoom) and returns the classes of the picture's
// frame.
func (c *Customer) ClickSharedScreenTool(t testing.TB, id string) string {
	t.Helper()
	run(t, c.ctx, "click "+id, click(id))
	return get(t, c.ctx, "read the picture's frame", chromedp.Evaluate[string](`document.getElementById("pp-stage").className`))
}

// peersAudioInJS reads, for each technician's connection with the
// customer's page, what it received of that technician's voice.
const peersAudioInJS = `(async () => {
  const out = {};
  for (const p of window.lifelinePagePeer?.peers || []) {
    const r = await p.pc.getStats();
    r.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "audio") out[p.tech] = { bytes: s.bytesReceived || 0, packets: s.packetsReceived || 0, energy: s.totalAudioEnergy || 0 };
    });
  }
  return out;
})()`

// VoicesIn is what the customer's page received of each technician's voice,
// by technician (account ID).
func (c *Customer) VoicesIn(t testing.TB) map[string]AudioIn {
	t.Helper()
	return get(t, c.ctx, "read the customer's inbound audio of each technician",
		chromedp.Evaluate[map[string]AudioIn](peersAudioInJS, chromedp.EvalAwaitPromise))
}

// InCall lists the technicians the customer's page shows in the call, each
// as the page says it ("Claire Martin · talking").
func (c *Customer) InCall(t testing.TB) []string {
	t.Helper()
	return get(t, c.ctx, "read who is in the call", chromedp.Evaluate[[]string](
		`(() => { const b = document.getElementById("pp-people-box"); return b && !b.hidden ? [...b.querySelectorAll("li")].map((li) => li.textContent) : []; })()`))
}

// TabVoiceState is the call's state in the workspace tab of sid (a
// colleague's): idle, calling, active.
func (tc *Technician) TabVoiceState(t testing.TB, sid string) string {
	t.Helper()
	return inTab[string](t, tc, sid, "read the call's state in the tab", `w.lifelineVoice?.state || ""`)
}

// TabClickVoice clicks the call control with id in the workspace tab of sid
// once it is enabled ("voice-call": join or leave the call).
func (tc *Technician) TabClickVoice(t testing.TB, sid, id string) {
	t.Helper()
	waitFor(t, id+" enabled in the tab", func() bool {
		return inTab[bool](t, tc, sid, "click "+id+" in the tab", `(() => {
			const b = d.getElementById(`+jsString(id)+`);
			if (!b || b.disabled || b.hidden) return false;
			b.click();
			return true;
		})()`)
	})
}

// TabVoiceText is what the call indicator of the workspace tab of sid says:
// its text and, after " | ", its title.
func (tc *Technician) TabVoiceText(t testing.TB, sid string) string {
	t.Helper()
	return inTab[string](t, tc, sid, "read the call's indicator in the tab",
		`(() => { const e = d.getElementById("voice-state"); return e && !e.hidden ? e.textContent + " | " + e.title : ""; })()`)
}

// TabVoiceIn is the voice the workspace tab of sid receives from the
// customer's page.
func (tc *Technician) TabVoiceIn(t testing.TB, sid string) AudioIn {
	t.Helper()
	a := inTab[*AudioIn](t, tc, sid, "read the tab's inbound audio", fmt.Sprintf(audioInJS, "w.lifelineVoice?.pc"))
	if a == nil {
		return AudioIn{}
	}
	return *a
}

// VoiceIndicator is what the console's call indicator says: its text and,
// after " | ", its title ("" while hidden).
func (tc *Technician) VoiceIndicator(t testing.TB) string {
	t.Helper()
	return evalJS[string](t, tc.p, "read the call's indicator",
		`(() => { const e = document.getElementById("voice-state"); return e && !e.hidden ? e.textContent + " | " + e.title : ""; })()`)
}
