// The remote-control toolbar above the customer's screen: quality preset and
// monitor (sent to the agent on the "view" data channel), special keys and the
// keyboard mode.
import { register } from "./features.js";

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

let ctx = null;
const controls = []; // elements usable only while in control
let channel = null; // the "view" data channel of the current connection
let viewing = false;
const el_ = {}; // quality and monitor selects

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
  cad.addEventListener("click", () => sendKeys("ws.keys.cad", CAD));
  const items = el("div", { className: "items" });
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
    bar.append(streamGroup(), keysGroup(), keyboardGroup());
    this.setPermissions({});
  },
  attach(pc) {
    const ch = pc.createDataChannel("view", { ordered: true });
    channel = ch;
    ch.onopen = syncStream;
    ch.onclose = syncStream;
    ch.onmessage = (e) => {
      try {
        const st = JSON.parse(e.data);
        if (st.k === "state" && Array.isArray(st.monitors)) showState(st);
      } catch (err) {
        console.warn("view state", err);
      }
    };
  },
  detach() {
    channel = null;
    syncStream();
  },
  setPermissions(p) {
    viewing = !!p.view;
    for (const c of controls) c.disabled = !p.control;
    syncStream();
  },
  ended() {
    viewing = false;
    for (const c of controls) c.disabled = true;
    syncStream();
  },
});
