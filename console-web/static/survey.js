// Surveys: the technician sends the customer's survey before the end (the
// customer's page shows it at the end anyway), and fills in their own survey
// of the session when it ends: outcome, category, notes. The server checks
// and keeps each once (signaling/sessions/survey.go).
import { register } from "./features.js";

let ctx = null;
let view = null;
let btn = null;
let ended = false;
let asked = false; // the technician's survey was shown on this page
let seenJoined = false; // the customer's program was connected at the last look

const make = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const url = (p = "") => `/console/sessions/${encodeURIComponent(ctx.sid)}/survey${p}`;
const post = (p, body) =>
  fetch(url(p), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": ctx.csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const toast = (text) => window.dispatchEvent(new CustomEvent("lifeline", { detail: { kind: "refused", text } }));

async function load() {
  try {
    const res = await fetch(url(), { cache: "no-store" });
    if (res.ok) view = await res.json();
  } catch (e) {
    console.warn("survey", e);
  }
  sync();
  return view;
}

function sync() {
  if (!btn) return;
  btn.hidden = !view?.customer;
  btn.disabled = ended || !view || view.sent || !!view.answers?.customer;
}

async function send() {
  btn.disabled = true;
  const res = await post("/send");
  if (res.ok) {
    view.sent = true;
    ctx.log.event(ctx.t("ws.survey.sent", ctx.customer));
  } else {
    toast(await res.text());
  }
  sync();
}

// ask shows the technician's survey, once per page, if not answered yet.
async function ask() {
  if (asked) return;
  asked = true;
  const v = await load();
  if (!v || v.answers?.technician) return;
  const { t } = ctx;
  const dlg = make("dialog", "survey-dialog");
  dlg.id = "tech-survey";
  dlg.setAttribute("aria-labelledby", "tech-survey-title");
  const form = make("form");
  form.method = "dialog";
  const title = make("h2", "", t("ws.survey.title"));
  title.id = "tech-survey-title";
  form.append(title, make("p", "muted", t("ws.survey.intro", ctx.customer)));

  const outcome = make("fieldset");
  outcome.append(make("legend", "", t("ws.survey.resolution")));
  for (const r of ["resolved", "unresolved", "escalated"]) {
    const l = make("label", "check");
    const i = make("input");
    i.type = "radio";
    i.name = "resolution";
    i.value = r;
    i.id = `survey-${r}`;
    l.append(i, t(`ws.survey.${r}`));
    outcome.append(l);
  }
  form.append(outcome);

  let category;
  if (v.categories.length) {
    category = make("select");
    category.append(new Option(t("ws.survey.categoryNone"), ""));
    for (const c of v.categories) category.append(new Option(c, c));
  } else {
    category = make("input");
    category.maxLength = 80;
  }
  category.id = "survey-category";
  const cl = make("label", "", t("ws.survey.category"));
  cl.append(category);
  const notes = make("textarea");
  notes.id = "survey-notes";
  notes.rows = 4;
  notes.maxLength = 2000;
  const nl = make("label", "", t("ws.survey.notes"));
  nl.append(notes);
  form.append(cl, nl);

  const err = make("p", "error");
  err.id = "survey-error";
  err.setAttribute("role", "alert");
  err.hidden = true;
  if (v.required) form.append(make("p", "muted", t("ws.survey.required")));
  const row = make("div", "row");
  const save = make("button", "", t("ws.survey.submit"));
  save.type = "submit";
  save.id = "survey-save";
  row.append(save);
  if (!v.required) {
    const skip = make("button", "secondary", t("ws.survey.skip"));
    skip.type = "button";
    skip.id = "survey-skip";
    skip.addEventListener("click", () => dlg.close());
    row.append(skip);
  }
  form.append(err, row);
  dlg.append(form);
  // A required survey is not dismissed with Escape.
  dlg.addEventListener("cancel", (e) => {
    if (v.required) e.preventDefault();
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const picked = form.querySelector('input[name="resolution"]:checked');
    if (!picked) {
      err.textContent = t("ws.survey.pick");
      err.hidden = false;
      return;
    }
    save.disabled = true;
    const res = await post("", { resolution: picked.value, category: category.value, notes: notes.value });
    save.disabled = false;
    const done = () => {
      dlg.close();
      dlg.remove();
      window.dispatchEvent(new CustomEvent("lifeline-survey"));
    };
    if (res.ok) {
      ctx.log.note(t("ws.survey.saved"));
      done();
      return;
    }
    const msg = await res.text();
    if (res.status === 409) {
      // Answered already (another tab) or no longer this technician's.
      done();
      toast(msg);
      return;
    }
    err.textContent = t("ws.survey.failed", msg);
    err.hidden = false;
  });
  document.body.append(dlg);
  dlg.showModal();
}

register({
  init(c) {
    ctx = c;
    btn = make("button", "ic i-survey", c.t("ws.survey.send"));
    btn.type = "button";
    btn.id = "survey-send";
    btn.title = c.t("ws.survey.sendTip", c.customer);
    btn.hidden = true;
    btn.addEventListener("click", send);
    const end = document.getElementById("end-session");
    end?.parentElement.insertBefore(btn, end);
    const state = document.getElementById("workspace")?.dataset.state || "";
    ended = state.startsWith("closed") || state === "timed_out";
    // A session that ended before this page opened (a reload) still asks
    // the technician's survey if it is not answered.
    if (ended) ask();
    else load();
  },
  // The session's survey is known once the customer's program joined (its
  // welcome gives it): read again each time a program joins.
  setPermissions() {
    const joined = !!window.lifeline?.agentConnected;
    if (joined && !seenJoined && !ended) load();
    seenJoined = joined;
  },
  ended() {
    ended = true;
    sync();
    ask();
  },
});
