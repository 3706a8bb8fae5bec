// Colleagues: the lead of a session invites an online colleague (with a
// comment), withdraws the invitation, removes a colleague and hands remote
// control over or takes it back; a colleague sees who is in and gives
// control back. The server checks each of these against who leads the
// session; this only shows the buttons that apply.
import { register } from "./features.js";

let ctx = null;
let panel = null;
let me = "";
let st = null; // the latest session.state
let online = []; // colleagues the lead may invite: [{id, name}]
let sent = false; // an action of this panel awaits the server
let refresh = 0;

const make = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

function button(label, id, fn) {
  const b = make("button", "", label);
  b.type = "button";
  b.dataset.action = id;
  b.addEventListener("click", fn);
  return b;
}

function send(action, tech, comment) {
  sent = true;
  const err = panel?.querySelector("#collab-error");
  if (err) err.hidden = true;
  const p = { action };
  if (tech) p.tech = tech;
  if (comment) p.comment = comment;
  ctx.signal.send("session.collaborate", p);
}

const leads = () => !!st && st.technicianId === me;
const closed = () => !st || st.state.startsWith("closed") || st.state === "timed_out";

// loadOnline lists the colleagues online now (the queue's list), for the lead.
async function loadOnline() {
  clearTimeout(refresh);
  if (!leads() || closed()) return;
  try {
    const res = await fetch("/console/queue.json", { cache: "no-store" });
    if (res.ok) {
      const v = await res.json();
      online = (v.technicians || []).filter((x) => x.status === "online");
      render();
    }
  } catch (e) {
    console.warn("colleagues", e);
  }
  refresh = setTimeout(loadOnline, 5000);
}

function render() {
  if (!panel || !st) return;
  const { t } = ctx;
  const c = st.collaboration || {};
  const members = c.members || [];
  const invited = c.invited || [];
  const controller = c.controller || "";
  const lead = leads();
  const here = new Set([...members.map((m) => m.id), ...invited.map((i) => i.id), st.technicianId]);

  let box = panel.querySelector(".collab");
  if (!box) {
    box = make("div", "collab");
    panel.append(box);
  }
  const list = make("ul", "collab-list");
  list.id = "collab-list";
  const leadItem = make("li", "", t("ws.collab.lead", st.technicianName || ""));
  leadItem.dataset.tech = st.technicianId;
  if (!controller && st.permissions?.control) leadItem.append(" ", make("span", "badge", t("ws.collab.inControl")));
  if (lead && controller && !closed()) leadItem.append(" ", button(t("ws.collab.takeControl"), "takeback", () => send("control", "")));
  list.append(leadItem);
  for (const m of members) {
    const li = make("li", "", m.name);
    li.dataset.tech = m.id;
    if (controller === m.id) li.append(" ", make("span", "badge", t("ws.collab.inControl")));
    const watching = m.role === "monitor";
    if (watching) li.append(" ", make("span", "badge", t("ws.collab.watching")));
    if (lead && !closed()) {
      if (controller !== m.id && !watching) li.append(" ", button(t("ws.collab.giveControl"), "control", () => send("control", m.id)));
      li.append(" ", button(t("ws.collab.remove"), "remove", () => send("remove", m.id)));
    }
    if (m.id === me && controller === me && !closed()) li.append(" ", button(t("ws.collab.giveBack"), "giveback", () => send("control", "")));
    list.append(li);
  }
  for (const i of invited) {
    const li = make("li", "muted", t("ws.collab.invited", i.name));
    li.dataset.tech = i.id;
    if (lead && !closed()) li.append(" ", button(t("ws.collab.withdraw"), "withdraw", () => send("withdraw", i.id)));
    list.append(li);
  }
  const old = box.querySelector("#collab-list");
  if (old) old.replaceWith(list);
  else box.prepend(list);
  inviteForm(box, lead && !closed() && ctx.may.collaborate, online.filter((x) => !here.has(x.id)));
  teamChat(box, members.length > 0 && !closed());
}

// teamChat shows (built once) the form for a message to the technicians in
// the session only: it goes to the session's log, never to the customer.
function teamChat(box, show) {
  const { t } = ctx;
  let form = box.querySelector("form.collab-chat");
  if (!form) {
    form = make("form", "collab-chat");
    const text = make("input");
    text.id = "collab-chat-text";
    text.maxLength = 2000;
    text.placeholder = t("ws.collab.chat");
    text.setAttribute("aria-label", t("ws.collab.chat"));
    const go = make("button", "", t("ws.collab.chatSend"));
    go.id = "collab-chat-send";
    go.type = "submit";
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!text.value.trim()) return;
      ctx.log.internal(text.value.trim());
      text.value = "";
    });
    form.append(text, go);
    box.querySelector("#collab-list").after(form);
  }
  form.hidden = !show;
}

// inviteForm shows (once built, the same elements: what the lead types
// stays) the form to invite one of choices, or says nobody is available.
function inviteForm(box, show, choices) {
  const { t } = ctx;
  let form = box.querySelector("form.collab-invite");
  if (!form) {
    form = make("form", "collab-invite");
    const pick = make("select");
    pick.id = "collab-pick";
    pick.setAttribute("aria-label", t("ws.collab.pick"));
    const comment = make("input");
    comment.id = "collab-comment";
    comment.maxLength = 500;
    comment.placeholder = t("ws.collab.comment");
    comment.setAttribute("aria-label", t("ws.collab.comment"));
    const go = make("button", "", t("ws.collab.invite"));
    go.id = "collab-invite";
    go.type = "submit";
    const none = make("p", "muted", t("ws.collab.none"));
    none.id = "collab-none";
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!pick.value) return;
      send("invite", pick.value, comment.value.trim());
      comment.value = "";
    });
    form.append(pick, comment, go, none);
    const err = make("p", "note");
    err.id = "collab-error";
    err.hidden = true;
    box.append(form, err);
  }
  form.hidden = !show;
  const pick = form.querySelector("#collab-pick");
  const was = pick.value;
  pick.replaceChildren(...choices.map((x) => {
    const o = make("option", "", x.name);
    o.value = x.id;
    return o;
  }));
  if (choices.some((x) => x.id === was)) pick.value = was;
  for (const e of [pick, form.querySelector("#collab-comment"), form.querySelector("#collab-invite")]) e.hidden = !choices.length;
  form.querySelector("#collab-none").hidden = choices.length > 0;
}

register({
  init(c) {
    ctx = c;
    panel = document.getElementById("panel-team");
  },
  setState(p, id) {
    const first = !st;
    me = id;
    st = p;
    sent = false;
    render();
    if (first) loadOnline();
  },
  error(p) {
    if (!sent || !panel) return;
    sent = false;
    const err = panel.querySelector("#collab-error");
    if (err) {
      err.textContent = p.message;
      err.hidden = false;
    }
  },
});
