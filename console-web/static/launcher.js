// The "Get help" launcher: the technician picks one of the channels their
// groups serve and offers the customer an icon that asks for help on it in
// one click; the customer answers on their side and the log says what they
// answered.
import { register } from "./features.js";

let ctx = null;
const el = {};

function offer() {
  if (!el.channel.value) return;
  ctx.signal.send("launcher.offer", { channel: el.channel.value });
  ctx.log.event(ctx.t("ws.launcher.asked"));
}

async function channels() {
  const r = await fetch("/console/launcher-channels", { credentials: "same-origin" });
  if (!r.ok) return [];
  return r.json();
}

register({
  init(c) {
    ctx = c;
    const group = document.createElement("div");
    group.className = "group";
    group.hidden = true;
    el.channel = document.createElement("select");
    el.channel.id = "launcher-channel";
    el.channel.setAttribute("aria-label", c.t("ws.launcher.channel"));
    el.offer = document.createElement("button");
    el.offer.type = "button";
    el.offer.id = "launcher-offer";
    el.offer.textContent = c.t("ws.launcher.offer");
    el.offer.title = c.t("ws.launcher.title");
    el.offer.disabled = true;
    el.offer.addEventListener("click", offer);
    group.append(el.channel, el.offer);
    document.getElementById("toolbar").append(group);
    channels().then((list) => {
      for (const ch of list) {
        const o = document.createElement("option");
        o.value = ch.slug;
        o.textContent = ch.name;
        el.channel.append(o);
      }
      // Only with a channel to ask for help on.
      group.hidden = list.length === 0;
    }).catch(() => {});
    c.signal.on("launcher.answer", (p) => {
      ctx.log.event(ctx.t(p.allow ? "ws.launcher.allowed" : "ws.launcher.refused"));
    });
  },
  setState(p) {
    el.offer.disabled = !p.agentConnected || p.state !== "active";
  },
  ended() {
    if (el.offer) el.offer.disabled = true;
  },
});
