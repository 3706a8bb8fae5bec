// Light or dark: the system's choice (prefers-color-scheme) until the
// technician picks one with the header's toggle; the pick is remembered in
// this browser. A classic script in <head>, so the page never flashes the
// other theme.
(() => {
  const KEY = "lifeline.theme";
  const root = document.documentElement;
  let saved = "";
  try {
    saved = localStorage.getItem(KEY) || "";
  } catch {
    // Storage refused (private mode): the system's choice.
  }
  if (saved === "light" || saved === "dark") root.dataset.theme = saved;
  const dark = () => root.dataset.theme ? root.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  document.addEventListener("DOMContentLoaded", () => {
    const b = document.getElementById("theme-toggle");
    if (!b) return;
    const show = () => b.setAttribute("aria-pressed", String(dark()));
    show();
    b.addEventListener("click", () => {
      root.dataset.theme = dark() ? "light" : "dark";
      try {
        localStorage.setItem(KEY, root.dataset.theme);
      } catch {
        // Not remembered; still switched.
      }
      show();
    });
  });
})();
