// Connection path: shows whether the screen comes directly from the customer or
// through a TURN relay (and how the relayed side reaches it: UDP, TCP, TLS),
// with the round-trip time of the selected candidate pair. The browser's stats
// tell this side; the agent reports its own side (rtc.path).
//
// Link quality, under it: the agent's bandwidth estimate (on the view channel,
// "link"), the video's packet loss, frames per second and size; and "Bad
// connection: the picture is reduced" while the estimate cuts the picture.
import { register } from "./features.js";

let ctx = null;
let el = null;
let pc = null;
let timer = 0;
let agentPath = null; // { candidate, relayProtocol } from the agent
let linkEl = null;
let badEl = null;
let agentLink = null; // { kbps, reduced } from the agent
let lastVideo = null; // the inbound video's counters at the last poll

function showLink(video) {
  if (!linkEl) return;
  const { t } = ctx;
  const parts = [];
  if (agentLink) {
    parts.push(agentLink.kbps >= 1000 ? t("ws.link.mbps", (agentLink.kbps / 1000).toFixed(1)) : t("ws.link.kbps", agentLink.kbps));
  }
  if (video) {
    parts.push(t("ws.link.loss", `${video.loss.toFixed(1)} %`));
    if (video.fps != null) parts.push(t("ws.link.fps", Math.round(video.fps)));
    if (video.w) parts.push(`${video.w}×${video.h}`);
  }
  linkEl.textContent = parts.join(" · ");
  linkEl.hidden = parts.length === 0;
  linkEl.dataset.kbps = agentLink ? String(agentLink.kbps) : "";
  const bad = !!agentLink?.reduced;
  badEl.hidden = !bad;
  badEl.dataset.reduced = String(bad);
}

function clearLink() {
  agentLink = null;
  lastVideo = null;
  if (linkEl) {
    linkEl.hidden = true;
    badEl.hidden = true;
    badEl.dataset.reduced = "false";
  }
}

// videoStats reads the inbound video's loss since the last poll, its frame
// rate and size.
function videoStats(stats) {
  let v = null;
  stats.forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") v = s;
  });
  if (!v) return null;
  const lost = v.packetsLost || 0;
  const got = v.packetsReceived || 0;
  const prev = lastVideo || { lost: 0, got: 0 };
  lastVideo = { lost, got };
  const dl = Math.max(0, lost - prev.lost);
  const dg = Math.max(0, got - prev.got);
  return { loss: dl + dg > 0 ? (100 * dl) / (dl + dg) : 0, fps: v.framesPerSecond, w: v.frameWidth, h: v.frameHeight };
}

function show(kind, proto, rtt) {
  if (!el) return;
  if (!kind) {
    el.hidden = true;
    el.dataset.path = "";
    return;
  }
  let text = kind === "direct" ? ctx.t("ws.path.direct") : proto ? ctx.t("ws.path.relayedVia", proto.toUpperCase()) : ctx.t("ws.path.relayed");
  if (rtt != null) text += " · " + ctx.t("ws.path.rtt", rtt);
  el.textContent = text;
  el.hidden = false;
  el.dataset.path = kind === "direct" ? "direct" : proto ? `relayed-${proto}` : "relayed";
  el.dataset.rtt = rtt == null ? "" : String(rtt);
}

// selectedPair finds the candidate pair in use: from the transport (Chromium),
// else the nominated succeeded pair (Firefox).
function selectedPair(stats) {
  let pair = null;
  stats.forEach((s) => {
    if (s.type === "transport" && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId) || pair;
  });
  if (pair) return pair;
  stats.forEach((s) => {
    if (!pair && s.type === "candidate-pair" && s.nominated && s.state === "succeeded") pair = s;
  });
  return pair;
}

async function poll() {
  const mine = pc;
  if (!mine || mine.connectionState !== "connected") return;
  const stats = await mine.getStats();
  if (mine !== pc) return;
  showLink(videoStats(stats));
  const pair = selectedPair(stats);
  if (!pair) return;
  const local = stats.get(pair.localCandidateId) || {};
  const remote = stats.get(pair.remoteCandidateId) || {};
  const rtt = pair.currentRoundTripTime != null ? Math.round(pair.currentRoundTripTime * 1000) : null;
  if (agentPath?.candidate === "relay" || (remote.candidateType === "relay" && !agentPath)) {
    show("relayed", agentPath?.relayProtocol, rtt);
  } else if (local.candidateType === "relay") {
    show("relayed", local.relayProtocol, rtt);
  } else {
    show("direct", null, rtt);
  }
}

register({
  init(c) {
    ctx = c;
    el = document.getElementById("path");
    if (el) {
      linkEl = document.createElement("p");
      linkEl.id = "link";
      linkEl.className = "path muted";
      linkEl.title = c.t("ws.link.title");
      linkEl.hidden = true;
      badEl = document.createElement("p");
      badEl.id = "link-bad";
      badEl.className = "link-bad";
      badEl.setAttribute("role", "status");
      badEl.textContent = c.t("ws.link.bad");
      badEl.hidden = true;
      el.after(linkEl, badEl);
    }
    window.addEventListener("lifeline-link", (e) => {
      const l = e.detail;
      if (typeof l.kbps !== "number" || typeof l.reduced !== "boolean") return;
      agentLink = { kbps: l.kbps, reduced: l.reduced };
      showLink(null);
      poll();
    });
    c.signal.on("rtc.path", (p) => {
      agentPath = p;
      poll();
    });
  },
  attach(next) {
    pc = next;
    agentPath = null;
    show(null);
    clearLink();
    clearInterval(timer);
    timer = setInterval(poll, 1000);
    next.addEventListener("connectionstatechange", () => poll());
  },
  detach() {
    pc = null;
    clearInterval(timer);
    show(null);
    clearLink();
  },
  ended() {
    pc = null;
    clearInterval(timer);
    show(null);
    clearLink();
  },
});
