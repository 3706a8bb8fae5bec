// The recording banner of the customer's page: shown, in red, for as long as
// the technician records the session. One self-contained module: the page's
// CSP allows nothing else.
const root = document.getElementById("panel-recording");
const lang = document.documentElement.lang || "en";
const banner = document.createElement("p");
banner.id = "recording-banner";
banner.className = "recording-banner";
banner.setAttribute("role", "alert");
root.append(banner);
root.hidden = true;

const events = new EventSource("recording/events?lang=" + encodeURIComponent(lang));
document.addEventListener("lifeline:ended", () => { events.close(); root.hidden = true; });
events.onmessage = (e) => {
  const s = JSON.parse(e.data);
  banner.textContent = s.text;
  root.hidden = !s.on;
};
