// The sending half of a file transfer (shared/protocol/file.go), for every
// page that sends files on the file-data channels: the console (files.js)
// and the customer's page in the browser alone (instant.js).

// HEADER is protocol.FileChunkHeader: [n uint32][offset uint64], big-endian.
export const HEADER = 12;
const CHUNK = 64 * 1024 - HEADER; // protocol.MaxFileChunk, header included
const HIGH = 1 << 20; // a channel's queue above which sending waits
const READ = 4 << 20; // read the file in slices of this size

// SHA256 is an incremental SHA-256 (crypto.subtle has no streaming digest).
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
export class SHA256 {
  constructor() {
    this.h = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    this.w = new Int32Array(64);
    this.buf = new Uint8Array(64);
    this.n = 0;
    this.len = 0;
  }
  update(bytes) {
    let i = 0;
    this.len += bytes.length;
    if (this.n) {
      while (this.n < 64 && i < bytes.length) this.buf[this.n++] = bytes[i++];
      if (this.n < 64) return;
      this.block(this.buf, 0);
      this.n = 0;
    }
    for (; i + 64 <= bytes.length; i += 64) this.block(bytes, i);
    while (i < bytes.length) this.buf[this.n++] = bytes[i++];
  }
  block(p, o) {
    const w = this.w, h = this.h;
    for (let j = 0; j < 16; j++, o += 4) w[j] = (p[o] << 24) | (p[o + 1] << 16) | (p[o + 2] << 8) | p[o + 3];
    for (let j = 16; j < 64; j++) {
      const a = w[j - 15], b = w[j - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[j] = (w[j - 16] + s0 + w[j - 7] + s1) | 0;
    }
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (let j = 0; j < 64; j++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[j] + w[j]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
  }
  // clone is a copy of the digest so far (hex ends the one it is called on).
  clone() {
    const c = new SHA256();
    c.h.set(this.h);
    c.buf.set(this.buf);
    c.n = this.n;
    c.len = this.len;
    return c;
  }
  hex() {
    const bits = this.len * 8;
    const pad = new Uint8Array(((this.n < 56 ? 56 : 120) - this.n) + 8);
    pad[0] = 0x80;
    const dv = new DataView(pad.buffer);
    dv.setUint32(pad.length - 8, Math.floor(bits / 0x100000000));
    dv.setUint32(pad.length - 4, bits >>> 0);
    const len = this.len;
    this.update(pad);
    this.len = len;
    return Array.from(this.h, (x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
  }
}

// waitLow resolves when dc's queue is low again (or dc closed).
export function waitLow(dc) {
  return new Promise((resolve) => {
    const done = () => { dc.removeEventListener("bufferedamountlow", done); dc.removeEventListener("close", done); resolve(); };
    dc.addEventListener("bufferedamountlow", done);
    dc.addEventListener("close", done);
  });
}

// sendChunks sends file as transfer n in chunks, each on the data channel
// pick() returns, hashing it on the way; o.sent follows, and setting
// o.stopped stops it (as it does when no channel is left: to o.lostAs, if
// set). It resolves to the file's SHA-256 in hex. A resumed transfer starts
// at from, with h the digest of the bytes before it.
export async function sendChunks(file, n, pick, o, from = 0, h = new SHA256()) {
  const size = file.size;
  // send() copies the message, so one buffer serves every chunk.
  const buf = new Uint8Array(HEADER + CHUNK);
  const dv = new DataView(buf.buffer);
  const read = (off) => file.slice(off, Math.min(off + READ, size)).arrayBuffer();
  let ahead = size > from ? read(from) : null;
  for (let off = from; off < size && !o.stopped;) {
    const slice = new Uint8Array(await ahead);
    // Read the next slice while this one is hashed and sent.
    ahead = off + slice.length < size ? read(off + slice.length) : null;
    h.update(slice);
    for (let i = 0; i < slice.length && !o.stopped; i += CHUNK) {
      const part = slice.subarray(i, Math.min(i + CHUNK, slice.length));
      dv.setUint32(0, n);
      dv.setUint32(4, Math.floor((off + i) / 0x100000000));
      dv.setUint32(8, (off + i) >>> 0);
      buf.set(part, HEADER);
      const dc = pick();
      const lost = () => { o.stopped = o.stopped || o.lostAs || { k: "error", reason: "disconnected" }; };
      if (!dc) { lost(); break; }
      while (dc.bufferedAmount > HIGH && dc.readyState === "open") await waitLow(dc);
      if (o.stopped) break;
      try { dc.send(part.length === CHUNK ? buf : buf.subarray(0, HEADER + part.length)); } catch { lost(); break; }
      o.sent = off + i + part.length;
    }
    off += slice.length;
  }
  ahead?.catch(() => {});
  return h.hex();
}

// hashPrefix is the SHA-256 digest of file's first n bytes (not ended).
export async function hashPrefix(file, n) {
  const h = new SHA256();
  for (let off = 0; off < n; off += READ) {
    h.update(new Uint8Array(await file.slice(off, Math.min(off + READ, n)).arrayBuffer()));
  }
  return h;
}
