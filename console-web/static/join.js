// The invitation page: once the customer starts the download, say where the
// file is and how to open it (the guide the server wrote for this browser).
const guide = document.getElementById("after-download");
for (const a of document.querySelectorAll("a[data-download]")) {
  a.addEventListener("click", () => {
    if (!guide) return;
    guide.hidden = false;
    guide.scrollIntoView({ block: "nearest" });
  });
}
