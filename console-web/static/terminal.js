// Terminals on the customer's machine: each one is a shell run by the agent
// as the customer's user, shown here with xterm.js, over a data channel of
// its own ("terminal:<id>": keys and output as bytes, resizes as JSON text).
// Several may be open at once. The agent starts one only while the customer
// allows terminals, and keeps the whole transcript in the session's log.
import { register } from "./features.js";
import { Terminal } from "./vendor/xterm/xterm.mjs";
import { FitAddon } from "./vendor/xterm/addon-fit.mjs";

const PREFIX = "terminal:";
const SCROLLBACK = 5000; // lines the console keeps of each terminal
const MAX = 8; // protocol.MaxTerminals

let ctx = null;
let pc = null;
let granted = false;
let over = false;
let seq = 0;
const terms = new Map(); // id → { term, fit, ch, tab, view, open }
const el = {};

// xterm.js styles its rows with <style> elements, which the console's
// Content-Security-Policy (style-src 'self') blocks; each one's text is
// applied instead through a constructed style sheet (allowed), kept in step
// as xterm.js rewrites it (on every resize).
const sheets = new Map(); // <style> → CSSStyleSheet
function adoptStyles(root) {
  const sync = () => {
    for (const s of root.querySelectorAll("style")) {
      let sheet = sheets.get(s);
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheets.set(s, sheet);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      }
      if (sheet.text !== s.textContent) {
        sheet.text = s.textContent;
        sheet.replaceSync(s.textContent);
      }
    }
  };
  new MutationObserver(sync).observe(root, { subtree: true, childList: true, characterData: true });
  sync();
}

function build(panel) {
  const { t } = ctx;
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = "/static/vendor/xterm/xterm.css";
  document.head.append(css);
  const h = document.createElement("h2");
  h.textContent = t("ws.term.title");
  el.state = document.createElement("p");
  el.state.id = "term-state";
  el.state.className = "term-state muted";
  el.state.setAttribute("aria-live", "polite");
  el.ask = document.createElement("button");
  el.ask.type = "button";
  el.ask.id = "term-ask";
  el.ask.textContent = t("ws.term.ask");
  el.add = document.createElement("button");
  el.add.type = "button";
  el.add.id = "term-new";
  el.add.textContent = t("ws.term.new");
  el.tabs = document.createElement("div");
  el.tabs.className = "term-tabs";
  el.tabs.setAttribute("role", "tablist");
  el.views = document.createElement("div");
  el.views.className = "term-views";
  const row = document.createElement("div");
  row.className = "row";
  row.append(el.ask, el.add);
  panel.append(h, el.state, row, el.tabs, el.views);
  el.ask.addEventListener("click", () => ctx.signal.send("permission.request", { permission: "terminal" }));
  el.add.addEventListener("click", () => openTerminal());
  addEventListener("resize", () => { for (const x of terms.values()) if (x.view.hidden === false) x.fit.fit(); });
  render();
}

function render() {
  if (!el.state) return;
  const { t } = ctx;
  el.state.textContent = over ? t("ws.term.ended") : !pc ? t("ws.term.noConnection") : granted ? "" : t("ws.term.notGranted");
  el.ask.hidden = over || granted;
  el.ask.disabled = !pc;
  el.add.disabled = over || !granted || !pc || [...terms.values()].filter((x) => x.open).length >= MAX;
}

function newID() {
  seq += 1;
  return `t${seq}-${Math.random().toString(36).slice(2, 8)}`;
}

function select(id) {
  for (const [k, x] of terms) {
    const on = k === id;
    x.view.hidden = !on;
    x.tab.setAttribute("aria-selected", String(on));
    if (on) {
      x.fit.fit();
      x.term.focus();
    }
  }
}

// openTerminal opens a new terminal: its channel, its emulator and its tab.
function openTerminal() {
  if (!pc || !granted) return;
  const { t } = ctx;
  const id = newID();
  const ch = pc.createDataChannel(PREFIX + id);
  ch.binaryType = "arraybuffer";
  const term = new Terminal({ scrollback: SCROLLBACK, cursorBlink: true, fontFamily: "monospace", fontSize: 14 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  const view = document.createElement("div");
  view.className = "term-view";
  view.id = `term-${id}`;
  view.setAttribute("role", "tabpanel");
  el.views.append(view);
  const tab = document.createElement("span");
  tab.className = "term-tab";
  tab.setAttribute("role", "tab");
  const label = document.createElement("button");
  label.type = "button";
  label.textContent = t("ws.term.tab", terms.size + 1);
  const close = document.createElement("button");
  close.type = "button";
  close.className = "term-close";
  close.textContent = "×";
  close.title = t("ws.term.close");
  close.setAttribute("aria-label", t("ws.term.close"));
  tab.append(label, close);
  el.tabs.append(tab);
  term.open(view);
  adoptStyles(view);
  const x = { term, fit, ch, tab, view, open: true };
  terms.set(id, x);
  // For tests and screen readers: the emulator's whole buffer as text.
  view.lifelineText = () => {
    const b = term.buffer.active;
    const lines = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? "");
    return lines.join("\n");
  };
  const enc = new TextEncoder();
  term.onData((d) => { if (ch.readyState === "open") ch.send(enc.encode(d)); });
  term.onBinary((d) => {
    if (ch.readyState !== "open") return;
    const b = new Uint8Array(d.length);
    for (let i = 0; i < d.length; i++) b[i] = d.charCodeAt(i) & 0xff;
    ch.send(b);
  });
  const sendSize = () => { if (ch.readyState === "open") ch.send(JSON.stringify({ type: "resize", cols: term.cols, rows: term.rows })); };
  term.onResize(sendSize);
  ch.onopen = () => { fit.fit(); sendSize(); };
  ch.onmessage = (e) => {
    if (typeof e.data !== "string") {
      term.write(new Uint8Array(e.data));
      return;
    }
    let c;
    try { c = JSON.parse(e.data); } catch { return; }
    if (c.type === "exit") term.write(`\r\n\x1b[2m${t("ws.term.exited", c.code)}\x1b[0m\r\n`);
    if (c.type === "error") term.write(`\r\n\x1b[31m${String(c.text || "")}\x1b[0m\r\n`);
  };
  ch.onclose = () => {
    x.open = false;
    tab.classList.add("term-ended");
    render();
  };
  label.addEventListener("click", () => select(id));
  close.addEventListener("click", () => {
    ch.close();
    term.dispose();
    tab.remove();
    view.remove();
    terms.delete(id);
    const next = [...terms.keys()].pop();
    if (next) select(next);
    render();
  });
  select(id);
  ctx.log.event(t("ws.term.opened"));
  render();
}

register({
  init(c) {
    ctx = c;
    const panel = c.panel("terminal");
    if (panel) build(panel);
  },
  attach(p) {
    pc = p;
    render();
  },
  detach() {
    pc = null;
    for (const x of terms.values()) x.open = false;
    render();
  },
  setPermissions(p) {
    granted = !!p.terminal;
    render();
  },
  ended() {
    over = true;
    for (const x of terms.values()) if (x.open) x.ch.close();
    render();
  },
});
