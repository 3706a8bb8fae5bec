// Help in the browser alone (console-web/instant): the customer's side of the
// session, without the program. It joins as the agent does (/ws/agent, the
// invitation's code), answers the technician's offer, and shares only what
// the customer picks: their screen (getDisplayMedia) or their camera
// (getUserMedia, rear camera first), view only. The chat works from the start;
// the technician's drawings are shown over the camera's picture.
import { translator } from "./i18n.js";
import { proof, publicKey } from "./identity.js";
import { sendChunks } from "./transfer.js";

const VERSION = 1;
const MAX_TEXT = 8 * 1024; // protocol.MaxChatText
const root = document.getElementById("instant");
const S = JSON.parse(document.getElementById("strings").textContent);
const t = translator(() => S);
const $ = (id) => document.getElementById(id);
const statusEl = $("instant-status");
const sharedEl = $("instant-shared");
const note = $("instant-note");
const logEl = $("instant-log");
const preview = $("instant-preview");
const arrows = $("instant-arrows");
const bytes = (s) => new TextEncoder().encode(s).length;

let ws = null;
let sid = "";
let cert = "";
let secret = ""; // proves this page is the session's customer (the program's handover)
let keys = null;
let iceServers = [];
let technician = root.dataset.technician;
let pc = null;
let video = null; // the transceiver that sends what is shared
let chat = null;
let stream = null;
let shared = "none"; // "none", "screen" or "camera"
let ended = false;
let nextId = 1;
const strokes = new Map(); // the technician's drawings on the camera's picture

// Exposed for end-to-end tests.
window.lifelineInstant = {
  get shared() { return shared; }, get sid() { return sid; },
  get connected() { return pc?.connectionState === "connected"; },
  get strokes() { return strokes.size; }, get sending() { return !!outgoing; },
};

function send(type, payload) {
  if (ws?.readyState !== WebSocket.OPEN) return;
  ws.send(JSON.stringify({ v: VERSION, type, id: String(nextId++), sid, payload }));
}

function say(text) {
  statusEl.textContent = text;
}

function warn(text) {
  note.textContent = text;
  note.hidden = !text;
}

function line(who, text) {
  const li = document.createElement("li");
  const b = document.createElement("strong");
  b.textContent = who + ": ";
  li.append(b, text); // text, never HTML
  logEl.append(li);
  li.scrollIntoView({ block: "nearest" });
  return li;
}

async function connect() {
  $("instant-connect").hidden = true;
  $("instant-session").hidden = false;
  say(t("instant.connecting"));
  keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const identityKey = await publicKey(keys.publicKey);
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(`${proto}//${location.host}/ws/agent`);
  ws.onopen = () => send("agent.hello", { code: root.dataset.token, os: "browser", hostname: browserName(), version: "browser", identityKey });
  ws.onmessage = (e) => {
    let m;
    try {
      m = JSON.parse(e.data);
    } catch {
      return;
    }
    handle(m.type, m.payload || {}).catch((err) => console.warn(m.type, err));
  };
  ws.onclose = () => {
    if (!ended) finish(t("instant.lost"));
  };
}

// browserName names this browser for the technician's queue.
function browserName() {
  const ua = navigator.userAgent;
  const name = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrom/.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  return `${name} (browser)`;
}

async function handle(type, p) {
  switch (type) {
    case "agent.welcome":
      sid = p.sid;
      cert = p.identityCert || cert;
      secret = p.secret || secret;
      iceServers = p.iceServers || iceServers;
      technician = p.technicianName || technician;
      say(p.waiting ? t("instant.waiting") : t("instant.with", technician));
      waitLimit = p.waiting ? p.waitLimit || 0 : 0;
      armWait();
      break;
    case "rtc.offer":
      await answer(p);
      break;
    case "rtc.candidate":
      await candidate(p);
      break;
    case "permission.request":
      if (p.permission === "view") {
        warn(t("instant.askedView", technician));
      } else {
        // Remote control, the clipboard and the rest need the program.
        warn(t("instant.askedControl", technician));
        send("permission.update", { permissions: permissions(), refused: p.permission });
      }
      break;
    case "session.end":
      finish(t("instant.ended"));
      break;
    case "error":
      if (!sid) finish(t("instant.refused", p.message || p.code));
      break;
  }
}

let waitLimit = 0; // seconds a channel's customer waits before being offered a message
let waitTimer = 0;

// armWait shows, once the channel's waiting limit has passed with nobody
// picking the request up, the choice to keep waiting or leave a message.
function armWait() {
  clearTimeout(waitTimer);
  $("instant-waitlong").hidden = true;
  if (!waitLimit || ended) return;
  waitTimer = setTimeout(() => {
    $("instant-waitlong-text").textContent = t("instant.waitedLong");
    $("instant-waitlong").hidden = false;
  }, waitLimit * 1000);
}

// permissions is what the customer allows now: viewing while sharing.
function permissions() {
  return { view: shared !== "none", control: false };
}

let pending = []; // candidates that came before the offer was applied

async function answer(p) {
  if (pc && !p.restart) {
    pc.close();
    pc = null;
  }
  if (!pc) {
    pc = new RTCPeerConnection({ iceServers });
    pc.onicecandidate = (e) => {
      if (e.candidate) send("rtc.candidate", e.candidate.toJSON());
    };
    pc.ondatachannel = (e) => channel(e.channel);
  }
  await pc.setRemoteDescription({ type: "offer", sdp: p.sdp });
  // The technician's offer receives video: this page sends what is shared,
  // or nothing, on that one transceiver (no renegotiation to start or stop).
  video = pc.getTransceivers().find((tr) => tr.receiver.track?.kind === "video") || null;
  if (video) {
    video.direction = "sendonly";
    await video.sender.replaceTrack(stream?.getVideoTracks()[0] || null);
  }
  const a = await pc.createAnswer();
  await pc.setLocalDescription(a);
  const identity = cert ? await proof(keys.privateKey, cert, "agent", sid, a.sdp) : undefined;
  send("rtc.answer", { type: a.type, sdp: a.sdp, identity });
  for (const c of pending.splice(0)) await candidate(c);
}

async function candidate(c) {
  if (!pc?.remoteDescription) {
    pending.push(c);
    return;
  }
  try {
    await pc.addIceCandidate(c);
  } catch (e) {
    console.warn("candidate", e);
  }
}

function channel(ch) {
  if (ch.label === "chat") {
    chat = ch;
    ch.onmessage = (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      if (m?.k === "text" && typeof m.text === "string" && m.text.trim() && bytes(m.text) <= MAX_TEXT) line(technician, m.text);
      if (m?.k === "url" && typeof m.url === "string") line(technician, m.url.slice(0, 2048));
    };
  } else if (ch.label === "draw") {
    ch.onmessage = (e) => draw(e.data);
  } else if (ch.label === "file") {
    fileCtl = ch;
    ch.onmessage = (e) => fileControl(e.data);
  } else if (ch.label.startsWith("file-data-")) {
    ch.binaryType = "arraybuffer";
    ch.onopen = () => { ch.bufferedAmountLowThreshold = 256 << 10; };
    fileData.push(ch);
  } else if (ch.label === "screenshot") {
    ch.onmessage = (e) => snapshot(ch, e.data).catch((err) => console.warn("snapshot", err));
  }
}

let fileCtl = null; // the file channels (shared/protocol/file.go)
let fileData = [];
let outgoing = null; // the file being sent: { id, n, name, size, sent, reply }
let nextData = 0;

// pickData is the open file-data channel with the least queued.
function pickData() {
  let best;
  for (let k = 0; k < fileData.length; k++) {
    const d = fileData[(nextData + k) % fileData.length];
    if (d.readyState === "open" && (!best || d.bufferedAmount < best.bufferedAmount)) best = d;
  }
  nextData++;
  return best;
}

function fileSend(m) {
  if (fileCtl?.readyState === "open") fileCtl.send(JSON.stringify(m));
}

function fileControl(data) {
  let m;
  try {
    m = JSON.parse(data);
  } catch {
    return;
  }
  if (!m || typeof m.id !== "string") return;
  if (m.k === "offer") {
    // Receiving files needs the program: this page only sends them.
    fileSend({ k: "decline", id: m.id });
    return;
  }
  if (outgoing && m.id === outgoing.id) {
    if (m.k === "cancel" || m.k === "error") outgoing.stopped = m;
    outgoing.reply?.(m);
  }
}

// sendFile offers file to the technician and sends it once accepted.
async function sendFile(file) {
  if (outgoing) return warn(t("instant.fileBusy"));
  if (fileCtl?.readyState !== "open" || !pickData()) return warn(t("instant.notConnected"));
  warn("");
  const id = Array.from(crypto.getRandomValues(new Uint8Array(9)), (x) => x.toString(16).padStart(2, "0")).join("");
  const o = outgoing = { id, n: crypto.getRandomValues(new Uint32Array(1))[0] | 1, name: file.name, size: file.size, sent: 0 };
  const reply = () => new Promise((r) => { o.reply = r; });
  const fileLine = line(t("instant.you"), t("instant.fileSending", file.name));
  try {
    let r = reply();
    fileSend({ k: "offer", id, n: o.n >>> 0, name: file.name, size: file.size });
    let m = await r;
    if (m.k !== "accept") throw m;
    r = reply();
    const sha = await sendChunks(file, o.n >>> 0, pickData, o);
    if (o.stopped) throw o.stopped;
    fileSend({ k: "done", id, sha256: sha });
    m = await r;
    if (m.k !== "result" || m.sha256 !== sha) throw m;
    fileLine.lastChild.textContent = t("instant.fileSent", file.name);
  } catch (e) {
    console.warn("file", e);
    fileLine.lastChild.textContent = t("instant.fileFailed", file.name);
  } finally {
    outgoing = null;
  }
}

const CHUNK = 64 << 10; // protocol.MaxScreenshotChunk
let snapping = false;

// snapshot answers the technician's screenshot tool with a PNG of what is
// shared now (the screenshot channel's protocol), and only while sharing.
async function snapshot(ch, data) {
  let m;
  try {
    m = JSON.parse(data);
  } catch {
    return;
  }
  if (m?.k !== "request" || typeof m.id !== "string" || m.id.length > 64) return;
  const track = stream?.getVideoTracks()[0];
  if (!track || track.readyState !== "live") return ch.send(JSON.stringify({ k: "error", id: m.id, reason: "not_allowed" }));
  if (snapping) return ch.send(JSON.stringify({ k: "error", id: m.id, reason: "busy" }));
  snapping = true;
  try {
    const v = document.createElement("video");
    v.muted = true;
    v.srcObject = new MediaStream([track]);
    await v.play();
    const c = document.createElement("canvas");
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    c.getContext("2d").drawImage(v, 0, 0);
    v.srcObject = null;
    const png = new Uint8Array(await (await new Promise((r) => c.toBlob(r, "image/png"))).arrayBuffer());
    ch.send(JSON.stringify({ k: "begin", id: m.id, size: png.byteLength, w: c.width, h: c.height }));
    for (let i = 0; i < png.byteLength; i += CHUNK) {
      // The channel's buffer stays small: the picture keeps flowing.
      while (ch.bufferedAmount > 1 << 20) await new Promise((r) => setTimeout(r, 20));
      ch.send(png.subarray(i, i + CHUNK));
    }
    ch.send(JSON.stringify({ k: "end", id: m.id }));
  } finally {
    snapping = false;
  }
}

function sendChat(text) {
  if (bytes(text) > MAX_TEXT) {
    warn(t("instant.tooLong", MAX_TEXT));
    return false;
  }
  if (chat?.readyState !== "open") {
    warn(t("instant.notConnected"));
    return false;
  }
  const at = Date.now();
  const id = `browser-${at}-${nextId++}`;
  chat.send(JSON.stringify({ k: "text", id, at, text }));
  // The customer's own words go to the session's log, as the agent's do.
  send("log.append", { id, kind: "message", from: "customer", text, at });
  line(t("instant.you"), text);
  return true;
}

// share starts showing the screen or the camera, in place of what was shown.
async function share(kind) {
  warn("");
  const md = navigator.mediaDevices;
  if (kind === "screen" && !md?.getDisplayMedia) return warn(t("instant.noScreen"));
  if (kind === "camera" && !md?.getUserMedia) return warn(t("instant.noCamera"));
  let next;
  try {
    next = kind === "screen"
      ? await md.getDisplayMedia({ video: true, audio: false })
      : await md.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
  } catch (e) {
    console.warn("share", e);
    return warn(t(kind === "camera" && e.name === "NotFoundError" ? "instant.noCamera" : "instant.refusedShare"));
  }
  stopTracks();
  stream = next;
  const track = stream.getVideoTracks()[0];
  track.addEventListener("ended", () => {
    if (stream === next) stop();
  });
  shared = kind;
  await video?.sender.replaceTrack(track);
  preview.srcObject = kind === "camera" ? stream : null;
  showShared();
  send("permission.update", { permissions: permissions() });
}

function stopTracks() {
  for (const tr of stream?.getTracks() || []) tr.stop();
  stream = null;
}

// stop shares nothing any more: one click.
function stop() {
  stopTracks();
  const was = shared;
  shared = "none";
  video?.sender.replaceTrack(null).catch(() => {});
  preview.srcObject = null;
  strokes.clear();
  showShared();
  if (was !== "none") send("permission.update", { permissions: permissions() });
}

// showShared says what is shared now, and offers to stop it.
function showShared() {
  sharedEl.textContent = t(`instant.shared.${shared}`);
  sharedEl.dataset.shared = shared;
  $("instant-stop").hidden = shared === "none";
  $("instant-lens").hidden = shared !== "camera";
  paint();
}

// draw applies one message of the technician's drawing tool (protocol.DrawMessage).
function draw(data) {
  let m;
  try {
    m = JSON.parse(data);
  } catch {
    return;
  }
  if (shared !== "camera" || !m || typeof m !== "object") return;
  const pts = Array.isArray(m.p) ? m.p.filter((v) => typeof v === "number" && v >= 0 && v <= 1).slice(0, 512) : [];
  if (m.k === "stroke" && typeof m.id === "string" && strokes.size < 256) {
    const s = strokes.get(m.id) || { color: /^#[0-9a-f]{6}$/.test(m.c) ? m.c : "#e11d48", width: Math.min(Math.max(m.w | 0, 1), 32), p: [] };
    if (s.p.length < 16384) s.p.push(...pts);
    strokes.set(m.id, s);
  } else if (m.k === "clear") {
    strokes.clear();
  }
  paint();
}

// paint draws the strokes over the camera's picture (fractions of the frame).
function paint() {
  const w = (arrows.width = preview.clientWidth || 1);
  const h = (arrows.height = preview.clientHeight || 1);
  const g = arrows.getContext("2d");
  g.clearRect(0, 0, w, h);
  for (const s of strokes.values()) {
    g.strokeStyle = s.color;
    g.lineWidth = s.width * 2;
    g.lineCap = g.lineJoin = "round";
    g.beginPath();
    for (let i = 0; i + 1 < s.p.length; i += 2) {
      const x = s.p[i] * w, y = s.p[i + 1] * h;
      if (i === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    }
    g.stroke();
  }
}

function finish(text) {
  if (ended) return;
  ended = true;
  clearTimeout(waitTimer);
  $("instant-waitlong").hidden = true;
  stop();
  pc?.close();
  pc = null;
  say(text);
  for (const id of ["instant-screen", "instant-camera", "instant-send", "instant-input", "instant-end", "instant-file", "instant-file-send"]) $(id).disabled = true;
}

$("instant-connect").addEventListener("click", () => connect().catch((e) => finish(t("instant.refused", e.message))));
$("instant-screen").addEventListener("click", () => share("screen"));
$("instant-camera").addEventListener("click", () => share("camera"));
$("instant-stop").addEventListener("click", () => stop());
$("instant-end").addEventListener("click", () => {
  send("session.end", { reason: "customer" });
  finish(t("instant.ended"));
});
$("instant-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("instant-input");
  const text = input.value.trim();
  if (text && sendChat(text)) input.value = "";
});
// The program, for remote control: its download page for this very session;
// once it runs it takes over from this page (the chat and log go on).
$("instant-program").addEventListener("click", async () => {
  try {
    const res = await fetch(`${location.pathname}/program`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ sid, secret }),
    });
    if (!res.ok) throw new Error((await res.text()).trim() || String(res.status));
    const { url } = await res.json();
    location.assign(url);
  } catch (e) {
    warn(t("instant.programFailed", e.message));
  }
});
$("instant-keep-waiting").addEventListener("click", armWait);
$("instant-callback").addEventListener("click", () => {
  const message = $("instant-callback-text").value.trim().slice(0, 1000); // protocol.MaxCallbackMessage
  send("session.callback", { message });
  finish(t("instant.callbackSent"));
});
$("instant-file-send").addEventListener("click", () => {
  const f = $("instant-file").files[0];
  if (f) sendFile(f).then(() => { $("instant-file").value = ""; });
});
preview.addEventListener("resize", paint);
addEventListener("resize", paint);
if (!navigator.mediaDevices?.getDisplayMedia) {
  $("instant-screen").disabled = true;
  warn(t("instant.noScreen"));
}
