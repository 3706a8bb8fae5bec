// Chat in the workspace: messages both ways and links on the "chat" data channel,
// and canned replies kept on the server. Messages go to the session's running
// log, which the server keeps and stores in the session history when the
// session ends. Everything is shown as text, never as HTML.
import { register } from "./features.js";
import { newID } from "./log.js";

const MAX_TEXT = 8 * 1024; // protocol.MaxChatText
const MAX_URL = 2048; // protocol.MaxURL
const MAX_CANNED = 500;
const MAX_CANNED_NAME = 80;

const bytes = (s) => new TextEncoder().encode(s).length;

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") e.className = v;
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

// checkURL mirrors protocol.CheckURL: absolute http(s) with a host, no
// credentials, nothing a shell or a page could misread.
export function checkURL(s) {
  if (!s || s.length > MAX_URL || /[\s"'<>\\`]/.test(s)) return false;
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.host !== "" && !u.username && !u.password;
  } catch {
    return false;
  }
}

// validCanned checks one canned reply against the server's limits.
function validCanned(c) {
  return c && typeof c.name === "string" && typeof c.text === "string" &&
    c.name.trim() !== "" && c.text.trim() !== "" &&
    [...c.name].length <= MAX_CANNED_NAME && bytes(c.text) <= MAX_TEXT;
}

const chat = {
  ctx: null,
  ch: null,
  canned: { rev: 0, items: [] },
  checked: false,

  init(ctx) {
    this.ctx = ctx;
    const t = ctx.t;
    const root = ctx.panel("chat");
    if (!root) return;

    this.input = el("textarea", { id: "chat-input", class: "chat-input", rows: 3, placeholder: t("ws.chat.input") });
    this.input.setAttribute("aria-label", t("ws.chat.input"));
    this.sendBtn = el("button", { type: "button", id: "chat-send", textContent: t("ws.chat.send") });
    this.linkBtn = el("button", { type: "button", id: "chat-send-link", class: "chat-secondary", textContent: t("ws.chat.sendLink") });
    this.note = el("p", { id: "chat-note", class: "chat-note", role: "alert", hidden: true });

    this.pick = el("select", { id: "canned-pick", class: "chat-pick" });
    this.pick.setAttribute("aria-label", t("ws.canned.pick"));
    this.list = el("ul", { id: "canned-list", class: "chat-canned-list" });
    this.nameIn = el("input", { id: "canned-name", maxLength: MAX_CANNED_NAME, required: true });
    this.textIn = el("textarea", { id: "canned-text", rows: 2, required: true });
    this.saveBtn = el("button", { type: "submit", id: "canned-save", textContent: t("ws.canned.add") });
    this.editing = -1;
    const form = el("form", { id: "canned-form", class: "chat-canned-form" },
      el("label", {}, t("ws.canned.name"), this.nameIn),
      el("label", {}, t("ws.canned.text"), this.textIn),
      this.saveBtn);
    this.importIn = el("input", { type: "file", id: "canned-import", accept: "application/json,.json" });
    this.cannedNote = el("p", { id: "canned-note", class: "chat-note", role: "status", hidden: true });
    const manage = el("details", { id: "canned-manage", class: "chat-canned" },
      el("summary", {}, t("ws.canned.manage")),
      this.list, form,
      el("p", { class: "chat-canned-io" },
        el("a", { id: "canned-export", href: "/console/canned?download=1", download: "lifeline-canned-replies.json", textContent: t("ws.canned.export") }),
        el("label", { class: "chat-import" }, t("ws.canned.import"), " ", this.importIn)),
      this.cannedNote);

    root.append(
      el("div", { class: "chat-compose" }, this.input,
        el("div", { class: "chat-buttons" }, this.sendBtn, this.linkBtn)),
      this.note, this.pick, manage);

    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.sendText();
      }
    });
    this.sendBtn.addEventListener("click", () => this.sendText());
    this.linkBtn.addEventListener("click", () => this.sendLink());
    this.pick.addEventListener("change", () => {
      const c = this.canned.items[Number(this.pick.value)];
      this.pick.value = "";
      if (!c) return;
      this.input.value = c.text;
      this.input.focus();
    });
    form.addEventListener("submit", (e) => { e.preventDefault(); this.saveForm(); });
    this.importIn.addEventListener("change", () => this.importFile());
    this.setConnected(false);
    this.loadCanned();
  },

  attach(pc) {
    const ch = pc.createDataChannel("chat", { ordered: true });
    this.ch = ch;
    ch.onopen = () => { if (this.ch === ch) this.setConnected(true); };
    ch.onclose = () => { if (this.ch === ch) this.setConnected(false); };
    ch.onmessage = (e) => this.receive(e.data);
  },

  detach() {
    this.ch = null;
    this.setConnected(false);
  },

  ended() {
    this.setConnected(false);
    this.checkLog();
  },

  setConnected(on) {
    if (!this.sendBtn) return;
    this.connected = on;
    this.sendBtn.disabled = this.linkBtn.disabled = !on;
  },

  showNote(text) {
    this.note.textContent = text || "";
    this.note.hidden = !text;
  },

  send(msg) {
    if (!this.ch || this.ch.readyState !== "open") {
      this.showNote(this.ctx.t("ws.chat.notConnected"));
      return false;
    }
    this.ch.send(JSON.stringify({ id: newID(), at: Date.now(), ...msg }));
    return true;
  },

  sendText() {
    const { t, log } = this.ctx;
    const text = this.input.value;
    if (!text.trim()) return;
    if (bytes(text) > MAX_TEXT) {
      this.showNote(t("ws.chat.tooLong", MAX_TEXT / 1024));
      return;
    }
    if (!this.send({ k: "text", text })) return;
    log.message("technician", t("ws.chat.you"), text);
    this.input.value = "";
    this.showNote("");
  },

  sendLink() {
    const { t, log } = this.ctx;
    const url = this.input.value.trim();
    if (!url) return;
    if (!checkURL(url)) {
      this.showNote(t("ws.chat.badURL"));
      return;
    }
    if (!this.send({ k: "url", url })) return;
    log.message("technician", t("ws.chat.you"), url);
    this.input.value = "";
    this.showNote("");
  },

  receive(data) {
    const { t, log, customer } = this.ctx;
    let m;
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    if (!m || typeof m !== "object") return;
    if (m.k === "text" && typeof m.text === "string" && m.text.trim() && bytes(m.text) <= MAX_TEXT) {
      log.message("customer", customer, m.text, Date.now(), typeof m.id === "string" ? m.id.slice(0, 64) : "");
      window.lifeline?.notify?.("chat");
    } else if (m.k === "event" && typeof m.event === "string") {
      const arg = typeof m.text === "string" ? m.text.slice(0, MAX_URL) : "";
      switch (m.event) {
        case "link_opened":
        case "link_shown":
        case "link_failed":
        case "refused":
          log.event(t(`ws.chat.ev.${m.event}`, arg));
          break;
        case "auto_links":
          log.event(t(arg === "on" ? "ws.chat.ev.auto_on" : "ws.chat.ev.auto_off"));
          break;
        default:
          log.event(t("ws.chat.ev.other", m.event.slice(0, 64)));
      }
    }
  },

  // checkLog tells the technician whether the server stored the session's
  // log in the history (it does so itself when the session ends).
  async checkLog() {
    if (this.checked) return;
    this.checked = true;
    const { t, log, sid } = this.ctx;
    try {
      const res = await fetch(`/console/sessions/${encodeURIComponent(sid)}/log`, { credentials: "same-origin", cache: "no-store" });
      if (!res.ok) throw new Error(await res.text());
      log.note(t("ws.chat.logSaved"));
    } catch (e) {
      console.warn("session log", e);
      log.note(t("ws.chat.logFailed"));
    }
  },

  // Canned replies.

  async loadCanned() {
    try {
      const res = await fetch("/console/canned", { credentials: "same-origin", cache: "no-store" });
      if (!res.ok) throw new Error(await res.text());
      this.canned = await res.json();
    } catch (e) {
      console.warn("canned replies", e);
    }
    this.renderCanned();
  },

  async saveCanned(items) {
    const t = this.ctx.t;
    try {
      const res = await fetch("/console/canned", {
        method: "PUT",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": this.ctx.csrf },
        body: JSON.stringify({ rev: this.canned.rev, items }),
        credentials: "same-origin",
      });
      if (res.status === 409) {
        await this.loadCanned();
        this.cannedStatus(t("ws.canned.conflict"));
        return false;
      }
      if (!res.ok) throw new Error((await res.text()).trim());
      this.canned = await res.json();
      this.renderCanned();
      return true;
    } catch (e) {
      this.cannedStatus(t("ws.canned.failed", e.message));
      return false;
    }
  },

  cannedStatus(text) {
    this.cannedNote.textContent = text || "";
    this.cannedNote.hidden = !text;
  },

  renderCanned() {
    const t = this.ctx.t;
    const items = this.canned.items || [];
    this.pick.replaceChildren(el("option", { value: "", textContent: t("ws.canned.pick") }),
      ...items.map((c, i) => el("option", { value: String(i), textContent: c.name })));
    this.pick.hidden = items.length === 0;
    this.list.replaceChildren(...items.map((c, i) => {
      const edit = el("button", { type: "button", class: "chat-secondary", textContent: t("ws.canned.edit") });
      const del = el("button", { type: "button", class: "chat-secondary", textContent: t("ws.canned.delete") });
      edit.addEventListener("click", () => {
        this.editing = i;
        this.nameIn.value = c.name;
        this.textIn.value = c.text;
        this.saveBtn.textContent = t("ws.canned.save");
        this.nameIn.focus();
      });
      del.addEventListener("click", () => {
        this.resetForm();
        this.saveCanned(items.filter((_, j) => j !== i));
      });
      return el("li", {}, el("span", { class: "chat-canned-name", textContent: c.name }), edit, del);
    }));
  },

  resetForm() {
    this.editing = -1;
    this.nameIn.value = "";
    this.textIn.value = "";
    this.saveBtn.textContent = this.ctx.t("ws.canned.add");
  },

  async saveForm() {
    const t = this.ctx.t;
    const c = { name: this.nameIn.value.trim(), text: this.textIn.value };
    if (!validCanned(c)) {
      this.cannedStatus(t("ws.canned.invalid", MAX_CANNED_NAME, MAX_TEXT / 1024));
      return;
    }
    const items = [...(this.canned.items || [])];
    if (this.editing >= 0 && this.editing < items.length) items[this.editing] = c;
    else items.push(c);
    if (items.length > MAX_CANNED) {
      this.cannedStatus(t("ws.canned.tooMany", MAX_CANNED));
      return;
    }
    if (await this.saveCanned(items)) {
      this.resetForm();
      this.cannedStatus("");
    }
  },

  // importFile adds the replies of an exported file (same names are replaced).
  async importFile() {
    const t = this.ctx.t;
    const file = this.importIn.files[0];
    this.importIn.value = "";
    if (!file) return;
    let items;
    try {
      if (file.size > 2 * 1024 * 1024) throw new Error("> 2 MiB");
      const data = JSON.parse(await file.text());
      items = Array.isArray(data) ? data : data?.items;
      if (!Array.isArray(items)) throw new Error("no items");
      if (items.length > MAX_CANNED) throw new Error(t("ws.canned.tooMany", MAX_CANNED));
      items = items.map((c, i) => {
        const r = { name: typeof c?.name === "string" ? c.name.trim() : "", text: c?.text };
        if (!validCanned(r)) throw new Error(`#${i + 1}: ` + t("ws.canned.invalid", MAX_CANNED_NAME, MAX_TEXT / 1024));
        return r;
      });
    } catch (e) {
      this.cannedStatus(t("ws.canned.badFile", e.message));
      return;
    }
    const names = new Set(items.map((c) => c.name));
    const merged = [...(this.canned.items || []).filter((c) => !names.has(c.name)), ...items];
    if (merged.length > MAX_CANNED) {
      this.cannedStatus(t("ws.canned.tooMany", MAX_CANNED));
      return;
    }
    if (await this.saveCanned(merged)) this.cannedStatus(t("ws.canned.imported", items.length));
  },
};

register(chat);
