// The customer's page as a second peer: the technician's screen, shown here
// view only, and voice. The technician's browser offers; this page answers,
// and decides what it takes: a screen only once the technician said they
// share it and until the customer closes it, the customer's microphone only
// in a call the customer started or accepted. The negotiation goes through
// the agent (this panel's WebSocket) and the session's signaling; the media
// go browser to browser. One self-contained module (the page's CSP).
import { translator } from "../i18n.js";

const root = document.getElementById("panel-pagepeer");
const lang = document.documentElement.lang || "en";
let S = {};
const t = translator(() => S);

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") e.className = v;
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

const btn = (id, cls = "btn end") => el("button", { type: "button", id, class: cls });

// The technician's screen.
const screenTitle = el("h2", { id: "pp-screen-title", class: "pp-title" });
const fitBtn = btn("pp-fit", "btn deny pp-tool");
const actualBtn = btn("pp-actual", "btn deny pp-tool");
const fullBtn = btn("pp-full", "btn deny pp-tool");
const zoomBtn = btn("pp-zoom", "btn deny pp-tool");
const closeBtn = btn("pp-close", "btn end pp-tool");
const video = el("video", { id: "pp-video", autoplay: true, playsInline: true, muted: true });
const stage = el("div", { id: "pp-stage", class: "pp-stage fit" }, video);
const screenNote = el("p", { class: "pp-note", id: "pp-screen-note" });
const screenBox = el("div", { id: "pp-screen", hidden: true }, screenTitle,
  el("div", { class: "pp-tools" }, fitBtn, actualBtn, fullBtn, zoomBtn, closeBtn), stage, screenNote);

// The technician shares again after the customer closed their screen: it
// shows only once the customer asks for it.
const offerText = el("p", { id: "pp-offer-text", class: "pp-call-text" });
const viewBtn = btn("pp-view", "btn allow");
const offerBox = el("div", { id: "pp-offer", class: "pp-call", hidden: true }, offerText,
  el("div", { class: "controls" }, viewBtn));

// Voice.
const callText = el("p", { id: "pp-call-text", class: "pp-call-text", role: "status" });
const micOn = el("p", { id: "pp-mic", class: "pp-mic", role: "status", hidden: true });
const acceptBtn = btn("pp-accept", "btn allow");
const declineBtn = btn("pp-decline", "btn deny");
const talkBtn = btn("pp-talk", "btn deny");
const muteBtn = btn("pp-mute", "btn deny");
const hangBtn = btn("pp-hangup", "btn end");
const audio = el("audio", { id: "pp-audio", autoplay: true });
const callBox = el("div", { id: "pp-callbox", class: "pp-call" }, micOn, callText,
  el("div", { class: "controls" }, acceptBtn, declineBtn, talkBtn, muteBtn, hangBtn), audio);

root.append(offerBox, screenBox, callBox);
root.hidden = true;
// Above the session's controls and the other panels: what the technician
// shows, and a call, are what the customer looks at now.
document.getElementById("controls")?.before(root);

let ice = [];
let ws = null;
let over = false;
let pc = null;
let pendingCandidates = [];
let sharing = false; // the technician shares and the customer has not closed it
let closed = false; // the customer closed this technician's screen
let offered = false; // the technician shares again since: the customer has not asked to see it
let tech = "";
let techID = ""; // the technician (account) the agent says the page is with now
let pcTech = ""; // the technician pc was made for
let shownTrack = null; // the technician's screen as received, shown only while sharing
let call = "idle"; // idle, ringing (the technician calls), calling (the customer calls), active
let voiceAllowed = false;
let mic = null; // the customer's microphone track, only in a call they started or accepted
let muted = false;
let techMuted = false;
let note = "";
let lastMic = false; // what the agent was last told of the microphone

// Exposed for end-to-end tests: what the page has taken.
window.lifelinePagePeer = {
  get sharing() { return sharing; },
  get offered() { return offered; },
  get call() { return call; },
  get muted() { return muted; },
  get pc() { return pc; },
};

function send(sig) {
  if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(sig));
}

function render() {
  const name = tech || t("agent.pp.technician");
  screenBox.hidden = !sharing;
  offerBox.hidden = !offered || sharing;
  offerText.textContent = t("agent.pp.offered", name);
  viewBtn.textContent = t("agent.pp.view", name);
  screenTitle.textContent = t("agent.pp.showing", name);
  screenNote.textContent = t("agent.pp.viewOnly");
  fitBtn.textContent = t("agent.pp.fit");
  actualBtn.textContent = t("agent.pp.actual");
  fullBtn.textContent = t("agent.pp.full");
  zoomBtn.textContent = t("agent.pp.zoom");
  zoomBtn.setAttribute("aria-pressed", String(stage.classList.contains("zoom")));
  closeBtn.textContent = t("agent.pp.close");
  fitBtn.setAttribute("aria-pressed", String(stage.classList.contains("fit")));
  actualBtn.setAttribute("aria-pressed", String(!stage.classList.contains("fit")));
  acceptBtn.textContent = t("agent.pp.accept");
  declineBtn.textContent = t("agent.pp.decline");
  talkBtn.textContent = t("agent.pp.talk", name);
  muteBtn.textContent = t(muted ? "agent.pp.unmute" : "agent.pp.mute");
  muteBtn.setAttribute("aria-pressed", String(muted));
  hangBtn.textContent = t("agent.pp.hangup");
  acceptBtn.hidden = declineBtn.hidden = call !== "ringing";
  talkBtn.hidden = call !== "idle" || !voiceAllowed || over;
  muteBtn.hidden = call !== "active";
  hangBtn.hidden = call === "idle" || call === "ringing";
  micOn.hidden = call !== "active";
  micOn.dataset.on = String(!muted);
  micOn.textContent = t(muted ? "agent.pp.micMuted" : "agent.pp.micOn");
  callText.textContent = call === "ringing" ? t("agent.pp.ringing", name)
    : call === "calling" ? t("agent.pp.calling", name)
    : call === "active" ? (techMuted ? t("agent.pp.techMuted", name) : t("agent.pp.talking", name))
    : note;
  callText.hidden = !callText.textContent;
  const micState = call === "active" && !muted;
  document.body.dataset.mic = micState ? "on" : "off";
  // The agent's on-screen badge says it too.
  if (micState !== lastMic && ws?.readyState === WebSocket.OPEN) {
    lastMic = micState;
    ws.send(JSON.stringify({ mic: micState }));
  }
  root.hidden = !sharing && !offered && call === "idle" && !note && (!voiceAllowed || over);
}

function newPeer() {
  pc = new RTCPeerConnection({ iceServers: ice });
  pcTech = techID;
  const mine = pc;
  pc.onicecandidate = (e) => {
    if (pc === mine) send({ kind: "candidate", candidate: e.candidate ? e.candidate.toJSON() : undefined });
  };
  pc.ontrack = (e) => {
    if (pc !== mine) return;
    const s = new MediaStream([e.track]);
    if (e.track.kind === "video") {
      shownTrack = e.track;
      video.srcObject = sharing ? s : null;
      video.dataset.stream = "1";
    } else {
      audio.srcObject = s;
    }
  };
  pc.onconnectionstatechange = () => {
    if (pc === mine && pc.connectionState === "failed") closePeer();
  };
}

function closePeer() {
  pc?.close();
  pc = null;
  pendingCandidates = [];
  shownTrack = null;
  video.srcObject = null;
  audio.srcObject = null;
}

// fingerprint is the DTLS fingerprint of an SDP: another one is another peer.
const fingerprint = (sdp) => /^a=fingerprint:(.*)$/m.exec(sdp || "")?.[1]?.trim() || "";

// reset ends whatever the page has with the technician (the agent says the
// technician changed, or put the session on hold, or may no longer do
// something): the connection closes, the microphone stops, sharing and the
// call go back to idle. What follows is from technician id.
function reset(id) {
  if (id !== techID) closed = false; // another technician: their screen is new
  techID = id || "";
  sharing = offered = false;
  if (call !== "idle") note = "";
  call = "idle";
  stopMic();
  closePeer();
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
}

// answer takes the technician's offer: the screen only while the customer
// takes it, the microphone only in a call the customer is in.
async function answer(sdp) {
  // A connection is the technician's it was made for, with the peer that
  // made it: anyone else's offer starts a new one.
  if (pc && (pcTech !== techID || fingerprint(pc.remoteDescription?.sdp) !== fingerprint(sdp?.sdp))) closePeer();
  if (!pc) newPeer();
  const mine = pc;
  await pc.setRemoteDescription(sdp);
  for (const tr of pc.getTransceivers()) {
    const kind = tr.receiver.track.kind;
    if (kind === "video") {
      // Offered again after the customer closed it: received, shown only
      // once the customer asks (View).
      const take = sharing || offered;
      tr.direction = take ? "recvonly" : "inactive";
      shownTrack = take ? tr.receiver.track : null;
      if (sharing) video.srcObject = new MediaStream([tr.receiver.track]);
    } else if (kind === "audio") {
      const talk = call === "active" && mic;
      await tr.sender.replaceTrack(talk ? mic : null);
      tr.direction = talk ? "sendrecv" : "inactive";
      if (talk) audio.srcObject = new MediaStream([tr.receiver.track]);
    }
  }
  const a = await pc.createAnswer();
  if (pc !== mine) return;
  await pc.setLocalDescription(a);
  send({ kind: "answer", sdp: { type: a.type, sdp: a.sdp } });
  for (const c of pendingCandidates.splice(0)) pc.addIceCandidate(c).catch(() => {});
}

async function microphone() {
  if (mic) return true;
  try {
    const s = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    mic = s.getAudioTracks()[0];
    muted = false;
    return true;
  } catch {
    note = t("agent.pp.noMic");
    return false;
  }
}

function stopMic() {
  mic?.stop();
  mic = null;
  muted = false;
  techMuted = false;
  if (pc) for (const tr of pc.getTransceivers()) if (tr.sender.track?.kind === "audio") tr.sender.replaceTrack(null);
  audio.srcObject = null;
}

function onSignal(s) {
  switch (s.kind) {
    case "share":
      tech = s.name || tech;
      if (s.on && !sharing && !offered) setTimeout(() => root.scrollIntoView({ block: "start", behavior: "smooth" }));
      // After the customer closed it, a new share waits for their View.
      if (s.on && closed) offered = !sharing;
      else sharing = !!s.on;
      if (!s.on) { sharing = offered = false; video.srcObject = null; }
      note = "";
      break;
    case "offer":
      tech = s.name || tech;
      answer(s.sdp).catch((e) => console.warn("pagepeer: answer failed", e));
      break;
    case "candidate":
      if (!s.candidate) break;
      if (pc?.remoteDescription) pc.addIceCandidate(s.candidate).catch(() => {});
      else pendingCandidates.push(s.candidate);
      break;
    case "call":
      tech = s.name || tech;
      if (s.on && call === "idle") {
        call = "ringing";
        note = "";
        setTimeout(() => root.scrollIntoView({ block: "start", behavior: "smooth" }));
      }
      else if (!s.on && call !== "idle") { call = "idle"; stopMic(); note = t("agent.pp.ended", tech); }
      break;
    case "accept":
      if (call !== "calling") break;
      if (s.on) call = "active";
      else { call = "idle"; stopMic(); note = t("agent.pp.declined", tech); }
      break;
    case "mute":
      techMuted = !!s.on;
      break;
  }
  render();
}

acceptBtn.addEventListener("click", async () => {
  if (call !== "ringing") return;
  if (!(await microphone())) { call = "idle"; send({ kind: "accept", on: false }); render(); return; }
  call = "active";
  send({ kind: "accept", on: true });
  render();
});
declineBtn.addEventListener("click", () => {
  if (call !== "ringing") return;
  call = "idle";
  send({ kind: "accept", on: false });
  render();
});
talkBtn.addEventListener("click", async () => {
  if (call !== "idle") return;
  note = "";
  if (!(await microphone())) { render(); return; }
  call = "calling";
  send({ kind: "call", on: true });
  render();
});
hangBtn.addEventListener("click", () => {
  if (call === "idle") return;
  call = "idle";
  stopMic();
  send({ kind: "call", on: false });
  render();
});
muteBtn.addEventListener("click", () => {
  if (!mic) return;
  muted = !muted;
  mic.enabled = !muted;
  send({ kind: "mute", on: muted });
  render();
});
fitBtn.addEventListener("click", () => { stage.classList.add("fit"); render(); });
actualBtn.addEventListener("click", () => { stage.classList.remove("fit"); render(); });
// The magnifier: the picture twice as large around the pointer.
zoomBtn.addEventListener("click", () => { stage.classList.toggle("zoom"); render(); });
stage.addEventListener("pointermove", (e) => {
  if (!stage.classList.contains("zoom")) return;
  const r = video.getBoundingClientRect();
  video.style.transformOrigin = `${((e.clientX - r.left) / r.width) * 100}% ${((e.clientY - r.top) / r.height) * 100}%`;
});
fullBtn.addEventListener("click", () => stage.requestFullscreen?.().catch(() => {}));
viewBtn.addEventListener("click", () => {
  if (!offered) return;
  offered = false;
  closed = false;
  sharing = true;
  if (shownTrack) video.srcObject = new MediaStream([shownTrack]);
  render();
});
closeBtn.addEventListener("click", () => {
  if (!sharing) return;
  sharing = false;
  closed = true;
  video.srcObject = null;
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  send({ kind: "closed" });
  render();
});

function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const base = location.pathname.replace(/\/?$/, "/");
  ws = new WebSocket(`${proto}//${location.host}${base}pagepeer/ws?lang=${encodeURIComponent(lang)}`);
  ws.onmessage = (e) => {
    let m;
    try {
      m = JSON.parse(e.data);
    } catch {
      return;
    }
    if (m.type === "hello") {
      lastMic = false; // a new connection: tell the agent again
      ice = m.ice || [];
      S = m.strings || {};
      voiceAllowed = !!m.voice;
      if ((m.tech || "") !== techID) reset(m.tech);
      render();
    } else if (m.type === "signal" && m.signal) {
      onSignal(m.signal);
    } else if (m.type === "reset") {
      reset(m.tech);
      render();
    } else if (m.type === "ended") {
      finish();
    }
  };
  ws.onclose = () => {
    if (!over) setTimeout(connect, 1000);
  };
}

function finish() {
  if (over) return;
  over = true;
  sharing = offered = false;
  call = "idle";
  stopMic();
  closePeer();
  ws?.close();
  render();
}
document.addEventListener("lifeline:ended", finish);
connect();
render();
