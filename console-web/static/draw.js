// Whiteboard and laser pointer: in "draw" mode the technician draws freehand on
// the remote screen (a canvas over the video, and an overlay on the customer's
// real screen, drawn by the agent); in "laser" mode a red dot follows the
// pointer on the customer's screen. In either mode nothing the technician does
// reaches the remote computer as input. Strokes go on the "draw" data channel
// (shared/protocol DrawMessage), positions as fractions of the remote screen.
// The agent draws only while the customer allows viewing.
import { register } from "./features.js";

const LABEL = "draw";
const MAX_POINTS = 256; // protocol.MaxDrawPoints per message
const WIDTHS = [2, 4, 6, 10, 16]; // in remote screen pixels
const COLORS = ["#ff0000", "#ffd400", "#00c853", "#2979ff", "#ffffff", "#000000"];

let ctx = null;
let el = {};
let ch = null;
let viewing = false;
let over = false;
let mode = null; // null, "draw" or "laser"
let strokes = []; // {id, c, w, p: [x0, y0, …]} in fractions, as sent
let current = null; // the stroke being drawn
let unsent = []; // points of current not yet sent
let laserAt = null; // pending laser position, sent on the next frame
let seq = 0;

let video = null;
let viewport = null; // the box that holds the video (and the canvas)
let input = null;

// Exposed for end-to-end tests and diagnostics.
window.lifelineDraw = {
  get mode() { return mode; },
  get strokes() { return strokes.length; },
  get ready() { return ready(); },
};

function ready() {
  return !over && viewing && ch?.readyState === "open";
}

function build(bar) {
  const { t } = ctx;
  const group = document.createElement("div");
  group.className = "group";
  group.setAttribute("role", "group");
  el.draw = toggle("draw-mode", t("ws.tools.draw"), () => setMode(mode === "draw" ? null : "draw"));
  el.laser = toggle("laser-mode", t("ws.tools.laser"), () => setMode(mode === "laser" ? null : "laser"));
  el.color = swatches(t);
  el.width = document.createElement("select");
  el.width.id = "draw-width";
  el.width.title = el.width.ariaLabel = t("ws.tools.width");
  for (const w of WIDTHS) {
    const o = document.createElement("option");
    o.value = String(w);
    o.textContent = `${w} px`;
    el.width.append(o);
  }
  el.width.value = "4";
  el.erase = document.createElement("button");
  el.erase.type = "button";
  el.erase.id = "draw-erase";
  el.erase.textContent = t("ws.tools.erase");
  el.erase.addEventListener("click", erase);
  group.append(el.draw, el.color, el.width, el.erase, el.laser);
  bar.append(group);

  el.canvas = document.createElement("canvas");
  el.canvas.id = "draw-canvas";
  el.canvas.className = "draw-canvas";
  viewport.append(el.canvas);
  el.hint = document.createElement("p");
  el.hint.id = "draw-hint";
  el.hint.className = "draw-hint";
  el.hint.hidden = true;
  viewport.append(el.hint);

  el.canvas.addEventListener("pointerdown", down);
  el.canvas.addEventListener("pointermove", move);
  el.canvas.addEventListener("pointerup", up);
  el.canvas.addEventListener("pointercancel", up);
  el.canvas.addEventListener("pointerleave", () => { if (mode === "laser") send({ k: "laser_off" }); });
  el.canvas.addEventListener("contextmenu", (e) => e.preventDefault());
  new ResizeObserver(place).observe(viewport);
  video.addEventListener("resize", place);
  sync();
}

// swatches is the colour picker: a menu of colour swatches, each named for
// screen readers and in its tooltip ("Red"), not a list of hex codes. Its
// value is the colour picked.
function swatches(t) {
  const menu = document.createElement("details");
  menu.className = "menu swatches";
  menu.id = "draw-color";
  const sum = document.createElement("summary");
  sum.title = t("ws.tools.color");
  const chip = document.createElement("span");
  chip.className = "swatch";
  const name = document.createElement("span");
  name.className = "visually-hidden";
  sum.append(chip, name);
  const items = document.createElement("div");
  items.className = "items swatch-list";
  items.setAttribute("role", "radiogroup");
  items.setAttribute("aria-label", t("ws.tools.color"));
  const pick = (c) => {
    menu.value = c;
    chip.style.background = c;
    name.textContent = `${t("ws.tools.color")}: ${t(`ws.tools.colour.${c}`)}`;
    for (const b of items.children) b.setAttribute("aria-checked", String(b.dataset.colour === c));
  };
  for (const c of COLORS) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "swatch-btn";
    b.setAttribute("role", "radio");
    b.dataset.colour = c;
    b.title = t(`ws.tools.colour.${c}`);
    b.setAttribute("aria-label", b.title);
    const s = document.createElement("span");
    s.className = "swatch";
    s.style.background = c;
    b.append(s);
    b.addEventListener("click", () => {
      pick(c);
      menu.open = false;
    });
    items.append(b);
  }
  menu.append(sum, items);
  pick(COLORS[0]);
  return menu;
}

function toggle(id, text, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.id = id;
  b.textContent = text;
  b.setAttribute("aria-pressed", "false");
  b.addEventListener("click", onClick);
  return b;
}

// setMode switches drawing or the laser on (one at a time) or off.
function setMode(m) {
  if (m && !ready()) m = null;
  if (mode === "laser" && m !== "laser") send({ k: "laser_off" });
  if (current) up();
  mode = m;
  // No input reaches the remote while a tool is on.
  if (input) {
    if (mode) input.releaseKeys();
    input.paused = !!mode;
  }
  sync();
}

// sync shows the state of the tools.
function sync() {
  if (!el.draw) return;
  const ok = ready();
  for (const b of [el.draw, el.laser, el.erase]) b.disabled = !ok;
  el.draw.setAttribute("aria-pressed", String(mode === "draw"));
  el.laser.setAttribute("aria-pressed", String(mode === "laser"));
  el.canvas.classList.toggle("active", !!mode);
  el.canvas.dataset.mode = mode || "";
  el.hint.hidden = !mode;
  el.hint.textContent = mode ? ctx.t("ws.tools.drawing", ctx.customer) : "";
  place();
}

// box is where the remote screen shows inside the viewport (its content, when
// it scrolls), in CSS pixels.
function box() {
  if (!video.videoWidth || !video.videoHeight) return null;
  const r = video.getBoundingClientRect(), s = viewport.getBoundingClientRect();
  const scale = Math.min(r.width / video.videoWidth, r.height / video.videoHeight);
  const w = video.videoWidth * scale, h = video.videoHeight * scale;
  return {
    left: r.left - s.left + viewport.scrollLeft + (r.width - w) / 2,
    top: r.top - s.top + viewport.scrollTop + (r.height - h) / 2,
    w, h,
  };
}

// place lays the canvas exactly over the remote screen and redraws.
function place() {
  const c = el.canvas;
  if (!c) return;
  const b = box();
  c.hidden = !b;
  if (!b) return;
  Object.assign(c.style, { left: `${b.left}px`, top: `${b.top}px`, width: `${b.w}px`, height: `${b.h}px` });
  const dpr = window.devicePixelRatio || 1;
  c.width = Math.round(b.w * dpr);
  c.height = Math.round(b.h * dpr);
  redraw();
}

function redraw() {
  const c = el.canvas, b = box();
  if (!c || !b) return;
  const g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  for (const s of strokes) paint(g, s, 0);
}

// paint draws stroke s on g from point index from (its segment to the previous point).
function paint(g, s, from) {
  const c = el.canvas;
  const px = c.width / video.videoWidth; // canvas pixels per remote pixel
  g.strokeStyle = g.fillStyle = s.c;
  g.lineWidth = Math.max(1, s.w * px);
  g.lineCap = g.lineJoin = "round";
  const n = s.p.length / 2;
  if (n === 1) {
    g.beginPath();
    g.arc(s.p[0] * c.width, s.p[1] * c.height, g.lineWidth / 2, 0, 2 * Math.PI);
    g.fill();
    return;
  }
  g.beginPath();
  const i0 = Math.max(0, from - 1);
  g.moveTo(s.p[2 * i0] * c.width, s.p[2 * i0 + 1] * c.height);
  for (let i = i0 + 1; i < n; i++) g.lineTo(s.p[2 * i] * c.width, s.p[2 * i + 1] * c.height);
  g.stroke();
}

// pos maps a pointer event to fractions of the remote screen.
function pos(e) {
  const r = el.canvas.getBoundingClientRect();
  const x = (e.clientX - r.left) / r.width, y = (e.clientY - r.top) / r.height;
  return { x: Math.min(1, Math.max(0, x)), y: Math.min(1, Math.max(0, y)), inside: x >= 0 && x <= 1 && y >= 0 && y <= 1 };
}

function down(e) {
  if (!mode || e.button !== 0) return;
  e.preventDefault();
  el.canvas.setPointerCapture(e.pointerId);
  const p = pos(e);
  if (mode === "laser") {
    laser(p);
    return;
  }
  current = { id: `s${++seq}-${Date.now().toString(36)}`, c: el.color.value, w: Number(el.width.value), p: [p.x, p.y] };
  strokes.push(current);
  unsent = [p.x, p.y];
  paint(el.canvas.getContext("2d"), current, 0);
  flush();
}

function move(e) {
  if (!mode) return;
  const p = pos(e);
  if (mode === "laser") {
    if (p.inside) laser(p);
    return;
  }
  if (!current) return;
  const n = current.p.length / 2;
  current.p.push(p.x, p.y);
  unsent.push(p.x, p.y);
  paint(el.canvas.getContext("2d"), current, n);
  if (unsent.length >= 2 * MAX_POINTS) flush();
  else scheduleFlush();
}

function up() {
  if (!current) return;
  flush();
  current = null;
}

let flushing = false;
function scheduleFlush() {
  if (flushing) return;
  flushing = true;
  requestAnimationFrame(() => { flushing = false; flush(); });
}

// flush sends the current stroke's new points.
function flush() {
  if (!current || unsent.length === 0) return;
  while (unsent.length) {
    const p = unsent.splice(0, 2 * MAX_POINTS);
    send({ k: "stroke", id: current.id, c: current.c, w: current.w, p });
  }
}

function laser(p) {
  const first = !laserAt;
  laserAt = p;
  if (!first) return;
  requestAnimationFrame(() => {
    if (laserAt && mode === "laser") send({ k: "laser", x: laserAt.x, y: laserAt.y });
    laserAt = null;
  });
}

function erase() {
  strokes = [];
  current = null;
  unsent = [];
  redraw();
  send({ k: "clear" });
}

function send(m) {
  if (ch?.readyState === "open") ch.send(JSON.stringify(m));
}

// forget clears the console's drawing: the agent erased its own.
function forget() {
  strokes = [];
  current = null;
  unsent = [];
  redraw();
}

register({
  init(c) {
    ctx = c;
    ({ video, input } = c);
    viewport = video.parentElement;
    build(document.getElementById("toolbar"));
  },
  attach(pc) {
    ch = pc.createDataChannel(LABEL, { ordered: true });
    const mine = ch;
    ch.onopen = sync;
    ch.onclose = () => {
      if (ch !== mine) return;
      forget();
      setMode(null);
    };
  },
  detach() {
    ch = null;
    forget();
    setMode(null);
  },
  setPermissions(p) {
    const was = viewing;
    viewing = !!p.view;
    if (was && !viewing) forget(); // the agent erased its side
    if (!viewing) setMode(null);
    else sync();
  },
  ended() {
    over = true;
    forget();
    setMode(null);
  },
});
