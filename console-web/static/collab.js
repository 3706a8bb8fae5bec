// Colleagues: the lead of a session invites an online colleague (with a
// comment and what they are granted: a subset of the lead's own
// permissions), changes a colleague's grant live, withdraws the
// invitation, removes a colleague and hands remote control over or takes it
// back; a colleague sees who is in and gives control back. The server checks each of these against who leads the
// session; this only shows the buttons that apply.
import { register } from "./features.js";

let ctx = null;
let panel = null;
let me = "";
let st = null; // the latest session.state
let online = []; // colleagues the lead may invite: [{id, name}]
let sent = false; // an action of this panel awaits the server
let refresh = 0;
const openGrants = new Set(); // colleagues whose permissions the lead has open

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

function send(action, tech, comment, grant) {
  sent = true;
  const err = panel?.querySelector("#collab-error");
  if (err) err.hidden = true;
  const p = { action };
  if (tech) p.tech = tech;
  if (comment) p.comment = comment;
  if (grant) p.grant = grant;
  ctx.signal.send("session.collaborate", p);
}

// What the lead may grant a colleague (protocol.Grantable), and what is
// checked on a new invitation (protocol.DefaultGrant). Chatting with the
// customer needs no permission of the lead's own.
const grantable = ["view", "control", "files", "clipboard", "drawing", "chat", "recording"];
const defaultGrant = ["view", "control"];
const mayGrant = (g) => g === "chat" || !!ctx.may[g];

// grants builds the checkboxes of what may be granted, checked for those in
// chosen, each named by prefix and the permission; onChange gets the list
// checked after each change.
function grants(prefix, chosen, onChange) {
  const { t } = ctx;
  const box = make("fieldset", "collab-grants");
  box.append(make("legend", "", t("ws.collab.grants")));
  for (const g of grantable.filter(mayGrant)) {
    const label = make("label");
    const c = make("input");
    c.type = "checkbox";
    c.id = prefix + g;
    c.value = g;
    c.checked = chosen.includes(g);
    if (onChange) c.addEventListener("change", () => onChange([...box.querySelectorAll("input:checked")].map((x) => x.value)));
    label.append(c, " ", t("ws.collab.grant." + g));
    box.append(label);
  }
  return box;
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
    if (m.external) li.append(" ", make("span", "badge external", t("ws.collab.external", m.by || "")));
    if (controller === m.id) li.append(" ", make("span", "badge", t("ws.collab.inControl")));
    const watching = m.role === "monitor";
    if (watching) li.append(" ", make("span", "badge", t("ws.collab.watching")));
    if (m.away) li.append(" ", make("span", "badge", t("ws.collab.away")));
    if (lead && !closed()) {
      const mayControl = !(m.denied || []).includes("control");
      if (controller !== m.id && !watching && mayControl) li.append(" ", button(t("ws.collab.giveControl"), "control", () => send("control", m.id)));
      li.append(" ", button(t("ws.collab.remove"), "remove", () => send("remove", m.id)));
      if (!watching && !m.external) li.append(" ", button(t("ws.collab.makeLead"), "lead", () => send("lead", m.id)));
      if (!watching) {
        const more = make("details", "collab-member-grants");
        if (openGrants.has(m.id)) more.open = true;
        more.addEventListener("toggle", () => (more.open ? openGrants.add(m.id) : openGrants.delete(m.id)));
        more.append(make("summary", "", t("ws.collab.permissions")),
          grants("grant-" + m.id + "-", m.grant || [], (g) => send("permissions", m.id, "", g)));
        li.append(more);
      }
    }
    if (m.id === me && controller === me && !closed()) li.append(" ", button(t("ws.collab.giveBack"), "giveback", () => send("control", "")));
    list.append(li);
  }
  if (lead && !closed() && members.some((m) => m.role !== "monitor" && !m.away)) {
    const li = make("li");
    li.dataset.tech = me;
    li.append(button(t("ws.collab.leaveLead"), "leave", () => send("leave", "")));
    list.append(li);
  }
  for (const i of invited) {
    const li = make("li", "muted", i.external ? (i.comment ? t("ws.collab.invitedExternalFor", i.comment) : t("ws.collab.invitedExternal")) : t("ws.collab.invited", i.name));
    li.dataset.tech = i.id;
    if (lead && !closed()) li.append(" ", button(t("ws.collab.withdraw"), "withdraw", () => send("withdraw", i.id)));
    list.append(li);
  }
  const old = box.querySelector("#collab-list");
  if (old) old.replaceWith(list);
  else box.prepend(list);
  inviteForm(box, lead && !closed() && ctx.may.collaborate, online.filter((x) => !here.has(x.id)));
  externalForm(box, lead && !closed() && ctx.may.invite_external);
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
    const chosen = grants("collab-grant-", defaultGrant);
    chosen.id = "collab-grants";
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!pick.value) return;
      send("invite", pick.value, comment.value.trim(), [...chosen.querySelectorAll("input:checked")].map((x) => x.value));
      comment.value = "";
    });
    form.append(pick, comment, chosen, go, none);
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
  for (const e of [pick, form.querySelector("#collab-comment"), form.querySelector("#collab-grants"), form.querySelector("#collab-invite")]) e.hidden = !choices.length;
  form.querySelector("#collab-none").hidden = choices.length > 0;
}

// externalForm shows (built once) the form to invite an external
// collaborator: someone with no account, let in by a link or a PIN (each
// good once, for 30 minutes unused) with what they are granted; the
// invitation made shows the link and the PIN to hand over.
function externalForm(box, show) {
  const { t } = ctx;
  let form = box.querySelector("form.collab-external");
  if (!form) {
    form = make("form", "collab-external");
    form.append(make("h3", "", t("ws.collab.externalTitle")));
    const comment = make("input");
    comment.id = "ext-comment";
    comment.maxLength = 500;
    comment.placeholder = t("ws.collab.externalComment");
    comment.setAttribute("aria-label", t("ws.collab.externalComment"));
    const chosen = grants("ext-grant-", ["view"]);
    chosen.id = "ext-grants";
    const go = make("button", "", t("ws.collab.externalInvite"));
    go.id = "ext-invite";
    go.type = "submit";
    const out = make("div", "ext-invitation");
    out.id = "ext-invitation";
    out.hidden = true;
    const err = make("p", "note");
    err.id = "ext-error";
    err.hidden = true;
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      err.hidden = true;
      const grant = [...chosen.querySelectorAll("input:checked")].map((x) => x.value);
      try {
        const res = await fetch(`/console/sessions/${encodeURIComponent(ctx.sid)}/external`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": ctx.csrf },
          body: JSON.stringify({ grant, comment: comment.value.trim() }),
        });
        const v = await res.json();
        if (!res.ok) throw new Error(v.message || res.statusText);
        const link = make("input");
        link.id = "ext-link";
        link.readOnly = true;
        link.value = v.link;
        link.setAttribute("aria-label", t("ws.collab.externalLink"));
        link.addEventListener("focus", () => link.select());
        const pin = make("p", "", t("ws.collab.externalPIN", v.joinUrl, ""));
        const code = make("strong", "ext-pin", v.pin);
        code.id = "ext-pin";
        pin.append(code);
        out.replaceChildren(make("p", "", t("ws.collab.externalLink")), link, pin, make("p", "muted", t("ws.collab.externalExpires", v.expires)));
        out.hidden = false;
        comment.value = "";
      } catch (x) {
        err.textContent = x.message;
        err.hidden = false;
      }
    });
    form.append(comment, chosen, go, out, err);
    box.append(form);
  }
  form.hidden = !show;
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
