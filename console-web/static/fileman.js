// The file manager: the customer's files, browsed and changed by the
// technician. Requests and replies are JSON on the "fm" data channel, open
// only while the customer allows the file manager (the agent refuses it, and
// every request, otherwise). Listings are sorted, filtered and paged by the
// agent. Downloads and uploads go through the file transfers (files.js:
// window.lifelineFiles), SHA-256 checked, with their progress shown here.
import { register } from "./features.js";
import { formatDateTime } from "./i18n.js";

const LABEL = "fm";

let ctx = null;
let t = null;
let pc = null;
let ch = null;
let granted = false;
let over = false;
let seq = 0;
let cwd = "";
let selected = null;
let form = null; // the action the form asks a name or folder for
let downloading = null; // name of the file asked for, until received
let tick = 0;
const el = {};
const view = { sort: "name", desc: false, filter: "", hidden: false, page: 0 };
const pending = new Map(); // request id → callback

function h(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...kids);
  return e;
}

function button(id, key, onclick) {
  const b = h("button", { type: "button", id, className: "btn", textContent: t(key) });
  b.addEventListener("click", onclick);
  return b;
}

function bytes(n) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
}

function newID() {
  const b = crypto.getRandomValues(new Uint8Array(9));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function build(panel) {
  el.state = h("p", { id: "fm-state", className: "muted" });
  el.state.setAttribute("aria-live", "polite");
  el.ask = button("fm-ask", "ws.fm.ask", () => ctx.signal.send("permission.request", { permission: "filemanager" }));
  el.crumbs = h("nav", { id: "fm-crumbs", className: "fm-crumbs" });
  el.crumbs.setAttribute("aria-label", t("ws.fm.crumbs"));
  el.filter = h("input", { id: "fm-filter", type: "search", placeholder: t("ws.fm.filter") });
  el.filter.setAttribute("aria-label", t("ws.fm.filter"));
  el.filter.addEventListener("input", () => { view.filter = el.filter.value; view.page = 0; refresh(); });
  el.hidden = h("input", { id: "fm-hidden", type: "checkbox" });
  el.hidden.addEventListener("change", () => { view.hidden = el.hidden.checked; view.page = 0; refresh(); });
  const tools = h("div", { className: "row fm-tools" },
    button("fm-home", "ws.fm.home", () => go("")),
    button("fm-up", "ws.fm.up", () => { const c = el.crumbs.lastChild?.previousSibling; if (c) go(c.dataset.path); }),
    button("fm-refresh", "ws.fm.refresh", () => refresh()),
    el.filter, h("label", { className: "fm-check" }, el.hidden, t("ws.fm.hidden")));
  el.upload = h("input", { id: "fm-upload-input", type: "file", className: "fm-upload-input" });
  el.upload.addEventListener("change", () => { const f = el.upload.files[0]; el.upload.value = ""; if (f) upload(f); });
  const uploadButton = button("fm-upload", "ws.fm.upload", () => el.upload.click());
  el.actions = h("div", { className: "row fm-actions" },
    button("fm-mkdir", "ws.fm.mkdir", () => ask("mkdir", "")),
    button("fm-rename", "ws.fm.rename", () => selected ? ask("rename", selected.raw ? "" : selected.name) : say(t("ws.fm.none"))),
    button("fm-copy", "ws.fm.copy", () => selected ? ask("copy", cwd) : say(t("ws.fm.none"))),
    button("fm-move", "ws.fm.move", () => selected ? ask("move", cwd) : say(t("ws.fm.none"))),
    button("fm-delete", "ws.fm.delete", () => remove()),
    button("fm-download", "ws.fm.download", () => download()),
    uploadButton, el.upload);
  el.delete = el.actions.querySelector("#fm-delete");
  el.delete.classList.add("danger");
  el.formLabel = h("label", { id: "fm-form-label", htmlFor: "fm-form-input" });
  el.formInput = h("input", { id: "fm-form-input", type: "text", autocomplete: "off", spellcheck: false });
  el.form = h("form", { id: "fm-form", className: "row fm-form", hidden: true }, el.formLabel, el.formInput,
    h("button", { type: "submit", id: "fm-form-ok", className: "btn", textContent: t("ws.fm.ok") }),
    button("fm-form-cancel", "ws.fm.cancel", () => { el.form.hidden = true; form = null; }));
  el.form.addEventListener("submit", (e) => { e.preventDefault(); submit(); });
  el.selected = h("p", { id: "fm-selected", className: "muted" });
  el.note = h("p", { id: "fm-note", className: "sys-note" });
  el.note.setAttribute("role", "alert");
  // Cancel stops the copy or move under way (the agent answers it at once).
  el.cancel = h("button", { type: "button", id: "fm-cancel", className: "danger", textContent: t("ws.fm.stop"), hidden: true });
  el.cancel.addEventListener("click", () => {
    if (el.cancel.dataset.target) request({ op: "cancel", target: el.cancel.dataset.target }, () => {});
  });
  el.bar = h("progress", { id: "fm-progress-bar", max: 1, value: 0 });
  el.progressText = h("span", { id: "fm-progress-text" });
  el.progress = h("p", { id: "fm-progress", className: "row", hidden: true }, el.progressText, el.bar);
  el.table = h("table", { id: "fm-list", className: "sys-processes fm-list" });
  const head = h("tr");
  for (const [key, label] of [["name", "ws.fm.name"], ["size", "ws.fm.size"], ["date", "ws.fm.date"]]) {
    const b = h("button", { type: "button", id: `fm-sort-${key}`, textContent: t(label) });
    b.addEventListener("click", () => {
      view.desc = view.sort === key ? !view.desc : key !== "name";
      view.sort = key;
      view.page = 0;
      refresh();
    });
    head.append(h("th", {}, b));
  }
  el.body = h("tbody");
  el.table.append(h("thead", {}, head), el.body);
  el.pages = h("p", { id: "fm-pages", className: "sys-pages muted" });
  el.prev = h("button", { type: "button", textContent: "‹", id: "fm-prev" });
  el.next = h("button", { type: "button", textContent: "›", id: "fm-next" });
  el.prev.addEventListener("click", () => { view.page = Math.max(0, view.page - 1); refresh(); });
  el.next.addEventListener("click", () => { view.page += 1; refresh(); });
  el.main = h("div", { id: "fm-main" }, el.crumbs, tools, el.actions, el.form, el.selected, el.note, el.cancel, el.progress,
    el.table, h("div", { className: "row" }, el.prev, el.pages, el.next));
  panel.append(h("h2", { textContent: t("ws.fm.title") }), el.state, el.ask, el.main);
  window.lifelineFiles?.onReceived?.(received);
}

function say(text) { el.note.textContent = text; }

// problem is the technician's sentence for a failed reply.
function problem(r) {
  const key = `ws.fm.err.${r.code}`;
  const s = t(key);
  return s && s !== key ? s : r.error;
}

function render() {
  if (!el.state) return;
  el.state.textContent = over ? t("ws.term.ended") : !pc ? t("ws.term.noConnection") : granted ? "" : t("ws.fm.notGranted");
  el.ask.hidden = over || granted;
  el.ask.disabled = !pc;
  el.main.hidden = !granted || over;
  el.selected.textContent = selected ? t("ws.fm.selected", selected.name) : "";
}

function request(req, cb) {
  if (!ch || ch.readyState !== "open") return "";
  seq += 1;
  const id = String(seq);
  pending.set(id, cb);
  ch.send(JSON.stringify({ ...req, id }));
  return id;
}

// long sends a copy or move, showing Cancel until it is answered.
function long(req, text, cb) {
  say(text);
  const id = request(req, (r) => {
    if (el.cancel.dataset.target === id) { el.cancel.hidden = true; delete el.cancel.dataset.target; }
    if (!r.error) say("");
    cb(r);
  });
  if (!id) return;
  el.cancel.dataset.target = id;
  el.cancel.hidden = false;
}

function go(path) {
  cwd = path;
  view.page = 0;
  selected = null;
  refresh();
}

// refresh lists the folder shown (the home folder at first).
function refresh() {
  if (!ch || ch.readyState !== "open") return render();
  const req = { op: cwd ? "list" : "home", sort: view.sort, desc: view.desc, filter: view.filter.slice(0, 256), hidden: view.hidden, page: view.page };
  if (cwd) req.path = cwd;
  request(req, (r) => {
    if (r.error) { say(problem(r)); return; }
    show(r.listing);
  });
}

function show(l) {
  cwd = l.path;
  view.page = Math.min(l.page, Math.max(0, l.pages - 1));
  el.crumbs.replaceChildren(...l.crumbs.map((c) => {
    const b = h("button", { type: "button", className: "fm-crumb", textContent: c.name });
    b.dataset.path = c.path;
    b.addEventListener("click", () => go(c.path));
    return b;
  }));
  el.crumbs.lastChild?.setAttribute("aria-current", "location");
  el.pages.textContent = t("ws.fm.page", l.page + 1, l.pages, l.total);
  el.prev.disabled = l.page === 0;
  el.next.disabled = l.page + 1 >= l.pages;
  if (!l.list.length) {
    el.body.replaceChildren(h("tr", {}, h("td", { colSpan: 3, className: "muted", textContent: t("ws.fm.empty") })));
  } else {
    el.body.replaceChildren(...l.list.map((e) => {
      const name = h("td", { className: e.dir ? "fm-dir" : "fm-file", textContent: e.name + (e.link ? " ↪" : "") });
      if (e.raw) name.title = e.name;
      const tr = h("tr", { tabIndex: 0 }, name,
        h("td", { textContent: e.dir ? "—" : bytes(e.size) }),
        h("td", { textContent: e.modified ? formatDateTime(e.modified) : "" }));
      tr.dataset.name = e.name;
      tr.dataset.path = e.path;
      if (e.hidden) tr.classList.add("fm-hidden");
      tr.setAttribute("aria-selected", String(selected?.path === e.path));
      tr.addEventListener("click", () => select(e));
      tr.addEventListener("dblclick", () => e.dir && go(e.path));
      tr.addEventListener("keydown", (k) => { if (k.key === "Enter" && e.dir) go(e.path); });
      return tr;
    }));
  }
  if (selected && !l.list.some((e) => e.path === selected.path)) selected = null;
  render();
}

function select(e) {
  selected = e;
  for (const tr of el.body.children) tr.setAttribute("aria-selected", String(tr.dataset.path === e.path));
  render();
}

const formText = { mkdir: "ws.fm.ask.mkdir", rename: "ws.fm.ask.rename", copy: "ws.fm.ask.copy", move: "ws.fm.ask.move" };

// ask shows the form for action, filled with value.
function ask(action, value) {
  form = action;
  el.formLabel.textContent = t(formText[action]);
  el.formInput.value = value;
  el.form.hidden = false;
  el.formInput.focus();
  el.formInput.select();
}

function submit() {
  const action = form, value = el.formInput.value, item = selected;
  if (!action || !value) return;
  el.form.hidden = true;
  form = null;
  say("");
  const done = (logKey, ...args) => (r) => {
    if (r.error) { say(problem(r)); return; }
    ctx.log.event(t(logKey, ...args));
    refresh();
  };
  switch (action) {
    case "mkdir": request({ op: "mkdir", path: cwd, name: value }, done("ws.fm.log.mkdir", value)); break;
    case "rename": request({ op: "rename", path: item.path, name: value }, done("ws.fm.log.rename", item.name, value)); break;
    case "copy": long({ op: "copy", path: item.path, to: value }, t("ws.fm.copying", item.name), done("ws.fm.log.copy", item.name, value)); break;
    case "move": long({ op: "move", path: item.path, to: value }, t("ws.fm.moving", item.name), done("ws.fm.log.move", item.name, value)); break;
  }
}

function remove() {
  const item = selected;
  if (!item) { say(t("ws.fm.none")); return; }
  if (!confirm(t("ws.fm.confirm", item.name))) return;
  say("");
  request({ op: "delete", path: item.path }, (r) => {
    if (r.error) { say(problem(r)); return; }
    ctx.log.event(t("ws.fm.log.delete", item.name));
    selected = null;
    refresh();
  });
}

// progress shows the running transfer from files.js until none runs.
function progress() {
  if (tick) return;
  tick = setInterval(() => {
    const f = window.lifelineFiles;
    const tr = f?.out || f?.in;
    if (!tr) { clearInterval(tick); tick = 0; el.progress.hidden = true; return; }
    const done = tr.sent ?? tr.got ?? 0;
    el.progress.hidden = false;
    el.bar.value = tr.size ? done / tr.size : 0;
    el.progressText.textContent = t("ws.fm.progress", tr.name, bytes(done), bytes(tr.size));
  }, 250);
}

function download() {
  const item = selected;
  if (!item) { say(t("ws.fm.none")); return; }
  if (!window.lifelineFiles?.send) { say(t("ws.fm.noFiles")); return; }
  say("");
  request({ op: "download", path: item.path }, (r) => {
    if (r.error) { say(problem(r)); return; }
    downloading = item.name;
    ctx.log.event(t("ws.fm.log.download", item.name));
    progress();
  });
}

// received saves the file the technician asked for in their browser, and
// says it took it.
function received(f) {
  if (!downloading) return false;
  downloading = null;
  const a = h("a", { href: f.url, download: f.name });
  document.body.append(a);
  a.click();
  a.remove();
  return true;
}

function upload(file) {
  const files = window.lifelineFiles;
  if (!files?.send) { say(t("ws.fm.noFiles")); return; }
  const id = newID(), dir = cwd, where = el.crumbs.lastChild?.textContent || dir;
  say("");
  request({ op: "upload", path: dir, transfer: id }, async (r) => {
    if (r.error) { say(problem(r)); return; }
    ctx.log.event(t("ws.fm.log.upload", file.name, where));
    const sent = files.send(file, id);
    progress();
    let res;
    try { res = await sent; } catch (e) { say(String(e.message || e)); return; }
    if (res?.error) say(t(`ws.files.reason.${res.error}`) || res.error);
    if (cwd === dir) refresh();
  });
}

function openChannel() {
  if (!pc || !granted || over || (ch && ch.readyState !== "closed")) return;
  ch = pc.createDataChannel(LABEL);
  ch.onopen = () => refresh();
  ch.onmessage = (e) => {
    let r;
    try { r = JSON.parse(e.data); } catch { return; }
    const cb = pending.get(r.id);
    pending.delete(r.id);
    if (r.error && !cb) say(problem(r));
    cb?.(r);
  };
  ch.onclose = () => { ch = null; render(); };
}

// status is exposed for diagnostics and end-to-end tests.
window.lifelineFM = {
  get cwd() { return cwd; },
  get rows() { return el.body ? [...el.body.querySelectorAll("tr[data-path]")].map((tr) => tr.dataset.name) : []; },
};

register({
  init(c) {
    ctx = c;
    t = c.t;
    const panel = c.panel("fileman");
    if (panel) build(panel);
  },
  attach(p) {
    pc = p;
    openChannel();
    render();
  },
  detach() {
    pc = null;
    ch = null;
    render();
  },
  setPermissions(p) {
    granted = !!p.filemanager;
    if (granted) openChannel();
    else if (ch) ch.close();
    render();
  },
  ended() {
    over = true;
    ch?.close();
    render();
  },
});
