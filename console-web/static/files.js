// File transfer in the workspace: send a file to the customer (they accept and
// choose the folder) and receive the files they send. Protocol: see
// shared/protocol/file.go. Chunks travel on several data channels with flow
// control (bufferedAmountLowThreshold) so the screen is never starved.
import { register } from "./features.js";
import { HEADER, SHA256, hashPrefix, sendChunks } from "./transfer.js";

const DATA_CHANNELS = 4;
const LOW = 256 << 10;
// A file going out when the connection drops waits this long for the next
// connection to resume it (the agent keeps the partial file 2 minutes).
const RESUME_WAIT = 110 * 1000;
// SUSPEND stops a file going out until the next connection resumes it.
const SUSPEND = { k: "suspend" };

function human(n) {
  if (n < 1000) return `${n} B`;
  let u = -1;
  do { n /= 1000; u++; } while (n >= 1000 && u < 5);
  return `${n.toFixed(1)} ${"kMGTPE"[u]}B`;
}

function newID() {
  const b = crypto.getRandomValues(new Uint8Array(9));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

let ctx, t, ui;
let ctl = null;
let data = [];
let next = 0;
let out = null; // { id, n, file, size, sent, started, sha, resolve, cancelled }
let inc = null; // { id, n, name, size, got, parts, started, sha }

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

function transferBox(dir) {
  const box = el("div", "files-transfer");
  box.id = `files-${dir}`;
  box.hidden = true;
  const title = el("p", "files-name");
  const bar = el("progress", "files-bar");
  bar.max = 1;
  const text = el("p", "files-progress");
  text.id = `files-${dir}-progress`;
  const cancel = el("button", "btn files-cancel", t("ws.files.cancel"));
  cancel.id = `files-${dir}-cancel`;
  cancel.type = "button";
  box.append(title, bar, text, cancel);
  return { box, title, bar, text, cancel };
}

function build(panel) {
  const h = el("h2", "files-title", t("ws.files.title"));
  const label = el("label", "files-label", t("ws.files.pick"));
  const input = el("input", "files-input");
  input.type = "file";
  input.id = "files-input";
  label.append(input);
  const send = el("button", "btn files-send", t("ws.files.send"));
  send.id = "files-send";
  send.type = "button";
  const note = el("p", "files-note");
  note.id = "files-note";
  const outBox = transferBox("out");
  const inBox = transferBox("in");
  const saved = el("ul", "files-saved");
  saved.id = "files-saved";
  panel.append(h, label, send, note, outBox.box, inBox.box, saved);
  ui = { input, send, note, outBox, inBox, saved };
  send.addEventListener("click", () => {
    const f = input.files[0];
    if (f) sendFile(f).catch((e) => { ui.note.textContent = String(e.message || e); });
  });
  outBox.cancel.addEventListener("click", () => out && cancelOut(true));
  inBox.cancel.addEventListener("click", () => inc && endIn({ k: "cancel" }, t("ws.files.log.cancelledByYou", inc.name)));
}

function showProgress(b, tr, key) {
  if (!tr) { b.box.hidden = true; return; }
  b.box.hidden = false;
  b.title.textContent = t(key, tr.name);
  const done = tr.sent ?? tr.got;
  b.bar.value = tr.size ? done / tr.size : 0;
  const el = (performance.now() - (tr.started || performance.now())) / 1000;
  const speed = el > 0.2 ? done / el : 0;
  const left = speed ? Math.round((tr.size - done) / speed) : "?";
  b.text.textContent = t("ws.files.progress", human(done), human(tr.size), human(Math.round(speed)), left);
}

let tick = null;
function ticking() {
  if (tick) return;
  tick = setInterval(() => {
    showProgress(ui.outBox, out, out?.verifying ? "ws.files.verifying" : out?.started ? "ws.files.sending" : "ws.files.waiting");
    showProgress(ui.inBox, inc, inc?.verifying ? "ws.files.verifying" : "ws.files.receiving");
    if (!out && !inc) { clearInterval(tick); tick = null; }
  }, 250);
}

function control(m) {
  if (ctl?.readyState === "open") ctl.send(JSON.stringify(m));
}

// pick returns the open data channel with the least queued, starting after the
// last one used (undefined if none is open).
function pick() {
  let best;
  for (let k = 0; k < data.length; k++) {
    const d = data[(next + k) % data.length];
    if (d.readyState === "open" && (!best || d.bufferedAmount < best.bufferedAmount)) best = d;
  }
  next++;
  return best;
}

// sendFile offers file to the customer (as transfer id, if given: the file
// manager announced it to the agent) and sends it once accepted. It resolves
// to { sha } once the customer's side checked it, or { error } (a
// ws.files.reason.* key, or decline or cancel).
async function sendFile(file, id) {
  if (out) throw new Error(t("ws.files.busy"));
  if (!ctl || ctl.readyState !== "open" || !data.some((d) => d.readyState === "open")) throw new Error(t("ws.files.notConnected"));
  if (ui) ui.note.textContent = "";
  const n = (((Math.random() * 0xffffffff) | 1) >>> 0);
  const o = out = { id: id || newID(), n, file, name: file.name, size: file.size, sent: 0, started: 0 };
  const reply = () => new Promise((resolve) => { o.resolve = resolve; });
  let r = reply();
  control({ k: "offer", id: o.id, n, name: file.name, size: file.size });
  ticking();
  let m = await r;
  if (m.k !== "accept") return outEnded(o, m);
  o.started = performance.now();
  o.lostAs = SUSPEND;
  let from = 0, h = new SHA256();
  for (;;) {
    r = reply();
    const sha = await sendChunks(file, n, pick, o, from, h);
    if (o.stopped === SUSPEND) {
      const res = await resumeOut(o);
      if (res.m) return outEnded(o, res.m);
      ({ from, h } = res);
      continue;
    }
    if (o.stopped) return outEnded(o, o.stopped);
    o.sha = sha;
    o.verifying = true;
    control({ k: "done", id: o.id, sha256: o.sha });
    m = await r;
    if (m !== SUSPEND) break;
    // Dropped while the customer's side checked it: resumed at the end.
    o.verifying = false;
    const res = await resumeOut(o);
    if (res.m) return outEnded(o, res.m);
    ({ from, h } = res);
  }
  if (m.k === "result" && m.sha256 === o.sha) {
    ctx.log.event(t("ws.files.log.sent", o.name, human(o.size), o.sha));
    out = null;
    status.sent.push({ name: o.name, size: o.size, sha256: o.sha });
    return { sha: o.sha };
  }
  if (m.k === "result") m = { k: "error", reason: "hash_mismatch" };
  return outEnded(o, m);
}

// suspend stops the file going out, to be resumed on the next connection.
function suspend(o) {
  o.stopped = SUSPEND;
  o.resolve?.(SUSPEND);
}

// resumeOut waits for the next connection and resumes o on it: the agent
// says how much it holds and the SHA-256 of those bytes, checked against the
// file here (a partial file that differs is never resumed). It resolves to
// { from, h } (where to go on, the digest so far) or { m } (why not).
async function resumeOut(o) {
  const lost = { k: "error", reason: "disconnected" };
  const woke = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), RESUME_WAIT);
    o.wake = (ok) => { clearTimeout(timer); o.wake = null; resolve(ok); };
    wakeOut();
  });
  if (!woke || out !== o || o.stopped !== SUSPEND) return { m: o.stopped !== SUSPEND ? o.stopped : lost };
  o.stopped = null;
  const r = new Promise((resolve) => {
    o.resolve = resolve;
    setTimeout(() => resolve(lost), 20000);
  });
  control({ k: "resume", id: o.id, n: o.n, size: o.size });
  const m = await r;
  if (m === SUSPEND) return resumeOut(o);
  if (m.k !== "accept") return { m: m.k === "error" && m.reason === "protocol" ? lost : m };
  if (!Number.isSafeInteger(m.offset ?? 0) || (m.offset ?? 0) < 0 || (m.offset ?? 0) > o.size) return { m: { k: "error", reason: "protocol" } };
  const from = m.offset ?? 0;
  const h = await hashPrefix(o.file, from);
  if (out !== o || o.stopped) return { m: o.stopped || lost };
  if (h.clone().hex() !== m.sha256) {
    control({ k: "cancel", id: o.id });
    return { m: { k: "error", reason: "hash_mismatch" } };
  }
  o.sent = from;
  ctx.log.event(t("ws.files.log.resumed", human(from), o.name));
  status.resumed.push({ name: o.name, offset: from });
  return { from, h };
}

// wakeOut resumes the suspended file going out once the new connection's
// file channels are open.
function wakeOut() {
  if (out?.wake && ctl?.readyState === "open" && data.length && data.every((d) => d.readyState === "open")) out.wake(true);
}

function outEnded(o, m) {
  const result = { error: m.reason || m.k };
  if (out !== o) return result;
  out = null;
  o.stopped = o.stopped || m;
  if (m.k === "decline") ctx.log.event(t("ws.files.log.declined", o.name));
  else if (m.k === "cancel") ctx.log.event(t(m.mine ? "ws.files.log.cancelledByYou" : "ws.files.log.cancelledByCustomer", o.name));
  else ctx.log.event(t("ws.files.log.failed", o.name, t(`ws.files.reason.${m.reason || "disconnected"}`)));
  status.ended.push({ name: o.name, kind: m.k, reason: m.reason || "" });
  return result;
}

function cancelOut(mine) {
  const o = out;
  control({ k: "cancel", id: o.id });
  const m = { k: "cancel", mine };
  o.stopped = m;
  o.resolve?.(m);
  o.wake?.(false);
  outEnded(o, m);
}

function onControl(m) {
  if (typeof m !== "object" || !m || typeof m.id !== "string") return;
  if (out && m.id === out.id && ["accept", "decline", "result", "error", "cancel"].includes(m.k)) {
    if (m.k === "cancel" || m.k === "error") out.stopped = m;
    out.resolve?.(m);
    if (m.k === "cancel" || (m.k === "error" && !out.resolve)) outEnded(out, m);
    return;
  }
  if (m.k === "offer") {
    if (inc) { control({ k: "error", id: m.id, reason: "busy" }); return; }
    if (typeof m.size !== "number" || m.size < 0 || typeof m.name !== "string" || !m.n) return;
    inc = { id: m.id, n: m.n >>> 0, name: m.name.replace(/[\u0000-\u001f\u007f/\\]/g, "_").slice(0, 255), size: m.size, got: 0, parts: [], started: performance.now(), hashed: 0, pending: new Map(), h: new SHA256(), group: [], groupBytes: 0 };
    // The technician asked for the customer's files by being in the session: take them.
    control({ k: "accept", id: m.id });
    ticking();
    return;
  }
  if (!inc || m.id !== inc.id) return;
  if (m.k === "done" && /^[0-9a-f]{64}$/.test(m.sha256)) { inc.senderSHA = m.sha256; maybeFinish(); }
  if (m.k === "cancel") endIn(null, t("ws.files.log.cancelledByCustomer", inc.name));
}

function onChunk(buf) {
  if (!inc || buf.byteLength <= HEADER) return;
  const dv = new DataView(buf);
  if (dv.getUint32(0) !== inc.n) return;
  const off = dv.getUint32(4) * 0x100000000 + dv.getUint32(8);
  const len = buf.byteLength - HEADER;
  if (off + len > inc.size) { endIn({ k: "error", reason: "protocol" }, t("ws.files.log.failed", inc.name, t("ws.files.reason.protocol"))); return; }
  // Chunks arrive nearly in order (the channels are drained round robin): hash
  // the in-order prefix as it grows and keep it in blobs of ~16 MiB (a Blob per
  // chunk costs an IPC each); chunks ahead of it wait in pending.
  const data = new Uint8Array(buf, HEADER);
  if (off < inc.hashed || inc.pending.has(off)) { endIn({ k: "error", reason: "protocol" }, t("ws.files.log.failed", inc.name, t("ws.files.reason.protocol"))); return; }
  inc.got += len;
  inc.pending.set(off, data);
  for (let p; (p = inc.pending.get(inc.hashed));) {
    inc.pending.delete(inc.hashed);
    inc.h.update(p);
    inc.group.push(p);
    inc.groupBytes += p.length;
    inc.hashed += p.length;
    if (inc.groupBytes >= GROUP) flushGroup(inc);
  }
  maybeFinish();
}

const GROUP = 16 << 20;
function flushGroup(i) {
  if (!i.group.length) return;
  i.parts.push(new Blob(i.group));
  i.group = [];
  i.groupBytes = 0;
}

async function maybeFinish() {
  const i = inc;
  if (!i || i.verifying || !i.senderSHA || i.got < i.size) return;
  i.verifying = true;
  if (i.hashed !== i.size) { endIn({ k: "error", reason: "protocol" }, t("ws.files.log.failed", i.name, t("ws.files.reason.protocol"))); return; }
  flushGroup(i);
  const blob = new Blob(i.parts, { type: "application/octet-stream" });
  i.parts = [];
  const sha = i.h.hex();
  if (inc !== i) return;
  if (sha !== i.senderSHA) {
    endIn({ k: "error", reason: "hash_mismatch", sha256: sha }, t("ws.files.log.failed", i.name, t("ws.files.reason.hash_mismatch")));
    return;
  }
  control({ k: "result", id: i.id, sha256: sha });
  inc = null;
  ctx.log.event(t("ws.files.log.received", i.name, human(i.size), sha));
  const a = el("a", "files-download", t("ws.files.save", i.name));
  a.href = URL.createObjectURL(blob);
  a.download = i.name;
  const li = el("li");
  li.append(a);
  ui?.saved.append(li);
  const got = { name: i.name, size: i.size, sha256: sha, url: a.href };
  status.received.push(got);
  // A file the file manager asked for is saved by it: no "sent a file" toast.
  if (!receivedHooks.some((cb) => cb(got))) window.lifeline?.notify?.("file");
}

// receivedHooks are told of each file received; one that returns true took
// it (the file manager saves the one it asked for).
const receivedHooks = [];

// endIn drops the incoming file (nothing is kept) and tells the sender msg.k;
// failed, with no msg, is why it failed (a ws.files.reason.* key).
function endIn(msg, text, failed) {
  const i = inc;
  if (!i) return;
  inc = null;
  i.parts = [];
  i.group = [];
  i.pending.clear();
  if (msg) control({ ...msg, id: i.id });
  ctx.log.event(text);
  status.ended.push({ name: i.name, kind: msg?.k || (failed ? "error" : "cancelled"), reason: msg?.reason || failed || "" });
}

// dropAll ends the transfers in progress as failed for reason (a
// ws.files.reason.* key); the other side is told to drop them, if it can
// still hear.
function dropAll(reason = "disconnected", resumable = false) {
  if (out && resumable && out.started && out.stopped !== SUSPEND && !out.stopped) {
    suspend(out);
  } else if (out && !(resumable && out.stopped === SUSPEND)) {
    out.wake?.(false);
    control({ k: "cancel", id: out.id });
    const m = { k: "error", reason }; out.stopped = m; out.resolve?.(m); outEnded(out, m);
  }
  if (inc) {
    control({ k: "cancel", id: inc.id });
    endIn(null, t("ws.files.log.failed", inc.name, t(`ws.files.reason.${reason}`)), reason);
  }
}

// status is exposed for diagnostics and end-to-end tests.
const status = {
  sent: [], received: [], ended: [], resumed: [],
  get out() { return out && { name: out.name, sent: out.sent, size: out.size, accepted: !!out.started }; },
  get in() { return inc && { name: inc.name, got: inc.got, size: inc.size }; },
  get channels() { return { control: ctl?.readyState || "none", data: data.map((d) => `${d.readyState} ${d.bufferedAmount}`) }; },
  // For the file manager (fileman.js), which is loaded without this module
  // when the technician may not transfer files.
  send: (file, id) => sendFile(file, id),
  onReceived: (cb) => receivedHooks.push(cb),
};
window.lifelineFiles = status;

register({
  init(c) {
    ctx = c;
    t = c.t;
    const panel = c.panel("files");
    if (panel) build(panel);
  },
  attach(pc) {
    const mine = ctl = pc.createDataChannel("file", { ordered: true });
    ctl.onmessage = (e) => {
      if (typeof e.data !== "string" || e.data.length > 8192) return;
      try { onControl(JSON.parse(e.data)); } catch { /* ignore malformed */ }
    };
    // A file going out waits for the next connection; only this one's.
    ctl.onclose = () => { if (ctl === mine) dropAll("disconnected", true); };
    ctl.onopen = wakeOut;
    data = [];
    for (let i = 0; i < DATA_CHANNELS; i++) {
      const dc = pc.createDataChannel(`file-data-${i}`, { ordered: true });
      dc.binaryType = "arraybuffer";
      dc.bufferedAmountLowThreshold = LOW;
      dc.onmessage = (e) => { if (e.data instanceof ArrayBuffer) onChunk(e.data); };
      dc.onopen = wakeOut;
      data.push(dc);
    }
  },
  // The customer's program stopped: what is in flight will never finish.
  peerLost() {
    if (!out && !inc) return;
    dropAll("stopped");
    if (ui) ui.note.textContent = t("ws.files.stopped");
  },
  detach() {
    dropAll("disconnected", true);
    ctl = null;
    data = [];
  },
  ended() {
    dropAll();
    if (ui) { ui.send.disabled = true; ui.input.disabled = true; }
  },
});
