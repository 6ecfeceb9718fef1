// A small RESP reply reader for the acceptor's slow paths: merging the
// per-shard parts of a command and coordinator round trips. Not used for
// single-shard replies, which are copied through untouched.

export type RespValue = string | number | bigint | null | boolean | RespValue[] | RespError;

export class RespError {
  constructor(public readonly message: string) {}
}

export interface ReadResult {
  value: RespValue;
  next: number;
}

function line(buf: Buffer, p: number): [string, number] {
  const e = buf.indexOf(13, p);
  return [buf.latin1Slice(p, e), e + 2];
}

/** Read one reply at buf[p]. Strings come back latin1. */
export function readReply(buf: Buffer, p: number): ReadResult {
  const t = buf[p];
  const [s, q] = line(buf, p + 1);
  switch (t) {
    case 0x2b: // +
      return { value: s, next: q };
    case 0x2d: // -
      return { value: new RespError(s), next: q };
    case 0x3a: { // :
      const n = Number(s);
      return { value: Number.isSafeInteger(n) ? n : BigInt(s), next: q };
    }
    case 0x24: // $
    case 0x3d: { // = verbatim
      const n = Number(s);
      if (n < 0) return { value: null, next: q };
      return { value: buf.latin1Slice(q, q + n), next: q + n + 2 };
    }
    case 0x5f: // _
      return { value: null, next: q };
    case 0x23: // #
      return { value: s === 't', next: q };
    case 0x2c: // ,
      return { value: s, next: q };
    case 0x2a: // *
    case 0x7e: // ~
    case 0x3e: // >
    case 0x25: { // %
      let n = Number(s);
      if (n < 0) return { value: null, next: q };
      if (t === 0x25) n *= 2;
      const out: RespValue[] = [];
      let r = q;
      for (let i = 0; i < n; i++) {
        const x = readReply(buf, r);
        out.push(x.value);
        r = x.next;
      }
      return { value: out, next: r };
    }
    default:
      throw new Error('resp-read: unexpected type byte ' + t);
  }
}

/** End offset of the reply starting at p (without decoding its strings). */
export function skipReply(buf: Buffer, p: number): number {
  const t = buf[p];
  let e = buf.indexOf(13, p);
  let n = 0;
  for (let i = p + 1; i < e; i++) n = buf[i] === 0x2d ? n : n * 10 + (buf[i] - 48);
  const neg = buf[p + 1] === 0x2d;
  e += 2;
  if (t === 0x24 || t === 0x3d) return neg ? e : e + n + 2;
  if (t === 0x2a || t === 0x7e || t === 0x3e || t === 0x25) {
    if (neg) return e;
    const k = t === 0x25 ? n * 2 : n;
    for (let i = 0; i < k; i++) e = skipReply(buf, e);
    return e;
  }
  return e;
}

/**
 * For an aggregate reply at p: the byte spans of its elements (for
 * re-interleaving MGET parts). Returns [starts, ends].
 */
export function elementSpans(buf: Buffer, p: number): [number[], number[]] {
  let e = buf.indexOf(13, p);
  const n = Number(buf.latin1Slice(p + 1, e));
  e += 2;
  const starts: number[] = [], ends: number[] = [];
  for (let i = 0; i < n; i++) {
    starts.push(e);
    e = skipReply(buf, e);
    ends.push(e);
  }
  return [starts, ends];
}
