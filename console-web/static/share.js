// Show my screen: the technician's browser captures a screen, a window or a
// tab (getDisplayMedia) and the customer sees it live on their own page,
// view only, over the page peer (pagepeer.js). The technician sees that they
// share and stops at any time; the customer may close it (the session goes
// on). Sharing the very tab that shows the customer's screen (or a whole
// screen that shows it) would show them their own screen again and again:
// the technician is warned.
import { register } from "./features.js";
import { pagePeer } from "./pagepeer.js";

let ctx = null;
let peer = null;
let btn = null;
let stateEl = null;
let warnEl = null;
let track = null;
let over = false;
let connected = false;
let stopped = ""; // why the sharing stopped without the technician (shown as "Stopped")
// This tab's capture handle: a capture of it names it (Chromium's Capture
// Handle), so sharing this very tab is known for sure.
const handle = `lifeline-${crypto.getRandomValues(new Uint32Array(2)).join("-")}`;
try {
  navigator.mediaDevices?.setCaptureHandleConfig?.({ handle, exposeOrigin: true, permittedOrigins: [location.origin] });
} catch {
  // Without it, the tab's title is compared instead.
}

// Exposed for end-to-end tests and diagnostics.
window.lifelineShare = {
  get sharing() { return !!track; },
  get track() { return track; },
  trace: [],
};
const trace = (what) => window.lifelineShare.trace.push(what);

function sync() {
  if (!btn) return;
  const { t, customer } = ctx;
  btn.textContent = t(track ? "ws.share.stop" : "ws.share.start");
  btn.setAttribute("aria-pressed", String(!!track));
  btn.disabled = !track && (over || !connected);
  stateEl.hidden = !track && !stopped;
  stateEl.textContent = track ? t("ws.share.onShort") : stopped ? t("ws.share.short.stopped") : "";
  stateEl.title = track ? t("ws.share.on", customer) : stopped;
  stateEl.dataset.state = track ? "on" : stopped ? "stopped" : "off";
  if (!track) warnEl.hidden = true;
}

// mirrorWarning says whether what is shared shows the customer's screen
// (this tab, or a whole screen), or "".
function mirrorWarning(tr) {
  const s = tr.getSettings?.() || {};
  const h = tr.getCaptureHandle?.();
  if (h?.handle === handle || (s.displaySurface === "browser" && tr.label && tr.label === document.title)) return "ws.share.mirrorTab";
  if (s.displaySurface === "monitor") return "ws.share.mirrorScreen";
  return "";
}

async function start() {
  if (track || over) return;
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({
      video: { frameRate: { ideal: 15, max: 30 } },
      audio: false,
      surfaceSwitching: "include",
      selfBrowserSurface: "include",
    });
  } catch (e) {
    if (e.name !== "NotAllowedError") ctx.log.event(ctx.t("ws.share.failed", e.message || String(e)));
    return;
  }
  track = stream.getVideoTracks()[0];
  stopped = "";
  track.contentHint = "detail";
  track.addEventListener("ended", () => stop(false));
  const warn = mirrorWarning(track);
  warnEl.textContent = warn ? ctx.t("ws.share.mirror") : "";
  warnEl.title = warn ? ctx.t(warn, ctx.customer) : "";
  warnEl.hidden = !warn;
  if (warn) window.dispatchEvent(new CustomEvent("lifeline", { detail: { kind: "refused", text: ctx.t(warn, ctx.customer) } }));
  trace(warn ? "warned" : "started");
  peer.send("share", { on: true });
  peer.setTrack("video", track);
  ctx.log.event(ctx.t("ws.share.started", ctx.customer));
  sync();
}

// stop ends the sharing; tell says the technician chose it (the customer
// closing it tells the server itself).
function stop(tell = true) {
  if (!track) return;
  const tr = track;
  track = null;
  tr.stop();
  peer.setTrack("video", null);
  if (tell) peer.send("share", { on: false });
  trace(tell ? "stopped" : "closed");
  sync();
}

register({
  init(c) {
    ctx = c;
    peer = pagePeer(c);
    const group = document.createElement("div");
    group.className = "group";
    btn = document.createElement("button");
    btn.type = "button";
    btn.id = "share-screen";
    btn.addEventListener("click", () => (track ? (stop(), ctx.log.event(ctx.t("ws.share.stopped"))) : start()));
    stateEl = document.createElement("span");
    stateEl.id = "share-state";
    stateEl.className = "share-state";
    stateEl.setAttribute("role", "status");
    warnEl = document.createElement("span");
    warnEl.id = "share-warning";
    warnEl.className = "share-warning";
    warnEl.setAttribute("role", "alert");
    group.append(btn, stateEl, warnEl);
    document.getElementById("toolbar").append(group);
    peer.on("closed", () => {
      if (!track) return;
      stop(false);
      stopped = ctx.t("ws.share.reset", ctx.t("ws.page.reset.customer", ctx.customer));
      ctx.log.event(ctx.t("ws.share.closed", ctx.customer));
      sync();
    });
    // The customer's page reset (hold, another technician, the lead
    // passed, a permission lost): the sharing stopped there, so here too.
    peer.on("reset", (p) => {
      if (!track) return;
      stop(false);
      stopped = ctx.t("ws.share.reset", ctx.t(`ws.page.reset.${p.reason}`));
      ctx.log.event(stopped);
      sync();
    });
    sync();
  },
  setState(s) {
    connected = !!s.agentConnected;
    if (!connected) stop(false);
    sync();
  },
  ended() {
    over = true;
    stop(false);
    sync();
  },
  // A colleague shows their screen already: the server refuses this one
  // (one at a time), with its reason.
  error(p) {
    if (!track || p.code !== "forbidden" || !/one screen at a time/.test(p.message || "")) return;
    stop(false);
    stopped = p.message;
    ctx.log.event(ctx.t("ws.share.reset", p.message));
    sync();
  },
});
