// The technician's workspace: talks to signaling over a WebSocket, receives the
// customer's desktop over WebRTC (this page offers), and sends input on data channels.
import { Signal } from "./signal.js";
import { InputCapture } from "./input.js";
import { features } from "./features.js";
import { SessionLog, newID } from "./log.js";
import { translator } from "./i18n.js";
import { identity, sdpFingerprint, verificationCode, showCode } from "./identity.js";

const root = document.getElementById("workspace");
const sid = root.dataset.sid;
const customer = root.dataset.customer;
const S = JSON.parse(document.getElementById("strings").textContent);
const t = translator(() => S);

const statusEl = document.getElementById("status");
const video = document.getElementById("screen");
const stage = document.getElementById("stage");
const placeholder = document.getElementById("placeholder");
// The technician's own permissions (from their group); the server enforces
// them, this only keeps buttons they may not use off the page.
const may = JSON.parse(root.dataset.perms || "{}");
const requestBtn = document.getElementById("request-control") || document.createElement("button");
const endBtn = document.getElementById("end-session") || document.createElement("button");
// A colleague's page (data-helper): they help the session's technician, who
// leads it; the lead hands them remote control, or not.
const helperPage = root.dataset.helper !== undefined;
const holdBtn = document.getElementById("hold-session") || document.createElement("button");
const controlState = document.getElementById("control-state") || document.createElement("span");

let iceServers = [];
let pc = null;
let perms = { view: false, control: false };
let state = "connecting";
let agentConnected = false;
let agentRun = 0; // the customer's program starts in this session (session.state)
let ended = false;
// rebootWait is how long (seconds) the server waits for a restarting
// computer; rebootExpired says the session ended because it did not come back.
let rebootWait = 0;
let rebootExpired = false;
let live = false; // this page saw the session before it ended
let me = ""; // this technician's ID
let owner = ""; // the session's technician
let transfer = null; // pending transfer, if any
let leadName = ""; // the session's technician's name
let collab = null; // colleagues in the session, invited, and who has control (session.state)
let startSent = false;
let restartTimer = 0; // pending ICE restart check
let permsKnown = false; // the first state only sets what was already allowed
// One console at a time holds the session's peer connection (the server
// records which): this connection's ID, the holder's, and whether this page
// held it and lost it to another tab or login.
// This page's connections so far: after signaling comes back, the session
// still names the one before until this page claims it again, and the peer
// connection it made is still this page's (dropping it froze the picture).
const myConsoles = new Set();
let holder = "";
let lost = false;
// tab names this browser tab across its reloads: a reload takes the session
// back without asking.
const tab = (() => {
  try {
    const v = sessionStorage.getItem("lifeline.tab") || newID();
    sessionStorage.setItem("lifeline.tab", v);
    return v;
  } catch {
    return newID();
  }
})();
let asked = false; // control was requested and the customer has not answered yet
let agentRefused = false; // the agent's identity did not verify: no connection to this program
let answered = Promise.resolve(); // the latest answer applied (or refused); candidates wait for it
const input = new InputCapture(stage, video);
const log = new SessionLog(document.getElementById("session-log"), t);

// framesShown counts the frames the video shows, with requestVideoFrameCallback:
// Firefox's getVideoPlaybackQuality() reports no frames at all for WebRTC video.
let framesShown = 0;
function countFrames() {
  video.requestVideoFrameCallback(() => { framesShown++; countFrames(); });
}
if (video.requestVideoFrameCallback) countFrames();

// Exposed for diagnostics and end-to-end tests. frames is how many frames the
// video has decoded: the shown ones, or Chromium's decoded count where higher
// (it also counts while the video is hidden, as in a queue's back tab).
window.lifeline = {
  get pc() { return pc; }, video, input, firstFrameAt: 0, iceRestarts: 0,
  get state() { return state; }, get agentConnected() { return agentConnected; }, get signalOpen() { return signal.open; },
  get frames() { return Math.max(framesShown, video.getVideoPlaybackQuality?.().totalVideoFrames ?? 0); },
  get collab() { return collab; }, get inputEnabled() { return input.enabled; },
  // newConnection drops the peer connection for a new one, as when an ICE
  // restart does not bring the path back.
  newConnection() { stopPeer(); syncPeer(); },
};

// notify tells the queue page around this workspace (if any) what happened here:
// unread chat, sound alerts. Same origin only.
// The workspace's own toasts hear it too (a "lifeline" event on window).
function notify(kind, extra = {}) {
  if (window.parent !== window) window.parent.postMessage({ lifeline: kind, sid, ...extra }, location.origin);
  window.dispatchEvent(new CustomEvent("lifeline", { detail: { kind, sid, ...extra } }));
}
window.lifeline.notify = notify;
// Inside the queue's tab the page needs no header of its own.
if (window.parent !== window) document.documentElement.classList.add("embedded");

// rebootWaited is the server's wait for a restarting computer in words.
function rebootWaited() {
  return rebootWait >= 60 && rebootWait % 60 === 0 ? t("ws.reboot.minutes", rebootWait / 60) : t("ws.reboot.seconds", rebootWait);
}

function setStatus() {
  let text;
  const haveControl = perms.control && controlHere();
  const controller = collab?.members?.find((m) => m.id === collab.controller);
  if (ended && rebootExpired) {
    text = t("ws.reboot.expired", rebootWaited());
  } else if (ended) {
    text = t(state === "closed_by_customer" ? "ws.endedByCustomer" : "ws.endedByTechnician", customer);
  } else if (helperPage) {
    const watching = collab?.members?.find((m) => m.id === me)?.role === "monitor";
    text = !helping() ? t("ws.collab.status.left", customer)
      : !perms.view ? t("ws.collab.status.waiting", leadName, customer)
      : watching ? t("ws.collab.status.watching", leadName, customer)
      : t(haveControl ? "ws.collab.status.control" : "ws.collab.status.view", leadName, customer);
  } else if (owner && me && owner !== me && !transfer) {
    text = t("ws.transferredAway", customer);
  } else if (!here()) {
    text = t("ws.elsewhere.status", customer);
  } else if (transfer && transfer.toId === me) {
    text = t("ws.incoming", transfer.fromName, customer);
  } else if (transfer) {
    text = t("ws.outgoing", customer, transfer.toName);
  } else if (state === "reconnecting") {
    text = t("ws.reconnecting", customer);
  } else if (state === "on_hold") {
    text = t("ws.onHold", customer);
  } else if (state === "rebooting") {
    text = t("ws.rebooting", customer);
  } else if (!agentConnected) {
    text = t(state === "offline" ? "ws.offline" : "ws.waitingAgent", customer);
  } else if (!perms.view) {
    text = t("ws.waitingView", customer);
  } else if (perms.control && controller) {
    text = t("ws.collab.controlWith", customer, controller.name);
  } else if (perms.control) {
    text = t("ws.connectedControl", customer);
  } else {
    text = t("ws.connectedView", customer);
  }
  statusEl.textContent = text;
  statusEl.dataset.state = ended ? "ended" : !here() && !helping() ? "elsewhere" : haveControl ? "control" : perms.view ? "view" : "waiting";
  // Every control follows the state: a pending request cannot be sent twice,
  // and the screen's placeholder says why there is no picture.
  if (ended || perms.control || state === "on_hold" || !isMine()) asked = false;
  const ctl = ended ? "ended" : haveControl ? "control" : asked ? "pending" : perms.view ? "view" : "none";
  controlState.dataset.state = ctl;
  controlState.textContent = t(`ws.control.${ctl}`);
  requestBtn.disabled = ended || !perms.view || perms.control || asked || state === "on_hold" || !isMine() || !here();
  requestBtn.setAttribute("aria-busy", String(asked));
  placeholder.textContent = t(ended ? "ws.screenEnded" : state === "on_hold" ? "ws.screenOnHold" : agentConnected ? "ws.noScreen" : "ws.screenWaitingAgent");
  placeholder.dataset.state = ended ? "ended" : state;
  endBtn.disabled = ended;
  holdBtn.disabled = ended || !isMine() || (state !== "active" && state !== "on_hold");
  holdBtn.textContent = holdBtn.title = t(state === "on_hold" ? "ws.resume" : "ws.hold");
  holdBtn.classList.toggle("i-resume", state === "on_hold");
  input.enabled = !ended && haveControl && (helping() || here());
  stage.classList.toggle("controlling", input.enabled);
  showElsewhere();
}

// here: this console holds the session's peer connection, or nobody does.
function here() {
  return !holder || myConsoles.has(holder);
}

// showElsewhere says, while another console of this technician (another
// tab, another login) holds the session, that it is open there, with a button
// to take it here: "use it here" the first time, "take it back" once this
// page has lost it.
function showElsewhere() {
  let box = document.getElementById("elsewhere");
  const show = !ended && isMine() && !here();
  if (!box) {
    if (!show) return;
    box = document.createElement("div");
    box.id = "elsewhere";
    box.className = "note elsewhere";
    box.setAttribute("role", "alert");
    const text = document.createElement("span");
    const btn = document.createElement("button");
    btn.type = "button";
    btn.id = "take-over";
    btn.addEventListener("click", () => {
      lost = false;
      signal.send("session.open", { tab, takeover: true });
    });
    box.append(text, " ", btn);
    statusEl.after(box);
  }
  box.hidden = !show;
  box.firstChild.textContent = t(lost ? "ws.elsewhere.taken" : "ws.elsewhere.ask");
  box.querySelector("button").textContent = t(lost ? "ws.elsewhere.takeBack" : "ws.elsewhere.use");
}

const signal = new Signal(sid);
// The log goes to the server while this technician works on the session:
// all of it from the lead, the chat messages of a colleague (granted chat
// with the customer; the server checks each line).
log.connect(signal, () => !ended && ((isMine() && here()) || helping()), () => helperPage);

// Features (chat, files, clipboard) registered themselves before this module ran.
for (const f of features) {
  f.init?.({
    sid, customer, t, log, signal, input, video, stage, may,
    csrf: root.dataset.csrf,
    iceServers: () => iceServers,
    panel: (name) => document.getElementById(`panel-${name}`),
  });
}

signal.on("console.welcome", (p) => {
  iceServers = p.iceServers || [];
  me = p.technicianId;
  if (p.console) myConsoles.add(p.console);
  log.me = me;
  if (identity.me !== me) {
    identity.start(me, root.dataset.csrf).catch((e) => statusNote(t("ws.noIdentity", e.message)));
  }
  startSent = false;
  // A page that lost the session to another tab does not take it back
  // silently when its socket comes back: that is the technician's choice.
  signal.send("session.open", lost ? {} : { tab });
});

// The session's running log, kept by the server: all of it on opening the
// session, and again when a transfer to this technician is accepted.
signal.on("log.entries", (p) => log.replay(p));

// The session's ICE servers, TURN credentials included, come before its state.
signal.on("rtc.config", (p) => {
  iceServers = p.iceServers || [];
});

// mine: this technician works on the session (not transferred away, not merely offered).
function isMine() {
  return !owner || !me || owner === me;
}

// helping: this technician is a colleague in the session, not its lead.
function helping() {
  return helperPage && !!collab?.members?.some((m) => m.id === me);
}

// controlHere: this technician is the one with remote control: the lead
// unless they handed it to a colleague.
function controlHere() {
  const c = collab?.controller || "";
  return helperPage ? c === me && helping() : c === "";
}

// The connection runs while the customer's agent is connected: chat and files
// work from the start; the agent sends the screen only while viewing is allowed.
function syncPeer() {
  // While the customer's side reconnects, the peer-to-peer connection may
  // still be up (a signaling restart): keep it.
  const away = state === "reconnecting" || state === "offline";
  const want = !ended && ((isMine() && here()) || helping()) && (agentConnected || (away && pc));
  if (want && !pc && agentConnected && !agentRefused) startPeer();
  if (!want && pc) stopPeer();
}

// iceHealthy: the connection has a working path.
function iceHealthy() {
  return pc && (pc.iceConnectionState === "connected" || pc.iceConnectionState === "completed");
}

// restartIce renegotiates the paths of the existing connection (the network
// changed or was cut); if that does not bring it back, a new connection.
async function restartIce() {
  if (!pc || !agentConnected || ended || state === "reconnecting" || state === "offline") return;
  const cur = pc;
  if (pc.signalingState === "have-local-offer") {
    // An earlier offer was lost with the network: take it back first.
    try {
      await pc.setLocalDescription({ type: "rollback" });
    } catch (e) {
      console.warn("rollback", e);
    }
  }
  if (cur !== pc || pc.signalingState !== "stable") return;
  window.lifeline.iceRestarts++;
  log.event(t("ws.log.iceRestart"));
  try {
    const offer = await pc.createOffer({ iceRestart: true });
    await pc.setLocalDescription(offer);
    const proof = await prove(offer.sdp);
    if (cur !== pc) return;
    signal.send("rtc.offer", { type: offer.type, sdp: offer.sdp, restart: true, identity: proof });
  } catch (e) {
    console.warn("ice restart", e);
  }
  clearTimeout(restartTimer);
  restartTimer = setTimeout(() => {
    if (cur === pc && !iceHealthy() && agentConnected) {
      stopPeer();
      syncPeer();
    }
  }, 15000);
}

// checkPeerLost tells the features when both ways to the customer's program
// are gone: its signaling socket (the server says Reconnecting) and the peer
// connection's path. That is a program that stopped (a crash, a kill): what
// was in flight will not finish, and a frozen transfer must not look alive.
function checkPeerLost() {
  if (pc && (state === "reconnecting" || state === "offline") && !iceHealthy()) {
    for (const f of features) f.peerLost?.();
  }
}

// checkIce restarts ICE soon when the path is bad and the agent is there.
function checkIce(delay) {
  clearTimeout(restartTimer);
  restartTimer = setTimeout(() => {
    if (pc && !iceHealthy() && agentConnected) restartIce();
  }, delay);
}

function setPermissions(next, refused) {
  const wasViewing = perms.view;
  const before = perms;
  perms = next;
  for (const k of ["view", "control", "clipboard", "terminal", "sysinfo", "filemanager"]) {
    if (!!before[k] !== !!perms[k] && permsKnown) log.event(t(`ws.log.${k}.${perms[k] ? "on" : "off"}`));
  }
  permsKnown = true;
  placeholder.hidden = perms.view && !!pc;
  if (perms.view && !wasViewing) armFirstFrame();
  for (const f of features) f.setPermissions?.(perms, refused);
}

signal.on("session.state", (p) => {
  // The lead passed: to this technician, whose page is a colleague's, or
  // from them, a colleague now. The page is rendered again for its new role
  // (its panels and features are not the same); a reload keeps them in.
  const closedNow = p.state.startsWith("closed") || p.state === "timed_out";
  if (me && !closedNow && p.technicianId && (helperPage ? p.technicianId === me
    : owner === me && p.technicianId !== me && p.collaboration?.members?.some((m) => m.id === me))) {
    // Nothing more of this page's connection goes out under the new role
    // (a candidate of a colleague's connection would pass for the lead's).
    stopPeer();
    signal.suspend();
    location.reload();
    return;
  }
  const wasAway = state === "reconnecting" || state === "offline";
  const wasMine = isMine();
  if (state !== p.state && p.state === "reconnecting") log.event(t("ws.log.reconnecting"));
  if (p.state === "rebooting") rebootWait = p.rebootWait || rebootWait;
  if (state === "rebooting" && p.state === "timed_out" && !ended) {
    rebootExpired = true;
    log.note(t("ws.reboot.expired", rebootWaited()));
  }
  if (wasAway && p.agentConnected) log.event(t("ws.log.reconnected"));
  // The customer's program was started again (after a crash): the old peer
  // connection died with the old program; a new one is made below.
  const restarted = agentRun > 0 && (p.agentRun || 0) > agentRun;
  agentRun = p.agentRun || agentRun;
  if (restarted) agentRefused = false; // another program: check it afresh
  if (restarted) {
    log.event(t("ws.log.agentRestarted"));
    if (pc) stopPeer();
  }
  if (state !== p.state && (p.state === "on_hold" || state === "on_hold")) log.event(t(p.state === "on_hold" ? "ws.log.hold" : "ws.log.resume"));
  state = p.state;
  agentConnected = p.agentConnected;
  owner = p.technicianId || owner;
  leadName = p.technicianName || leadName;
  transfer = p.transfer || null;
  collab = p.collaboration || null;
  for (const f of features) f.setState?.(p, me);
  const wasHere = here();
  holder = p.console || "";
  if (wasHere && !here() && permsKnown) lost = true;
  if (wasMine && !isMine()) notify("transferred");
  // Opening the workspace of a waiting session starts it.
  if (state === "waiting" && owner === me && !startSent) {
    startSent = true;
    signal.send("session.start", {});
  }
  // Back from a lost connection: if the media path did not survive, restart ICE.
  if (wasAway && agentConnected && pc) checkIce(1000);
  checkPeerLost();
  if (state.startsWith("closed") || state === "timed_out") {
    // The state can announce the end before session.end does: end once, here.
    if (!ended && live) finish(state === "closed_by_customer" ? "customer" : state === "timed_out" ? "" : "technician");
    ended = true;
  } else {
    live = true;
  }
  setPermissions(p.permissions);
  syncPeer();
  setStatus();
});

signal.on("permission.update", (p) => {
  asked = false; // answered (or withdrawn): the request may be made again
  if (p.refused) notify("refused", { text: t(`ws.refused.${p.refused}`, customer) });
  clearNotes();
  if (p.refused) statusNote(t(`ws.refused.${p.refused}`, customer));
  setPermissions(p.permissions, p.refused);
  setStatus();
});

// armFirstFrame records when the first frame after viewing was allowed is shown.
function armFirstFrame() {
  window.lifeline.firstFrameAt = 0;
  if (video.requestVideoFrameCallback) {
    video.requestVideoFrameCallback(() => { window.lifeline.firstFrameAt = Date.now(); });
  }
}

// prove is this technician's proof of the offer's fingerprint (identity.js),
// or undefined (said on the page) when this browser has none: an agent
// stamped with the organisation's key will then refuse the connection.
async function prove(sdp) {
  try {
    return await identity.prove(sid, sdp);
  } catch (e) {
    console.warn("identity", e);
    statusNote(t("ws.noIdentity", e.message));
    return undefined;
  }
}

// The agent's answer is applied only once its proof of identity verified:
// otherwise the connection is closed, nothing is shown, the technician is
// told and the refusal audited.
signal.on("rtc.answer", (p) => {
  // An answer to no offer of this page's (one meant for another tab of this
  // technician, or late) is not for it.
  if (!pc || pc.signalingState !== "have-local-offer") return;
  const cur = pc;
  answered = (async () => {
    try {
      await identity.checkAnswer(sid, p);
    } catch (e) {
      if (cur !== pc) return;
      console.warn("agent identity", e);
      agentRefused = true;
      stopPeer();
      showCode(statusEl, t("ws.unverifiedAgent"), true);
      signal.send("audit", { event: "identity.refused", detail: ("answer refused: " + e.message).slice(0, 200) });
      return;
    }
    if (cur !== pc) return;
    try {
      await pc.setRemoteDescription({ type: p.type, sdp: p.sdp });
      const code = await verificationCode(sdpFingerprint(pc.localDescription.sdp), sdpFingerprint(p.sdp));
      window.lifeline.verifyCode = code;
      showCode(statusEl, t("ws.code", code));
    } catch (e) {
      console.error("answer", e);
    }
  })();
});

signal.on("rtc.candidate", async (p) => {
  await answered;
  const at = pc;
  if (!at) return;
  // The agent sends its first candidates as soon as its answer is set, so they
  // can come before this page has applied the answer: keep them until it has
  // (addIceCandidate would refuse them, and the agent's host candidates with them).
  while (!at.remoteDescription && at.signalingState !== "closed") {
    await new Promise((r) => at.addEventListener("signalingstatechange", r, { once: true }));
  }
  if (at !== pc || !at.remoteDescription) return;
  try {
    await at.addIceCandidate(p);
  } catch (e) {
    console.warn("candidate", e);
  }
});

// finish notes the end of a session this page saw live and tells the features,
// once (ended is set right after). The server's log is closed by then.
// Whichever of session.state and session.end comes first calls it.
function finish(reason) {
  if (reason) log.note(t(reason === "customer" ? "ws.endedByCustomer" : "ws.endedByTechnician", customer));
  if (reason === "customer") notify("customer-left", { text: t("ws.toast.left", customer) });
  for (const f of features) f.ended?.();
}

signal.on("session.end", (p) => {
  if (!ended) finish(p.reason);
  ended = true;
  state = p.reason === "customer" ? "closed_by_customer" : "closed_by_technician";
  stopPeer();
  setStatus();
});

signal.on("error", (p) => {
  console.warn("signaling error", p);
  for (const f of features) f.error?.(p);
  if (p.code === "not_connected") statusNote(t("ws.notConnected", customer));
});

function clearNotes() {
  for (const n of document.querySelectorAll("p.note")) n.remove();
}

function statusNote(text) {
  clearNotes();
  const note = document.createElement("p");
  note.className = "note";
  note.textContent = text;
  statusEl.after(note);
  setTimeout(() => note.remove(), 8000);
}

async function startPeer() {
  pc = new RTCPeerConnection({ iceServers });
  const mine = pc;
  const tr = pc.addTransceiver("video", { direction: "recvonly" });
  // Show frames as soon as they are decoded: no playout buffering.
  if ("jitterBufferTarget" in tr.receiver) tr.receiver.jitterBufferTarget = 0;
  if ("playoutDelayHint" in tr.receiver) tr.receiver.playoutDelayHint = 0;
  const inputCh = pc.createDataChannel("input", { ordered: true });
  const pointerCh = pc.createDataChannel("pointer", { ordered: false, maxRetransmits: 0 });
  input.attach(inputCh, pointerCh);
  pc.ontrack = (e) => {
    video.srcObject = e.streams[0] || new MediaStream([e.track]);
    placeholder.hidden = perms.view;
    if (perms.view) armFirstFrame();
  };
  for (const f of features) f.attach?.(pc);
  pc.onicecandidate = (e) => {
    if (e.candidate) signal.send("rtc.candidate", e.candidate.toJSON());
  };
  pc.onconnectionstatechange = () => {
    if (mine !== pc) return;
    if (pc.connectionState === "failed") {
      statusNote(t("ws.connectionFailed"));
      checkIce(0);
    }
  };
  pc.oniceconnectionstatechange = () => {
    if (mine !== pc) return;
    if (pc.iceConnectionState === "disconnected" || pc.iceConnectionState === "failed") {
      checkIce(3000);
      checkPeerLost();
    }
  };
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const proof = await prove(offer.sdp);
  if (mine !== pc) return;
  signal.send("rtc.offer", { type: offer.type, sdp: offer.sdp, identity: proof });
}

function stopPeer() {
  clearTimeout(restartTimer);
  input.detach();
  for (const f of features) f.detach?.();
  if (pc) pc.close();
  pc = null;
  if (!agentRefused) showCode(statusEl, "");
  video.srcObject = null;
  placeholder.hidden = false;
}

requestBtn.addEventListener("click", () => {
  asked = true;
  setStatus();
  signal.send("permission.request", { permission: "control" });
  statusNote(t("ws.controlAsked", customer));
});

holdBtn.addEventListener("click", () => {
  signal.send("session.hold", { on: state !== "on_hold" });
});

document.getElementById("leave-session")?.addEventListener("click", () => {
  signal.send("session.collaborate", { action: "leave" });
});

endBtn.addEventListener("click", () => {
  if (!confirm(t("ws.endConfirm", customer))) return;
  signal.send("session.end", { reason: "technician" });
});

// Invitation helpers: copy the link.
document.getElementById("copy-link")?.addEventListener("click", async (e) => {
  const field = document.getElementById("invite-link");
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    field.select();
    document.execCommand("copy");
  }
  e.target.textContent = t("ws.copied");
});

setStatus();
signal.connect();
