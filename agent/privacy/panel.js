// The "Hide windows from the technician" panel of the customer's page: the
// open windows, each with a switch, and the preset for password managers
// and mail. Titles and program names are shown as text only. It imports
// only the page's own modules (the page's CSP nonce covers them).
import { translator } from "../i18n.js";

const root = document.getElementById("panel-privacy");
const lang = document.documentElement.lang || "en";
const q = "?lang=" + encodeURIComponent(lang);
let S = {};
const t = translator(() => S);

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

const title = el("h2", { class: "privacy-title" });
const intro = el("p", { class: "privacy-intro" });
const presetBox = el("input", { type: "checkbox", id: "privacy-preset" });
const presetLabel = el("span");
const help = el("p", { class: "privacy-help" });
const note = el("p", { id: "privacy-note", class: "privacy-note", role: "alert", hidden: true });
const list = el("ul", { id: "privacy-windows", class: "privacy-list" });
root.append(title, intro, el("label", {}, presetBox, " ", presetLabel), help, note, list);

function post(path, body) {
  return fetch("privacy/" + path + q, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  }).then(async (r) => {
    if (!r.ok) throw new Error((await r.text()).trim() || r.statusText);
  });
}

function say(text) {
  note.textContent = text || "";
  note.hidden = !text;
}

let busy = false;
function render(s) {
  S = s.strings || {};
  title.textContent = t("agent.privacy.title");
  intro.textContent = t("agent.privacy.intro");
  presetLabel.textContent = t("agent.privacy.preset");
  help.textContent = t("agent.privacy.presetHelp", s.programs || "");
  presetBox.checked = !!s.preset;
  if (s.error) say(s.error);
  const rows = (s.windows || []).map((w) => {
    const box = el("input", { type: "checkbox", checked: w.private, "data-window": w.id });
    box.addEventListener("change", () => change("window", { id: w.id, private: box.checked }));
    // The program's icon, where the system has one (a PNG the agent made).
    const icon = w.icon
      ? el("img", { class: "privacy-icon", src: "privacy/icon?id=" + encodeURIComponent(w.id), width: 16, height: 16, alt: "" })
      : el("span", { class: "privacy-icon" });
    icon.onerror = () => { icon.style.visibility = "hidden"; }; // none after all
    return el("li", {},
      el("label", {}, box, icon, el("span", { class: "privacy-name", textContent: w.title || t("agent.privacy.untitled") })),
      el("span", { class: "privacy-program", textContent: w.program || "" }));
  });
  if (rows.length === 0) rows.push(el("li", { textContent: t("agent.privacy.none") }));
  list.replaceChildren(...rows);
}

function refresh() {
  if (busy) return Promise.resolve();
  return fetch("privacy/state" + q, { credentials: "same-origin" })
    .then((r) => r.json())
    .then(render)
    .catch(() => {});
}

function change(path, body) {
  busy = true;
  say("");
  post(path, body)
    .catch((e) => say(e.message))
    .finally(() => { busy = false; refresh(); });
}

presetBox.addEventListener("change", () => change("preset", { on: presetBox.checked }));
refresh();
setInterval(refresh, 2000);
