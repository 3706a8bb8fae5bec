// The technician's identity, which the signaling server cannot fake (see
// shared/identity for the format and docs/security.md for the model):
// - a per-technician ECDSA P-256 key made here with WebCrypto, non-extractable,
//   kept in IndexedDB, certified by the organisation's key for 12 hours
//   (POST /api/identity/certify);
// - a proof sent with every offer: the key's signature of the DTLS
//   fingerprint of this page's SDP, the session, a nonce and the time;
// - the check of the agent's answer: its certificate signed by one of the
//   organisation's keys (pinned here on first use) for this very session,
//   its signature of the fingerprint in the answer this page received;
// - the verification code of both fingerprints, shown on both sides.

const enc = new TextEncoder();
const WINDOW = 5 * 60 * 1000; // how far a proof's time may be from ours (identity.Window)

const bytesOf = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
const b64url = (buf) => b64(buf).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
function fromB64url(s) {
  s = s.replace(/-/g, "+").replace(/_/g, "/");
  while (s.length % 4) s += "=";
  return bytesOf(s);
}
function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// sdpFingerprint is identity.SDPFingerprint: the one DTLS fingerprint of an SDP.
export function sdpFingerprint(sdp) {
  let fp = "";
  for (let line of sdp.split("\n")) {
    line = line.replace(/\r$/, "");
    if (!line.startsWith("a=fingerprint:")) continue;
    const v = line.slice("a=fingerprint:".length).trim();
    const i = v.indexOf(" ");
    if (i < 0) throw new Error("bad fingerprint line");
    const got = v.slice(0, i).toLowerCase() + " " + v.slice(i + 1).trim().toUpperCase();
    if (fp && fp !== got) throw new Error("several fingerprints");
    fp = got;
  }
  if (!fp) throw new Error("no fingerprint");
  return fp;
}

// proof is identity.NewProof: key's signature, as kind ("technician" or
// "agent"), of the fingerprint of sdp for session sid, with its certificate.
export async function proof(key, cert, kind, sid, sdp) {
  const nonce = b64url(crypto.getRandomValues(new Uint8Array(16)));
  const time = Date.now();
  const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, message(kind, sid, sdpFingerprint(sdp), nonce, time));
  return { cert, nonce, time, sig: b64url(sig) };
}

// publicKey is identity.EncodeKey: base64 of the SPKI of an ECDSA public key.
export async function publicKey(key) {
  return b64(await crypto.subtle.exportKey("spki", key));
}

// message is identity.Message.
function message(kind, sid, fp, nonce, time) {
  return enc.encode(`lifeline-identity-v1\n${kind}\n${sid}\n${fp}\n${nonce}\n${time}`);
}

// verificationCode is identity.Code: six digits from both fingerprints.
export async function verificationCode(a, b) {
  if (b < a) [a, b] = [b, a];
  const sum = new DataView(await crypto.subtle.digest("SHA-256", enc.encode(a + "\n" + b)));
  const s = String(sum.getUint32(0) % 1000000).padStart(6, "0");
  return s.slice(0, 3) + " " + s.slice(3);
}

// The IndexedDB store of this browser's keys and the organisation's pinned keys.
function db() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open("lifeline-identity", 1);
    req.onupgradeneeded = () => req.result.createObjectStore("keys");
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
async function stored(name, value) {
  const d = await db();
  try {
    return await new Promise((resolve, reject) => {
      const tx = d.transaction("keys", value === undefined ? "readonly" : "readwrite");
      const req = value === undefined ? tx.objectStore("keys").get(name) : tx.objectStore("keys").put(value, name);
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    d.close();
  }
}

class Identity {
  constructor() {
    this.cert = null; // { cert, orgKeys, notAfter }
    this.pending = null;
    this.seen = new Set(); // nonces of the agent's proofs already accepted
    this.me = "";
    this.csrf = "";
  }

  // start certifies technician me's browser key (made on first use).
  start(me, csrf) {
    this.me = me;
    this.csrf = csrf;
    this.pending = this.certify();
    return this.pending;
  }

  async certify() {
    if (!window.crypto?.subtle || !window.indexedDB) throw new Error("WebCrypto");
    const name = "technician:" + this.me;
    let pair = await stored(name);
    if (!pair) {
      pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
      await stored(name, pair);
    }
    this.pair = pair;
    const key = await publicKey(pair.publicKey);
    const res = await fetch("/api/identity/certify", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": this.csrf },
      body: JSON.stringify({ key }),
    });
    if (!res.ok) throw new Error((await res.text()).trim() || String(res.status));
    const got = await res.json();
    // The organisation's keys are pinned on first use: a server that hands
    // out keys sharing none with the pinned ones is not believed (a rotation
    // keeps the old key beside the new one).
    const pinned = await stored("org");
    if (pinned && !got.orgKeys.some((k) => pinned.includes(k))) throw new Error("organisation key changed");
    await stored("org", got.orgKeys);
    this.cert = got;
    return got;
  }

  // ready returns a certificate valid for a few more minutes.
  async ready() {
    if (!this.pending) throw new Error("not started");
    let c = await this.pending;
    if (c.notAfter - Date.now() < WINDOW) {
      this.pending = this.certify();
      c = await this.pending;
    }
    return c;
  }

  // prove signs the fingerprint of this page's SDP for session sid.
  async prove(sid, sdp) {
    const c = await this.ready();
    return proof(this.pair.privateKey, c.cert, "technician", sid, sdp);
  }

  // checkAnswer verifies the agent's proof of the answer it sent for
  // session sid; it throws with the reason, or returns the certificate body.
  async checkAnswer(sid, answer) {
    const p = answer.identity;
    if (!p) throw new Error("no proof of identity");
    const c = await this.ready();
    const [bodyS, sigS] = String(p.cert).split(".");
    if (!bodyS || !sigS) throw new Error("malformed certificate");
    const body = fromB64url(bodyS);
    const signed = concat(enc.encode("lifeline-cert-v1\n"), body);
    let ok = false;
    for (const k of c.orgKeys) {
      const key = await crypto.subtle.importKey("raw", bytesOf(k), { name: "Ed25519" }, false, ["verify"]);
      if (await crypto.subtle.verify({ name: "Ed25519" }, key, fromB64url(sigS), signed)) {
        ok = true;
        break;
      }
    }
    if (!ok) throw new Error("certificate not signed by the organisation");
    const cert = JSON.parse(new TextDecoder().decode(body));
    if (cert.kind !== "agent") throw new Error("certificate of the wrong kind");
    // The server certifies an agent's key for the one session it joined: a
    // genuine key of another session (or of a download, before) is refused.
    if (cert.sid !== sid) throw new Error("certificate of another session");
    if (Date.now() > cert.notAfter * 1000) throw new Error("certificate expired");
    const key = await crypto.subtle.importKey("spki", bytesOf(cert.key), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    const msg = message("agent", sid, sdpFingerprint(answer.sdp), p.nonce, p.time);
    if (!(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, fromB64url(p.sig), msg))) {
      throw new Error("signature does not match");
    }
    if (Math.abs(Date.now() - p.time) > WINDOW) throw new Error("signature too old");
    if (this.seen.has(p.nonce)) throw new Error("signature replayed");
    this.seen.add(p.nonce);
    return cert;
  }
}

// identity is this page's technician identity.
export const identity = new Identity();

// showCode shows the connection's verification code after el (the status
// line), or with alarm set why the customer's program was refused.
export function showCode(el, text, alarm = false) {
  let p = document.getElementById("verify-code");
  if (!p) {
    p = document.createElement("p");
    p.id = "verify-code";
    el.after(p);
  }
  p.className = alarm ? "verify-code alarm" : "verify-code";
  p.setAttribute("role", alarm ? "alert" : "status");
  p.hidden = !text;
  p.textContent = text || "";
}
