// System information of the customer's machine, read only: a dashboard and
// the process list (sorted, filtered and paged by the agent, refreshed every
// 2 s while its tab shows), with End process after a confirmation. Requests
// and replies are JSON on the "sysinfo" data channel, open only while the
// customer allows system information (the agent refuses it otherwise).
import { register } from "./features.js";

const LABEL = "sysinfo";
const REFRESH = 2000;

let ctx = null;
let pc = null;
let ch = null;
let granted = false;
let over = false;
let tab = "dashboard";
let timer = 0;
let seq = 0;
const el = {};
const list = { sort: "cpu", desc: true, filter: "", page: 0 };
const pending = new Map(); // request id → callback

function h(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...kids);
  return e;
}

function bytes(n) {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
}

function duration(s) {
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return (d ? `${d} d ` : "") + `${hh} h ${m} min`;
}

function build(panel) {
  const { t } = ctx;
  el.state = h("p", { id: "sys-state", className: "muted" });
  el.state.setAttribute("aria-live", "polite");
  el.ask = h("button", { type: "button", id: "sys-ask", textContent: t("ws.sys.ask") });
  el.ask.addEventListener("click", () => ctx.signal.send("permission.request", { permission: "sysinfo" }));
  const tabs = h("div", { className: "sys-tabs" });
  tabs.setAttribute("role", "tablist");
  el.tabDash = h("button", { type: "button", id: "sys-tab-dashboard", textContent: t("ws.sys.dashboard") });
  el.tabProc = h("button", { type: "button", id: "sys-tab-processes", textContent: t("ws.sys.processes") });
  for (const [b, name] of [[el.tabDash, "dashboard"], [el.tabProc, "processes"]]) {
    b.setAttribute("role", "tab");
    b.addEventListener("click", () => show(name));
  }
  tabs.append(el.tabDash, el.tabProc);
  el.dash = h("dl", { id: "sys-dashboard", className: "sys-dashboard" });
  el.filter = h("input", { id: "sys-filter", type: "search", placeholder: t("ws.sys.filter") });
  el.filter.setAttribute("aria-label", t("ws.sys.filter"));
  el.filter.addEventListener("input", () => { list.filter = el.filter.value; list.page = 0; refresh(); });
  el.table = h("table", { id: "sys-processes", className: "sys-processes" });
  const head = h("tr");
  for (const [key, label] of [["name", "ws.sys.name"], ["pid", "ws.sys.pid"], ["user", "ws.sys.user"], ["cpu", "ws.sys.cpu"], ["mem", "ws.sys.mem"]]) {
    const b = h("button", { type: "button", textContent: t(label) });
    b.addEventListener("click", () => {
      list.desc = list.sort === key ? !list.desc : key === "cpu" || key === "mem";
      list.sort = key;
      refresh();
    });
    head.append(h("th", {}, b));
  }
  head.append(h("th"));
  el.body = h("tbody");
  el.table.append(h("thead", {}, head), el.body);
  el.pages = h("p", { className: "sys-pages muted" });
  el.prev = h("button", { type: "button", textContent: "‹" });
  el.next = h("button", { type: "button", textContent: "›" });
  el.prev.addEventListener("click", () => { list.page = Math.max(0, list.page - 1); refresh(); });
  el.next.addEventListener("click", () => { list.page += 1; refresh(); });
  el.note = h("p", { id: "sys-note", className: "sys-note" });
  el.note.setAttribute("role", "alert");
  el.procs = h("div", { id: "sys-procs" }, el.filter, el.table, h("div", { className: "row" }, el.prev, el.pages, el.next));
  panel.append(h("h2", { textContent: t("ws.sys.title") }), el.state, el.ask, tabs, el.note, el.dash, el.procs);
  show("dashboard");
}

function show(name) {
  tab = name;
  el.tabDash.setAttribute("aria-selected", String(name === "dashboard"));
  el.tabProc.setAttribute("aria-selected", String(name === "processes"));
  el.dash.hidden = name !== "dashboard";
  el.procs.hidden = name !== "processes";
  refresh();
}

function render() {
  if (!el.state) return;
  const { t } = ctx;
  const ready = ch && ch.readyState === "open";
  el.state.textContent = over ? t("ws.term.ended") : !pc ? t("ws.term.noConnection") : granted ? "" : t("ws.sys.notGranted");
  el.ask.hidden = over || granted;
  el.ask.disabled = !pc;
  clearTimeout(timer);
  if (ready && tab === "processes") timer = setTimeout(refresh, REFRESH);
}

function request(req, cb) {
  if (!ch || ch.readyState !== "open") return;
  seq += 1;
  const id = String(seq);
  pending.set(id, cb);
  ch.send(JSON.stringify({ ...req, id }));
}

// refresh asks for what the open tab shows; the process list asks again
// every REFRESH while its tab shows.
function refresh() {
  clearTimeout(timer);
  if (!ch || ch.readyState !== "open") return render();
  if (tab === "dashboard") {
    request({ op: "dashboard" }, (r) => r.dashboard && showDashboard(r.dashboard));
  } else {
    request({ op: "processes", sort: list.sort, desc: list.desc, filter: list.filter.slice(0, 256), page: list.page }, (r) => {
      if (r.processes) showProcesses(r.processes);
      render();
    });
  }
}

function showDashboard(d) {
  const { t } = ctx;
  const rows = [
    ["ws.sys.os", `${d.os}${d.kernel ? ` (${d.kernel})` : ""}`],
    ["ws.sys.host", d.hostname],
    ["ws.sys.uptime", duration(d.uptimeSec)],
    ["ws.sys.cpuModel", `${d.cpuModel || "?"} × ${d.cores}`],
    ["ws.sys.load", d.load.map((x) => x.toFixed(2)).join(" ")],
    ["ws.sys.memory", t("ws.sys.used", bytes(d.memTotal - d.memAvailable), bytes(d.memTotal))],
    ["ws.sys.user", d.user + (d.elevated ? ` (${t("ws.sys.elevated")})` : "")],
  ];
  for (const k of d.disks || []) rows.push(["ws.sys.disk", `${k.mount} (${k.fs}): ${t("ws.sys.free", bytes(k.free), bytes(k.total))}`]);
  for (const n of d.networks || []) rows.push(["ws.sys.network", `${n.name}${n.up ? "" : " ↓"}: ${n.addrs.join(", ")}`]);
  for (const b of d.batteries || []) rows.push(["ws.sys.battery", `${b.name}: ${b.percent} % ${b.status || ""}`]);
  el.dash.replaceChildren(...rows.flatMap(([k, v]) => [h("dt", { textContent: t(k) }), h("dd", { textContent: v })]));
  el.dash.querySelectorAll("dd")[1].id = "sys-hostname";
}

function showProcesses(ps) {
  const { t } = ctx;
  list.page = Math.min(list.page, Math.max(0, ps.pages - 1));
  el.pages.textContent = t("ws.sys.page", ps.page + 1, ps.pages, ps.total);
  el.prev.disabled = ps.page === 0;
  el.next.disabled = ps.page + 1 >= ps.pages;
  el.body.replaceChildren(...ps.list.map((p) => {
    const end = h("button", { type: "button", className: "danger sys-end", textContent: t("ws.sys.end") });
    end.dataset.pid = String(p.pid);
    end.addEventListener("click", () => endProcess(p));
    const tr = h("tr", {}, h("td", { textContent: p.name }), h("td", { textContent: String(p.pid) }),
      h("td", { textContent: p.user }), h("td", { textContent: p.cpu.toFixed(1) }), h("td", { textContent: bytes(p.mem) }), h("td", {}, end));
    tr.dataset.pid = String(p.pid);
    return tr;
  }));
}

function endProcess(p) {
  const { t } = ctx;
  if (!confirm(t("ws.sys.confirm", p.name, p.pid))) return;
  request({ op: "kill", pid: p.pid }, (r) => {
    el.note.textContent = r.error ? r.error : t("ws.sys.ended", p.name, p.pid);
    if (!r.error) ctx.log.event(t("ws.sys.ended", p.name, p.pid));
    refresh();
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
    if (r.error && !cb) el.note.textContent = r.error;
    cb?.(r);
  };
  ch.onclose = () => { ch = null; render(); };
}

register({
  init(c) {
    ctx = c;
    const panel = c.panel("sysinfo");
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
    granted = !!p.sysinfo;
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
