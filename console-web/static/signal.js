// Signal is the console's WebSocket to the signaling server: protocol envelopes in
// and out, reconnecting with backoff when the socket drops.
const VERSION = 1;

export class Signal {
  constructor(sid) {
    this.sid = sid;
    this.handlers = new Map();
    this.queue = [];
    this.ws = null;
    this.delay = 500;
    this.nextId = 1;
    this.retry = 0;
    this.hidden = false;
    // A page the browser keeps in its back/forward cache after the
    // technician moved on must not keep its socket: the server would count
    // a console nobody sees (its subscriptions, its pings) until the browser
    // drops the page, one more for every session opened. Close it when the
    // page is put away, connect again when it is shown.
    addEventListener("pagehide", (e) => {
      if (e.persisted) this.suspend();
    });
    addEventListener("pageshow", (e) => {
      if (e.persisted && this.hidden) {
        this.hidden = false;
        this.connect();
      }
    });
  }

  // open reports whether the socket is connected now.
  get open() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  // suspend closes the socket without reconnecting, until connect.
  suspend() {
    this.hidden = true;
    clearTimeout(this.retry);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      ws.close(1000, "page hidden");
    }
  }

  on(type, fn) {
    this.handlers.set(type, fn);
  }

  connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    // An external collaborator's limited console has a socket of its own.
    const path = document.getElementById("workspace")?.dataset.socket || "/ws/console";
    const ws = new WebSocket(`${proto}//${location.host}${path}`);
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 500;
      for (const m of this.queue.splice(0)) ws.send(m);
    };
    ws.onmessage = (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      // Messages for this technician's other sessions are not for this page.
      if (this.sid && m.sid && m.sid !== this.sid) return;
      const fn = this.handlers.get(m.type);
      if (fn) fn(m.payload || {}, m);
    };
    ws.onclose = (e) => {
      if (e.code === 1008 || e.code === 4401 || this.hidden) return;
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 10000);
    };
  }

  send(type, payload, sid = this.sid) {
    const m = JSON.stringify({ v: VERSION, type, id: String(this.nextId++), sid, payload });
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(m);
    else this.queue.push(m);
  }
}
