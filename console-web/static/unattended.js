// Unattended access: the technician asks the customer whether the support
// team may connect to this computer when nobody is there, at any time or
// on weekdays during office hours (in this browser's time zone); the
// customer answers on their side, and the log says what they answered.
// The computer then appears on the Computers page.
import { register } from "./features.js";

let ctx = null;
const el = {};

function ask() {
  const window = el.window.value === "always" ? {} : {
    zone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    days: [1, 2, 3, 4, 5],
    from: "08:00",
    to: "18:00",
  };
  ctx.signal.send("unattended.ask", { window });
  ctx.log.event(ctx.t("ws.ua.asked"));
}

register({
  init(c) {
    ctx = c;
    const group = document.createElement("div");
    group.className = "group";
    el.window = document.createElement("select");
    el.window.id = "ua-window";
    el.window.setAttribute("aria-label", c.t("ws.ua.window"));
    for (const [v, k] of [["always", "ws.ua.always"], ["office", "ws.ua.office"]]) {
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
    group.append(el.window, el.ask);
    document.getElementById("toolbar").append(group);
    c.signal.on("unattended.answer", (p) => {
      ctx.log.event(ctx.t(p.allow ? "ws.ua.allowed" : "ws.ua.refused"));
    });
  },
  ended() {
    if (el.ask) el.ask.disabled = true;
  },
});
