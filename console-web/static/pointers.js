// Pointers: while colleagues work on the session too, each technician's
// pointer over the customer's screen is shown on the others' consoles, a
// dot with their name, so nobody works blind. Positions go through the
// server (session.pointer), which names whose they are; at most one every
// 100 ms from this console, and nothing while nobody else is in.
import { register } from "./features.js";

let ctx = null;
let st = null;
let me = "";
const marks = new Map(); // technician ID -> { el, x, y }
let last = 0;
let pending = null;
let timer = 0;
let out = true; // our pointer is off the screen (as the others last heard)

// others reports whether another technician is in the session with us.
function others() {
  const members = st?.collaboration?.members || [];
  return members.some((m) => m.id !== me) || (members.length > 0 && st.technicianId !== me);
}

function send(p) {
  last = Date.now();
  ctx.signal.send("session.pointer", p);
}

function move(e) {
  if (!others()) return;
  const p = ctx.input.pos(e);
  if (!p) return leave();
  out = false;
  pending = { x: Math.round(p.x * 10000) / 10000, y: Math.round(p.y * 10000) / 10000 };
  const wait = 100 - (Date.now() - last);
  if (wait <= 0) {
    send(pending);
    pending = null;
  } else if (!timer) {
    timer = setTimeout(() => {
      timer = 0;
      if (pending) send(pending);
      pending = null;
    }, wait);
  }
}

function leave() {
  clearTimeout(timer);
  timer = 0;
  pending = null;
  if (out || !others()) return;
  out = true;
  send({ x: 0, y: 0, off: true });
}

// place puts mark m where its fractions fall on the screen as shown now.
function place(m) {
  const v = ctx.video;
  if (!v.videoWidth || !v.videoHeight) {
    m.el.hidden = true;
    return;
  }
  const r = v.getBoundingClientRect(), s = ctx.stage.getBoundingClientRect();
  const scale = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
  const w = v.videoWidth * scale, h = v.videoHeight * scale;
  m.el.style.left = `${r.left - s.left + (r.width - w) / 2 + m.x * w}px`;
  m.el.style.top = `${r.top - s.top + (r.height - h) / 2 + m.y * h}px`;
  m.el.hidden = false;
}

function show(p) {
  if (!p.tech || p.tech === me) return;
  let m = marks.get(p.tech);
  if (p.off) {
    if (m) m.el.hidden = true;
    return;
  }
  if (!m) {
    const el = document.createElement("div");
    el.className = "peer-pointer";
    el.dataset.tech = p.tech;
    const label = document.createElement("span");
    el.append(label);
    ctx.stage.append(el);
    m = { el, x: 0, y: 0 };
    marks.set(p.tech, m);
  }
  m.el.firstChild.textContent = p.name || p.tech;
  m.x = p.x;
  m.y = p.y;
  place(m);
}

// prune drops the marks of technicians no longer in the session.
function prune() {
  const here = new Set([st.technicianId, ...(st.collaboration?.members || []).map((m) => m.id)]);
  for (const [id, m] of marks) {
    if (!here.has(id)) {
      m.el.remove();
      marks.delete(id);
    }
  }
}

register({
  init(c) {
    ctx = c;
    ctx.signal.on("session.pointer", show);
    ctx.video.addEventListener("pointermove", move);
    ctx.video.addEventListener("pointerleave", leave);
    window.addEventListener("resize", () => marks.forEach(place));
  },
  setState(p, id) {
    st = p;
    me = id;
    prune();
  },
  ended() {
    for (const m of marks.values()) m.el.remove();
    marks.clear();
  },
});
