// The workspace's frame around the customer's screen: icons and shortcuts for
// the toolbar the features build, the view settings menu, the side panels
// (one open at a time, remembered per technician, with unread badges) and
// toasts for what arrives while the technician looks elsewhere. It only
// arranges and listens: the features and console.js keep their rules.
import { translator } from "./i18n.js";

const root = document.getElementById("workspace");
const S = JSON.parse(document.getElementById("strings").textContent);
const t = translator(() => S);
const customer = root.dataset.customer;
const $ = (id) => document.getElementById(id);

// Toolbar buttons built by the features: icon, and shortcut (Alt+Shift+key).
const TOOLS = {
  "view-fit": ["i-fit", "1"],
  "view-actual": ["i-actual", "2"],
  "view-full": ["i-full", "3"],
  "view-detach": ["i-detach", "4"],
  "view-magnifier": ["i-magnifier", "5"],
  "keys-cad": ["i-cad", "K"],
  "draw-mode": ["i-draw", "D"],
  "laser-mode": ["i-laser", "L"],
  "draw-erase": ["i-erase", "E"],
  "screenshot": ["i-screenshot", "S"],
  "record": ["i-record", "R"],
};

// Every icon button is named by its label (which it may change, as Record
// does): aria-label for screen readers, and the tooltip, with the shortcut
// after it. A button's own longer tooltip is kept.
function tooltip(b) {
  const label = b.textContent.trim();
  if (!label) return;
  const key = b.dataset.key;
  if (!b.dataset.tip) b.dataset.tip = b.title && b.title.replace(/ \(Alt\+Shift\+.\)$/, "") !== label ? "own" : "auto";
  const base = b.dataset.tip === "own" ? b.title.replace(/ \(Alt\+Shift\+.\)$/, "") : label;
  b.title = key ? `${base} (Alt+Shift+${key})` : base;
  b.setAttribute("aria-label", label);
}

function decorate() {
  for (const [id, [icon, key]] of Object.entries(TOOLS)) {
    const b = $(id);
    if (!b || b.classList.contains("ic")) continue;
    b.classList.add("ic", icon);
    b.dataset.key = key;
  }
  const keys = $("keys-menu")?.querySelector("summary");
  if (keys && !keys.classList.contains("ic")) {
    keys.classList.add("ic", "i-keys");
    keys.setAttribute("aria-label", keys.textContent.trim());
  }
  settingsMenu();
}

// settingsMenu moves the selects that are set once in a while (quality,
// monitor, keyboard mode) out of the bar into one menu.
function settingsMenu() {
  const bar = $("toolbar");
  const groups = ["quality", "keyboard-mode"].map((id) => $(id)?.closest(".group")).filter(Boolean);
  if (!bar || !groups.length || $("view-settings")) return;
  const items = document.createElement("div");
  items.className = "items end";
  const summary = document.createElement("summary");
  summary.className = "ic i-settings";
  summary.textContent = t("ws.settings");
  summary.title = t("ws.settings");
  const menu = document.createElement("details");
  menu.className = "menu";
  menu.id = "view-settings";
  menu.append(summary, items);
  for (const g of groups) items.append(g);
  const wrap = document.createElement("div");
  wrap.className = "group";
  wrap.append(menu);
  bar.append(wrap);
}

// Menus close on a click elsewhere and on Escape.
document.addEventListener("click", (e) => {
  for (const m of document.querySelectorAll("details.menu[open]")) if (!m.contains(e.target)) m.open = false;
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") for (const m of document.querySelectorAll("details.menu[open]")) m.open = false;
});

// --- Side panels ---------------------------------------------------------------

const KEY = `lifeline.panel.${root.dataset.tech || ""}`;
const rail = [...document.querySelectorAll(".rail-btn")];
const panelOf = (name) => document.querySelector(`.dock [data-panel="${name}"].panel`);
let open = "";
let autoInvite = false; // the invitation was opened for a session not yet joined

function remembered() {
  try {
    return localStorage.getItem(KEY) || "";
  } catch {
    return "";
  }
}

// show opens panel name ("" closes them all); remember keeps the choice.
function show(name, remember = true) {
  if (name && !panelOf(name)) name = "";
  open = name;
  for (const b of rail) {
    const on = b.dataset.panel === name;
    b.setAttribute("aria-selected", String(on));
    if (on) badge(b, 0);
  }
  for (const p of document.querySelectorAll(".dock .panel[data-panel]")) p.hidden = p.dataset.panel !== name;
  // Messages shown in the open panel need no toast any more.
  if (name === "chat") for (const e of document.querySelectorAll('#toasts .toast[data-kind="chat"]')) e.remove();
  if (remember) {
    autoInvite = false;
    try {
      localStorage.setItem(KEY, name);
    } catch {
      // Not remembered in this browser.
    }
  }
  // Overlays over the screen (drawing, magnifier) follow its new size.
  window.dispatchEvent(new Event("resize"));
}

function badge(b, n) {
  const c = b.querySelector(".count");
  b.dataset.unread = String(n);
  c.textContent = String(n);
  c.hidden = n === 0;
}

function bump(name) {
  const b = rail.find((r) => r.dataset.panel === name);
  if (b && open !== name) badge(b, Number(b.dataset.unread || 0) + 1);
}

for (const b of rail) b.addEventListener("click", () => show(open === b.dataset.panel ? "" : b.dataset.panel));
// The rail is a tab list: arrow keys move between its icons.
for (const [i, b] of rail.entries()) {
  b.addEventListener("keydown", (e) => {
    const step = e.key === "ArrowDown" ? 1 : e.key === "ArrowUp" ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    rail[(i + step + rail.length) % rail.length].focus();
  });
}

// A session nobody joined yet shows its invitation; it folds away by itself
// when the customer's program connects, unless the technician chose a panel.
if (root.dataset.state === "connecting") {
  show("invitation", false);
  autoInvite = true;
} else {
  show(remembered(), false);
}
const status = $("status");
if (status) {
  new MutationObserver(() => {
    if (autoInvite && window.lifeline?.agentConnected) {
      autoInvite = false;
      show(remembered(), false);
    }
  }).observe(status, { childList: true, characterData: true, subtree: true });
}

// --- Toasts ------------------------------------------------------------------------

const toasts = $("toasts");

function toast(kind, title, text, action) {
  const box = document.createElement("div");
  box.className = "toast";
  box.dataset.kind = kind;
  box.setAttribute("role", kind === "refused" || kind === "customer-left" ? "alert" : "status");
  const body = document.createElement("div");
  body.className = "toast-text";
  const strong = document.createElement("strong");
  strong.textContent = title;
  body.append(strong);
  if (text) body.append(text);
  box.append(body);
  if (action) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "toast-action";
    b.textContent = action.label;
    b.addEventListener("click", () => {
      action.run();
      box.remove();
    });
    box.append(b);
  }
  const x = document.createElement("button");
  x.type = "button";
  x.className = "ic i-close toast-close";
  x.textContent = t("ws.toast.close");
  x.title = t("ws.toast.close");
  x.addEventListener("click", () => box.remove());
  box.append(x);
  toasts.append(box);
  // Information goes by itself; what offers an action (a message to read,
  // a file to save) waits for the technician.
  if (!action) setTimeout(() => box.remove(), 10000);
  while (toasts.children.length > 4) toasts.firstElementChild.remove();
}

window.addEventListener("lifeline", (e) => {
  const { kind, text } = e.detail || {};
  switch (kind) {
    case "chat": {
      bump("chat");
      if (open === "chat" && !document.hidden) return;
      const last = [...document.querySelectorAll("#session-log li.log-customer")].pop();
      const words = last?.querySelector(".log-text")?.textContent || last?.textContent || "";
      toast("chat", t("ws.toast.chat", customer), words, { label: t("ws.toast.open"), run: () => show("chat") });
      break;
    }
    case "file":
      bump("files");
      // The Save link is added right after the news.
      setTimeout(() => {
        const a = [...document.querySelectorAll("a.files-download")].pop();
        toast("file", t("ws.toast.file", customer), a?.download || "", a && { label: t("ws.toast.save"), run: () => a.click() });
      });
      break;
    case "refused":
    case "customer-left":
      toast(kind, text || "", "");
      break;
  }
});

// --- Shortcuts: Alt+Shift+key, shown in the tooltips ------------------------------

document.addEventListener("keydown", (e) => {
  if (!e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey) return;
  const k = e.code.replace(/^Key|^Digit/, "");
  const b = document.querySelector(`#workspace [data-key="${k}"]`);
  if (!b || b.disabled) return;
  e.preventDefault();
  e.stopPropagation();
  b.click();
}, true);

// retitle names every icon button of the bar again after a change of label.
function retitle() {
  decorate();
  for (const b of document.querySelectorAll(".ws-bar button.ic")) tooltip(b);
}
retitle();
// Features add buttons (after a permission arrives) and change labels.
new MutationObserver(retitle).observe(document.querySelector(".ws-bar"), { childList: true, characterData: true, subtree: true });
window.lifeline = Object.assign(window.lifeline || {}, { panels: { show, get open() { return open; } } });
