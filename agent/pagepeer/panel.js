// The customer's page as a second peer: the technician's screen, shown here
// view only, and voice. The technician's browser offers; this page answers,
// and decides what it takes: a screen only once the technician said they
// share it and until the customer closes it, the customer's microphone only
// in a call the customer started or accepted. The negotiation goes through
// the agent (this panel's WebSocket) and the session's signaling; the media
// go browser to browser. One self-contained module (the page's CSP).
//
// Several technicians (the lead and colleagues) each have their own
// connection with this page. The call is the lead's: colleagues join it and
// leave it while it goes on. This page mixes: each technician receives the
// customer's microphone mixed with the other technicians' voices (Web
// Audio), so everyone hears everyone, peer to peer, with one connection per
// technician and no server in between. One technician shows their screen
// at a time.
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
// Who is in the call, each with their microphone's state.
const people = el("ul", { id: "pp-people", class: "pp-people" });
const peopleBox = el("div", { id: "pp-people-box", hidden: true },
  el("p", { id: "pp-people-title", class: "pp-note" }), people);
const callBox = el("div", { id: "pp-callbox", class: "pp-call" }, micOn, callText, peopleBox,
  el("div", { class: "controls" }, acceptBtn, declineBtn, talkBtn, muteBtn, hangBtn), audio);

root.append(offerBox, screenBox, callBox);
root.hidden = true;
// Above the session's controls and the other panels: what the technician
// shows, and a call, are what the customer looks at now.
document.getElementById("controls")?.before(root);

let ice = [];
let ws = null;
let over = false;
// The technicians' connections, by technician (account ID): { pc, tech,
// name, pending, fp, audio (the element playing their voice), track (their
// voice as received), muted, sending (what goes to them) }.
const peers = new Map();
let sharing = false; // a technician shares and the customer has not closed it
let sharer = ""; // the technician who shares (or offers to)
let closed = false; // the customer closed this technician's screen
let offered = false; // the technician shares again since: the customer has not asked to see it
let tech = ""; // the lead's name
let techID = ""; // the technician (account) who leads the session now
let shownTrack = null; // the sharer's screen as received, shown only while sharing
let call = "idle"; // idle, ringing (the lead calls), calling (the customer calls), active
const joined = new Map(); // colleagues in the call: ID → name
let voiceAllowed = false;
let mic = null; // the customer's microphone track, only in a call they started or accepted
let muted = false;
let techMuted = false;
let note = "";
let lastMic = false; // what the agent was last told of the microphone
let actx = null; // the Web Audio context that mixes, made on the customer's click

// Exposed for end-to-end tests: what the page has taken.
window.lifelinePagePeer = {
  get sharing() { return sharing; },
  get offered() { return offered; },
  get call() { return call; },
  get muted() { return muted; },
  // The lead's connection (the first technician's).
  get pc() { return peers.get(techID)?.pc || null; },
  // Every technician's connection, and who is in the call.
  get peers() { return [...peers.values()].map((p) => ({ tech: p.tech, name: p.name, pc: p.pc, inCall: inCall(p.tech), muted: !!p.muted })); },
  get inCall() { return callers().map((id) => nameOf(id)); },
};

const nameOf = (id) => (id === techID ? tech : joined.get(id) || peers.get(id)?.name) || t("agent.pp.technician");
// inCall says whether technician id talks with the customer now.
const inCall = (id) => call === "active" && (id === techID || joined.has(id));
// callers are the technicians in the call.
const callers = () => (call === "active" ? [techID, ...joined.keys()] : []);

function send(sig, to = techID) {
  if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ ...sig, tech: to }));
}

function render() {
  const name = tech || t("agent.pp.technician");
  const shower = nameOf(sharer || techID);
  screenBox.hidden = !sharing;
  offerBox.hidden = !offered || sharing;
  offerText.textContent = t("agent.pp.offered", shower);
  viewBtn.textContent = t("agent.pp.view", shower);
  screenTitle.textContent = t("agent.pp.showing", shower);
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
  const many = joined.size > 0;
  hangBtn.textContent = t(many ? "agent.pp.hangupAll" : "agent.pp.hangup");
  acceptBtn.hidden = declineBtn.hidden = call !== "ringing";
  talkBtn.hidden = call !== "idle" || !voiceAllowed || over;
  muteBtn.hidden = call !== "active";
  hangBtn.hidden = call === "idle" || call === "ringing";
  micOn.hidden = call !== "active";
  micOn.dataset.on = String(!muted);
  micOn.textContent = t(muted ? (many ? "agent.pp.micMutedAll" : "agent.pp.micMuted") : (many ? "agent.pp.micOnAll" : "agent.pp.micOn"));
  callText.textContent = call === "ringing" ? t("agent.pp.ringing", name)
    : call === "calling" ? t("agent.pp.calling", name)
    : call === "active" ? (techMuted ? t("agent.pp.techMuted", name) : t("agent.pp.talking", name))
    : note;
  callText.hidden = !callText.textContent;
  // Every technician in the call, with their microphone.
  peopleBox.hidden = call !== "active";
  peopleBox.firstChild.textContent = t("agent.pp.inCall");
  people.replaceChildren(...callers().map((id) => {
    const m = id === techID ? techMuted : !!peers.get(id)?.muted;
    return el("li", { class: "pp-person", "data-tech": id, "data-muted": String(m) },
      t(m ? "agent.pp.personMuted" : "agent.pp.personOn", nameOf(id)));
  }));
  const micState = call === "active" && !muted;
  document.body.dataset.mic = micState ? "on" : "off";
  // The agent's on-screen badge says it too.
  if (micState !== lastMic && ws?.readyState === WebSocket.OPEN) {
    lastMic = micState;
    ws.send(JSON.stringify({ mic: micState }));
  }
  root.hidden = !sharing && !offered && call === "idle" && !note && (!voiceAllowed || over);
}

function newPeer(id) {
  const p = { tech: id, name: "", pc: new RTCPeerConnection({ iceServers: ice }), pending: [], fp: "", audio: null, track: null, muted: false, sending: null };
  peers.set(id, p);
  const pc = p.pc;
  pc.onicecandidate = (e) => {
    if (peers.get(id) === p) send({ kind: "candidate", candidate: e.candidate ? e.candidate.toJSON() : undefined }, id);
  };
  pc.ontrack = (e) => {
    if (peers.get(id) !== p) return;
    const s = new MediaStream([e.track]);
    if (e.track.kind === "video") {
      if (id === sharer) {
        shownTrack = e.track;
        video.srcObject = sharing ? s : null;
        video.dataset.stream = "1";
      }
    } else {
      p.track = e.track;
      playVoice(p);
    }
  };
  pc.onconnectionstatechange = () => {
    if (peers.get(id) === p && pc.connectionState === "failed") closePeer(id);
  };
  return p;
}

// playVoice plays technician p's voice, while they are in the call.
function playVoice(p) {
  if (!p.audio) {
    p.audio = p.tech === techID ? audio : el("audio", { autoplay: true, className: "pp-audio-peer" });
    if (p.audio !== audio) callBox.append(p.audio);
  }
  p.audio.dataset.tech = p.tech;
  const talk = inCall(p.tech) && p.track;
  if (talk && p.audio.srcObject?.getAudioTracks()[0] !== p.track) p.audio.srcObject = new MediaStream([p.track]);
  if (!talk) p.audio.srcObject = null;
  mix();
}

function closePeer(id) {
  const p = peers.get(id);
  if (!p) return;
  peers.delete(id);
  p.pc.close();
  if (p.audio) {
    p.audio.srcObject = null;
    if (p.audio !== audio) p.audio.remove();
  }
  if (id === sharer) {
    shownTrack = null;
    video.srcObject = null;
  }
  mix();
}

function closeAll() {
  for (const id of [...peers.keys()]) closePeer(id);
}

// mix sends each technician in the call the customer's microphone and,
// when colleagues are in it too, the others' voices mixed in: everyone
// hears everyone. Nothing goes to a technician out of the call.
function mix() {
  for (const p of peers.values()) {
    const tr = p.pc.getTransceivers().find((x) => x.receiver.track.kind === "audio");
    if (!tr) continue;
    let track = null;
    if (inCall(p.tech) && mic) {
      const others = callers().filter((id) => id !== p.tech).map((id) => peers.get(id)?.track).filter(Boolean);
      track = others.length && actx ? mixed(p, others) : mic;
    }
    if (tr.sender.track !== track) tr.sender.replaceTrack(track).catch(() => {});
  }
}

// mixed is the customer's microphone with others (the other technicians'
// voices) mixed in, for technician p.
function mixed(p, others) {
  const key = others.map((x) => x.id).join(",") + "|" + mic.id;
  if (p.mix?.key === key) return p.mix.track;
  p.mix?.nodes.forEach((n) => n.disconnect());
  const dest = actx.createMediaStreamDestination();
  const nodes = [mic, ...others].map((x) => {
    const n = actx.createMediaStreamSource(new MediaStream([x]));
    n.connect(dest);
    return n;
  });
  p.mix = { key, track: dest.stream.getAudioTracks()[0], nodes };
  return p.mix.track;
}

// fingerprint is the DTLS fingerprint of an SDP: another one is another peer.
const fingerprint = (sdp) => /^a=fingerprint:(.*)$/m.exec(sdp || "")?.[1]?.trim() || "";

// reset ends whatever the page has with the technicians (the agent says
// the technician changed, or put the session on hold, or may no longer do
// something): the connections close, the microphone stops, sharing and the
// call go back to idle. What follows is led by technician id.
function reset(id) {
  early.clear();
  if (id !== techID) closed = false; // another technician: their screen is new
  techID = id || "";
  sharing = offered = false;
  sharer = "";
  if (call !== "idle") note = "";
  call = "idle";
  joined.clear();
  stopMic();
  closeAll();
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
}

// drop closes colleague id's connection (they left the session, or lost
// what they did with it); the call and the lead's connection go on.
function drop(id) {
  joined.delete(id);
  if (sharer === id) {
    sharing = offered = false;
    sharer = "";
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  }
  closePeer(id);
}

// answer takes technician id's offer: the screen only from the technician
// who shares, while the customer takes it; the microphone only to a
// technician in a call the customer is in.
async function answer(id, sdp) {
  // A connection is the technician's it was made for, with the peer that
  // made it: another peer's offer starts a new one.
  let p = peers.get(id);
  if (p && p.fp !== fingerprint(sdp?.sdp)) {
    closePeer(id);
    p = null;
  }
  if (!p) {
    p = newPeer(id);
    p.pending.push(...(early.get(id) || []));
    early.delete(id);
  }
  p.fp = fingerprint(sdp?.sdp);
  const pc = p.pc;
  await pc.setRemoteDescription(sdp);
  for (const tr of pc.getTransceivers()) {
    const kind = tr.receiver.track.kind;
    if (kind === "video") {
      // Offered again after the customer closed it: received, shown only
      // once the customer asks (View).
      const take = (sharing || offered) && id === sharer;
      tr.direction = take ? "recvonly" : "inactive";
      if (take) shownTrack = tr.receiver.track;
      if (take && sharing) video.srcObject = new MediaStream([tr.receiver.track]);
    } else if (kind === "audio") {
      const talk = inCall(id) && mic;
      tr.direction = talk ? "sendrecv" : "inactive";
      if (talk) {
        p.track = tr.receiver.track;
        playVoice(p);
      } else {
        await tr.sender.replaceTrack(null);
      }
    }
  }
  const a = await pc.createAnswer();
  if (peers.get(id) !== p) return;
  await pc.setLocalDescription(a);
  send({ kind: "answer", sdp: { type: a.type, sdp: a.sdp } }, id);
  for (const c of p.pending.splice(0)) pc.addIceCandidate(c).catch(() => {});
  mix();
}

async function microphone() {
  if (mic) return true;
  try {
    const s = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    mic = s.getAudioTracks()[0];
    muted = false;
    // Made on the customer's click, so that it may play.
    try {
      actx ??= new AudioContext();
      actx.resume().catch(() => {});
    } catch {
      actx = null;
    }
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
  joined.clear();
  for (const p of peers.values()) {
    p.mix?.nodes.forEach((n) => n.disconnect());
    p.mix = null;
    p.muted = false;
    if (p.audio) p.audio.srcObject = null;
  }
  mix();
  audio.srcObject = null;
}

// endCall ends the call for everyone: each technician in it is told.
function endCall(tell) {
  const was = callers();
  call = "idle";
  if (tell) for (const id of was) send({ kind: "call", on: false }, id);
  stopMic();
  for (const id of was) if (id !== techID && id !== sharer) closePeer(id);
}

function onSignal(s) {
  const from = s.tech || techID;
  const lead = from === techID;
  const p = peers.get(from);
  if (s.name) {
    if (lead) tech = s.name;
    if (p) p.name = s.name;
  }
  switch (s.kind) {
    case "share":
      if (s.on && sharer && sharer !== from && (sharing || offered)) break; // one at a time
      if (s.on && !sharing && !offered) setTimeout(() => root.scrollIntoView({ block: "start", behavior: "smooth" }));
      if (s.on) {
        if (sharer !== from) closed = false; // another technician's screen is new
        sharer = from;
      }
      // After the customer closed it, a new share waits for their View.
      if (s.on && closed) offered = !sharing;
      else if (s.on) sharing = true;
      if (!s.on && from === sharer) { sharing = offered = false; sharer = ""; video.srcObject = null; }
      note = "";
      break;
    case "offer":
      answer(from, s.sdp).then(() => { if (s.name && peers.get(from)) peers.get(from).name = s.name; })
        .catch((e) => console.warn("pagepeer: answer failed", e));
      break;
    case "candidate":
      if (!s.candidate) break;
      if (p?.pc.remoteDescription) p.pc.addIceCandidate(s.candidate).catch(() => {});
      else if (p) p.pending.push(s.candidate);
      else pendingFor(from).push(s.candidate);
      break;
    case "call":
      if (!lead) {
        // A colleague joins the call going on, or leaves it.
        if (s.on && call === "active") {
          joined.set(from, s.name || nameOf(from));
          send({ kind: "accept", on: true }, from);
          if (p) playVoice(p);
        } else if (s.on) {
          send({ kind: "accept", on: false }, from);
        } else if (joined.delete(from)) {
          if (p) playVoice(p);
        }
        mix();
        break;
      }
      if (s.on && call === "idle") {
        call = "ringing";
        note = "";
        setTimeout(() => root.scrollIntoView({ block: "start", behavior: "smooth" }));
      }
      else if (!s.on && call !== "idle") { endCall(true); note = t("agent.pp.ended", tech); }
      break;
    case "accept":
      if (!lead || call !== "calling") break;
      if (s.on) { call = "active"; mix(); }
      else { call = "idle"; stopMic(); note = t("agent.pp.declined", tech); }
      break;
    case "mute":
      if (lead) techMuted = !!s.on;
      else if (p) p.muted = !!s.on;
      break;
  }
  render();
}

// Candidates that came before their technician's offer.
const early = new Map();
function pendingFor(id) {
  if (!early.has(id)) early.set(id, []);
  return early.get(id);
}

acceptBtn.addEventListener("click", async () => {
  if (call !== "ringing") return;
  if (!(await microphone())) { call = "idle"; send({ kind: "accept", on: false }); render(); return; }
  call = "active";
  send({ kind: "accept", on: true });
  mix();
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
// Hanging up ends the call for everyone in it.
hangBtn.addEventListener("click", () => {
  if (call === "idle") return;
  if (call === "calling") {
    call = "idle";
    stopMic();
    send({ kind: "call", on: false });
  } else {
    endCall(true);
  }
  render();
});
// Muting mutes the microphone for every technician in the call.
muteBtn.addEventListener("click", () => {
  if (!mic) return;
  muted = !muted;
  mic.enabled = !muted;
  for (const id of callers()) send({ kind: "mute", on: muted }, id);
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
  send({ kind: "closed" }, sharer || techID);
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
      // Only the lead and the colleagues the agent names are in the
      // session: anyone else's connection closes (removed while this page
      // was not connected).
      const colleagues = new Set(m.colleagues || []);
      for (const id of new Set([...peers.keys(), ...joined.keys()])) {
        if (id !== techID && !colleagues.has(id)) drop(id);
      }
      render();
    } else if (m.type === "signal" && m.signal) {
      onSignal(m.signal);
    } else if (m.type === "reset") {
      reset(m.tech);
      render();
    } else if (m.type === "drop") {
      drop(m.tech);
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
  closeAll();
  ws?.close();
  render();
}
document.addEventListener("lifeline:ended", finish);
connect();
render();
