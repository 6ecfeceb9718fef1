// Shard-side decoding of a request frame. Frames in rings were validated by
// the acceptor's scanner (or built by it), so this trusts the format.

import { LastName } from '../util/bytes';

/** Decode `*n $len bytes …` at buf[off, end) into args (latin1). Returns argc. */
export function parseFrame(buf: Buffer, off: number, end: number, args: string[]): number {
  let p = off + 1;
  let argc = 0;
  while (buf[p] !== 0x0d) argc = argc * 10 + (buf[p++] - 48);
  p += 2;
  for (let i = 0; i < argc; i++) {
    p++; // '$'
    let len = 0;
    while (buf[p] !== 0x0d) len = len * 10 + (buf[p++] - 48);
    p += 2;
    args[i] = i === 0 ? commandName(buf, p, len) : buf.latin1Slice(p, p + len);
    p += len + 2;
  }
  if (args.length > argc) args.length = argc;
  return argc;
}

// Pipelines repeat one command name: hand back the previous string when the
// bytes match (no allocation, and its hash is already cached for the Map
// lookup that follows).
const lastName = new LastName();
let lastNameStr = '';
function commandName(buf: Buffer, p: number, len: number): string {
  if (lastName.same(buf, p, len)) return lastNameStr;
  const s = buf.latin1Slice(p, p + len);
  if (lastName.remember(buf, p, len)) lastNameStr = s;
  return s;
}

/** Encode args (latin1 strings) as a RESP multibulk frame. */
export function encodeFrame(args: readonly string[]): Buffer {
  let n = 1 + String(args.length).length + 2;
  for (const a of args) n += 1 + String(a.length).length + 2 + a.length + 2;
  const b = Buffer.allocUnsafe(n);
  let p = b.latin1Write('*' + args.length + '\r\n', 0);
  for (const a of args) {
    p += b.latin1Write('$' + a.length + '\r\n', p);
    p += b.latin1Write(a, p);
    b[p++] = 13;
    b[p++] = 10;
  }
  return b;
}

/**
 * Encode byte-string args as a frame into `scratch` (grown when too small);
 * returns the buffer holding it at [0, length). For inline commands: the
 * frame is consumed before the next one is built.
 */
export function encodeFrameFromBuffers(args: readonly Uint8Array[], scratch: Buffer): Buffer {
  let n = 3 + digits(args.length);
  for (const a of args) n += 5 + digits(a.length) + a.length;
  const b = scratch.length >= n ? scratch : Buffer.allocUnsafeSlow(Math.max(n, scratch.length * 2));
  let p = writeHeader(b, 0, 42, args.length);
  for (const a of args) {
    p = writeHeader(b, p, 36, a.length);
    b.set(a, p);
    p += a.length;
    b[p++] = 13;
    b[p++] = 10;
  }
  return b.subarray(0, p);
}

function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** `<type><n>\r\n` at b[p]; returns the position after it. */
function writeHeader(b: Buffer, p: number, type: number, n: number): number {
  b[p++] = type;
  const d = digits(n);
  for (let i = d - 1; i >= 0; i--) {
    b[p + i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  p += d;
  b[p++] = 13;
  b[p++] = 10;
  return p;
}

/** Encode args given as byte ranges of src (acceptor: no decoding). */
export function encodeFrameFromRanges(src: Buffer, starts: ArrayLike<number>, ends: ArrayLike<number>, idx: ArrayLike<number>): Buffer {
  let n = 1 + String(idx.length).length + 2;
  for (let i = 0; i < idx.length; i++) {
    const len = ends[idx[i]] - starts[idx[i]];
    n += 1 + String(len).length + 2 + len + 2;
  }
  const b = Buffer.allocUnsafe(n);
  let p = b.latin1Write('*' + idx.length + '\r\n', 0);
  for (let i = 0; i < idx.length; i++) {
    const s = starts[idx[i]], e = ends[idx[i]];
    p += b.latin1Write('$' + (e - s) + '\r\n', p);
    p += src.copy(b, p, s, e);
    b[p++] = 13;
    b[p++] = 10;
  }
  return b;
}
