// The chat panel of the customer's page: the session's running log (messages,
// links and events, always shown as text), a box to answer, and the choice to
// open the technician's links automatically. It imports only the page's own
// modules (the page's CSP nonce covers them).
import { translator } from "../i18n.js";

const root = document.getElementById("panel-chat");
const lang = document.documentElement.lang || "en";
const q = "?lang=" + encodeURIComponent(lang);
let S = {};
const t = translator(() => S);
const MAX = 8 * 1024;

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

const title = el("h2", { class: "chat-title" });
const list = el("ol", { id: "chat-log", class: "chat-log", "aria-live": "polite" });
const autoBox = el("input", { type: "checkbox", id: "chat-auto" });
const autoLabel = el("span");
const input = el("textarea", { id: "chat-input", class: "chat-input", rows: 2, maxLength: MAX });
const sendBtn = el("button", { type: "submit", id: "chat-send", class: "btn chat-send" });
const note = el("p", { id: "chat-note", class: "chat-note", role: "alert", hidden: true });
const form = el("form", { class: "chat-form" }, input, sendBtn);
const auto = el("label", { class: "chat-auto" }, autoBox, " ", autoLabel);

function post(path, body) {
  return fetch("chat/" + path + q, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
    cache: "no-store",
  });
}

function showNote(text) {
  note.textContent = text;
  note.hidden = !text;
}

function techName() {
  const n = document.getElementById("tech")?.textContent.trim();
  return n || t("agent.chat.technician");
}

function safeURL(u) {
  try {
    const p = new URL(u);
    return p.protocol === "http:" || p.protocol === "https:" ? p.href : null;
  } catch {
    return null;
  }
}

function add(e) {
  const li = el("li", { class: `chat-${e.kind}` + (e.from ? ` chat-${e.from}` : "") });
  li.dataset.seq = e.seq;
  const at = new Date(e.at);
  li.append(el("time", { dateTime: at.toISOString(), textContent: at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) }), " ");
  // A colleague of the technician writes under their own name (e.name).
  if (e.from) li.append(el("strong", { textContent: e.from === "customer" ? t("agent.chat.you") : e.name || techName() }), " ");
  if (e.kind === "link") {
    const href = safeURL(e.url);
    if (href) {
      const a = el("a", { href, target: "_blank", rel: "noopener noreferrer", class: "chat-url", textContent: e.url });
      a.addEventListener("click", () => { post("opened", { seq: e.seq }).catch(() => {}); });
      li.append(a);
    } else {
      li.append(el("span", { textContent: e.url }));
    }
  } else {
    li.append(el("span", { class: "chat-text", textContent: e.text }));
  }
  list.append(li);
  li.scrollIntoView({ block: "nearest" });
}

function render(u) {
  if (u.reset) {
    S = u.strings || {};
    title.textContent = t("agent.chat.title");
    autoLabel.textContent = t("agent.chat.auto");
    sendBtn.textContent = t("agent.chat.send");
    input.placeholder = t("agent.chat.placeholder");
    input.setAttribute("aria-label", t("agent.chat.placeholder"));
    list.replaceChildren();
    if (!root.hasChildNodes()) root.append(title, list, form, note, auto);
  }
  for (const e of u.entries || []) add(e);
  autoBox.checked = !!u.auto;
  sendBtn.disabled = !u.connected;
}

async function send() {
  const text = input.value;
  if (!text.trim()) return;
  if (new TextEncoder().encode(text).length > MAX) {
    showNote(t("agent.chat.tooLong", MAX / 1024));
    return;
  }
  sendBtn.disabled = true;
  try {
    const res = await post("send", { text });
    if (res.ok) {
      input.value = "";
      showNote("");
    } else {
      showNote((await res.text()).trim() || t("agent.chat.failed"));
    }
  } catch {
    showNote(t("agent.chat.failed"));
  } finally {
    sendBtn.disabled = false;
  }
}

form.addEventListener("submit", (e) => { e.preventDefault(); send(); });
input.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    send();
  }
});
autoBox.addEventListener("change", () => {
  post("links", { auto: autoBox.checked }).then((res) => { if (!res.ok) autoBox.checked = !autoBox.checked; },
    () => { autoBox.checked = !autoBox.checked; });
});

const es = new EventSource("chat/events" + q);
es.onmessage = (e) => render(JSON.parse(e.data));
// The session ended (the page disabled every control): nothing comes any more.
document.addEventListener("lifeline:ended", () => es.close());
