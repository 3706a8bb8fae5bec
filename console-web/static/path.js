// Connection path: shows whether the screen comes directly from the customer or
// through a TURN relay (and how the relayed side reaches it: UDP, TCP, TLS),
// with the round-trip time of the selected candidate pair. The browser's stats
// tell this side; the agent reports its own side (rtc.path).
import { register } from "./features.js";

let ctx = null;
let el = null;
let pc = null;
let timer = 0;
let agentPath = null; // { candidate, relayProtocol } from the agent

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
    c.signal.on("rtc.path", (p) => {
      agentPath = p;
      poll();
    });
  },
  attach(next) {
    pc = next;
    agentPath = null;
    show(null);
    clearInterval(timer);
    timer = setInterval(poll, 1000);
    next.addEventListener("connectionstatechange", () => poll());
  },
  detach() {
    pc = null;
    clearInterval(timer);
    show(null);
  },
  ended() {
    pc = null;
    clearInterval(timer);
    show(null);
  },
});
