// The terminal panel of the customer's page: while the technician has
// terminals open on this computer it says so, with a button that closes them
// all and takes the terminal grant back. One self-contained module: the
// page's CSP allows nothing else.
const root = document.getElementById("panel-terminal");
const lang = document.documentElement.lang || "en";
const text = document.createElement("p");
text.id = "terminal-open";
text.className = "terminal-open";
text.setAttribute("role", "status");
const close = document.createElement("button");
close.id = "terminal-close";
close.type = "button";
close.className = "btn end";
root.append(text, close);
root.hidden = true;

close.addEventListener("click", () => {
  close.disabled = true;
  fetch("action", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ action: "revoke_terminal" }),
    credentials: "same-origin",
    cache: "no-store",
  }).finally(() => { close.disabled = false; });
});

const events = new EventSource("terminal/events?lang=" + encodeURIComponent(lang));
events.onmessage = (e) => {
  const s = JSON.parse(e.data);
  text.textContent = s.text;
  close.textContent = s.button;
  close.hidden = s.open === 0;
  root.hidden = s.open === 0 && !s.full;
};
