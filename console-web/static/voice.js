// Voice: the technician and the customer talk, browser to browser over the
// page peer (pagepeer.js), with the browsers' echo cancellation and noise
// suppression (Opus). Either side calls, the other answers or declines;
// either mutes their own microphone and hangs up. The customer's page sends
// its microphone only once the customer called or answered.
//
// A colleague in the session (not its lead) joins the lead's call while it
// goes on, and leaves it; the call goes on without them. The customer's
// page mixes: each technician hears the customer and the others. When the
// page resets (hold, another technician, the lead passed, a permission
// lost) or the customer ends the call, the console says the call ended,
// and why.
import { register } from "./features.js";
import { pagePeer } from "./pagepeer.js";

let ctx = null;
let peer = null;
let state = "idle"; // idle, calling (this technician calls), ringing (the customer calls), active
let mic = null;
let muted = false;
let theyMuted = false;
let over = false;
let connected = false;
let helper = false; // a colleague of the session's lead: joins the lead's call
let callOn = false; // the lead's call with the customer is on (session.state)
let endedWhy = ""; // why the call ended without this technician, shown until the next
const ui = {};

// Exposed for end-to-end tests and diagnostics.
window.lifelineVoice = {
  get state() { return state; },
  get muted() { return muted; },
  get pc() { return peer?.pc; },
  get helper() { return helper; },
  get callOn() { return callOn; },
};

function sync() {
  if (!ui.call) return;
  const { t, customer } = ctx;
  ui.call.textContent = t(state === "idle" ? (helper ? "ws.voice.join" : "ws.voice.call") : (helper ? "ws.voice.leave" : "ws.voice.hangup"));
  ui.call.setAttribute("aria-pressed", String(state !== "idle"));
  ui.call.disabled = state === "idle" && (over || !connected || (helper && !callOn));
  ui.call.title = state === "idle" && helper && !callOn ? t("ws.voice.noCall") : "";
  ui.call.hidden = state === "ringing";
  ui.answer.hidden = ui.decline.hidden = state !== "ringing";
  ui.answer.textContent = t("ws.voice.answer");
  ui.decline.textContent = t("ws.voice.decline");
  ui.mute.hidden = state !== "active";
  ui.mute.textContent = t(muted ? "ws.voice.unmute" : "ws.voice.mute");
  ui.mute.setAttribute("aria-pressed", String(muted));
  ui.state.title = state === "calling" ? t("ws.voice.calling", customer)
    : state === "ringing" ? t("ws.voice.ringing", customer)
    : state === "active" ? t(theyMuted ? "ws.voice.theyMuted" : "ws.voice.talking", customer)
    : "";
  if (state === "idle" && endedWhy) ui.state.title = endedWhy;
  ui.state.textContent = state === "idle" ? (endedWhy ? t("ws.voice.short.ended") : "") : t(`ws.voice.short.${state === "active" && muted ? "muted" : state}`);
  ui.state.hidden = state === "idle" && !endedWhy;
  ui.state.dataset.state = state === "idle" && endedWhy ? "ended" : state;
  ui.state.dataset.mic = state === "active" && !muted ? "on" : "off";
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
  } catch (e) {
    ctx.log.event(ctx.t("ws.voice.noMic", e.message || String(e)));
    return false;
  }
}

function hangUp(tell) {
  if (state === "idle") return;
  state = "idle";
  if (tell) peer.send("call", { on: false });
  peer.setTrack("audio", null);
  mic?.stop();
  mic = null;
  muted = theyMuted = false;
  ui.audio.srcObject = null;
  sync();
}

// call calls the customer, or, for a colleague, joins the lead's call.
async function call() {
  if (state !== "idle" || over) return;
  if (!(await microphone())) return;
  state = "calling";
  endedWhy = "";
  peer.send("call", { on: true });
  sync();
}

// ended says the call ended without this technician hanging up, and why.
function ended(why) {
  const was = state !== "idle";
  hangUp(false);
  if (!was) return;
  endedWhy = ctx.t("ws.voice.reset", why);
  ctx.log.event(endedWhy);
  sync();
}

async function answer() {
  if (state !== "ringing") return;
  if (!(await microphone())) {
    peer.send("accept", { on: false });
    state = "idle";
    sync();
    return;
  }
  state = "active";
  peer.send("accept", { on: true });
  peer.setTrack("audio", mic);
  ctx.log.event(ctx.t("ws.voice.started", ctx.customer));
  sync();
}

function button(id) {
  const b = document.createElement("button");
  b.type = "button";
  b.id = id;
  return b;
}

register({
  init(c) {
    ctx = c;
    peer = pagePeer(c);
    const group = document.createElement("div");
    group.className = "group";
    ui.call = button("voice-call");
    ui.answer = button("voice-answer");
    ui.decline = button("voice-decline");
    ui.mute = button("voice-mute");
    ui.state = document.createElement("span");
    ui.state.id = "voice-state";
    ui.state.className = "voice-state";
    ui.state.setAttribute("role", "status");
    ui.audio = document.createElement("audio");
    ui.audio.id = "voice-audio";
    ui.audio.autoplay = true;
    group.append(ui.call, ui.answer, ui.decline, ui.mute, ui.state, ui.audio);
    document.getElementById("toolbar").append(group);

    ui.call.addEventListener("click", () => (state === "idle" ? call() : (hangUp(true), ctx.log.event(ctx.t(helper ? "ws.voice.left" : "ws.voice.ended")))));
    ui.answer.addEventListener("click", answer);
    ui.decline.addEventListener("click", () => {
      if (state !== "ringing") return;
      state = "idle";
      peer.send("accept", { on: false });
      sync();
    });
    ui.mute.addEventListener("click", () => {
      if (!mic) return;
      muted = !muted;
      mic.enabled = !muted;
      peer.send("mute", { on: muted });
      sync();
    });

    peer.on("track", (track) => {
      if (track.kind === "audio") ui.audio.srcObject = new MediaStream([track]);
    });
    peer.on("call", (p) => {
      if (p.on && state === "idle") {
        state = "ringing";
        window.dispatchEvent(new CustomEvent("lifeline", { detail: { kind: "refused", text: ctx.t("ws.voice.ringing", ctx.customer) } }));
      } else if (!p.on && state !== "idle") {
        ended(ctx.t("ws.page.reset.customer", ctx.customer));
      }
      sync();
    });
    // The customer's page reset: the call is over there, so here too.
    peer.on("reset", (p) => ended(ctx.t(`ws.page.reset.${p.reason}`)));
    peer.on("accept", (p) => {
      if (state !== "calling") return;
      if (!p.on) {
        hangUp(false);
        ctx.log.event(ctx.t("ws.voice.declined", ctx.customer));
        return;
      }
      state = "active";
      peer.setTrack("audio", mic);
      ctx.log.event(ctx.t(helper ? "ws.voice.joined" : "ws.voice.started", ctx.customer));
      sync();
    });
    peer.on("mute", (p) => {
      theyMuted = !!p.on;
      sync();
    });
    sync();
  },
  setState(s, me) {
    connected = !!s.agentConnected;
    helper = !!me && !!s.technicianId && s.technicianId !== me;
    callOn = !!s.pageCall;
    if (!connected) hangUp(false);
    sync();
  },
  // No call to join (it ended meanwhile): back to idle.
  error(p) {
    if (!helper || state !== "calling" || p.code !== "forbidden") return;
    hangUp(false);
    ctx.log.event(p.message || ctx.t("ws.voice.noCall"));
  },
  ended() {
    over = true;
    hangUp(false);
    sync();
  },
});
