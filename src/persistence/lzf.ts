// LZF (liblzf 3.x format), as Redis uses it for RDB strings and compressed
// quicklist nodes.
//
// Compressed stream, a sequence of:
//   000LLLLL <L+1 bytes>           literal run of 1..32 bytes
//   LLLooooo oooooooo              back reference, length L+2 (L = 1..6)
//   111ooooo LLLLLLLL oooooooo     back reference, length L+9
// where the offset o+1 (1..8192) counts back from the output position.
//
// The compressor follows the decisions of Redis's build of lzf_compress
// (VERY_FAST, 16-bit hash table, back references up to 264 bytes, the same
// output-size checks), so its output is byte-for-byte what Redis produces in
// the usual case. Redis leaves its hash table uninitialised between calls,
// which on rare inputs can make it find a different (equally valid) match;
// this version always starts from an empty table.

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * Hash table of input positions, shared by all calls. A slot holds
 * `base + position + 1` for the call that wrote it; each call gets a base
 * above every value earlier calls stored, so stale slots read as empty
 * without clearing 256 KB per call.
 */
const htab = new Int32Array(HSIZE);
let nextBase = 0;

function idx(h: number): number {
  // h holds the next three input bytes; only its low 24 bits matter here.
  return ((h >>> 8) - h * 5) & (HSIZE - 1);
}

/**
 * Compress `input` into at most `outLen` bytes. Returns the compressed bytes,
 * or null when the result would not fit (Redis then stores the data as is).
 */
export function lzfCompress(input: Uint8Array, outLen: number): Uint8Array | null {
  const inLen = input.length;
  if (inLen === 0 || outLen <= 0) return null;
  // A little slack: the final literal flush may write up to 3 bytes past
  // the point where the last size check happened, all within outLen.
  const out = new Uint8Array(outLen + 8);
  if (nextBase + inLen + 2 > 0x7fffffff) {
    htab.fill(0);
    nextBase = 0;
  }
  const base = nextBase;
  nextBase = base + inLen + 1;
  const tab = htab;
  const ip0 = input;
  let ip = 0;
  let op = 1; // first literal run header at 0
  let lit = 0;
  const inEnd = inLen;
  const outEnd = outLen;

  // The last two bytes can only be literals. liblzf copies them after one
  // final room check (3 bytes); `tail` marks that the check was made.
  let tail = false;
  let hval = (ip0[0] << 8) | ip0[1];
  while (ip < inEnd) {
    if (ip < inEnd - 2) {
      hval = ((hval << 8) | ip0[ip + 2]) & 0xffffff;
      const slot = idx(hval);
      const stored = tab[slot];
      const refPlus = stored > base ? stored - base : 0;
      tab[slot] = base + ip + 1;
      const ref = refPlus - 1;
      let off: number;
      if (
        refPlus !== 0 &&
        ref < ip &&
        (off = ip - ref - 1) < MAX_OFF &&
        ref > 0 &&
        ip0[ref + 2] === ip0[ip + 2] &&
        ip0[ref] === ip0[ip] &&
        ip0[ref + 1] === ip0[ip + 1]
      ) {
        // Match: measure it exactly as liblzf does.
        let len = 2;
        let maxlen = inEnd - ip - len;
        if (maxlen > MAX_REF) maxlen = MAX_REF;

        if (op + 3 + 1 >= outEnd) {
          if (op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
        }

        out[op - lit - 1] = lit - 1; // close the literal run
        if (lit === 0) op--; // drop an empty run header

        let done = false;
        if (maxlen > 16) {
          // liblzf checks 16 bytes unconditionally here, which can carry the
          // match up to 2 bytes past maxlen; reproduced for identical output.
          for (let k = 0; k < 16; k++) {
            len++;
            if (ip0[ref + len] !== ip0[ip + len]) {
              done = true;
              break;
            }
          }
        }
        if (!done) {
          do len++;
          while (len < maxlen && ip0[ref + len] === ip0[ip + len]);
        }

        len -= 2; // the stored length is the match length minus 2
        ip++;

        if (len < 7) {
          out[op++] = (off >> 8) + (len << 5);
        } else {
          out[op++] = (off >> 8) + (7 << 5);
          out[op++] = len - 7;
        }
        out[op++] = off & 0xff;

        lit = 0;
        op++; // open a new literal run

        ip += len + 1;
        if (ip < inEnd - 2) {
          // VERY_FAST: hash the last two positions of the match.
          ip -= 2;
          hval = (ip0[ip] << 8) | ip0[ip + 1];
          hval = ((hval << 8) | ip0[ip + 2]) & 0xffffff;
          tab[idx(hval)] = base + ip + 1;
          ip++;
          hval = ((hval << 8) | ip0[ip + 2]) & 0xffffff;
          tab[idx(hval)] = base + ip + 1;
          ip++;
        }
        continue;
      }
    } else if (!tail) {
      tail = true;
      if (op + 3 > outEnd) return null;
    }
    // One more literal byte (never out of room once `tail` is set).
    if (op >= outEnd) return null;
    lit++;
    out[op++] = ip0[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  if (!tail && op + 3 > outEnd) return null;

  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;

  return out.subarray(0, op);
}

/**
 * Decompress `input`, which must expand to exactly `outLen` bytes. Returns
 * null on a malformed stream or any other length (Redis's "Invalid LZF
 * compressed string").
 */
export function lzfDecompress(input: Uint8Array, outLen: number): Uint8Array | null {
  const out = new Uint8Array(outLen);
  const inEnd = input.length;
  let ip = 0;
  let op = 0;
  while (ip < inEnd) {
    let ctrl = input[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen) return null;
      if (ip + ctrl > inEnd) return null;
      out.set(input.subarray(ip, ip + ctrl), op);
      op += ctrl;
      ip += ctrl;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= inEnd) return null;
      if (len === 7) {
        len += input[ip++];
        if (ip >= inEnd) return null;
      }
      ref -= input[ip++];
      len += 2;
      if (op + len > outLen) return null;
      if (ref < 0) return null;
      if (op >= ref + len) {
        out.copyWithin(op, ref, ref + len);
        op += len;
      } else {
        // Overlapping: byte by byte, which repeats the pattern.
        for (let k = 0; k < len; k++) out[op++] = out[ref++];
      }
    }
  }
  return op === outLen ? out : null;
}
