// The technician's connection to the customer's own page (the page the
// customer's program serves on their computer), a second peer beside the
// agent's: for what the agent need not decode, the technician's screen shown
// to the customer and voice. This side offers, the page answers; offer,
// answer and candidates travel as page.signal messages through the server
// (which checks the technician's group on each) and the agent. The media go
// browser to browser. Features set what they send (setTrack) and hear the
// page's decisions (on). One connection per workspace, shared: pagePeer(ctx).
// Every technician in the session (the lead, each colleague) has their own
// connection with the page; the server marks what this console sends as its
// technician's.
export class PagePeer {
  constructor(ctx) {
    this.ctx = ctx;
    this.pc = null;
    this.tracks = { video: null, audio: null };
    this.transceivers = {};
    this.listeners = new Map();
    this.busy = false; // an offer is out, its answer not in yet
    this.again = false; // something changed meanwhile: offer again after the answer
    this.pending = [];
    ctx.signal.on("page.signal", (p) => this.onSignal(p));
  }

  // on calls fn with every page signal of kind from the customer's page
  // ("closed", "call", "accept", "mute"), and "track" with the page's media.
  on(kind, fn) {
    if (!this.listeners.has(kind)) this.listeners.set(kind, []);
    this.listeners.get(kind).push(fn);
  }

  emit(kind, p) {
    for (const fn of this.listeners.get(kind) || []) fn(p);
  }

  send(kind, extra = {}) {
    this.ctx.signal.send("page.signal", { kind, ...extra });
  }

  // setTrack sends track (kind "video": the screen, "audio": the
  // microphone) to the page, or stops sending it (null), and negotiates
  // again; with nothing left to send the connection closes.
  setTrack(kind, track) {
    this.tracks[kind] = track;
    if (!this.tracks.video && !this.tracks.audio) {
      this.close();
      return;
    }
    if (!this.pc) this.open();
    const tr = this.transceivers[kind];
    if (tr) {
      tr.sender.replaceTrack(track);
      tr.direction = track ? (kind === "audio" ? "sendrecv" : "sendonly") : "inactive";
    } else if (track) {
      this.transceivers[kind] = this.pc.addTransceiver(track, { direction: kind === "audio" ? "sendrecv" : "sendonly" });
    }
    this.negotiate();
  }

  open() {
    const pc = new RTCPeerConnection({ iceServers: this.ctx.iceServers?.() || [] });
    this.pc = pc;
    this.transceivers = {};
    pc.onicecandidate = (e) => {
      if (this.pc === pc) this.send("candidate", e.candidate ? { candidate: e.candidate.toJSON() } : {});
    };
    pc.ontrack = (e) => {
      if (this.pc === pc) this.emit("track", e.track);
    };
  }

  close() {
    this.pc?.close();
    this.pc = null;
    this.transceivers = {};
    this.busy = this.again = false;
    this.pending = [];
  }

  async negotiate() {
    if (!this.pc) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    const pc = this.pc;
    try {
      const offer = await pc.createOffer();
      if (this.pc !== pc) return;
      await pc.setLocalDescription(offer);
      this.send("offer", { sdp: { type: offer.type, sdp: offer.sdp }, screen: !!this.tracks.video, voice: !!this.tracks.audio });
    } catch (e) {
      this.busy = false;
      console.warn("page peer: offer failed", e);
    }
  }

  async onSignal(p) {
    const pc = this.pc;
    switch (p.kind) {
      case "answer":
        if (!pc || pc.signalingState !== "have-local-offer") return;
        try {
          await pc.setRemoteDescription(p.sdp);
        } catch (e) {
          console.warn("page peer: answer refused", e);
        }
        for (const c of this.pending.splice(0)) pc.addIceCandidate(c).catch(() => {});
        this.busy = false;
        if (this.again) {
          this.again = false;
          this.negotiate();
        }
        return;
      case "candidate":
        if (!pc || !p.candidate) return;
        if (pc.remoteDescription) pc.addIceCandidate(p.candidate).catch(() => {});
        else this.pending.push(p.candidate);
        return;
    }
    // The customer's page reset what it had with this technician ("reset",
    // with its reason): features stop sharing and talking, and say why.
    // The connection itself is gone on the page's side.
    if (p.kind === "reset") this.close();
    this.emit(p.kind, p);
  }
}

let shared = null;

// pagePeer is the workspace's one connection to the customer's page.
export function pagePeer(ctx) {
  shared ??= new PagePeer(ctx);
  return shared;
}
