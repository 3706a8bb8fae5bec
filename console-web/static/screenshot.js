// Screenshot: the agent takes a lossless PNG of the customer's whole screen at
// its native resolution and sends it on the "screenshot" data channel (begin,
// binary chunks, end; shared/protocol ScreenshotMessage); this page saves it as
// a download. The agent sends it only while the customer allows viewing.
import { register } from "./features.js";
import { fileName, saveBlob } from "./download.js";

const LABEL = "screenshot";
const MAX = 256 << 20; // protocol.MaxScreenshot

let ctx = null;
let btn = null;
let ch = null;
let viewing = false;
let over = false;
let seq = 0;
let pending = null; // { id, size, w, h, parts, got } while one is on its way

// Exposed for end-to-end tests and diagnostics: the screenshots saved so far.
window.lifelineScreenshots = { saved: [], failed: [] };

function ready() {
  return !over && viewing && ch?.readyState === "open";
}

function sync() {
  if (btn) btn.disabled = !ready() || !!pending;
}

function take() {
  if (!ready() || pending) return;
  pending = { id: `shot-${++seq}`, size: 0, parts: [], got: 0 };
  ch.send(JSON.stringify({ k: "request", id: pending.id }));
  ctx.log.event(ctx.t("ws.tools.shotTaking"));
  sync();
}

function fail(reason) {
  const { t, customer, log } = ctx;
  const text = reason === "not_allowed" ? t("ws.tools.shotDenied", customer)
    : reason === "busy" ? t("ws.tools.shotBusy")
    : reason === "closed" ? t("ws.tools.shotLost", customer)
    : t("ws.tools.shotFailed", reason);
  log.event(text);
  window.lifelineScreenshots.failed.push(reason);
  pending = null;
  sync();
}

function onMessage(e) {
  if (typeof e.data !== "string") {
    if (!pending || !pending.size) return;
    const b = new Uint8Array(e.data);
    pending.got += b.byteLength;
    if (pending.got > pending.size) return fail("too_large");
    pending.parts.push(b);
    return;
  }
  let m;
  try {
    m = JSON.parse(e.data);
  } catch {
    return;
  }
  if (!pending || m.id !== pending.id) return;
  switch (m.k) {
    case "begin":
      if (!(m.size > 0 && m.size <= MAX && m.w > 0 && m.h > 0)) return fail("malformed");
      Object.assign(pending, { size: m.size, w: m.w, h: m.h });
      break;
    case "end":
      if (pending.got !== pending.size) return fail("incomplete");
      save(pending);
      pending = null;
      sync();
      break;
    case "error":
      fail(String(m.reason));
      break;
  }
}

function save(s) {
  const blob = new Blob(s.parts, { type: "image/png" });
  const name = fileName(ctx.customer, "screenshot", "png");
  saveBlob(blob, name);
  window.lifelineScreenshots.saved.push({ name, size: s.size, w: s.w, h: s.h });
  ctx.log.event(ctx.t("ws.tools.shotSaved", `${s.w}×${s.h}, ${name}`));
}

register({
  init(c) {
    ctx = c;
    const group = document.createElement("div");
    group.className = "group";
    btn = document.createElement("button");
    btn.type = "button";
    btn.id = "screenshot";
    btn.textContent = c.t("ws.tools.screenshot");
    btn.addEventListener("click", take);
    group.append(btn);
    document.getElementById("toolbar").append(group);
    sync();
  },
  attach(pc) {
    ch = pc.createDataChannel(LABEL, { ordered: true });
    ch.binaryType = "arraybuffer";
    const mine = ch;
    ch.onmessage = onMessage;
    ch.onopen = sync;
    ch.onclose = () => {
      if (ch !== mine) return;
      if (pending) fail("closed");
      sync();
    };
  },
  detach() {
    ch = null;
    if (pending) fail("closed");
    sync();
  },
  setPermissions(p) {
    viewing = !!p.view;
    sync();
  },
  ended() {
    over = true;
    sync();
  },
});
