// The pages' translator, one module for the console and the customer's page:
// t(key, ...args) is the page's string for key (the key itself if it has
// none), each %s or %d filled with the next argument, as i18n.T does on the
// server. strings() returns the table the page holds now.
export function translator(strings) {
  return (key, ...args) => {
    const s = strings()[key] ?? key;
    // One pass: what an argument brings ("100%s.txt") is never filled in.
    let i = 0;
    return s.replace(/%[sd]/g, (m) => (i < args.length ? String(args[i++]) : m));
  };
}

// pageLang is the language of the page (its <html lang>).
function pageLang() {
  return globalThis.document?.documentElement?.lang || undefined;
}

// formatTime is the time of day of d (a Date or Unix milliseconds) as the
// page's language writes it: "11:23 PM" in English, "23:23" in French.
export function formatTime(d, lang = pageLang()) {
  return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" }).format(new Date(d));
}

// formatDateTime is the date and time of d as the page's language writes them.
export function formatDateTime(d, lang = pageLang()) {
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(d));
}
