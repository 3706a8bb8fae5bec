// SessionLog is the workspace's running log: chat messages and session events,
// with time and author, shown as plain text (never HTML).
export class SessionLog {
  constructor(list, t) {
    this.list = list;
    this.t = t;
    this.entries = [];
  }

  // message adds a chat message; from is "technician" or "customer".
  message(from, author, text, at = Date.now()) {
    this.add({ kind: "message", from, author, text, at });
  }

  // event adds a session event ("control granted", "file received: …").
  event(text, at = Date.now()) {
    this.add({ kind: "event", text, at });
  }

  add(entry) {
    this.entries.push(entry);
    if (!this.list) return;
    const li = document.createElement("li");
    li.className = `log-${entry.kind}` + (entry.from ? ` log-${entry.from}` : "");
    const time = document.createElement("time");
    time.dateTime = new Date(entry.at).toISOString();
    time.textContent = new Date(entry.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    li.append(time, " ");
    if (entry.author) {
      const who = document.createElement("strong");
      who.textContent = entry.author;
      li.append(who, " ");
    }
    const body = document.createElement("span");
    body.textContent = entry.text;
    li.append(body);
    this.list.append(li);
    li.scrollIntoView({ block: "nearest" });
  }
}
