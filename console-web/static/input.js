// Physical keys the agent can press by position ("remote" keyboard mode); the
// agent's scancode table holds the same codes.
const SCAN = /^(Key[A-Z]|Digit\d|F([1-9]|1\d|2[0-4])|Numpad(\d|Multiply|Subtract|Add|Decimal|Enter|Divide|Equal|Comma)|Arrow(Up|Down|Left|Right)|(Shift|Control|Alt|Meta|OS)(Left|Right)|Escape|Minus|Equal|Backspace|Tab|Bracket(Left|Right)|Enter|Semicolon|Quote|Backquote|Backslash|Comma|Period|Slash|Space|CapsLock|NumLock|ScrollLock|Intl(Backslash|Ro|Yen)|PrintScreen|Home|End|Page(Up|Down)|Insert|Delete|Pause|ContextMenu)$/;

// Modifiers the remote must see held exactly when the browser says so; a
// missed keydown (focus came back with Shift already down, a synthetic event)
// would otherwise type the wrong case.
const SYNCED = [["shiftKey", "Shift"], ["ctrlKey", "Control"]];

// InputCapture turns the technician's mouse, wheel and keyboard over the remote
// screen into protocol input events. Positions are fractions of the remote screen,
// computed from the video's displayed content box, so any scaling maps right.
//
// Keyboard modes: "remote" (default) sends physical keys (KeyboardEvent.code)
// that the customer's layout turns into characters, as if the technician's
// keyboard were plugged into the customer's computer; "local" sends the
// characters the technician's own layout produces (KeyboardEvent.key and the
// text field's input), so what is typed is what arrives whatever the layouts.
// In both, characters without a physical key (input methods, on-screen
// keyboards) arrive as text.
export class InputCapture {
  constructor(stage, video) {
    this.stage = stage;
    this.video = video;
    this.input = null;
    this.pointer = null;
    this.enabled = false;
    this.paused = false; // a tool (drawing, laser) has the pointer: nothing goes out
    this.down = new Map(); // code -> kind ("key" or "scan") it was pressed as
    this.sent = 0;
    this.swallow = false; // the last keydown went as a physical key
    this.mode = "remote";
    try {
      if (localStorage.getItem("lifeline.keyboard") === "local") this.mode = "local";
    } catch { /* storage disabled */ }
    // mapPoint, when set, maps a mouse event to fractions of the remote screen
    // (view modes with a transformed video); pos is the default.
    this.mapPoint = null;
    const on = (el, type, fn) => el.addEventListener(type, (e) => {
      if (!this.enabled || this.paused) return;
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
      if (this.swallow) {
        // The key already went as a physical key; a browser that still
        // delivers its character (DevTools' char events) must not type it twice.
        this.swallow = false;
        return;
      }
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
    if (this.mapPoint) return this.mapPoint(e);
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

  setMode(mode) {
    if (mode !== "remote" && mode !== "local") return;
    this.releaseKeys();
    this.mode = mode;
    try { localStorage.setItem("lifeline.keyboard", mode); } catch { /* storage disabled */ }
  }

  key(e, down) {
    if (this.mode === "remote" && SCAN.test(e.code) && !e.isComposing) {
      e.preventDefault(); // the customer's layout types it: nothing for the text field
      if (down) this.swallow = true;
      if (!down && !this.down.has(e.code)) return;
      if (down) this.syncModifiers(e);
      this.press("scan", e.code, down);
      return;
    }
    if (down) this.swallow = false;
    if (e.isComposing || e.key === "Dead" || e.key === "Process" || e.key === "Unidentified") return;
    const character = [...e.key].length === 1 && !e.ctrlKey && !e.metaKey && !(e.altKey && !e.getModifierState("AltGraph"));
    if (character) return; // arrives as text through the input event
    if (!e.code || (!down && !this.down.has(e.code))) return;
    e.preventDefault();
    this.press("key", e.code, down);
  }

  // syncModifiers presses or releases Shift and Control on the remote so that
  // they match the browser's view of them for this key.
  syncModifiers(e) {
    if (/^(Shift|Control)/.test(e.code)) return;
    for (const [flag, name] of SYNCED) {
      const held = [...this.down.keys()].filter((c) => c.startsWith(name));
      if (e[flag] && held.length === 0) this.press("scan", name + "Left", true);
      if (!e[flag]) for (const c of held) this.press(this.down.get(c), c, false);
    }
  }

  press(kind, code, down) {
    if (down) this.down.set(code, kind);
    else this.down.delete(code);
    this.send({ k: kind, c: code, d: down });
  }

  // combo presses keys (DOM codes, layout-independent names) in order and
  // releases them in reverse: Ctrl+Alt+Delete, Alt+Tab...
  combo(codes) {
    if (!this.enabled) return false;
    this.releaseKeys();
    for (const c of codes) this.send({ k: "key", c, d: true });
    for (const c of [...codes].reverse()) this.send({ k: "key", c, d: false });
    return true;
  }

  // sendText types characters; held modifiers (Shift, AltGr, Ctrl) are lifted
  // around them so they cannot change them on the remote.
  sendText(text) {
    const mods = [...this.down].filter(([c]) => /^(Shift|Control|Alt)/.test(c));
    for (const [c, kind] of mods) this.send({ k: kind, c, d: false });
    this.send({ k: "text", t: text });
    for (const [c, kind] of mods) this.send({ k: kind, c, d: true });
  }

  releaseKeys() {
    for (const [c, kind] of this.down) this.send({ k: kind, c, d: false });
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
