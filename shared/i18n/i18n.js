// The pages' translator, one module for the console and the customer's page:
// t(key, ...args) is the page's string for key (the key itself if it has
// none), each %s or %d filled with the next argument, as i18n.T does on the
// server. strings() returns the table the page holds now.
export function translator(strings) {
  return (key, ...args) => {
    let s = strings()[key] ?? key;
    for (const a of args) s = s.replace(/%[sd]/, String(a));
    return s;
  };
}
