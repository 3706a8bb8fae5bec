// History & notes: the technician's notes on this session, saved on the
// server as they type, and the earlier sessions with the same customer
// computer (date, technician, duration, notes, log), for the next technician.
import { register } from "./features.js";
import { formatDateTime } from "./i18n.js";

const SAVE_AFTER = 1200; // ms of quiet typing before saving
const MAX = 16 << 10; // store.MaxNoteSize, in UTF-8 bytes

let ctx = null;
let el = {};
let saveTimer = 0;
let saved = "";
let device = false;

const make = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const bytes = (s) => new TextEncoder().encode(s).length;

function url() {
  return `/console/sessions/${encodeURIComponent(ctx.sid)}/notes`;
}

async function load() {
  try {
    const res = await fetch(url(), { cache: "no-store" });
    if (!res.ok) return;
    const v = await res.json();
    device = v.device;
    if (!el.text.value && v.text) {
      el.text.value = v.text;
      saved = v.text;
    }
    renderHistory(v.history || []);
    el.surveys.replaceChildren();
    if (v.surveys) el.surveys.append(make("h3", "", ctx.t("ws.survey.history")), surveysOf(v.surveys));
  } catch (e) {
    console.warn("notes", e);
  }
}

function duration(s) {
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

// surveysOf shows a session's survey answers: the customer's, then the
// technician's.
function surveysOf(s) {
  const { t } = ctx;
  const dl = make("dl", "notes-surveys");
  const c = s.customer;
  dl.append(make("dt", "", t("ws.survey.customer")));
  if (!c) dl.append(make("dd", "muted", t("ws.survey.notAnswered")));
  for (const a of c?.answers || []) {
    const v = a.kind === "rating" ? t("ws.survey.rating", a.rating) : a.kind === "yesno" ? t(`ws.survey.${a.value}`) : a.value;
    const dd = make("dd", "survey-answer");
    dd.append(make("span", "muted", `${a.question} `), make("strong", "", v));
    dl.append(dd);
  }
  const tech = s.technician;
  dl.append(make("dt", "", t("ws.survey.technician")));
  if (!tech) {
    dl.append(make("dd", "muted", t("ws.survey.notAnswered")));
  } else {
    const dd = make("dd", "survey-answer");
    dd.append(make("strong", "", t(`ws.survey.${tech.resolution}`)));
    if (tech.category) dd.append(` · ${tech.category}`);
    dl.append(dd);
    if (tech.notes) dl.append(make("dd", "notes-text", tech.notes));
  }
  return dl;
}

function renderHistory(items) {
  const { t } = ctx;
  el.history.replaceChildren();
  el.none.hidden = items.length > 0;
  for (const h of items) {
    const li = make("li", "notes-earlier");
    li.dataset.sid = h.id;
    const when = formatDateTime(h.created);
    li.append(make("strong", "", t("ws.notes.item", when, h.technician, duration(h.duration))));
    if (h.fields?.length) {
      const dl = make("dl", "session-fields");
      for (const f of h.fields) dl.append(make("dt", "", f.name), make("dd", "", f.value));
      li.append(dl);
    }
    li.append(make("p", h.notes ? "notes-text" : "notes-text muted", h.notes || t("ws.notes.noNotes")));
    if (h.surveys) li.append(surveysOf(h.surveys));
    if (h.log?.length) {
      const d = make("details");
      d.append(make("summary", "", t("ws.notes.log", h.log.length)));
      const ol = make("ol", "session-log");
      for (const e of h.log) {
        ol.append(make("li", e.kind, e.kind === "message" ? `${e.author || e.from}: ${e.text}` : e.text));
      }
      d.append(ol);
      li.append(d);
    }
    el.history.append(li);
  }
}

async function save() {
  clearTimeout(saveTimer);
  const text = el.text.value;
  if (text === saved) return;
  if (bytes(text) > MAX) {
    el.status.textContent = ctx.t("ws.notes.tooLong", MAX);
    return;
  }
  try {
    const res = await fetch(url(), {
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": ctx.csrf },
      body: JSON.stringify({ text }),
    });
    if (!res.ok) throw new Error(await res.text());
    saved = text;
    el.status.textContent = ctx.t("ws.notes.saved");
  } catch (e) {
    el.status.textContent = ctx.t("ws.notes.failed", e.message);
  }
}

register({
  init(c) {
    ctx = c;
    const panel = c.panel("notes");
    if (!panel) return;
    const { t } = c;
    el.text = make("textarea", "notes-input");
    el.text.id = "notes-text";
    el.text.rows = 4;
    const label = make("label", "", t("ws.notes.label"));
    label.append(el.text);
    el.save = make("button", "", t("ws.notes.save"));
    el.save.type = "button";
    el.save.id = "notes-save";
    el.status = make("span", "muted");
    el.status.id = "notes-status";
    el.status.setAttribute("role", "status");
    el.history = make("ol", "notes-history");
    el.history.id = "notes-history";
    el.none = make("p", "muted", t("ws.notes.none"));
    el.surveys = make("section", "notes-this-surveys");
    el.surveys.id = "notes-surveys";
    const row = make("div", "row");
    row.append(el.save, el.status);
    panel.append(make("h2", "", t("ws.notes.title")), label, row, el.surveys, el.history, el.none);
    // The technician's survey just saved shows here at once.
    window.addEventListener("lifeline-survey", load);
    el.text.addEventListener("input", () => {
      el.status.textContent = "";
      clearTimeout(saveTimer);
      saveTimer = setTimeout(save, SAVE_AFTER);
    });
    el.text.addEventListener("blur", save);
    el.save.addEventListener("click", save);
    load();
  },
  // The customer's device becomes known when their agent joins: look up its history then.
  setPermissions() {
    if (!device && el.history) load();
  },
  ended() {
    save();
  },
});
