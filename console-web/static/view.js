// The remote-control toolbar above the customer's screen: special keys and the
// keyboard mode. (View modes, magnifier, quality and monitors join it here.)
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

register({
  init(c) {
    ctx = c;
    const bar = document.getElementById("toolbar");
    bar.append(keysGroup(), keyboardGroup());
    this.setPermissions({});
  },
  setPermissions(p) {
    for (const c of controls) c.disabled = !p.control;
  },
  ended() {
    for (const c of controls) c.disabled = true;
  },
});
