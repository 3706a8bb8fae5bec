// Reboot and reconnect: the technician asks the customer to restart their
// computer; the customer confirms on their side, the session shows
// Rebooting while the computer restarts, and comes back when the program,
// started again after the customer logs in, is allowed to reconnect. The
// log says each step, and why the session ended when the computer did not
// come back in time (console.js: the status line).
import { register } from "./features.js";

let ctx = null;
let button = null;
let state = "";

function ask() {
  ctx.signal.send("permission.request", { permission: "reboot" });
  ctx.log.event(ctx.t("ws.reboot.asked"));
}

register({
  init(c) {
    ctx = c;
    button = document.createElement("button");
    button.type = "button";
    button.id = "reboot";
    button.className = "ic i-reboot";
    button.textContent = c.t("ws.reboot");
    button.title = c.t("ws.reboot.title");
    button.disabled = true;
    button.addEventListener("click", ask);
    const group = document.createElement("div");
    group.className = "group";
    group.append(button);
    document.getElementById("toolbar").append(group);
  },
  setState(p) {
    if (p.state !== state) {
      if (p.state === "rebooting") ctx.log.event(ctx.t("ws.reboot.started"));
      else if (state === "rebooting" && p.state === "closed_by_customer") ctx.log.event(ctx.t("ws.reboot.declined", ctx.customer));
      else if (state === "rebooting" && p.agentConnected) ctx.log.event(ctx.t("ws.reboot.back"));
    }
    state = p.state;
    // Nobody may be at an unattended computer to agree to a restart.
    button.disabled = !p.agentConnected || state !== "active" || !!p.unattended;
    button.title = ctx.t(p.unattended ? "ws.reboot.unattended" : "ws.reboot.title");
  },
  ended() {
    if (button) button.disabled = true;
  },
});
