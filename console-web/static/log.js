// SessionLog is the workspace's running log: chat messages and session events,
// with time and author, shown as plain text (never HTML). The server keeps it
// for the session: each entry is appended there as it happens (log.append),
// and every console that opens the session gets the whole log back
// (log.entries), so a reload, a second tab or the receiver of a transfer
// loses nothing.
import { formatTime } from "./i18n.js";

const MAX_TEXT = 12 * 1024; // protocol.MaxLogText

// newID returns a random ID (128 bits, hex). crypto.randomUUID exists only in
// secure contexts (HTTPS, localhost): a console reached over plain HTTP behind
// a TLS-terminating proxy on a LAN address has no randomUUID, and an entry
// that threw there stopped the session's state from updating.
export function newID() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export class SessionLog {
  constructor(list, t) {
    this.list = list;
    this.t = t;
    this.entries = [];
    this.signal = null;
    this.writable = () => false;
    this.me = ""; // this technician's ID: their messages read "You"
    this.incoming = null; // pages of a replay being received
  }

  // connect sends the entries to come to the server while writable() says
  // this console works on the session: every entry, or only its chat
  // messages while messagesOnly() says so (a colleague's page: the session's
  // events are the lead's to write).
  connect(signal, writable, messagesOnly = () => false) {
    this.signal = signal;
    this.writable = writable;
    this.messagesOnly = messagesOnly;
  }

  // message adds a chat message; from is "technician" or "customer". The
  // customer's messages reach the server's log from the agent itself (a
  // console may not write in the customer's name), under the ID the agent
  // gave them: this page only shows them, and a replay keeps one copy.
  message(from, author, text, at = Date.now(), id = "") {
    if (from === "customer") {
      this.show({ kind: "message", from, author, text: String(text).slice(0, MAX_TEXT), at, id: String(id || newID()) });
      return;
    }
    this.add({ kind: "message", from, author, text, at, by: this.me });
  }

  // event adds a session event ("control granted", "file received: …").
  event(text, at = Date.now()) {
    this.add({ kind: "event", text, at });
  }

  // internal adds a message for the technicians in the session only: it
  // goes to the server's log, never to the customer.
  internal(text, at = Date.now()) {
    const entry = { kind: "message", from: "technician", text: String(text).slice(0, MAX_TEXT), at, id: newID(), internal: true, by: this.me };
    if (!this.signal || !entry.text.trim()) return;
    this.signal.send("log.append", { id: entry.id, kind: "message", from: "technician", text: entry.text, at, internal: true });
    this.show(entry);
  }

  // note adds an event for this page only: what only it saw (the log saved).
  note(text, at = Date.now()) {
    this.show({ kind: "event", text, at, id: newID(), local: true });
  }

  add(entry) {
    entry.id = newID();
    entry.text = String(entry.text).slice(0, MAX_TEXT);
    if (this.signal && this.writable() && entry.text.trim() && (entry.kind === "message" || !this.messagesOnly?.())) {
      const { id, kind, text, at } = entry;
      this.signal.send("log.append", kind === "message" ? { id, kind, from: "technician", text, at } : { id, kind, text, at });
    }
    this.show(entry);
  }

  show(entry) {
    this.entries.push(entry);
    this.render(entry);
  }

  // replay takes one page of the server's log (log.entries); once the last
  // page is in, the server's log replaces what this page showed, followed by
  // what it added since (not in the server's log yet, or its own notes).
  replay(p) {
    if (p.append) {
      // A new line of a colleague's session: added after what is shown.
      const known = new Set(this.entries.map((e) => e.id).filter(Boolean));
      for (const e of Array.isArray(p.entries) ? p.entries : []) if (!e.id || !known.has(e.id)) this.show(e);
      return;
    }
    if (!p.offset || !this.incoming) this.incoming = [];
    this.incoming.push(...(Array.isArray(p.entries) ? p.entries : []));
    if (p.more) return;
    const server = this.incoming;
    this.incoming = null;
    const known = new Set(server.map((e) => e.id).filter(Boolean));
    const mine = this.entries.filter((e) => !known.has(e.id));
    this.entries = [];
    this.list?.replaceChildren();
    for (const e of server) this.show(e);
    for (const e of mine) this.show(e);
    if (this.list) this.list.dataset.replays = String(Number(this.list.dataset.replays || 0) + 1);
  }

  render(entry) {
    if (!this.list) return;
    const li = document.createElement("li");
    li.className = `log-${entry.kind === "full" ? "event" : entry.kind}` + (entry.from === "technician" || entry.from === "customer" ? ` log-${entry.from}` : "") + (entry.internal ? " log-internal" : "");
    const time = document.createElement("time");
    const at = new Date(Number(entry.at) || 0);
    time.dateTime = at.toISOString();
    time.textContent = formatTime(at);
    li.append(time, " ");
    let author = entry.author;
    if (entry.kind === "message" && entry.from === "technician" && (!entry.by || entry.by === this.me)) author = this.t("ws.chat.you");
    if (entry.kind === "message" && author) {
      const who = document.createElement("strong");
      who.textContent = String(author);
      li.append(who, " ");
    }
    if (entry.internal) li.append(Object.assign(document.createElement("small"), { textContent: this.t("ws.collab.internal") }), " ");
    const body = document.createElement("span");
    body.textContent = entry.kind === "full" ? this.t("ws.log.full") : String(entry.text);
    li.append(body);
    this.list.append(li);
    li.scrollIntoView({ block: "nearest" });
  }
}
