// The technician's queue: the sessions they own or are offered, live, with
// filters and actions, and one tab per open session. Each tab hosts the
// session's own workspace page in an iframe, so switching tabs keeps every
// session (its WebSocket, WebRTC connection and chat) alive.
import { Signal } from "./signal.js";
import { translator } from "./i18n.js";

const app = document.getElementById("queue-app");
const csrf = app.dataset.csrf;
// The technician's permissions (the server enforces them; this hides what they may not use).
const may = JSON.parse(app.dataset.perms || "{}");
// Only technicians who see others' sessions need to tell theirs apart.
for (const b of document.querySelectorAll("[data-perm]")) b.hidden = !may[b.dataset.perm];
const S = JSON.parse(document.getElementById("queue-strings").textContent);
const t = translator(() => S);
const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

// A customer waiting longer than this is urgent; a session younger than
// newFor is new.
const urgentAfter = 5 * 60 * 1000;
const newFor = 60 * 1000;
const idleAway = 15 * 60 * 1000;

let view = { sessions: [], technicians: [], me: {}, maxTabs: 10, now: Date.now() };
let skew = 0; // server clock minus ours
let filter = "all";
// taking holds the channel sessions this technician asked to take: each
// opens in a tab once it is theirs.
const taking = new Set();
// watchTabs are the tabs opened to watch a session, until the queue shows
// this technician in it.
const watchTabs = new Set();
const tabs = new Map(); // sid -> {button, pane, badge, unread}
let current = "queue";
const seen = new Map(); // sid -> state last seen, for alerts
let first = true;
let transferSid = "";

const signal = new Signal("");
signal.on("session.state", () => refreshSoon());
signal.on("error", (p) => (p.code === "sent_away" ? showError(t("queue.sentAway", p.message), true) : showError(p.message || p.code)));
signal.connect();

// --- Sounds -----------------------------------------------------------------

let audio = null;
const soundsBox = $("sounds");
soundsBox.checked = localStorage.getItem("lifeline.sounds") !== "off";
soundsBox.addEventListener("change", () => localStorage.setItem("lifeline.sounds", soundsBox.checked ? "on" : "off"));

// beep plays a short tone; each alert has its own pitch.
const tones = { new: 880, left: 330, refused: 440, file: 660 };
function beep(kind) {
  window.lifelineQueue.alerts.push(kind);
  if (!soundsBox.checked) return;
  try {
    audio ??= new AudioContext();
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.frequency.value = tones[kind] || 550;
    g.gain.setValueAtTime(0.15, audio.currentTime);
    g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.3);
    o.connect(g).connect(audio.destination);
    o.start();
    o.stop(audio.currentTime + 0.3);
  } catch (e) {
    console.warn("sound", e);
  }
}

// --- Data -------------------------------------------------------------------

let refreshTimer = 0;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 100);
}

async function refresh() {
  clearTimeout(refreshTimer);
  try {
    const res = await fetch("/console/queue.json", { cache: "no-store" });
    if (res.status === 401) {
      location.href = "/login?next=/console/queue";
      return;
    }
    if (!res.ok) throw new Error(await res.text());
    view = await res.json();
    skew = view.now - Date.now();
  } catch (e) {
    console.warn("queue", e);
  }
  alerts();
  render();
  refreshTimer = setTimeout(refresh, 2000);
}

function alerts() {
  for (const s of view.sessions) {
    const before = seen.get(s.id);
    if (!first && s.mine && s.state === "waiting" && before !== "waiting") {
      beep("new");
      if (view.autoStart) openTab(s);
    }
    if (!first && before && before !== s.state && s.state === "closed_by_customer") beep("left");
    if (!first && s.take && !before) beep("new");
    if (!first && (s.state === "incoming" || s.state === "invitation") && before !== s.state) beep("new");
    seen.set(s.id, s.state);
  }
  first = false;
}

// --- Rendering --------------------------------------------------------------

function ago(ms) {
  const s = Math.max(0, Math.round((Date.now() + skew - ms) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

// offered: the session is offered to this technician (a transfer, or an
// invitation to help).
const offered = (s) => s.state === "incoming" || s.state === "invitation";

// colour is the row's class: new, waiting, active, urgent (waited long).
function colour(s) {
  const now = Date.now() + skew;
  if ((s.state === "waiting" || offered(s)) && now - s.since > urgentAfter) return "urgent";
  if (s.state === "waiting" && now - s.since < newFor) return "new";
  if (s.state === "waiting" || offered(s)) return "waiting";
  if (s.state === "active" || s.state === "on_hold" || s.state === "outgoing" || s.state === "collaboration") return "active";
  return "other";
}

function matches(s) {
  if (filter === "all") return true;
  if (filter === "mine") return s.mine || s.helping || offered(s);
  if (filter === "waiting") return s.state === "waiting" || offered(s);
  if (filter === "channel") return !!s.channel;
  return s.state === filter;
}

function button(label, cls, fn) {
  const b = el("button", cls, label);
  b.type = "button";
  b.addEventListener("click", fn);
  return b;
}

function render() {
  const me = view.me || {};
  const eff = $("my-effective");
  eff.dataset.status = me.status || "online";
  eff.textContent = t(`queue.status.${me.status || "online"}`);
  $("auto-start").checked = !!view.autoStart;
  if (document.activeElement !== $("my-status")) $("my-status").value = me.status === "away" ? "away" : "online";

  const rows = $("queue-rows");
  // A custom field being edited keeps its row until it loses the focus.
  if (rows.contains(document.activeElement) && document.activeElement.closest(".q-field")) return;
  fieldColumns();
  rows.replaceChildren();
  const shown = view.sessions.filter(matches);
  $("queue-empty").hidden = shown.length > 0;
  for (const s of view.sessions) {
    if (taking.has(s.id) && s.mine) {
      taking.delete(s.id);
      openTab(s, true);
    }
  }
  for (const s of shown) {
    const tr = el("tr", `q-${colour(s)}`);
    tr.dataset.sid = s.id;
    tr.dataset.state = s.state;
    tr.append(el("td", "q-customer", s.customer));
    const st = el("td", "q-state", t(`state.${s.state}`));
    if (s.state === "incoming") st.append(el("small", "", ` ${t("queue.from", s.transferFrom)}${s.comment ? ` — “${s.comment}”` : ""}`));
    if (s.state === "outgoing") st.append(el("small", "", ` ${t("queue.to", s.transferTo)}`));
    if (s.state === "invitation") st.append(el("small", "", ` ${t("queue.collabFrom", s.invitedBy)}${s.comment ? ` — “${s.comment}”` : ""}`));
    if (s.helping) st.append(el("small", "", ` ${t("queue.helping", s.technician)}`));
    if (s.callback) st.append(el("strong", "q-callback", ` ${t("queue.callback")}`));
    if (s.channel) st.append(el("small", "q-channel", ` ${t("queue.channelFrom", s.channel)}`));
    if (s.returning) {
      const r = s.returning;
      st.append(el("small", "q-returning", ` ${t("queue.returning", r.host, r.helpedBy, new Date(r.helped).toLocaleDateString(document.documentElement.lang || undefined))}`));
    }
    if (s.problem || s.email) tr.title = [s.email, s.problem].filter(Boolean).join("\n");
    tr.append(st, el("td", "q-since", ago(s.since)), el("td", "q-tech", s.technician));
    for (const f of view.fields || []) tr.append(fieldCell(s, f));
    const act = el("td", "q-actions");
    const closed = s.state.startsWith("closed") || s.state === "timed_out";
    if (s.take) {
      // A channel's session: the first technician of its groups to take
      // it owns it; its tab opens once the server says it is ours.
      act.append(button(t("queue.take"), "q-take", () => {
        if (!s.callback) taking.add(s.id);
        signal.send("session.start", {}, s.id);
        refreshSoon();
      }));
    } else if (s.state === "incoming") {
      act.append(button(t("queue.accept"), "q-accept", () => {
        signal.send("session.start", {}, s.id);
        openTab(s);
      }));
    } else if (s.state === "invitation") {
      act.append(button(t("queue.join"), "q-join", () => {
        signal.send("session.collaborate", { action: "accept" }, s.id);
        openTab(s);
      }));
      act.append(button(t("queue.decline"), "q-decline", () => signal.send("session.collaborate", { action: "decline" }, s.id)));
    } else if (s.helping && !closed) {
      act.append(button(t("queue.show"), "q-open", () => openTab(s, true)));
    } else if (s.watch) {
      // A group lead watches a session of their group: view only, once
      // the customer allows it.
      act.append(button(t("queue.watch"), "q-watch", () => {
        signal.send("session.collaborate", { action: "monitor" }, s.id);
        watchTabs.add(s.id);
        openTab(s);
      }));
    } else if (s.mine && !closed) {
      // A callback request has no program to connect to: the technician
      // calls the customer back, then ends it.
      if (s.callback) { /* nothing to open */ }
      else if (s.state === "waiting") act.append(button(t("queue.start"), "q-start", () => openTab(s, true)));
      else if (s.state !== "connecting") act.append(button(t("queue.show"), "q-open", () => openTab(s, true)));
      if (s.state === "active") act.append(button(t("queue.hold"), "q-hold", () => signal.send("session.hold", { on: true }, s.id)));
      if (s.state === "on_hold") act.append(button(t("queue.resume"), "q-resume", () => signal.send("session.hold", { on: false }, s.id)));
      if (may.transfer && (s.state === "active" || s.state === "on_hold" || s.state === "waiting")) {
        act.append(button(t("queue.transfer"), "q-transfer", () => showTransfer(s)));
      }
      if (s.state === "outgoing") act.append(button(t("queue.cancelTransfer"), "q-cancel", () => signal.send("session.transfer", { cancel: true }, s.id)));
      act.append(button(t("queue.end"), "q-end danger", () => {
        if (confirm(`${t("queue.end")} — ${s.customer}?`)) signal.send("session.end", { reason: "technician" }, s.id);
      }));
    }
    tr.append(act);
    rows.append(tr);
  }
  // Tabs of sessions that are no longer this technician's close by themselves.
  for (const sid of tabs.keys()) {
    const s = view.sessions.find((x) => x.id === sid);
    const gone = !s && seen.has(sid); // was in the queue, is not any more
    if (s?.helping) watchTabs.delete(sid); // in now: kept while they help
    if (gone || (s && !s.mine && !s.helping && !watchTabs.has(sid) && !offered(s))) closeTab(sid);
  }
  for (const [sid, tab] of tabs) {
    const s = view.sessions.find((x) => x.id === sid);
    if (s) tab.label.textContent = s.customer;
  }
  if (transferSid) fillTransfer();
}

// --- Custom session fields --------------------------------------------------

// fieldColumns puts a column header per custom field before "Actions".
function fieldColumns() {
  const head = $("queue-head");
  for (const th of head.querySelectorAll(".q-field-head")) th.remove();
  for (const f of view.fields || []) {
    const th = el("th", "q-field-head", f.name);
    th.dataset.field = f.id;
    head.insertBefore(th, head.lastElementChild);
  }
}

// fieldCell shows session s's value of field f: an editor in the
// technician's own open sessions, the value elsewhere (a deleted field's
// value stays in the session and its history, not in a column).
function fieldCell(s, f) {
  const td = el("td", "q-field");
  td.dataset.field = f.id;
  const value = (s.fields || []).find((x) => x.id === f.id)?.value || "";
  const closed = s.state.startsWith("closed") || s.state === "timed_out";
  if (!s.mine || closed) {
    td.textContent = value;
    return td;
  }
  let input;
  if (f.kind === "choice") {
    input = el("select");
    const none = el("option", "", t("fields.choose"));
    none.value = "";
    input.append(none, ...f.options.map((o) => {
      const opt = el("option", "", o);
      opt.value = o;
      return opt;
    }));
  } else {
    input = el("input");
    input.maxLength = 200;
  }
  input.value = value;
  input.setAttribute("aria-label", `${f.name} — ${s.customer}`);
  const msg = el("span", "field-error");
  msg.hidden = true;
  msg.id = `q-field-${s.id}-${f.id}-error`;
  input.setAttribute("aria-describedby", msg.id);
  input.addEventListener("change", async () => {
    const res = await fetch(`/console/sessions/${encodeURIComponent(s.id)}/fields`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
      body: JSON.stringify({ id: f.id, value: input.value }),
    });
    if (res.ok) {
      msg.hidden = true;
      input.removeAttribute("aria-invalid");
      input.blur();
      refreshSoon();
      return;
    }
    const r = await res.json().catch(() => ({}));
    msg.textContent = r.fields?.[f.id] || r.message || String(res.status);
    msg.hidden = false;
    input.setAttribute("aria-invalid", "true");
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      input.value = value;
      input.blur();
    }
  });
  td.append(input, msg);
  return td;
}

// --- Transfer ---------------------------------------------------------------

function showTransfer(s) {
  transferSid = s.id;
  $("transfer-customer").textContent = s.customer;
  $("transfer-comment").value = "";
  $("transfer-form").hidden = false;
  fillTransfer();
}

function fillTransfer() {
  const sel = $("transfer-to");
  const keep = sel.value;
  const online = view.technicians.filter((x) => x.status === "online");
  sel.replaceChildren(...online.map((x) => {
    const o = el("option", "", x.name);
    o.value = x.id;
    return o;
  }));
  if (online.some((x) => x.id === keep)) sel.value = keep;
  $("transfer-none").hidden = online.length > 0;
  $("transfer-send").disabled = online.length === 0;
}

$("transfer-form").addEventListener("submit", (e) => {
  e.preventDefault();
  signal.send("session.transfer", { to: $("transfer-to").value, comment: $("transfer-comment").value.trim() }, transferSid);
  closeTransfer();
});
$("transfer-close").addEventListener("click", closeTransfer);
function closeTransfer() {
  transferSid = "";
  $("transfer-form").hidden = true;
}

// --- Tabs -------------------------------------------------------------------

function openTab(s, focus = true) {
  if (!tabs.has(s.id)) {
    if (tabs.size >= (view.maxTabs || 10)) {
      showError(t("queue.tooMany", view.maxTabs || 10));
      return;
    }
    const b = el("button", "tab");
    b.type = "button";
    b.setAttribute("role", "tab");
    b.dataset.tab = s.id;
    const label = el("span", "tab-label", s.customer);
    const badge = el("span", "badge");
    badge.hidden = true;
    const x = el("span", "tab-close", "×");
    x.title = t("queue.close");
    x.addEventListener("click", (e) => {
      e.stopPropagation();
      // Closing the tab of a session this technician helps with is leaving
      // it; a reload of the tab, or a lost connection, is not (the server
      // keeps them in for a grace).
      if (view.sessions.find((x) => x.id === s.id)?.helping) signal.send("session.collaborate", { action: "leave" }, s.id);
      closeTab(s.id);
    });
    b.append(label, badge, x);
    b.addEventListener("click", () => show(s.id));
    $("tabs").append(b);
    const pane = el("section", "pane session-pane");
    pane.hidden = true;
    pane.dataset.sid = s.id;
    const frame = el("iframe", "workspace-frame");
    frame.src = `/console/sessions/${encodeURIComponent(s.id)}`;
    frame.title = s.customer;
    frame.allow = "clipboard-read; clipboard-write";
    pane.append(frame);
    $("panes").append(pane);
    tabs.set(s.id, { button: b, pane, badge, label, frame, unread: 0 });
  }
  if (focus) show(s.id);
}

function closeTab(sid) {
  const tab = tabs.get(sid);
  if (!tab) return;
  tab.button.remove();
  tab.pane.remove();
  tabs.delete(sid);
  watchTabs.delete(sid);
  if (current === sid) show("queue");
}

function show(id) {
  current = id;
  $("tab-queue").classList.toggle("active", id === "queue");
  $("pane-queue").hidden = id !== "queue";
  for (const [sid, tab] of tabs) {
    const on = sid === id;
    tab.button.classList.toggle("active", on);
    tab.pane.hidden = !on;
    if (on) {
      tab.unread = 0;
      tab.badge.hidden = true;
      // A narrow header scrolls its tabs: the one shown stays in sight.
      tab.button.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }
}
$("tab-queue").addEventListener("click", () => show("queue"));

// What the workspaces tell the queue: unread chat and alerts (same origin only).
window.addEventListener("message", (e) => {
  if (e.origin !== location.origin || !e.data || typeof e.data.lifeline !== "string") return;
  const tab = tabs.get(e.data.sid);
  switch (e.data.lifeline) {
    case "chat":
      if (tab && current !== e.data.sid) {
        tab.unread++;
        tab.badge.textContent = String(tab.unread);
        tab.badge.hidden = false;
      }
      break;
    case "customer-left":
      beep("left");
      break;
    case "refused":
      beep("refused");
      break;
    case "file":
      beep("file");
      break;
    case "transferred":
      refreshSoon();
      break;
  }
});

// --- Filters, new session, status -------------------------------------------

for (const b of document.querySelectorAll(".filter")) {
  b.addEventListener("click", () => {
    filter = b.dataset.filter;
    for (const x of document.querySelectorAll(".filter")) x.classList.toggle("active", x === b);
    render();
  });
}

$("queue-new").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = $("queue-new");
  const name = $("queue-customer").value.trim();
  if (!name) {
    $("queue-customer").focus();
    return;
  }
  // The customer's name and the custom fields, as typed; a refusal keeps
  // them and says beside each field what is wrong.
  const body = new URLSearchParams(new FormData(form));
  body.set("customer", name);
  body.set("csrf", csrf);
  const res = await fetch("/console/sessions", { method: "POST", body, headers: { Accept: "application/json" } });
  for (const m of form.querySelectorAll(".field-error")) m.hidden = true;
  for (const i of form.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
  const m = res.url.match(/\/console\/sessions\/([^/?#]+)/);
  if (!res.ok || !m) {
    const r = await res.json().catch(() => null);
    for (const [id, text] of Object.entries(r?.fields || {})) {
      const input = $(`queue-field-${id}`);
      const msg = $(`queue-field-${id}-error`);
      if (!input || !msg) continue;
      msg.textContent = text;
      msg.hidden = false;
      input.setAttribute("aria-invalid", "true");
    }
    form.querySelector("[aria-invalid]")?.focus();
    showError(r?.message || res.statusText || String(res.status));
    return;
  }
  form.reset();
  $("queue-error").hidden = true;
  openTab({ id: m[1], customer: name });
  refreshSoon();
});

async function setStatus(change) {
  const res = await fetch("/console/status", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(change),
  });
  if (!res.ok) showError(await res.text());
  refreshSoon();
}
$("my-status").addEventListener("change", (e) => setStatus({ status: e.target.value }));
$("auto-start").addEventListener("change", (e) => setStatus({ autoStart: e.target.checked }));

// Away after a long time without any activity on the page (set by hand otherwise).
let lastActive = Date.now();
for (const ev of ["mousemove", "keydown", "click"]) addEventListener(ev, () => { lastActive = Date.now(); }, { passive: true });
setInterval(() => {
  if (Date.now() - lastActive > idleAway && view.me?.status === "online") setStatus({ status: "away" });
}, 60000);

let errTimer = 0;
// showError shows msg as what did not work or, told, as it is.
function showError(msg, told = false) {
  const p = $("queue-error");
  p.textContent = told ? msg : t("queue.error", msg);
  p.hidden = false;
  clearTimeout(errTimer);
  errTimer = setTimeout(() => { p.hidden = true; }, 8000);
}

// Exposed for end-to-end tests and diagnostics.
window.lifelineQueue = {
  alerts: [],
  get view() { return view; },
  get tabs() { return [...tabs.keys()]; },
  get current() { return current; },
  unread(sid) { return tabs.get(sid)?.unread ?? 0; },
  frame(sid) { return tabs.get(sid)?.frame; },
};

refresh();
