// System information of the customer's machine: a dashboard, the process
// list (sorted, filtered and paged by the agent, refreshed every 2 s while
// its tab shows) with End process after a confirmation, and the inventory
// tabs (services with start/stop/restart, applications, startup items,
// drivers, the event log by level), each filtered and paged by the agent;
// Export saves the whole report as a file. Requests and replies are JSON on
// the "sysinfo" data channel, open only while the customer allows system
// information (the agent refuses it otherwise).
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
// The inventory tabs: the op asked for and the columns shown (Entry fields).
const INVENTORY = {
  services: ["name", "state", "detail"],
  applications: ["name", "version", "detail"],
  startup: ["name", "state", "source", "detail"],
  drivers: ["name", "state", "detail"],
  events: ["time", "state", "source", "detail"],
};
const inv = { filter: "", page: 0, desc: false, level: "" };
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
  el.tabs = { dashboard: el.tabDash, processes: el.tabProc };
  for (const name of Object.keys(INVENTORY)) el.tabs[name] = h("button", { type: "button", id: `sys-tab-${name}`, textContent: t(`ws.sys.tab.${name}`) });
  for (const [name, b] of Object.entries(el.tabs)) {
    b.setAttribute("role", "tab");
    b.addEventListener("click", () => show(name));
    tabs.append(b);
  }
  el.export = h("button", { type: "button", id: "sys-export", textContent: t("ws.sys.export") });
  el.export.addEventListener("click", exportReport);
  tabs.append(el.export);
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
  buildInventory();
  panel.append(h("h2", { textContent: t("ws.sys.title") }), el.state, el.ask, tabs, el.note, el.dash, el.procs, el.inv);
  show("dashboard");
}

// buildInventory makes the one view the inventory tabs share: a filter, the
// event log's level, a note on administrator rights, the table and pages.
function buildInventory() {
  const { t } = ctx;
  el.invFilter = h("input", { id: "sys-inv-filter", type: "search", placeholder: t("ws.sys.filterAll") });
  el.invFilter.setAttribute("aria-label", t("ws.sys.filterAll"));
  el.invFilter.addEventListener("input", () => { inv.filter = el.invFilter.value; inv.page = 0; refresh(); });
  el.level = h("select", { id: "sys-level" });
  el.level.setAttribute("aria-label", t("ws.sys.level"));
  for (const [v, k] of [["", "ws.sys.level.all"], ["error", "ws.sys.level.error"], ["warning", "ws.sys.level.warning"], ["info", "ws.sys.level.info"]]) el.level.append(h("option", { value: v, textContent: t(k) }));
  el.level.addEventListener("change", () => { inv.level = el.level.value; inv.page = 0; refresh(); });
  el.admin = h("p", { id: "sys-admin", className: "muted", textContent: t("ws.sys.needsAdmin") });
  el.invTable = h("table", { id: "sys-entries", className: "sys-processes" });
  el.invHead = h("thead");
  el.invBody = h("tbody");
  el.invTable.append(el.invHead, el.invBody);
  el.invPages = h("p", { id: "sys-inv-pages", className: "sys-pages muted" });
  el.invPrev = h("button", { type: "button", textContent: "‹" });
  el.invNext = h("button", { type: "button", textContent: "›" });
  el.invPrev.addEventListener("click", () => { inv.page = Math.max(0, inv.page - 1); refresh(); });
  el.invNext.addEventListener("click", () => { inv.page += 1; refresh(); });
  el.inv = h("div", { id: "sys-inventory" }, h("div", { className: "row" }, el.invFilter, el.level), el.admin, el.invTable,
    h("div", { className: "row" }, el.invPrev, el.invPages, el.invNext));
}

function show(name) {
  const { t } = ctx;
  tab = name;
  for (const [n, b] of Object.entries(el.tabs)) b.setAttribute("aria-selected", String(n === name));
  el.dash.hidden = name !== "dashboard";
  el.procs.hidden = name !== "processes";
  el.inv.hidden = !INVENTORY[name];
  if (INVENTORY[name]) {
    Object.assign(inv, { filter: "", page: 0, desc: false, level: "" });
    el.invFilter.value = "";
    el.level.value = "";
    el.level.hidden = name !== "events";
    el.admin.hidden = true;
    const head = h("tr");
    for (const col of INVENTORY[name]) {
      const b = h("button", { type: "button", textContent: t(`ws.sys.col.${col}`) });
      if (col === "name") b.addEventListener("click", () => { inv.desc = !inv.desc; refresh(); });
      head.append(h("th", {}, col === "name" ? b : t(`ws.sys.col.${col}`)));
    }
    if (name === "services") head.append(h("th"));
    el.invHead.replaceChildren(head);
    el.invBody.replaceChildren();
  }
  refresh();
}

function render() {
  if (!el.state) return;
  const { t } = ctx;
  const ready = ch && ch.readyState === "open";
  el.state.textContent = over ? t("ws.term.ended") : !pc ? t("ws.term.noConnection") : granted ? "" : t("ws.sys.notGranted");
  el.export.disabled = !ready;
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
  } else if (INVENTORY[tab]) {
    const shown = tab;
    request({ op: tab, filter: inv.filter.slice(0, 256), page: inv.page, desc: inv.desc, level: tab === "events" ? inv.level : "" }, (r) => {
      if (tab !== shown) return;
      if (r.error) {
        el.invBody.replaceChildren();
        el.invPages.textContent = "";
        el.note.textContent = r.error;
        el.note.dataset.op = shown;
      } else if (r.entries) {
        if (el.note.dataset.op === shown) el.note.textContent = "";
        showEntries(shown, r.entries);
      }
    });
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
  const e = d.elevation;
  if (e) rows.push(["ws.sys.adminRights", e.blocked ? e.blocked : t(e.credentials ? "ws.sys.elevation.credentials" : "ws.sys.elevation.possible", e.method)]);
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

function showEntries(name, es) {
  const { t } = ctx;
  inv.page = Math.min(inv.page, Math.max(0, es.pages - 1));
  el.invPages.textContent = t("ws.sys.entries", es.page + 1, es.pages, es.total);
  el.invPrev.disabled = es.page === 0;
  el.invNext.disabled = es.page + 1 >= es.pages;
  el.admin.hidden = name !== "services" || !!es.elevated;
  el.invBody.replaceChildren(...es.list.map((e) => {
    const tr = h("tr");
    for (const col of INVENTORY[name]) {
      const v = col === "time" ? (e.time ? new Date(e.time).toLocaleString() : "") : e[col] || "";
      tr.append(h("td", { textContent: v }));
    }
    if (name === "services") {
      const cell = h("td");
      for (const action of ["start", "stop", "restart"]) {
        const b = h("button", { type: "button", className: "sys-service", textContent: t(`ws.sys.service.${action}`) });
        b.dataset.action = action;
        b.addEventListener("click", () => serviceAction(e.name, action));
        cell.append(b);
      }
      tr.append(cell);
    }
    tr.dataset.name = e.name;
    return tr;
  }));
}

function serviceAction(name, action) {
  const { t } = ctx;
  if (!confirm(t(`ws.sys.service.confirm.${action}`, name))) return;
  request({ op: "service", name, action }, (r) => {
    el.note.textContent = r.error ? r.error : t(`ws.sys.service.done.${action}`, name);
    delete el.note.dataset.op;
    if (!r.error) ctx.log.event(t(`ws.sys.service.done.${action}`, name));
    refresh();
  });
}

// ask sends a request and resolves with its reply.
function ask(req) {
  return new Promise((resolve) => request(req, resolve));
}

// exportReport gathers the whole report (every page of every tab; the
// event log's newest page) into one JSON file the technician downloads, and
// notes it, with its size and SHA-256, in the session's log.
async function exportReport() {
  const { t } = ctx;
  if (!ch || ch.readyState !== "open") return;
  el.export.disabled = true;
  el.note.textContent = t("ws.sys.exporting");
  const report = { exportedAt: new Date().toISOString() };
  const all = async (op, key, extra = {}, most = Infinity) => {
    const out = [];
    for (let page = 0; page < most; page++) {
      const r = await ask({ op, page, ...extra });
      if (r.error) return { error: r.error };
      out.push(...r[key].list);
      if (page + 1 >= r[key].pages) break;
    }
    return out;
  };
  const d = await ask({ op: "dashboard" });
  report.dashboard = d.error ? { error: d.error } : d.dashboard;
  report.processes = await all("processes", "processes", { sort: "name" });
  for (const name of Object.keys(INVENTORY)) report[name] = await all(name, "entries", {}, name === "events" ? 1 : Infinity);
  const text = JSON.stringify(report, null, 2);
  const bytes = new TextEncoder().encode(text);
  const host = (report.dashboard && report.dashboard.hostname) || "customer";
  const file = `system-information-${host.replace(/[^A-Za-z0-9._-]/g, "_")}-${report.exportedAt.slice(0, 19).replace(/[:T]/g, "-")}.json`;
  let sum = "";
  if (crypto.subtle) {
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    sum = Array.from(hash, (x) => x.toString(16).padStart(2, "0")).join("");
  }
  const a = h("a", { href: URL.createObjectURL(new Blob([bytes], { type: "application/json" })), download: file });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  const line = t("ws.sys.exported", file, bytes.length, sum || "-");
  el.note.textContent = line;
  delete el.note.dataset.op;
  ctx.log.event(line);
  el.export.disabled = false;
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
  ch.onopen = () => { render(); refresh(); };
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
