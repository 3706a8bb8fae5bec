// Unattended access: the technician asks the customer whether the support
// team may connect to this computer when nobody is there, at any time, on
// weekdays during office hours, or on chosen days and hours; days and hours
// are the customer's (the agent puts in its computer's time zone, this
// browser's when it does not know it). The customer answers on their side,
// and the log says what they answered. The computer then appears on the
// Computers page.
import { register } from "./features.js";

let ctx = null;
const el = {};

function ask() {
  let window = {};
  if (el.window.value === "office") {
    window = { days: [1, 2, 3, 4, 5], from: "08:00", to: "18:00" };
  } else if (el.window.value === "custom") {
    const days = el.days.filter((b) => b.checked).map((b) => Number(b.value));
    if (!days.length || !el.from.value || !el.to.value || el.from.value === el.to.value) {
      ctx.log.event(ctx.t("ws.ua.badWindow"));
      return;
    }
    window = { days, from: el.from.value, to: el.to.value === "00:00" ? "24:00" : el.to.value };
  }
  if (window.days) window.zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  ctx.signal.send("unattended.ask", { window, customerZone: true });
  ctx.log.event(ctx.t("ws.ua.asked"));
}

// customFields are the chosen days (Monday first) and hours.
function customFields(c) {
  el.custom = document.createElement("span");
  el.custom.id = "ua-custom";
  el.custom.hidden = true;
  el.days = [1, 2, 3, 4, 5, 6, 0].map((d) => {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = String(d);
    box.name = "ua-day";
    box.checked = d >= 1 && d <= 5;
    label.append(box, " " + c.t("day." + d).slice(0, 3));
    label.title = c.t("day." + d);
    el.custom.append(label);
    return box;
  });
  for (const [name, value] of [["from", "08:00"], ["to", "18:00"]]) {
    const input = document.createElement("input");
    input.type = "time";
    input.id = "ua-" + name;
    input.value = value;
    input.setAttribute("aria-label", c.t("ws.ua." + name));
    el[name] = input;
    el.custom.append(input);
  }
  return el.custom;
}

register({
  init(c) {
    ctx = c;
    const group = document.createElement("div");
    group.className = "group";
    el.window = document.createElement("select");
    el.window.id = "ua-window";
    el.window.setAttribute("aria-label", c.t("ws.ua.window"));
    for (const [v, k] of [["always", "ws.ua.always"], ["office", "ws.ua.office"], ["custom", "ws.ua.custom"]]) {
      const o = document.createElement("option");
      o.value = v;
      o.textContent = c.t(k);
      el.window.append(o);
    }
    el.ask = document.createElement("button");
    el.ask.type = "button";
    el.ask.id = "ua-ask";
    el.ask.textContent = c.t("ws.ua.ask");
    el.ask.addEventListener("click", ask);
    el.window.addEventListener("change", () => { el.custom.hidden = el.window.value !== "custom"; });
    group.append(el.window, el.ask, customFields(c));
    document.getElementById("toolbar").append(group);
    c.signal.on("unattended.answer", (p) => {
      ctx.log.event(ctx.t(p.allow ? "ws.ua.allowed" : "ws.ua.refused"));
    });
  },
  ended() {
    if (el.ask) el.ask.disabled = true;
  },
});
