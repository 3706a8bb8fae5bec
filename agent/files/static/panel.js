// The customer's files panel: accept a file from the technician (and choose the
// folder in a folder chooser, nothing to type), send one, follow progress,
// cancel. The log keeps each file's SHA-256 in the line's details. Plain text
// only, never HTML.
import { translator } from "../i18n.js";

const root = document.getElementById("panel-files");
const lang = new URLSearchParams(location.search).get("lang") || document.documentElement.lang || "en";
const q = "?lang=" + encodeURIComponent(lang);
let S = {};
const t = translator(() => S);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

async function post(path, body) {
  const r = await fetch("files/" + path + q, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(await r.text());
}

let ui;
// upload aborts the file the customer is sending, while it goes.
let upload = null;
function build() {
  root.replaceChildren();
  const h = el("h2", "files-title", t("agent.files.title"));
  const offer = el("div", "files-offer");
  offer.id = "files-offer";
  offer.hidden = true;
  const offerText = el("p", "files-offer-text");
  offerText.id = "files-offer-text";
  const label = el("p", "files-label", t("agent.files.folder"));
  const folder = el("div", "files-folder");
  const dir = el("span", "files-path");
  dir.id = "files-dir";
  const change = el("button", "btn files-small", t("agent.files.folder.change"));
  change.id = "files-dir-change";
  change.type = "button";
  folder.append(dir, change);
  const chooser = folderChooser((path) => { ui.dir = path; dir.textContent = path; });
  const acts = el("div", "files-actions");
  const accept = el("button", "btn allow files-accept", t("agent.files.accept"));
  accept.id = "files-accept";
  const decline = el("button", "btn deny files-decline", t("agent.files.decline"));
  decline.id = "files-decline";
  acts.append(accept, decline);
  const offerErr = el("p", "error files-error");
  offerErr.id = "files-offer-error";
  offerErr.hidden = true;
  offer.append(offerText, label, folder, chooser.box, acts, offerErr);
  change.addEventListener("click", () => chooser.open(ui.dir));

  const inBox = transferBox("in");
  const outBox = transferBox("out");

  const pick = el("div", "files-pick");
  const pickLabel = el("label", "files-label", t("agent.files.pick"));
  const file = el("input", "files-input");
  file.id = "files-input";
  file.type = "file";
  pickLabel.append(file);
  const send = el("button", "btn allow files-send", t("agent.files.send"));
  send.id = "files-send";
  const sendErr = el("p", "error files-error");
  sendErr.id = "files-send-error";
  sendErr.hidden = true;
  pick.append(pickLabel, send, sendErr);

  const log = el("ul", "files-log");
  log.id = "files-log";
  root.append(h, offer, inBox.box, outBox.box, pick, log);
  ui = { offer, offerText, dirText: dir, chooser, accept, decline, offerErr, inBox, outBox, file, send, sendErr, log, dir: "" };

  accept.addEventListener("click", async () => {
    offerErr.hidden = true;
    try { await post("accept", { id: ui.offerID, dir: ui.dir === ui.defaultDir ? "" : ui.dir }); }
    catch (e) { offerErr.textContent = e.message; offerErr.hidden = false; }
  });
  decline.addEventListener("click", () => post("decline", { id: ui.offerID }).catch(() => {}));
  send.addEventListener("click", async () => {
    const f = file.files[0];
    if (!f) return;
    sendErr.hidden = true;
    send.disabled = true;
    const ac = upload = new AbortController();
    try {
      const r = await fetch("files/send" + q + "&name=" + encodeURIComponent(f.name), {
        method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: f, signal: ac.signal,
      });
      if (!r.ok) throw new Error(await r.text());
      file.value = "";
    } catch (e) {
      sendErr.textContent = ac.signal.aborted ? t("agent.files.cancelled") : e.message;
      sendErr.hidden = false;
    } finally {
      if (upload === ac) upload = null;
      send.disabled = false;
    }
  });
}

// folderChooser browses the customer's folders (places, subfolders, parent)
// through the agent, and calls chosen with the folder picked.
function folderChooser(chosen) {
  const box = el("div", "files-chooser");
  box.id = "files-chooser";
  box.hidden = true;
  const places = el("div", "files-places");
  const here = el("p", "files-here");
  here.id = "files-chooser-path";
  const list = el("ul", "files-dirs");
  list.id = "files-chooser-dirs";
  const err = el("p", "error files-error");
  err.hidden = true;
  const acts = el("div", "files-actions");
  const up = el("button", "btn deny files-small", t("agent.files.folder.up"));
  up.type = "button";
  const pick = el("button", "btn allow files-small", t("agent.files.folder.choose"));
  pick.id = "files-chooser-pick";
  pick.type = "button";
  const close = el("button", "btn deny files-small", t("agent.files.folder.close"));
  close.type = "button";
  acts.append(up, pick, close);
  box.append(places, here, list, err, acts);
  let cur = null;

  async function show(path) {
    err.hidden = true;
    let r;
    try {
      r = await fetch("files/folders" + q + (path ? "&path=" + encodeURIComponent(path) : ""));
      if (!r.ok) throw new Error(await r.text());
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
      return;
    }
    cur = await r.json();
    here.textContent = cur.path;
    up.disabled = !cur.parent;
    places.replaceChildren(...cur.places.map((p) => {
      const b = el("button", "btn deny files-small", p.name);
      b.type = "button";
      b.title = p.path;
      b.addEventListener("click", () => show(p.path));
      return b;
    }));
    if (!cur.dirs.length) {
      list.replaceChildren(el("li", "files-none", t("agent.files.folder.empty")));
      return;
    }
    list.replaceChildren(...cur.dirs.map((name) => {
      const li = el("li");
      const b = el("button", "files-dir-entry", name);
      b.type = "button";
      b.addEventListener("click", () => show(cur.path.replace(/[\\/]$/, "") + (cur.path.includes("\\") ? "\\" : "/") + name));
      li.append(b);
      return li;
    }));
  }
  up.addEventListener("click", () => { if (cur && cur.parent) show(cur.parent); });
  pick.addEventListener("click", () => { if (cur) { chosen(cur.path); box.hidden = true; } });
  close.addEventListener("click", () => { box.hidden = true; });
  return {
    box,
    open(path) { box.hidden = false; show(path); },
    close() { box.hidden = true; },
  };
}

function transferBox(dir) {
  const box = el("div", "files-transfer");
  box.id = `files-${dir}`;
  box.hidden = true;
  const title = el("p", "files-name");
  const bar = el("progress", "files-bar");
  bar.id = `files-${dir}-bar`;
  bar.max = 1;
  const text = el("p", "files-progress");
  text.id = `files-${dir}-progress`;
  const cancel = el("button", "btn end files-cancel", t("agent.files.cancel"));
  cancel.id = `files-${dir}-cancel`;
  cancel.addEventListener("click", () => {
    // The upload itself holds one of the browser's few connections to the
    // agent (the page's event streams hold the others): abort it first, so
    // the agent hears at once, then say so.
    if (dir === "out") upload?.abort();
    post("cancel", { id: box.dataset.id }).catch(() => {});
  });
  box.append(title, bar, text, cancel);
  return { box, title, bar, text };
}

function showTransfer(b, tr, activeKey) {
  b.box.hidden = !tr || tr.state === "offered";
  if (b.box.hidden) return;
  b.box.dataset.id = tr.id;
  const key = tr.state === "verifying" ? "agent.files.verifying" : tr.state === "waiting" ? "agent.files.waiting" : activeKey;
  b.title.textContent = t(key, tr.name);
  b.bar.value = tr.size ? tr.bytes / tr.size : 0;
  b.text.textContent = tr.text;
}

function render(v) {
  const off = v.in && v.in.state === "offered" ? v.in : null;
  ui.offer.hidden = !off;
  ui.defaultDir = v.defaultDir;
  if (off && ui.offerID !== off.id) {
    ui.offerID = off.id;
    ui.offerText.textContent = t("agent.files.offer", off.name, off.sizeText);
    ui.dir = v.defaultDir;
    ui.dirText.textContent = v.defaultDir;
    ui.chooser.close();
    ui.offerErr.hidden = true;
  }
  showTransfer(ui.inBox, v.in, "agent.files.receiving");
  showTransfer(ui.outBox, v.out, "agent.files.sending");
  const lines = v.log || [];
  if (lines.length !== ui.log.childElementCount || (lines.length && ui.log.lastChild.firstChild.textContent !== lines[lines.length - 1].text)) {
    ui.log.replaceChildren(...lines.map(logEntry));
  }
  if (v.closed) root.hidden = true;
}

// logEntry is one line of the log; its details (the SHA-256) fold away.
function logEntry(l) {
  const li = el("li", "files-entry");
  li.append(el("span", "", l.text));
  if (l.detail) {
    const d = el("details", "files-details");
    d.append(el("summary", "", t("agent.files.log.details")), el("code", "", l.detail));
    li.append(d);
  }
  return li;
}

async function start() {
  try { S = await (await fetch("files/i18n" + q)).json(); } catch { /* keys show */ }
  build();
  const es = new EventSource("files/events" + q);
  es.onmessage = (e) => render(JSON.parse(e.data));
  // The session ended (the page disabled every control). What the agent
  // says of it may still be on its way on this stream (a transfer cut short,
  // its partial file removed): keep listening until the agent closes it, but
  // never reconnect.
  document.addEventListener("lifeline:ended", () => { es.onerror = () => es.close(); });
}
start();
