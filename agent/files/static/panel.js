// The customer's files panel: accept a file from the technician (and choose the
// folder), send one, follow progress, cancel. Plain text only, never HTML.
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
function build() {
  root.replaceChildren();
  const h = el("h2", "files-title", t("agent.files.title"));
  const offer = el("div", "files-offer");
  offer.id = "files-offer";
  offer.hidden = true;
  const offerText = el("p", "files-offer-text");
  offerText.id = "files-offer-text";
  const label = el("label", "files-label", t("agent.files.folder"));
  const dir = el("input", "files-dir");
  dir.id = "files-dir";
  dir.type = "text";
  label.append(dir);
  const acts = el("div", "files-actions");
  const accept = el("button", "btn files-accept", t("agent.files.accept"));
  accept.id = "files-accept";
  const decline = el("button", "btn files-decline", t("agent.files.decline"));
  decline.id = "files-decline";
  acts.append(accept, decline);
  const offerErr = el("p", "error files-error");
  offerErr.id = "files-offer-error";
  offerErr.hidden = true;
  offer.append(offerText, label, acts, offerErr);

  const inBox = transferBox("in");
  const outBox = transferBox("out");

  const pick = el("div", "files-pick");
  const pickLabel = el("label", "files-label", t("agent.files.pick"));
  const file = el("input", "files-input");
  file.id = "files-input";
  file.type = "file";
  pickLabel.append(file);
  const send = el("button", "btn files-send", t("agent.files.send"));
  send.id = "files-send";
  const sendErr = el("p", "error files-error");
  sendErr.id = "files-send-error";
  sendErr.hidden = true;
  pick.append(pickLabel, send, sendErr);

  const log = el("ul", "files-log");
  log.id = "files-log";
  root.append(h, offer, inBox.box, outBox.box, pick, log);
  ui = { offer, offerText, dir, accept, decline, offerErr, inBox, outBox, file, send, sendErr, log, dirTouched: false };

  dir.addEventListener("input", () => { ui.dirTouched = true; });
  accept.addEventListener("click", async () => {
    offerErr.hidden = true;
    try { await post("accept", { id: ui.offerID, dir: dir.value === ui.defaultDir ? "" : dir.value }); }
    catch (e) { offerErr.textContent = e.message; offerErr.hidden = false; }
  });
  decline.addEventListener("click", () => post("decline", { id: ui.offerID }).catch(() => {}));
  send.addEventListener("click", async () => {
    const f = file.files[0];
    if (!f) return;
    sendErr.hidden = true;
    send.disabled = true;
    try {
      const r = await fetch("files/send" + q + "&name=" + encodeURIComponent(f.name), {
        method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: f,
      });
      if (!r.ok) throw new Error(await r.text());
      file.value = "";
    } catch (e) {
      sendErr.textContent = e.message;
      sendErr.hidden = false;
    } finally {
      send.disabled = false;
    }
  });
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
  const cancel = el("button", "btn files-cancel", t("agent.files.cancel"));
  cancel.id = `files-${dir}-cancel`;
  cancel.addEventListener("click", () => post("cancel", { id: box.dataset.id }).catch(() => {}));
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
    ui.dir.value = v.defaultDir;
    ui.offerErr.hidden = true;
  }
  showTransfer(ui.inBox, v.in, "agent.files.receiving");
  showTransfer(ui.outBox, v.out, "agent.files.sending");
  const lines = v.log || [];
  if (lines.length !== ui.log.childElementCount || (lines.length && ui.log.lastChild.textContent !== lines[lines.length - 1].text)) {
    ui.log.replaceChildren(...lines.map((l) => el("li", "files-entry", l.text)));
  }
  if (v.closed) root.hidden = true;
}

async function start() {
  try { S = await (await fetch("files/i18n" + q)).json(); } catch { /* keys show */ }
  build();
  const es = new EventSource("files/events" + q);
  es.onmessage = (e) => render(JSON.parse(e.data));
  // The session ended (the page disabled every control): nothing comes any more.
  document.addEventListener("lifeline:ended", () => es.close());
}
start();
