// Recording: the technician records the session's video in this browser
// (MediaRecorder → a WebM download). The customer is told every time, before
// anything is recorded: Record sends a notice on the "recording" data channel
// and the recorder starts only once the agent answers that the customer was
// told (shared/protocol RecordingNotice). Without that answer nothing is
// recorded. Once the recorder has stopped, a second notice tells the customer.
import { register } from "./features.js";
import { fileName, saveBlob } from "./download.js";

const LABEL = "recording";
const ACK_TIMEOUT = 10_000; // ms to wait for the agent to confirm the notice

let ctx = null;
let btn = null;
let video = null;
let ch = null;
let viewing = false;
let over = false;
let state = "idle"; // idle, asking, recording, stopping
let recorder = null;
let waiting = null; // { on, resolve } for the agent's answer
let bytes = 0;

// Exposed for end-to-end tests and diagnostics: what happened, in order.
window.lifelineRecording = {
  get state() { return state; },
  get bytes() { return bytes; },
  trace: [],
  saved: [],
};
const trace = (what) => window.lifelineRecording.trace.push(what);

function ready() {
  return !over && viewing && ch?.readyState === "open" && !!video.srcObject;
}

function sync() {
  if (!btn) return;
  btn.disabled = state === "asking" || state === "stopping" || (state === "idle" && !ready());
  btn.textContent = ctx.t(state === "recording" ? "ws.tools.stopRecord" : "ws.tools.record");
  btn.setAttribute("aria-pressed", String(state === "recording"));
}

// notice sends a recording notice and resolves with whether the agent
// confirmed that the customer was told.
function notice(on) {
  if (ch?.readyState !== "open") return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { waiting = null; resolve(false); }, ACK_TIMEOUT);
    waiting = { on, resolve: (ok) => { clearTimeout(timer); waiting = null; resolve(ok); } };
    ch.send(JSON.stringify({ rec: on }));
    trace(on ? "notice-start" : "notice-stop");
  });
}

function onMessage(e) {
  let m;
  try {
    m = JSON.parse(e.data);
  } catch {
    return;
  }
  if (m?.ack !== true || !waiting || m.rec !== waiting.on) return;
  trace(m.rec ? "told-start" : "told-stop");
  waiting.resolve(true);
}

function mimeType() {
  for (const m of ["video/webm;codecs=vp8", "video/webm;codecs=vp9", "video/webm"]) {
    if (window.MediaRecorder?.isTypeSupported(m)) return m;
  }
  return "";
}

async function start() {
  if (state !== "idle" || !ready()) return;
  const { t, customer, log } = ctx;
  state = "asking";
  sync();
  log.event(t("ws.tools.recAsking", customer));
  if (!(await notice(true))) {
    state = "idle";
    sync();
    log.event(t("ws.tools.recNoNotice", customer));
    return;
  }
  if (state !== "asking" || !ready()) { // the connection went away meanwhile
    state = "idle";
    sync();
    return;
  }
  const parts = [];
  try {
    recorder = new MediaRecorder(video.srcObject, { mimeType: mimeType() });
  } catch (err) {
    log.event(t("ws.tools.recFailed", err.message || String(err)));
    state = "idle";
    sync();
    await notice(false); // the customer was told it started: tell them it did not
    return;
  }
  bytes = 0;
  recorder.ondataavailable = (e) => {
    if (e.data.size) {
      parts.push(e.data);
      bytes += e.data.size;
    }
  };
  recorder.onstop = () => finish(parts);
  recorder.start(1000);
  trace("recorder-start");
  ctx.signal.send("audit", { event: "recording.started" }); // for the organisation's audit trail
  state = "recording";
  sync();
  log.event(t("ws.tools.recStarted", customer));
}

function stop() {
  if (state !== "recording" || !recorder) return;
  state = "stopping";
  sync();
  recorder.stop();
}

// finish saves the recording once the recorder has stopped, then tells the customer.
async function finish(parts) {
  trace("recorder-stop");
  recorder = null;
  const name = fileName(ctx.customer, "recording", "webm");
  const blob = new Blob(parts, { type: "video/webm" });
  saveBlob(blob, name);
  window.lifelineRecording.saved.push({ name, size: blob.size });
  ctx.log.event(ctx.t("ws.tools.recStopped", name));
  state = "idle";
  sync();
  // If the channel is gone, the agent tells the customer itself.
  await notice(false);
}

register({
  init(c) {
    ctx = c;
    video = c.video;
    const group = document.createElement("div");
    group.className = "group";
    btn = document.createElement("button");
    btn.type = "button";
    btn.id = "record";
    btn.addEventListener("click", () => (state === "recording" ? stop() : start()));
    group.append(btn);
    document.getElementById("toolbar").append(group);
    sync();
  },
  attach(pc) {
    ch = pc.createDataChannel(LABEL, { ordered: true });
    const mine = ch;
    ch.onmessage = onMessage;
    ch.onopen = sync;
    ch.onclose = () => {
      if (ch !== mine) return;
      waiting?.resolve(false);
      stop();
      sync();
    };
    pc.addEventListener("track", () => setTimeout(sync));
  },
  detach() {
    waiting?.resolve(false);
    stop();
    ch = null;
    sync();
  },
  setPermissions(p) {
    viewing = !!p.view;
    if (!viewing) stop(); // nothing left to record
    sync();
  },
  ended() {
    over = true;
    stop();
    sync();
  },
});
