// The remote-control toolbar above the customer's screen: view modes (fit,
// actual size, full screen, a detached window, a magnifier), quality preset and
// monitor (sent to the agent on the "view" data channel), special keys and the
// keyboard mode.
import { register } from "./features.js";
import { InputCapture } from "./input.js";

// Shortcuts a browser keeps for itself, as DOM codes pressed in order.
const SHORTCUTS = [
  ["ws.keys.altTab", ["AltLeft", "Tab"]],
  ["ws.keys.altShiftTab", ["AltLeft", "ShiftLeft", "Tab"]],
  ["ws.keys.super", ["MetaLeft"]],
  ["ws.keys.ctrlEsc", ["ControlLeft", "Escape"]],
  ["ws.keys.ctrlShiftEsc", ["ControlLeft", "ShiftLeft", "Escape"]],
  ["ws.keys.altF4", ["AltLeft", "F4"]],
  ["ws.keys.print", ["PrintScreen"]],
  ["ws.keys.altPrint", ["AltLeft", "PrintScreen"]],
  ["ws.keys.superL", ["MetaLeft", "KeyL"]],
  ["ws.keys.esc", ["Escape"]],
];
const CAD = ["ControlLeft", "AltLeft", "Delete"];
// What the Ctrl+Alt+Del button sends to a system that does not take it
// (Windows without a service): Task Manager.
const TASK_MANAGER = ["ControlLeft", "ShiftLeft", "Escape"];

// canLock: the browser has the Keyboard Lock API (Chromium); without it
// (Firefox) Esc, Alt+Tab and the Windows key stay with the technician's own
// computer even in full screen, and the console says to use the Keys menu.
let canLock = !!navigator.keyboard?.lock;

let ctx = null;
const controls = []; // elements usable only while in control
let channel = null; // the "view" data channel of the current connection
let viewing = false;
const el_ = {}; // quality and monitor selects, the Ctrl+Alt+Del button

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith("data-") || k.startsWith("aria-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  e.append(...children);
  return e;
}

function group(...children) {
  return el("div", { className: "group" }, ...children);
}

function sendKeys(label, codes) {
  if (ctx.input.combo(codes)) ctx.log.event(ctx.t("ws.keys.sent", ctx.t(label)));
  ctx.input.keys.focus();
}

function keysGroup() {
  const { t } = ctx;
  const cad = el("button", { type: "button", id: "keys-cad", title: t("ws.keys.cadTitle"), textContent: t("ws.keys.cad") });
  cad.addEventListener("click", () =>
    cad.dataset.taskManager ? sendKeys("ws.keys.taskManager", TASK_MANAGER) : sendKeys("ws.keys.cad", CAD));
  el_.cad = cad;
  const items = el("div", { className: "items" });
  const noLock = el("p", { id: "keys-nolock", className: "keys-note", role: "note", textContent: t("ws.keys.noLock"), hidden: canLock });
  el_.noLock = noLock;
  items.append(noLock);
  const menu = el("details", { className: "menu", id: "keys-menu" },
    el("summary", { title: t("ws.keys.menuTitle"), textContent: t("ws.keys.menu") }), items);
  for (const [label, codes] of SHORTCUTS) {
    const b = el("button", { type: "button", textContent: t(label), "data-keys": codes.join("+") });
    b.addEventListener("click", () => {
      menu.open = false;
      sendKeys(label, codes);
    });
    items.append(b);
    controls.push(b);
  }
  controls.push(cad);
  return group(cad, menu);
}

function keyboardGroup() {
  const { t, input } = ctx;
  const select = el("select", { id: "keyboard-mode", title: t("ws.keys.modeTitle"), "aria-label": t("ws.keys.mode") },
    el("option", { value: "remote", textContent: t("ws.keys.remote") }),
    el("option", { value: "local", textContent: t("ws.keys.local") }));
  select.value = input.mode;
  select.addEventListener("change", () => {
    input.setMode(select.value);
    input.keys.focus();
  });
  return group(el("label", { htmlFor: "keyboard-mode", textContent: t("ws.keys.mode") }), select);
}

// View modes. Input positions come from the video's displayed box
// (InputCapture.pos), so every mode maps clicks right by construction.
// Why the agent cannot read the customer's screen, shown over the (still)
// video until it can again: the agent's "screen" view messages.
const BLOCKED = {
  locked: "ws.view.blocked.locked",
  secure: "ws.view.blocked.secure",
  unreadable: "ws.view.blocked.unreadable",
};
let blockedNote = null;

function showBlocked(why) {
  if (!blockedNote) return;
  const key = BLOCKED[why];
  blockedNote.textContent = key ? ctx.t(key) : "";
  blockedNote.hidden = !key;
  if (blockedNote.dataset.why !== (why || "") && key) ctx.log?.event?.(ctx.t(key));
  blockedNote.dataset.why = key ? why : "";
}

let detached = null; // { win, capture } of the detached window
let lens = null; // the magnifier

// fullNote says, over the screen in full screen, that the browser keeps the
// system keys and the Keys menu sends them.
let fullNote = null;
let fullNoteTimer = 0;

// noKeyboardLock tells the technician, wherever they look for system keys,
// that this browser cannot capture them: use the Keys menu.
function noKeyboardLock() {
  canLock = false;
  el_.noLock.hidden = false;
  el_.full.title = ctx.t("ws.keys.noLock");
}

function viewGroup() {
  const { t, stage, video } = ctx;
  const viewport = video.parentElement;
  fullNote = el("p", { id: "fullscreen-keys", className: "screen-blocked", role: "status", textContent: t("ws.keys.noLock"), hidden: true });
  viewport.append(fullNote);
  const fit = el("button", { type: "button", id: "view-fit", textContent: t("ws.view.fit"), title: t("ws.view.fitTitle"), "aria-pressed": "true" });
  const actual = el("button", { type: "button", id: "view-actual", textContent: t("ws.view.actual"), title: t("ws.view.actualTitle"), "aria-pressed": "false" });
  const setActual = (on) => {
    viewport.classList.toggle("actual", on);
    fit.setAttribute("aria-pressed", String(!on));
    actual.setAttribute("aria-pressed", String(on));
    window.dispatchEvent(new Event("resize")); // overlays re-place themselves
  };
  fit.addEventListener("click", () => setActual(false));
  actual.addEventListener("click", () => setActual(true));

  const full = el("button", { type: "button", id: "view-full", textContent: t("ws.view.full"), title: t(canLock ? "ws.view.fullTitle" : "ws.keys.noLock"), "aria-pressed": "false" });
  el_.full = full;
  full.addEventListener("click", async () => {
    try {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await stage.requestFullscreen({ navigationUI: "hide" });
    } catch (err) {
      ctx.log.event(t("ws.view.fullFailed"));
      console.warn("full screen", err);
    }
  });
  document.addEventListener("fullscreenchange", async () => {
    const on = document.fullscreenElement === stage;
    full.setAttribute("aria-pressed", String(on));
    // System keys (Esc, Alt+Tab, Windows) go to the customer where the
    // browser allows it; holding Esc leaves full screen.
    try {
      if (on && canLock) await navigator.keyboard.lock();
      else if (canLock) navigator.keyboard.unlock();
    } catch (err) {
      console.warn("keyboard lock", err);
      noKeyboardLock();
    }
    // Without the lock, the screen itself says where the system keys are,
    // for a few seconds (it covers the customer's screen).
    fullNote.hidden = !on || canLock;
    clearTimeout(fullNoteTimer);
    if (!fullNote.hidden) fullNoteTimer = setTimeout(() => { fullNote.hidden = true; }, 8000);
    ctx.input.keys.focus();
  });

  const detach = el("button", { type: "button", id: "view-detach", textContent: t("ws.view.detach"), title: t("ws.view.detachTitle") });
  detach.addEventListener("click", openDetached);
  const mag = el("button", { type: "button", id: "view-magnifier", textContent: t("ws.view.magnifier"), title: t("ws.view.magnifierTitle"), "aria-pressed": "false" });
  mag.addEventListener("click", () => {
    const on = !lens;
    if (on) lens = openLens(viewport);
    else closeLens();
    mag.setAttribute("aria-pressed", String(on));
  });
  return group(fit, actual, full, detach, mag);
}

// openDetached shows the remote screen in a second browser window (another
// monitor of the technician), with its own input capture on the same channels.
function openDetached() {
  const { t, video, input } = ctx;
  if (detached && !detached.win.closed) {
    detached.win.focus();
    return;
  }
  const w = window.open("", `lifeline-${ctx.sid}`, "popup,width=1024,height=640");
  if (!w) {
    ctx.log.event(t("ws.view.detachBlocked"));
    return;
  }
  const d = w.document;
  d.title = `${ctx.customer} · ${t("ws.screen")}`;
  d.documentElement.lang = document.documentElement.lang;
  const css = d.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("/static/style.css", location.href).href;
  d.head.append(css);
  d.body.className = "detached";
  const stage = d.createElement("section");
  stage.className = "stage";
  stage.tabIndex = 0;
  const viewport = d.createElement("div");
  viewport.className = "viewport";
  const v = d.createElement("video");
  v.autoplay = v.muted = v.playsInline = true;
  v.srcObject = video.srcObject;
  viewport.append(v);
  const keys = d.createElement("textarea");
  keys.className = "keys";
  stage.append(viewport, keys);
  d.body.append(stage);
  const capture = new InputCapture(stage, v);
  capture.mode = input.mode;
  detached = { win: w, capture, video: v };
  syncDetached();
  window.lifeline.detached = w;
  w.addEventListener("pagehide", () => {
    capture.detach();
    if (detached?.win === w) detached = null;
  });
}

// syncDetached gives the detached window the current stream, channels and control.
function syncDetached() {
  if (!detached || detached.win.closed) return;
  const { input, video } = ctx;
  const { capture } = detached;
  if (detached.video.srcObject !== video.srcObject) detached.video.srcObject = video.srcObject;
  capture.attach(input.input, input.pointer);
  capture.enabled = input.enabled;
  capture.mode = input.mode;
  detached.win.document.querySelector(".stage")?.classList.toggle("controlling", input.enabled);
}

// openLens shows a draggable box with the part of the remote screen under it
// at full resolution (one video pixel per screen pixel). Clicks go through it
// to the screen below, so input maps as without it.
function openLens(viewport) {
  const { t, video } = ctx;
  const W = 320, H = 200;
  const canvas = el("canvas", { width: W, height: H });
  const handle = el("div", { className: "lens-handle", textContent: t("ws.view.magnifier") });
  const box = el("div", { className: "lens", id: "magnifier" }, handle, canvas);
  box.style.left = "16px";
  box.style.top = "16px";
  viewport.append(box);
  let drag = null;
  handle.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    drag = { x: e.clientX - box.offsetLeft, y: e.clientY - box.offsetTop };
  });
  handle.addEventListener("pointermove", (e) => {
    if (!drag) return;
    box.style.left = `${e.clientX - drag.x}px`;
    box.style.top = `${e.clientY - drag.y}px`;
  });
  handle.addEventListener("pointerup", () => { drag = null; });
  const g = canvas.getContext("2d");
  const draw = () => {
    if (lens?.box !== box) return;
    lens.frame = requestAnimationFrame(draw);
    if (!video.videoWidth) return;
    // The remote point under the centre of the box, then a W×H region around it.
    const c = canvas.getBoundingClientRect();
    const p = ctx.input.pos({ clientX: c.left + c.width / 2, clientY: c.top + c.height / 2 });
    if (!p) {
      g.clearRect(0, 0, W, H);
      return;
    }
    const sx = Math.round(p.x * video.videoWidth - W / 2), sy = Math.round(p.y * video.videoHeight - H / 2);
    g.fillStyle = "#0e1520";
    g.fillRect(0, 0, W, H);
    g.drawImage(video, sx, sy, W, H, 0, 0, W, H);
    lens.center = [Math.round(p.x * video.videoWidth), Math.round(p.y * video.videoHeight)];
  };
  const l = { box, canvas, frame: 0, center: null };
  l.frame = requestAnimationFrame(draw);
  window.lifeline.lens = l;
  return l;
}

function closeLens() {
  if (!lens) return;
  cancelAnimationFrame(lens.frame);
  lens.box.remove();
  lens = null;
  window.lifeline.lens = null;
}

// Quality presets and monitors: the agent applies them to the running stream
// (no reconnection) and answers with its state, which these selects show.
function streamGroup() {
  const { t } = ctx;
  const quality = el("select", { id: "quality", title: t("ws.view.qualityTitle"), "aria-label": t("ws.view.quality") });
  for (const q of ["auto", "high", "medium", "low"]) quality.append(el("option", { value: q, textContent: t(`ws.view.q.${q}`) }));
  quality.addEventListener("change", () => send({ k: "quality", q: quality.value, m: 0 }));
  const monitor = el("select", { id: "monitor", title: t("ws.view.monitorTitle"), "aria-label": t("ws.view.monitor") });
  monitor.addEventListener("change", () => send({ k: "monitor", m: Number(monitor.value) }));
  el_.quality = quality;
  el_.monitor = monitor;
  return group(el("label", { htmlFor: "quality", textContent: t("ws.view.quality") }), quality,
    el("label", { htmlFor: "monitor", textContent: t("ws.view.monitor") }), monitor);
}

function send(msg) {
  if (channel?.readyState === "open") channel.send(JSON.stringify(msg));
}

// showState shows the agent's view state: its monitors, the one streamed, the preset.
function showState(st) {
  const { t } = ctx;
  el_.quality.value = st.q;
  const mon = el_.monitor;
  mon.replaceChildren(...st.monitors.map((m, i) =>
    el("option", { value: String(i), textContent: t("ws.view.monitorItem", i + 1, `${m.w}×${m.h}`) })));
  mon.value = String(st.m);
  // Windows takes Ctrl+Alt+Del only from a service: say so, offer Task Manager.
  el_.cad.textContent = t(st.noCad ? "ws.keys.taskManager" : "ws.keys.cad");
  el_.cad.title = t(st.noCad ? "ws.keys.cadWindows" : "ws.keys.cadTitle");
  if (st.noCad) el_.cad.dataset.taskManager = "1";
  else delete el_.cad.dataset.taskManager;
  if (window.lifeline) window.lifeline.view = st;
  syncStream();
}

function syncStream() {
  const open = viewing && channel?.readyState === "open";
  el_.quality.disabled = !open;
  el_.monitor.disabled = !open || el_.monitor.options.length < 2;
}

register({
  init(c) {
    ctx = c;
    const bar = document.getElementById("toolbar");
    bar.append(viewGroup(), streamGroup(), keysGroup(), keyboardGroup());
    blockedNote = el("p", { id: "screen-blocked", className: "screen-blocked", role: "status", hidden: true });
    c.video.parentElement.append(blockedNote);
    // The detached window follows the stream and the grants.
    c.video.addEventListener("loadedmetadata", syncDetached);
    document.getElementById("keyboard-mode")?.addEventListener("change", syncDetached);
    this.setPermissions({});
  },
  attach(pc) {
    const ch = pc.createDataChannel("view", { ordered: true });
    channel = ch;
    ch.onopen = () => {
      syncStream();
      syncDetached();
    };
    ch.onclose = syncStream;
    ch.onmessage = (e) => {
      try {
        const st = JSON.parse(e.data);
        if (st.k === "state" && Array.isArray(st.monitors)) showState(st);
        // The agent's bandwidth estimate, for the link indicator (path.js).
        else if (st.k === "link" && st.link) window.dispatchEvent(new CustomEvent("lifeline-link", { detail: st.link }));
        else if (st.k === "screen") showBlocked(st.blocked);
      } catch (err) {
        console.warn("view state", err);
      }
    };
  },
  detach() {
    channel = null;
    showBlocked("");
    syncStream();
    detached?.capture.detach();
  },
  setPermissions(p) {
    viewing = !!p.view;
    for (const c of controls) c.disabled = !p.control;
    syncStream();
    // console.js sets input.enabled right after the features hear of it.
    setTimeout(syncDetached);
  },
  ended() {
    viewing = false;
    showBlocked("");
    for (const c of controls) c.disabled = true;
    syncStream();
    closeLens();
    if (detached && !detached.win.closed) detached.win.close();
  },
});
