// InputCapture turns the technician's mouse, wheel and keyboard over the remote
// screen into protocol input events. Positions are fractions of the remote screen,
// computed from the video's displayed content box, so any scaling maps right.
export class InputCapture {
  constructor(stage, video) {
    this.stage = stage;
    this.video = video;
    this.input = null;
    this.pointer = null;
    this.enabled = false;
    this.down = new Set();
    this.sent = 0;
    const on = (el, type, fn) => el.addEventListener(type, (e) => {
      if (!this.enabled) return;
      fn(e);
    }, { passive: false });
    on(video, "pointermove", (e) => {
      const p = this.pos(e);
      if (p) this.sendPointer({ k: "move", x: p.x, y: p.y });
    });
    on(video, "pointerdown", (e) => {
      e.preventDefault();
      this.keys.focus();
      const p = this.pos(e);
      if (p) this.send({ k: "button", b: e.button, d: true, x: p.x, y: p.y });
    });
    on(video, "pointerup", (e) => {
      e.preventDefault();
      const p = this.pos(e);
      if (p) this.send({ k: "button", b: e.button, d: false, x: p.x, y: p.y });
    });
    on(video, "contextmenu", (e) => e.preventDefault());
    on(video, "wheel", (e) => {
      e.preventDefault();
      const p = this.pos(e);
      if (!p) return;
      this.send({ k: "wheel", x: p.x, y: p.y, dx: Math.sign(e.deltaX), dy: Math.sign(e.deltaY) });
    });
    // Keys that are not characters (Enter, arrows, shortcuts) go from keydown as
    // physical keys. Characters land in a hidden text field first and go as
    // text, whatever produced them: a key, AltGr, a dead key, an input method or
    // an on-screen keyboard.
    const keys = stage.querySelector("textarea.keys");
    this.keys = keys;
    on(keys, "keydown", (e) => this.key(e, true));
    on(keys, "keyup", (e) => this.key(e, false));
    on(keys, "input", (e) => {
      if (e.isComposing || e.inputType === "insertCompositionText") return;
      const text = e.data ?? keys.value;
      keys.value = "";
      if (text) this.sendText(text);
    });
    on(keys, "compositionend", (e) => {
      keys.value = "";
      if (e.data) this.sendText(e.data);
    });
    keys.addEventListener("blur", () => this.releaseKeys());
  }

  attach(input, pointer) {
    this.input = input;
    this.pointer = pointer;
  }

  detach() {
    this.releaseKeys();
    this.input = this.pointer = null;
  }

  // pos maps a mouse event to fractions of the remote screen, or null outside it.
  pos(e) {
    const v = this.video;
    if (!v.videoWidth || !v.videoHeight) return null;
    const r = v.getBoundingClientRect();
    const scale = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
    const w = v.videoWidth * scale;
    const h = v.videoHeight * scale;
    const x = (e.clientX - r.left - (r.width - w) / 2) / w;
    const y = (e.clientY - r.top - (r.height - h) / 2) / h;
    if (x < 0 || x > 1 || y < 0 || y > 1) return null;
    return { x, y };
  }

  key(e, down) {
    if (e.isComposing || e.key === "Dead" || e.key === "Process" || e.key === "Unidentified") return;
    const character = [...e.key].length === 1 && !e.ctrlKey && !e.metaKey && !(e.altKey && !e.getModifierState("AltGraph"));
    if (character) return; // arrives as text through the input event
    if (!e.code || (!down && !this.down.has(e.code))) return;
    e.preventDefault();
    if (down) this.down.add(e.code);
    else this.down.delete(e.code);
    this.send({ k: "key", c: e.code, d: down });
  }

  // sendText types characters; a held Shift is lifted around them so it cannot
  // change them.
  sendText(text) {
    const shifts = [...this.down].filter((c) => c.startsWith("Shift"));
    for (const c of shifts) this.send({ k: "key", c, d: false });
    this.send({ k: "text", t: text });
    for (const c of shifts) this.send({ k: "key", c, d: true });
  }

  releaseKeys() {
    for (const c of this.down) this.send({ k: "key", c, d: false });
    this.down.clear();
  }

  send(ev) {
    if (this.input && this.input.readyState === "open") {
      this.input.send(JSON.stringify(ev));
      this.sent++;
    }
  }

  sendPointer(ev) {
    const ch = this.pointer && this.pointer.readyState === "open" ? this.pointer : null;
    if (ch) ch.send(JSON.stringify(ev));
  }
}
