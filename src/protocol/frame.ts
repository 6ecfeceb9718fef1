// RESP request framing for the acceptor. Behaviour follows Redis 7.0's
// processMultibulkBuffer/processInlineBuffer, including their quirks: a line is
// located by its first '\r' (or '\n' for inline) and an embedded NUL byte hides
// it (Redis searches with strchr), the byte after '\r' and the two bytes after a
// bulk payload are skipped unchecked, and "too big" errors compare the whole
// unread input, not the line, against the inline limit.
//
// The multibulk path allocates nothing per command: arguments are reported as
// byte ranges of the caller's buffer and numbers are read straight from bytes.

export const SCAN_NEED_MORE = 0, SCAN_OK = 1, SCAN_ERROR = -1;

const CR = 13, LF = 10, NUL = 0, STAR = 42, DOLLAR = 36;

// Digits of LLONG_MAX and -LLONG_MIN: a 19-digit number is only valid up to them.
const LLMAX = [57, 50, 50, 51, 51, 55, 50, 48, 51, 54, 56, 53, 52, 55, 55, 53, 56, 48, 55];
const LLMIN = [57, 50, 50, 51, 51, 55, 50, 48, 51, 54, 56, 53, 52, 55, 55, 53, 56, 48, 56];

/**
 * Redis string2ll over buf[a,b): NaN when Redis would reject it. Validity is
 * exact over the whole long long range; magnitudes past 2^53 are approximate,
 * which is harmless because every caller compares them against far smaller limits.
 */
export function string2ll(buf: Uint8Array, a: number, b: number): number {
  const n = b - a;
  if (n === 0 || n >= 21) return NaN;
  if (n === 1 && buf[a] === 48) return 0;
  let p = a;
  const neg = buf[p] === 45;
  if (neg && ++p === b) return NaN;
  let c = buf[p];
  if (c < 49 || c > 57) return NaN;
  const d0 = p;
  let v = 0;
  for (; p < b; p++) {
    c = buf[p];
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + (c - 48);
  }
  const nd = b - d0;
  if (nd > 19) return NaN;
  if (nd === 19) {
    const lim = neg ? LLMIN : LLMAX;
    for (let i = 0; i < 19; i++) {
      const d = buf[d0 + i];
      if (d !== lim[i]) {
        if (d > lim[i]) return NaN;
        break;
      }
    }
  }
  return neg ? -v : v;
}

// C isspace() in the C locale.
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
function hexVal(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

/** Position of the first '\r' in buf[p,end), or -1 if absent or preceded by a NUL. */
function findCR(buf: Uint8Array, p: number, end: number): number {
  for (; p < end; p++) {
    const c = buf[p];
    if (c === CR) return p;
    if (c === NUL) return -1;
  }
  return -1;
}

let splitScratch = new Uint8Array(256);

export class FrameScanner {
  /** proto-max-bulk-len; set to Infinity for a master link (Redis exempts it). */
  maxBulkLen = 512 * 1024 * 1024;
  /** PROTO_INLINE_MAX_SIZE: unread bytes allowed while no line end is found. */
  maxInlineLen = 64 * 1024;
  /** Redis caps counts for clients that still must AUTH (10 args, 16384-byte bulks). */
  authRequired = false;

  argc = 0;
  argStart: Int32Array = new Int32Array(64);
  argEnd: Int32Array = new Int32Array(64);
  frameStart = 0;
  frameEnd = 0;
  inline = false;
  inlineArgs: Buffer[] = [];
  error = '';
  /**
   * After SCAN_NEED_MORE: the retry cannot succeed before `end - pos >= needBytes`
   * (set once a bulk's length is known). 0 = unknown, retry on any new data.
   */
  needBytes = 0;

  // Progress through a partially received multibulk, so a retry on the same
  // buffer and position resumes instead of rescanning every finished argument.
  private rBuf: Uint8Array | null = null;
  private rPos = 0;
  private rEnd = 0;
  private rNext = 0;
  private rArgc = 0;
  private rTotal = 0;

  /** Forget resume state; needed only if a buffer is reused for other data at the same offset. */
  reset(): void {
    this.rBuf = null;
  }

  /** Scan one command starting at buf[pos], with valid data up to `end`. */
  scan(buf: Buffer, pos: number, end: number): number {
    this.needBytes = 0;
    const resume = this.rBuf === buf && this.rPos === pos && this.rEnd <= end;
    this.rBuf = null;
    if (pos >= end) return SCAN_NEED_MORE;
    this.frameStart = pos;
    if (buf[pos] !== STAR) return this.scanInline(buf, pos, end);
    this.inline = false;

    let p: number, i: number, total: number;
    if (resume) {
      p = this.rNext;
      i = this.rArgc;
      total = this.rTotal;
    } else {
      const nl = findCR(buf, pos, end);
      if (nl < 0) {
        if (end - pos > this.maxInlineLen) return this.fail('Protocol error: too big mbulk count string');
        return SCAN_NEED_MORE;
      }
      if (nl + 2 > end) return SCAN_NEED_MORE;
      total = string2ll(buf, pos + 1, nl);
      if (!(total <= 2147483647)) return this.fail('Protocol error: invalid multibulk length');
      if (total > 10 && this.authRequired) return this.fail('Protocol error: unauthenticated multibulk length');
      p = nl + 2;
      if (total <= 0) {
        this.argc = 0;
        this.frameEnd = p;
        return SCAN_OK;
      }
      i = 0;
    }

    let starts = this.argStart, ends = this.argEnd;
    const maxBulk = this.maxBulkLen;
    while (i < total) {
      // Fast path: "$<digits>\r" with a canonical number short enough to be exact.
      let len = -1, hdrEnd = 0;
      if (p + 3 < end && buf[p] === DOLLAR) {
        let q = p + 1, c = buf[q];
        if (c >= 49 && c <= 57) {
          let v = c - 48;
          const lim = p + 16 < end ? p + 16 : end;
          while (++q < lim && (c = buf[q]) >= 48 && c <= 57) v = v * 10 + (c - 48);
          if (q + 1 < end && buf[q] === CR) { len = v; hdrEnd = q + 2; }
        } else if (c === 48 && buf[p + 2] === CR) {
          len = 0;
          hdrEnd = p + 4;
        }
      }
      if (len < 0) {
        const nl = findCR(buf, p, end);
        if (nl < 0) {
          if (end - p > this.maxInlineLen) return this.fail('Protocol error: too big bulk count string');
          return this.suspend(buf, pos, end, p, i, total);
        }
        if (nl + 2 > end) return this.suspend(buf, pos, end, p, i, total);
        const c = buf[p];
        if (c !== DOLLAR) {
          // Redis blanks CR/LF in formatted errors to keep the reply line intact.
          const ch = c === CR || c === LF ? ' ' : String.fromCharCode(c);
          return this.fail("Protocol error: expected '$', got '" + ch + "'");
        }
        len = string2ll(buf, p + 1, nl);
        if (!(len >= 0)) return this.fail('Protocol error: invalid bulk length');
        hdrEnd = nl + 2;
      }
      if (len > maxBulk) return this.fail('Protocol error: invalid bulk length');
      if (len > 16384 && this.authRequired) return this.fail('Protocol error: unauthenticated bulk length');
      const next = hdrEnd + len + 2;
      if (next > end) {
        this.suspend(buf, pos, end, p, i, total);
        this.needBytes = next - pos;
        return SCAN_NEED_MORE;
      }
      if (i === starts.length) {
        starts = this.grow(starts);
        ends = this.grow(ends);
        this.argStart = starts;
        this.argEnd = ends;
      }
      starts[i] = hdrEnd;
      ends[i] = hdrEnd + len;
      i++;
      p = next;
    }
    this.argc = total;
    this.frameEnd = p;
    return SCAN_OK;
  }

  private suspend(buf: Uint8Array, pos: number, end: number, p: number, i: number, total: number): number {
    this.rBuf = buf;
    this.rPos = pos;
    this.rEnd = end;
    this.rNext = p;
    this.rArgc = i;
    this.rTotal = total;
    return SCAN_NEED_MORE;
  }

  private grow(a: Int32Array): Int32Array {
    const b = new Int32Array(a.length * 2);
    b.set(a);
    return b;
  }

  private fail(msg: string): number {
    this.error = msg;
    this.argc = 0;
    return SCAN_ERROR;
  }

  private scanInline(buf: Buffer, pos: number, end: number): number {
    let nl = -1;
    for (let q = pos; q < end; q++) {
      const c = buf[q];
      if (c === LF) { nl = q; break; }
      if (c === NUL) break;
    }
    if (nl < 0) {
      if (end - pos > this.maxInlineLen) return this.fail('Protocol error: too big inline request');
      return SCAN_NEED_MORE;
    }
    const lineEnd = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
    const args = splitArgs(buf, pos, lineEnd);
    if (args === null) return this.fail('Protocol error: unbalanced quotes in request');
    this.inline = true;
    this.inlineArgs = args;
    this.argc = args.length;
    this.frameEnd = nl + 1;
    return SCAN_OK;
  }
}

/**
 * sdssplitargs over buf[a,b) (which holds no NUL): whitespace-separated tokens,
 * "..." with C-style and \xHH escapes, '...' with only \' escaped; a closing
 * quote must be followed by whitespace or the end. null = unbalanced quotes.
 */
export function splitArgs(buf: Uint8Array, a: number, b: number): Buffer[] | null {
  const out: Buffer[] = [];
  if (splitScratch.length < b - a) splitScratch = new Uint8Array(b - a);
  const s = splitScratch;
  let p = a;
  for (;;) {
    while (p < b && isSpace(buf[p])) p++;
    if (p >= b) return out;
    let inq = false, insq = false, done = false, n = 0;
    while (!done) {
      const c = p < b ? buf[p] : 0;
      if (inq) {
        const c1 = p + 1 < b ? buf[p + 1] : 0;
        if (c === 92 && c1 === 120 && p + 3 < b && isHex(buf[p + 2]) && isHex(buf[p + 3])) {
          s[n++] = hexVal(buf[p + 2]) * 16 + hexVal(buf[p + 3]);
          p += 3;
        } else if (c === 92 && c1 !== 0) {
          p++;
          s[n++] = c1 === 110 ? 10 : c1 === 114 ? 13 : c1 === 116 ? 9 : c1 === 98 ? 8 : c1 === 97 ? 7 : c1;
        } else if (c === 34) {
          if (c1 !== 0 && !isSpace(c1)) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          s[n++] = c;
        }
      } else if (insq) {
        const c1 = p + 1 < b ? buf[p + 1] : 0;
        if (c === 92 && c1 === 39) {
          p++;
          s[n++] = 39;
        } else if (c === 39) {
          if (c1 !== 0 && !isSpace(c1)) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          s[n++] = c;
        }
      } else if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0) {
        done = true;
      } else if (c === 34) {
        inq = true;
      } else if (c === 39) {
        insq = true;
      } else {
        s[n++] = c;
      }
      if (p < b) p++;
    }
    out.push(Buffer.from(s.subarray(0, n)));
  }
}
