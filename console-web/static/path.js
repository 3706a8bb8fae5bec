// Connection path: shows whether the screen comes directly from the customer or
// through a TURN relay (and how the relayed side reaches it: UDP, TCP, TLS),
// with the round-trip time of the selected candidate pair. The browser's stats
// tell this side; the agent reports its own side (rtc.path).
//
// Link quality, under it: the agent's bandwidth estimate (on the view channel,
// "link"), the video's packet loss, frames per second and size; and "Bad
// connection: the picture is reduced" while the estimate cuts the picture.
// Clicking it opens the connection's details: every figure, and a live chart
// of the last minute of the estimate and of the agent's queueing delay (the
// agent reports both every second).
import { register } from "./features.js";

let ctx = null;
let el = null;
let pc = null;
let timer = 0;
let agentPath = null; // { candidate, relayProtocol } from the agent
let linkEl = null;
let badEl = null;
let agentLink = null; // { kbps, reduced, queueMs } from the agent
let lastVideo = null; // the inbound video's counters at the last poll
let lastStats = null; // the video's figures at the last poll, for the details
let detailsEl = null;
let history = []; // { kbps, queueMs } from the agent, one a second, newest last
const historyLen = 60;

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
  linkEl.dataset.queueMs = agentLink ? String(agentLink.queueMs) : "";
  const bad = !!agentLink?.reduced;
  badEl.hidden = !bad;
  badEl.dataset.reduced = String(bad);
  if (video) lastStats = video;
  showDetails();
}

function rate(kbps) {
  return kbps >= 1000 ? ctx.t("ws.link.mbps", (kbps / 1000).toFixed(1)) : ctx.t("ws.link.kbps", kbps);
}

// showDetails fills the open details panel: the figures and the chart.
function showDetails() {
  if (!detailsEl || detailsEl.hidden) return;
  const { t } = ctx;
  const rows = [
    ["estimate", t("ws.link.estimate"), agentLink ? rate(agentLink.kbps) : "–"],
    ["queue", t("ws.link.queue"), agentLink ? t("ws.path.rtt", agentLink.queueMs) : "–"],
    ["rtt", t("ws.link.rtt"), el?.dataset.rtt ? t("ws.path.rtt", Number(el.dataset.rtt)) : "–"],
    ["loss", t("ws.link.lossLabel"), lastStats ? `${lastStats.loss.toFixed(1)} %` : "–"],
    ["fps", t("ws.link.fpsLabel"), lastStats?.fps != null ? String(Math.round(lastStats.fps)) : "–"],
    ["size", t("ws.link.size"), lastStats?.w ? `${lastStats.w}×${lastStats.h}` : "–"],
    ["path", t("ws.link.path"), el && !el.hidden ? el.textContent.split(" · ")[0] : "–"],
  ];
  const dl = detailsEl.querySelector("dl");
  dl.replaceChildren();
  for (const [key, label, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    dd.dataset.key = key;
    dl.append(dt, dd);
  }
  drawChart(detailsEl.querySelector("canvas"));
}

// drawChart draws the last minute: the estimate as a filled line (its own
// scale), the queueing delay as a line over 0–200 ms.
function drawChart(canvas) {
  const g = canvas.getContext("2d");
  const w = canvas.width;
  const h = canvas.height;
  g.clearRect(0, 0, w, h);
  // The legend's swatches hold the colours, resolved (light or dark theme).
  const swatch = (cls, fallback) => {
    const s = detailsEl.querySelector(`.link-legend .${cls}`);
    return (s && getComputedStyle(s, "::before").backgroundColor) || fallback;
  };
  const accent = swatch("est", "#0b5cc0");
  const warn = swatch("queue", "#d08a12");
  if (history.length < 2) return;
  const step = w / (historyLen - 1);
  const x0 = w - (history.length - 1) * step;
  const top = Math.max(...history.map((p) => p.kbps), 1);
  const y = (v, max) => h - 2 - (Math.min(v, max) / max) * (h - 4);
  g.beginPath();
  g.moveTo(x0, h);
  history.forEach((p, i) => g.lineTo(x0 + i * step, y(p.kbps, top)));
  g.lineTo(x0 + (history.length - 1) * step, h);
  g.closePath();
  g.globalAlpha = 0.25;
  g.fillStyle = accent;
  g.fill();
  g.globalAlpha = 1;
  g.strokeStyle = accent;
  g.lineWidth = 1.5;
  g.beginPath();
  history.forEach((p, i) => (i ? g.lineTo : g.moveTo).call(g, x0 + i * step, y(p.kbps, top)));
  g.stroke();
  g.strokeStyle = warn;
  g.beginPath();
  history.forEach((p, i) => (i ? g.lineTo : g.moveTo).call(g, x0 + i * step, y(p.queueMs, 200)));
  g.stroke();
  canvas.dataset.points = String(history.length);
}

function toggleDetails() {
  detailsEl.hidden = !detailsEl.hidden;
  linkEl.setAttribute("aria-expanded", String(!detailsEl.hidden));
  showDetails();
}

function clearLink() {
  agentLink = null;
  lastVideo = null;
  lastStats = null;
  history = [];
  if (detailsEl) detailsEl.hidden = true;
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
      linkEl = document.createElement("button");
      linkEl.type = "button";
      linkEl.id = "link";
      linkEl.className = "path muted link-btn";
      linkEl.title = c.t("ws.link.title");
      linkEl.setAttribute("aria-expanded", "false");
      linkEl.setAttribute("aria-controls", "link-details");
      linkEl.hidden = true;
      linkEl.addEventListener("click", toggleDetails);
      detailsEl = document.createElement("section");
      detailsEl.id = "link-details";
      detailsEl.className = "link-details";
      detailsEl.setAttribute("aria-label", c.t("ws.link.details"));
      detailsEl.hidden = true;
      const h = document.createElement("h3");
      h.textContent = c.t("ws.link.details");
      const chart = document.createElement("canvas");
      chart.id = "link-chart";
      chart.width = 296;
      chart.height = 72;
      chart.setAttribute("role", "img");
      chart.setAttribute("aria-label", c.t("ws.link.chart"));
      const legend = document.createElement("p");
      legend.className = "link-legend muted";
      const est = document.createElement("span");
      est.className = "est";
      est.textContent = c.t("ws.link.estimate");
      const q = document.createElement("span");
      q.className = "queue";
      q.textContent = c.t("ws.link.queueScale");
      legend.append(est, q);
      detailsEl.append(h, chart, legend, document.createElement("dl"));
      (document.getElementById("workspace") || document.body).append(detailsEl);
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
      agentLink = { kbps: l.kbps, reduced: l.reduced, queueMs: typeof l.queueMs === "number" ? l.queueMs : 0 };
      history.push({ kbps: l.kbps, queueMs: agentLink.queueMs });
      if (history.length > historyLen) history.shift();
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
