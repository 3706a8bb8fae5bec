// Scripts from the administrator's library, run on the customer's machine in
// one click: the script and its attached files go to the agent over a data
// channel of the run's own ("script:<id>": the request as JSON in binary
// pieces, then {"type":"run"}; "stop" ends it). The agent runs it only while
// the customer allows commands, streams its output and says its exit code;
// output and exit code are kept in the session's log by the agent. A group
// may run one script at the start of each session, once the customer allows
// commands.
import { register } from "./features.js";

const PREFIX = "script:";
const PIECE = 16 << 10;

let ctx = null;
let pc = null;
let granted = false;
let over = false;
let list = null; // { scripts, atStart } from the server
let running = null; // { ch, name }
let seq = 0;
const el = {};

const startKey = () => `lifeline-start-script-${ctx.sid}`;

function build(panel) {
  const { t } = ctx;
  const h = document.createElement("h2");
  h.textContent = t("ws.script.title");
  el.state = document.createElement("p");
  el.state.id = "script-state";
  el.state.className = "muted";
  el.state.setAttribute("aria-live", "polite");
  el.ask = document.createElement("button");
  el.ask.type = "button";
  el.ask.id = "script-ask";
  el.ask.textContent = t("ws.term.ask");
  el.ask.addEventListener("click", () => ctx.signal.send("permission.request", { permission: "terminal" }));
  el.list = document.createElement("ul");
  el.list.id = "script-list";
  el.list.className = "script-list";
  el.status = document.createElement("p");
  el.status.id = "script-status";
  el.status.setAttribute("aria-live", "polite");
  el.stop = document.createElement("button");
  el.stop.type = "button";
  el.stop.id = "script-stop";
  el.stop.className = "danger";
  el.stop.textContent = t("ws.script.stop");
  el.stop.addEventListener("click", () => {
    if (running && running.ch.readyState === "open") running.ch.send(JSON.stringify({ type: "stop" }));
  });
  el.output = document.createElement("pre");
  el.output.id = "script-output";
  el.output.className = "script-output";
  el.output.setAttribute("aria-label", t("ws.script.output"));
  el.note = document.createElement("p");
  el.note.className = "muted";
  el.note.textContent = t("ws.script.bound");
  panel.append(h, el.state, el.ask, el.list, el.status, el.stop, el.output, el.note);
  load();
  render();
}

async function load() {
  try {
    const r = await fetch(`/console/sessions/${encodeURIComponent(ctx.sid)}/scripts`, { credentials: "same-origin" });
    if (!r.ok) throw new Error(await r.text());
    list = await r.json();
  } catch (e) {
    list = { scripts: [] };
    el.state.textContent = String(e.message || e);
  }
  render();
  maybeStart();
}

function render() {
  if (!el.state) return;
  const { t } = ctx;
  if (list) {
    el.state.textContent = over ? t("ws.term.ended") : !pc ? t("ws.term.noConnection") : !granted ? t("ws.term.notGranted") :
      list.scripts.length === 0 ? t("ws.script.none") : "";
  }
  el.ask.hidden = over || granted;
  el.ask.disabled = !pc;
  el.stop.hidden = !running;
  el.list.replaceChildren();
  for (const s of list?.scripts ?? []) {
    const li = document.createElement("li");
    li.className = "script-item";
    const name = document.createElement("strong");
    name.textContent = s.name;
    const lang = document.createElement("span");
    lang.className = "muted";
    lang.textContent = ` (${s.lang})`;
    const run = document.createElement("button");
    run.type = "button";
    run.className = "script-run";
    run.dataset.script = s.id;
    run.textContent = t("ws.script.run");
    run.setAttribute("aria-label", t("ws.script.runNamed", s.name));
    run.disabled = over || !pc || !granted || !!running;
    run.addEventListener("click", () => runScript(s));
    li.append(run, " ", name, lang);
    if (s.description) {
      const d = document.createElement("div");
      d.className = "muted";
      d.textContent = s.description;
      li.append(d);
    }
    if (s.files?.length) {
      const f = document.createElement("div");
      f.className = "muted";
      f.textContent = t("ws.script.files", s.files.join(", "));
      li.append(f);
    }
    el.list.append(li);
  }
}

// maybeStart runs the group's start script once a session, once the customer
// allows commands.
function maybeStart() {
  if (!list?.atStart || !pc || !granted || over || running) return;
  try {
    if (sessionStorage.getItem(startKey())) return;
    sessionStorage.setItem(startKey(), "1");
  } catch { /* no storage: run it */ }
  const s = list.scripts.find((x) => x.id === list.atStart);
  if (s) runScript(s, true);
}

async function runScript(s, atStart = false) {
  if (!pc || !granted || running) return;
  const { t } = ctx;
  let req;
  try {
    const r = await fetch(`/console/sessions/${encodeURIComponent(ctx.sid)}/scripts/${encodeURIComponent(s.id)}`, { credentials: "same-origin" });
    if (!r.ok) throw new Error(await r.text());
    req = new TextEncoder().encode(await r.text());
  } catch (e) {
    el.status.textContent = String(e.message || e);
    return;
  }
  if (!pc) return;
  seq += 1;
  const ch = pc.createDataChannel(`${PREFIX}s${seq}-${Math.random().toString(36).slice(2, 8)}`);
  ch.binaryType = "arraybuffer";
  running = { ch, name: s.name };
  el.output.textContent = "";
  el.status.textContent = t(atStart ? "ws.script.runningAtStart" : "ws.script.running", s.name);
  el.status.dataset.state = "running";
  delete el.status.dataset.code;
  const dec = new TextDecoder();
  ch.onopen = () => {
    for (let i = 0; i < req.length; i += PIECE) ch.send(req.subarray(i, i + PIECE));
    ch.send(JSON.stringify({ type: "run" }));
  };
  ch.onmessage = (e) => {
    if (typeof e.data !== "string") {
      el.output.textContent += dec.decode(new Uint8Array(e.data), { stream: true });
      el.output.scrollTop = el.output.scrollHeight;
      return;
    }
    let c;
    try { c = JSON.parse(e.data); } catch { return; }
    if (c.type === "exit") {
      el.status.textContent = t("ws.script.exited", s.name, c.code);
      el.status.dataset.state = "exit";
      el.status.dataset.code = String(c.code);
    } else if (c.type === "error") {
      el.status.textContent = t("ws.script.failed", s.name, String(c.text || ""));
      el.status.dataset.state = "error";
    }
  };
  ch.onclose = () => {
    if (el.status.dataset.state === "running") {
      el.status.textContent = t("ws.script.lost", s.name);
      el.status.dataset.state = "error";
    }
    running = null;
    render();
  };
  ctx.log.event(t("ws.script.ran", s.name));
  render();
}

register({
  init(c) {
    ctx = c;
    const panel = c.panel("scripts");
    if (panel) build(panel);
  },
  attach(p) {
    pc = p;
    render();
    maybeStart();
  },
  detach() {
    pc = null;
    render();
  },
  setPermissions(p) {
    granted = !!p.terminal;
    render();
    maybeStart();
  },
  ended() {
    over = true;
    if (running && running.ch.readyState === "open") running.ch.close();
    render();
  },
});
