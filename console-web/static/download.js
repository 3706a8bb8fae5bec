// Saving what the tools produce (screenshots, recordings) as downloads.

function stamp(d = new Date()) {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

// fileName is a safe download name: kind, the customer's name and the time.
export function fileName(customer, kind, ext) {
  const who = customer.normalize("NFKD").replace(/[^\w-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "customer";
  return `${kind}-${who}-${stamp()}.${ext}`;
}

// saveBlob offers blob to the technician as a download called name.
export function saveBlob(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}
