// Clipboard sharing: while the technician has it switched on and the customer
// allows it, text copied in this page (or found on the clipboard when the page
// gets the focus back) goes to the customer's clipboard, and text the customer
// copies comes here. The "clipboard" data channel exists only while the switch
// is on, so nothing crosses while it is off.
import { register } from "./features.js";

const LABEL = "clipboard";
const MAX = 1 << 20; // protocol.MaxClipboard, in UTF-8 bytes
const CHUNK = 32 << 10; // protocol.MaxClipboardChunk
const PREVIEW = 300; // characters shown of the last text

let ctx = null;
let el = {};
let pc = null;
let ch = null;
let pending = null; // text waiting for the channel to open
let on = false; // the technician's switch
let allowed = false; // the customer's grant
let over = false; // the session ended
let lastSynced = null; // last text that crossed, either way
let seen = null; // last text read from this computer's clipboard
let lastText = "";
let asm = reset();

function reset() {
  return { id: null, next: 0, parts: [], bytes: 0, skip: false };
}

const chars = (s) => [...s].length;

function utf8Len(cp) {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

function byteLength(s) {
  let n = 0;
  for (const c of s) n += utf8Len(c.codePointAt(0));
  return n;
}

// split cuts text into chunks of at most CHUNK UTF-8 bytes, between characters.
function split(text) {
  const parts = [];
  let cur = "", n = 0;
  for (const c of text) {
    const k = utf8Len(c.codePointAt(0));
    if (n + k > CHUNK) {
      parts.push(cur);
      cur = "";
      n = 0;
    }
    cur += c;
    n += k;
  }
  parts.push(cur);
  return parts;
}

function newID() {
  const b = new Uint8Array(8);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function build(panel) {
  const { t } = ctx;
  const h = document.createElement("h2");
  h.textContent = t("ws.clip.title");
  const label = document.createElement("label");
  label.className = "clip-switch";
  el.toggle = document.createElement("input");
  el.toggle.type = "checkbox";
  el.toggle.id = "clip-switch";
  el.toggle.setAttribute("role", "switch");
  label.append(el.toggle, " ", t("ws.clip.switch"));
  el.state = document.createElement("p");
  el.state.id = "clip-state";
  el.state.className = "clip-state";
  el.state.setAttribute("aria-live", "polite");
  el.note = document.createElement("p");
  el.note.id = "clip-note";
  el.note.className = "clip-note";
  el.note.setAttribute("role", "alert");
  el.note.hidden = true;
  el.paste = document.createElement("textarea");
  el.paste.id = "clip-paste";
  el.paste.className = "clip-paste";
  el.paste.rows = 2;
  el.paste.placeholder = t("ws.clip.paste");
  el.paste.setAttribute("aria-label", t("ws.clip.paste"));
  const last = document.createElement("div");
  last.className = "clip-last";
  el.lastHead = document.createElement("p");
  el.lastHead.className = "clip-last-head";
  el.preview = document.createElement("pre");
  el.preview.id = "clip-preview";
  el.preview.className = "clip-preview";
  el.copy = document.createElement("button");
  el.copy.type = "button";
  el.copy.id = "clip-copy";
  el.copy.className = "clip-copy";
  el.copy.textContent = t("ws.clip.copy");
  last.append(el.lastHead, el.preview, el.copy);
  panel.append(h, label, el.state, el.note, el.paste, last);

  el.toggle.addEventListener("change", () => setSwitch(el.toggle.checked));
  el.copy.addEventListener("click", copyLast);
  el.paste.addEventListener("paste", (e) => {
    const text = e.clipboardData?.getData("text/plain") ?? "";
    if (!text) return;
    e.preventDefault();
    el.paste.value = "";
    if (active()) send(text);
  });
  document.addEventListener("copy", onCopy);
  document.addEventListener("cut", onCopy);
  window.addEventListener("focus", readClipboard);
}

const active = () => on && allowed && !over;

function render() {
  const { t, customer } = ctx;
  el.toggle.checked = on;
  el.toggle.disabled = over;
  let s;
  if (!on || over) s = t("ws.clip.off");
  else if (!pc) s = t("ws.clip.offline", customer);
  else if (!allowed) s = t("ws.clip.asking", customer);
  else s = t("ws.clip.on", customer);
  el.state.textContent = s;
  el.state.dataset.state = active() ? "on" : on ? "asking" : "off";
  el.paste.hidden = !active();
  if (!lastText) {
    el.lastHead.textContent = t("ws.clip.none");
    el.preview.hidden = el.copy.hidden = true;
  }
}

function note(text) {
  el.note.textContent = text;
  el.note.hidden = !text;
}

function setSwitch(want) {
  if (over) return;
  on = want;
  note("");
  if (on) {
    openChannel();
    if (!allowed) ctx.signal.send("permission.request", { permission: "clipboard" });
    else baseline();
  } else {
    closeChannel();
  }
  render();
}

function openChannel() {
  if (!pc || ch || !on) return;
  const c = pc.createDataChannel(LABEL, { ordered: true });
  ch = c;
  asm = reset();
  c.onopen = () => {
    if (pending !== null && c === ch) {
      const text = pending;
      pending = null;
      send(text);
    }
  };
  c.onmessage = (e) => {
    if (c === ch && typeof e.data === "string") receive(e.data);
  };
  c.onclose = () => {
    if (c === ch) ch = null;
  };
}

function closeChannel() {
  pending = null;
  if (ch) {
    const c = ch;
    ch = null;
    c.close();
  }
}

// baseline remembers what is on this computer's clipboard when sharing starts,
// so the next focus does not send it unasked.
async function baseline() {
  try {
    seen = await navigator.clipboard.readText();
  } catch {
    // Not allowed or not focused: the first focus will tell.
  }
}

function send(text) {
  if (!active() || !text) return;
  if (byteLength(text) > MAX) {
    note(ctx.t("ws.clip.tooLarge"));
    ctx.log.event(ctx.t("ws.clip.tooLarge"));
    return;
  }
  if (!ch || ch.readyState !== "open") {
    pending = text;
    openChannel();
    return;
  }
  const id = newID();
  const parts = split(text);
  parts.forEach((p, i) => ch.send(JSON.stringify({ id, seq: i, last: i === parts.length - 1, text: p })));
  lastSynced = seen = text;
  note("");
  show(text, true);
  ctx.log.event(ctx.t("ws.clip.sent", chars(text)));
}

function receive(data) {
  let m;
  try {
    m = JSON.parse(data);
  } catch {
    return;
  }
  if (typeof m.id !== "string" || typeof m.text !== "string" || !Number.isInteger(m.seq)) return;
  if (m.seq === 0) asm = { ...reset(), id: m.id };
  else if (asm.skip) return;
  else if (m.id !== asm.id || m.seq !== asm.next) {
    asm = { ...reset(), skip: true };
    return;
  }
  asm.bytes += byteLength(m.text);
  if (asm.bytes > MAX) {
    asm = { ...reset(), skip: true };
    note(ctx.t("ws.clip.refusedIn", ctx.customer));
    ctx.log.event(ctx.t("ws.clip.refusedIn", ctx.customer));
    return;
  }
  asm.parts.push(m.text);
  asm.next++;
  if (!m.last) return;
  const text = asm.parts.join("");
  asm = reset();
  if (!active() || !text) return;
  lastSynced = seen = text;
  show(text, false);
  ctx.log.event(ctx.t("ws.clip.received", chars(text)));
  navigator.clipboard.writeText(text).then(
    () => note(""),
    () => note(ctx.t("ws.clip.writeFailed")),
  );
}

// show puts text in the "last synced" preview; mine says which way it went.
function show(text, mine) {
  const { t, customer } = ctx;
  lastText = text;
  const head = mine ? t("ws.clip.fromYou", customer) : t("ws.clip.fromCustomer", customer);
  el.lastHead.textContent = `${t("ws.clip.last")} · ${head} · ${t("ws.clip.chars", chars(text))}`;
  const cps = [...text];
  el.preview.textContent = cps.length > PREVIEW ? cps.slice(0, PREVIEW).join("") + "…" : text;
  el.preview.hidden = el.copy.hidden = false;
  el.copy.textContent = t("ws.clip.copy");
}

async function copyLast() {
  if (!lastText) return;
  try {
    await navigator.clipboard.writeText(lastText);
  } catch {
    const ta = document.createElement("textarea");
    ta.value = lastText;
    ta.className = "clip-offscreen";
    document.body.append(ta);
    ta.select();
    document.execCommand("copy");
    ta.remove();
  }
  seen = lastText;
  el.copy.textContent = ctx.t("ws.clip.copied");
  note("");
}

// selectedText is what a copy in this page takes: the selection of the focused
// text field, or of the page.
function selectedText() {
  const a = document.activeElement;
  if (a && (a.tagName === "TEXTAREA" || (a.tagName === "INPUT" && a.type !== "password"))) {
    try {
      return a.value.slice(a.selectionStart ?? 0, a.selectionEnd ?? 0);
    } catch {
      return "";
    }
  }
  return String(document.getSelection() ?? "");
}

function onCopy(e) {
  if (!active() || e.target === el.copy) return;
  const text = selectedText();
  if (text) {
    if (text !== lastSynced) send(text);
    return;
  }
  // Something else set the clipboard (a page script): read what landed there.
  setTimeout(readClipboard, 0);
}

async function readClipboard() {
  if (!active()) return;
  let text;
  try {
    text = await navigator.clipboard.readText();
  } catch {
    note(ctx.t("ws.clip.readDenied"));
    el.paste.hidden = false;
    return;
  }
  if (!text || text === seen || text === lastSynced) {
    seen = text;
    return;
  }
  seen = text;
  send(text);
}

register({
  init(c) {
    ctx = c;
    const panel = c.panel("clipboard");
    if (!panel) return;
    build(panel);
    render();
  },
  attach(p) {
    pc = p;
    ch = null;
    openChannel();
    if (ctx) render();
  },
  detach() {
    pc = null;
    ch = null;
    pending = null;
    if (ctx) render();
  },
  setPermissions(p, refused) {
    if (!ctx || !el.state) return;
    const was = allowed;
    allowed = !!p.clipboard;
    if (on && !allowed && refused === "clipboard") {
      on = false;
      closeChannel();
      note(ctx.t("ws.clip.refused", ctx.customer));
    } else if (on && was && !allowed) {
      on = false;
      closeChannel();
      note(ctx.t("ws.clip.stopped", ctx.customer));
    } else if (on && allowed && !was) {
      note("");
      baseline();
    }
    render();
  },
  ended() {
    over = true;
    on = false;
    closeChannel();
    if (el.state) render();
  },
});
