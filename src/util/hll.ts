// HyperLogLog in Redis's own byte layout, so an HLL is a plain string value
// that GET/SET/DUMP move between keyshard and Redis unchanged:
//
//   "HYLL" | encoding (0 dense, 1 sparse) | 3 zero bytes | 8-byte LE cached
//   cardinality (bit 63 set = stale) | registers
//
// Dense: 16384 six-bit registers packed LSB-first, 12288 bytes. Sparse: a
// run-length opcode stream — ZERO 00xxxxxx (1..64 zero registers), XZERO
// 01xxxxxx yyyyyyyy (1..16384 zero registers), VAL 1vvvvvxx (1..4 registers
// of value 1..32). Every mutation below reproduces Redis's byte-for-byte
// results (same splits, same merge window, same promotion points), since
// replicas and clients may compare the raw strings.
//
// A sparse stream is valid only if its runs add up to exactly 16384. Redis
// 7.0.15's source stops at an overflowing VAL and accepts it when the count
// so far is exact; the patched 7.0.15 builds distributions ship (the
// CVE-2025-32023 fix) reject any overflow, and this follows them.

export const HLL_REGISTERS = 16384;
export const HLL_HDR = 16;
export const HLL_DENSE_SIZE = HLL_HDR + (HLL_REGISTERS * 6) / 8;
export const ENC_DENSE = 0;
export const ENC_SPARSE = 1;
const P_MASK = HLL_REGISTERS - 1;
const Q = 50; // hash bits left after the register index
const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
const ALPHA_INF = 0.721347520444481703680; // 0.5 / ln 2

/** A fresh empty HLL: sparse, one XZERO covering all registers. */
export const EMPTY_HLL = 'HYLL\x01' + '\0'.repeat(11) + '\x7f\xff';

/** isHLLObjectOrReply's structural checks on a string value. */
export function isValidHll(s: string): boolean {
  if (s.length < HLL_HDR) return false;
  if (s.charCodeAt(0) !== 72 || s.charCodeAt(1) !== 89 || s.charCodeAt(2) !== 76 || s.charCodeAt(3) !== 76) return false;
  const enc = s.charCodeAt(4);
  if (enc > ENC_SPARSE) return false;
  return enc !== ENC_DENSE || s.length === HLL_DENSE_SIZE;
}

// ---- MurmurHash64A, endian-neutral, on 32-bit halves ----------------------

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const M_LO_HI16 = M_LO >>> 16;
const M_LO_LO16 = M_LO & 0xffff;

// Results of mulM / murmur, kept in module scope to avoid allocating pairs.
let rHi = 0;
let rLo = 0;

/**
 * (hi,lo) * m mod 2^64 into rHi/rLo. Halves are int32 bit patterns: module
 * lets holding values past 2^31 would box a heap number on every store.
 */
function mulM(hi: number, lo: number): void {
  const a0 = lo & 0xffff, a1 = lo >>> 16;
  const p01 = a0 * M_LO_HI16, p10 = a1 * M_LO_LO16; // each < 2^32
  const mid = ((a0 * M_LO_LO16) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carry = a1 * M_LO_HI16 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  rLo = Math.imul(lo, M_LO);
  rHi = (carry + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) | 0;
}

/** MurmurHash64A(s as bytes, seed 0xadc83b19) into rHi/rLo. */
function murmur(s: string): void {
  const len = s.length;
  mulM(0, len);
  let hHi = rHi;
  let hLo = (rLo ^ 0xadc83b19) | 0;
  const blocks = len - (len & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    let kLo = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) | 0;
    let kHi = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) | 0;
    mulM(kHi, kLo);
    kHi = rHi;
    kLo = (rLo ^ (rHi >>> 15)) | 0;
    mulM(kHi, kLo);
    hHi = (hHi ^ rHi) | 0;
    hLo = (hLo ^ rLo) | 0;
    mulM(hHi, hLo);
    hHi = rHi;
    hLo = rLo;
  }
  const rem = len & 7;
  if (rem !== 0) {
    for (let j = rem - 1; j >= 0; j--) {
      const b = s.charCodeAt(i + j);
      if (j >= 4) hHi = (hHi ^ (b << ((j - 4) * 8))) | 0;
      else hLo = (hLo ^ (b << (j * 8))) | 0;
    }
    mulM(hHi, hLo);
    hHi = rHi;
    hLo = rLo;
  }
  hLo = (hLo ^ (hHi >>> 15)) | 0;
  mulM(hHi, hLo);
  hHi = rHi;
  hLo = (rLo ^ (rHi >>> 15)) | 0;
  rHi = hHi;
  rLo = hLo;
}

/** Test hook: the 64-bit hash as a BigInt. */
export function murmurHash64A(s: string): bigint {
  murmur(s);
  return (BigInt(rHi >>> 0) << 32n) | BigInt(rLo >>> 0);
}

let patIndex = 0;

/** hllPatLen: register index into patIndex, returns the 0…01 run length (1..51). */
function patLen(ele: string): number {
  murmur(ele);
  patIndex = rLo & P_MASK;
  const low = rLo >>> 14; // 18 hash bits above the index
  if (low !== 0) return 32 - Math.clz32(low & -low);
  if (rHi !== 0) return 19 + 31 - Math.clz32(rHi & -rHi);
  return Q + 1;
}

/**
 * Index in a[from..] of the first element that would raise a register of
 * the dense HLL s, or -1: lets PFADD skip unpacking when nothing changes.
 */
export function firstDenseChange(s: string, a: string[], from: number): number {
  for (let j = from; j < a.length; j++) {
    const count = patLen(a[j]);
    const byte = HLL_HDR + ((patIndex * 6) >>> 3);
    const fb = (patIndex * 6) & 7;
    const b1 = byte + 1 < s.length ? s.charCodeAt(byte + 1) : 0;
    if (count > (((s.charCodeAt(byte) >>> fb) | (b1 << (8 - fb))) & 63)) return j;
  }
  return -1;
}

// ---- Register access --------------------------------------------------------

function denseGet(b: Uint8Array, regs: number, i: number): number {
  const byte = regs + ((i * 6) >>> 3);
  const fb = (i * 6) & 7;
  return ((b[byte] >>> fb) | (b[byte + 1] << (8 - fb))) & 63;
}

function denseSetReg(b: Uint8Array, regs: number, i: number, v: number): void {
  const byte = regs + ((i * 6) >>> 3);
  const fb = (i * 6) & 7;
  b[byte] = (b[byte] & ~(63 << fb)) | (v << fb);
  b[byte + 1] = (b[byte + 1] & ~(63 >>> (8 - fb))) | (v >>> (8 - fb));
}

// ---- Mutable HLL ------------------------------------------------------------

/**
 * A string HLL unpacked into a byte buffer for mutation. `buf` always has at
 * least one byte past `len`, kept zero where Redis relies on sds's NUL
 * terminator (reads of the last dense register's neighbour).
 */
export class Hll {
  buf: Buffer;
  len: number;

  constructor(s: string) {
    const n = s.length;
    this.buf = Buffer.alloc(s.charCodeAt(4) === ENC_DENSE ? n + 1 : n + 16);
    this.buf.latin1Write(s, 0);
    this.len = n;
  }

  toString(): string {
    return this.buf.latin1Slice(0, this.len);
  }

  get encoding(): number {
    return this.buf[4];
  }

  invalidateCache(): void {
    this.buf[15] |= 0x80;
  }

  private ensure(extra: number): void {
    if (this.len + extra + 1 <= this.buf.length) return;
    const nb = Buffer.alloc(Math.max(this.buf.length * 2, this.len + extra + 16));
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  /** hllAdd: 1 if a register grew, 0 if not, -1 on a corrupt sparse stream. */
  add(ele: string, sparseMax: number): number {
    const count = patLen(ele);
    if (this.buf[4] === ENC_DENSE) return this.denseSet(patIndex, count);
    return this.sparseSet(patIndex, count, sparseMax);
  }

  denseSet(index: number, count: number): number {
    if (count <= denseGet(this.buf, HLL_HDR, index)) return 0;
    denseSetReg(this.buf, HLL_HDR, index, count);
    return 1;
  }

  /** hllSparseToDense: false when the opcode stream does not cover exactly 16384 registers. */
  toDense(): boolean {
    if (this.buf[4] === ENC_DENSE) return true;
    const src = this.buf, end = this.len;
    const d = Buffer.alloc(HLL_DENSE_SIZE + 1);
    src.copy(d, 0, 0, HLL_HDR);
    d[4] = ENC_DENSE;
    let idx = 0;
    let p = HLL_HDR;
    while (p < end) {
      const op = src[p];
      if ((op & 0xc0) === 0) {
        idx += (op & 0x3f) + 1;
        p++;
      } else if ((op & 0xc0) === 0x40) {
        idx += (((op & 0x3f) << 8) | (p + 1 < end ? src[p + 1] : 0)) + 1;
        p += 2;
      } else {
        let run = (op & 3) + 1;
        const val = ((op >>> 2) & 0x1f) + 1;
        if (run + idx > HLL_REGISTERS) return false;
        while (run-- > 0) denseSetReg(d, HLL_HDR, idx++, val);
        p++;
      }
    }
    if (idx !== HLL_REGISTERS) return false;
    this.buf = d;
    this.len = HLL_DENSE_SIZE;
    return true;
  }

  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    this.denseSet(index, count);
    return 1;
  }

  /** hllSparseSet: same return values as add; may promote to dense. */
  sparseSet(index: number, count: number, sparseMax: number): number {
    if (count > VAL_MAX_VALUE) return this.promote(index, count);
    this.ensure(3);
    const b = this.buf;
    let end = this.len;

    // Find the opcode covering `index`.
    let p = HLL_HDR, first = 0, prev = -1, span = 0, oplen = 1;
    while (p < end) {
      const op = b[p];
      oplen = 1;
      if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
      else if (op & 0x80) span = (op & 3) + 1;
      else {
        span = (((op & 0x3f) << 8) | (p + 1 < end ? b[p + 1] : 0)) + 1;
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;

    const op = b[p];
    const isXzero = (op & 0xc0) === 0x40;
    const isVal = (op & 0x80) !== 0;
    const next = p + oplen;
    const runlen = span;

    updated: {
      if (isVal) {
        const old = ((op >>> 2) & 0x1f) + 1;
        if (old >= count) return 0;
        if (runlen === 1) {
          b[p] = 0x80 | ((count - 1) << 2);
          break updated;
        }
      } else if (!isXzero && runlen === 1) {
        b[p] = 0x80 | ((count - 1) << 2);
        break updated;
      }

      // Split the opcode into up to three: left part, our VAL, right part.
      const last = first + span - 1;
      seqN = 0;
      if (!isVal) {
        if (index !== first) seqZeros(index - first);
        seq[seqN++] = 0x80 | ((count - 1) << 2);
        if (index !== last) seqZeros(last - index);
      } else {
        const cur = (op >>> 2) & 0x1f;
        if (index !== first) seq[seqN++] = 0x80 | (cur << 2) | (index - first - 1);
        seq[seqN++] = 0x80 | ((count - 1) << 2);
        if (index !== last) seq[seqN++] = 0x80 | (cur << 2) | (last - index - 1);
      }
      const n = seqN;
      const delta = n - oplen;
      if (delta > 0 && this.len + delta > sparseMax) return this.promote(index, count);
      if (delta !== 0 && next < end) b.copyWithin(next + delta, next, end);
      this.len += delta;
      end += delta;
      for (let k = 0; k < n; k++) b[p + k] = seq[k];
    }

    // Merge adjacent equal VALs in a small window starting at the opcode
    // before the change, as Redis does (not a global normalisation).
    p = prev >= 0 ? prev : HLL_HDR;
    let scan = 5;
    while (p < end && scan-- > 0) {
      const o = b[p];
      if ((o & 0xc0) === 0x40) {
        p += 2;
        continue;
      }
      if ((o & 0xc0) === 0) {
        p++;
        continue;
      }
      if (p + 1 < end && b[p + 1] & 0x80) {
        const o2 = b[p + 1];
        if (((o >>> 2) & 0x1f) === ((o2 >>> 2) & 0x1f)) {
          const len = (o & 3) + (o2 & 3) + 2;
          if (len <= VAL_MAX_LEN) {
            b[p + 1] = (o & 0xfc) | (len - 1);
            b.copyWithin(p, p + 1, end);
            this.len--;
            end--;
            continue;
          }
        }
      }
      p++;
    }
    b[15] |= 0x80;
    return 1;
  }
}

// Replacement opcodes of a split (at most XZERO VAL XZERO = 5 bytes).
const seq = new Uint8Array(5);
let seqN = 0;

function seqZeros(len: number): void {
  if (len > ZERO_MAX_LEN) {
    seq[seqN++] = 0x40 | ((len - 1) >>> 8);
    seq[seqN++] = (len - 1) & 0xff;
  } else {
    seq[seqN++] = len - 1;
  }
}

// ---- Reading a string HLL without unpacking it ------------------------------

/** Cached cardinality if the cache is valid, else -1. Large values as bigint. */
export function cachedCard(s: string): number | bigint {
  if (s.charCodeAt(15) & 0x80) return -1;
  let lo = 0, hi = 0;
  for (let i = 3; i >= 0; i--) lo = lo * 256 + s.charCodeAt(8 + i);
  for (let i = 3; i >= 0; i--) hi = hi * 256 + s.charCodeAt(12 + i);
  if (hi < 0x200000) return hi * 4294967296 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** s with its cache field set to card (valid). */
export function withCachedCard(s: string, card: number): string {
  let c = '';
  let v = card;
  for (let i = 0; i < 8; i++) {
    c += String.fromCharCode(v % 256);
    v = Math.floor(v / 256);
  }
  return s.slice(0, 8) + c + s.slice(16);
}

const histo = new Float64Array(64);
const scratch = Buffer.alloc(HLL_DENSE_SIZE);

/** The bytes of a dense HLL string, in a shared scratch buffer (one memcpy). */
function scratchBytes(s: string): Buffer {
  scratch.latin1Write(s, 0);
  return scratch;
}

/**
 * hllCount on a string HLL: the estimate, or -1 when a sparse stream does not
 * cover exactly 16384 registers.
 */
export function countString(s: string): number {
  histo.fill(0);
  const n = s.length;
  if (s.charCodeAt(4) === ENC_DENSE) {
    const b = scratchBytes(s);
    for (let p = HLL_HDR; p < HLL_DENSE_SIZE; p += 3) {
      const b0 = b[p], b1 = b[p + 1], b2 = b[p + 2];
      histo[b0 & 63]++;
      histo[((b0 >>> 6) | (b1 << 2)) & 63]++;
      histo[((b1 >>> 4) | (b2 << 4)) & 63]++;
      histo[b2 >>> 2]++;
    }
  } else {
    let idx = 0;
    let p = HLL_HDR;
    while (p < n) {
      const op = s.charCodeAt(p);
      if ((op & 0xc0) === 0) {
        const run = (op & 0x3f) + 1;
        idx += run;
        histo[0] += run;
        p++;
      } else if ((op & 0xc0) === 0x40) {
        const run = (((op & 0x3f) << 8) | (p + 1 < n ? s.charCodeAt(p + 1) : 0)) + 1;
        idx += run;
        histo[0] += run;
        p += 2;
      } else {
        const run = (op & 3) + 1;
        idx += run;
        histo[((op >>> 2) & 0x1f) + 1] += run;
        p++;
      }
    }
    if (idx !== HLL_REGISTERS) return -1;
  }
  return estimate();
}

/** hllCount over raw 8-bit registers (the multi-key PFCOUNT union). */
export function countRaw(regs: Uint8Array): number {
  histo.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[regs[i]]++;
  return estimate();
}

/** Ertl's improved raw estimator, as Redis 7.0 computes it (all in double). */
function estimate(): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[Q + 1]) / m);
  for (let j = Q; j >= 1; j--) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrev;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrev = z;
    z += x * y;
    y += y;
  } while (zPrev !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrev;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrev = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrev !== z);
  return z / 3;
}

/**
 * hllMerge of a string HLL into max (8-bit registers). False when a sparse
 * stream is corrupt (max may then be partly updated, as in Redis).
 */
export function mergeString(max: Uint8Array, s: string): boolean {
  const n = s.length;
  if (s.charCodeAt(4) === ENC_DENSE) {
    const b = scratchBytes(s);
    for (let p = HLL_HDR, i = 0; p < HLL_DENSE_SIZE; p += 3, i += 4) {
      const b0 = b[p], b1 = b[p + 1], b2 = b[p + 2];
      let v = b0 & 63;
      if (v > max[i]) max[i] = v;
      v = ((b0 >>> 6) | (b1 << 2)) & 63;
      if (v > max[i + 1]) max[i + 1] = v;
      v = ((b1 >>> 4) | (b2 << 4)) & 63;
      if (v > max[i + 2]) max[i + 2] = v;
      v = b2 >>> 2;
      if (v > max[i + 3]) max[i + 3] = v;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR;
  while (p < n) {
    const op = s.charCodeAt(p);
    if ((op & 0xc0) === 0) {
      i += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      i += (((op & 0x3f) << 8) | (p + 1 < n ? s.charCodeAt(p + 1) : 0)) + 1;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const val = ((op >>> 2) & 0x1f) + 1;
      if (run + i > HLL_REGISTERS) return false;
      while (run-- > 0) {
        if (val > max[i]) max[i] = val;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/** PFDEBUG DECODE text of a sparse HLL. */
export function decodeSparse(s: string): string {
  const parts: string[] = [];
  const n = s.length;
  let p = HLL_HDR;
  while (p < n) {
    const op = s.charCodeAt(p);
    if ((op & 0xc0) === 0) {
      parts.push('z:' + ((op & 0x3f) + 1));
      p++;
    } else if ((op & 0xc0) === 0x40) {
      parts.push('Z:' + ((((op & 0x3f) << 8) | (p + 1 < n ? s.charCodeAt(p + 1) : 0)) + 1));
      p += 2;
    } else {
      parts.push('v:' + (((op >>> 2) & 0x1f) + 1) + ',' + ((op & 3) + 1));
      p++;
    }
  }
  return parts.join(' ');
}

/** Dense register values (for PFDEBUG GETREG) of a dense HLL buffer. */
export function denseRegisters(h: Hll): number[] {
  const out = new Array<number>(HLL_REGISTERS);
  for (let i = 0; i < HLL_REGISTERS; i++) out[i] = denseGet(h.buf, HLL_HDR, i);
  return out;
}

// ---- PFSELFTEST ---------------------------------------------------------------

// The hash state after mixing in the length 8.
mulM(0, 8);
const H8_HI = rHi;
const H8_LO = (rLo ^ 0xadc83b19) | 0;

/** patLen of the 8 bytes of a little-endian uint64 (hi, lo): murmur() unrolled for length 8. */
function patLen64(hi: number, lo: number): number {
  let hHi = H8_HI;
  let hLo = H8_LO;
  mulM(hi, lo);
  const kHi = rHi;
  mulM(kHi, (rLo ^ (rHi >>> 15)) | 0);
  mulM((hHi ^ rHi) | 0, (hLo ^ rLo) | 0);
  hHi = rHi;
  hLo = (rLo ^ (rHi >>> 15)) | 0;
  mulM(hHi, hLo);
  hHi = rHi;
  hLo = (rLo ^ (rHi >>> 15)) | 0;
  patIndex = hLo & P_MASK;
  const low = hLo >>> 14;
  if (low !== 0) return 32 - Math.clz32(low & -low);
  if (hHi !== 0) return 19 + 31 - Math.clz32(hHi & -hHi);
  return Q + 1;
}

/** Test hook: patLen64 agrees with the string path. */
export function patLenPair(s: string): [number, number] {
  const n = patLen(s);
  return [n, patIndex];
}

/** Test hook: patLen64 as [count, index]. */
export function patLen64Pair(hi: number, lo: number): [number, number] {
  const n = patLen64(hi, lo);
  return [n, patIndex];
}

const rand32 = (): number => (Math.random() * 4294967296) | 0;

/**
 * PFSELFTEST as hyperloglog.c runs it: null when it passes, else the error
 * text. Part 1 writes random values into every dense register (1000 rounds)
 * and reads them back; part 2 adds j ^ seed (as 8 LE bytes) for j = 1..`n`
 * to a dense HLL and to a sparse one (promoted past sparseMax as PFADD
 * would), and at j = 1, 10, 100, … checks that small ones stay sparse, that
 * both estimates agree and that the error stays within 6 standard errors.
 */
export function hllSelfTest(sparseMax: number, n = 10000000): string | null {
  const regs = new Uint8Array(HLL_DENSE_SIZE + 1);
  const want = new Uint8Array(HLL_REGISTERS);
  // xorshift32, six bits per register: Math.random per register would cost
  // more than the register accesses under test.
  let x = rand32() | 1;
  for (let j = 0; j < 1000; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const r = x & 63;
      want[i] = r;
      denseSetReg(regs, HLL_HDR, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(regs, HLL_HDR, i);
      if (v !== want[i]) return `TESTFAILED Register ${i} should be ${want[i]} but is ${v}`;
    }
  }

  const dense = new Hll('HYLL' + '\0'.repeat(HLL_DENSE_SIZE - 4));
  const o = new Hll(EMPTY_HLL);
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const seedLo = rand32();
  const seedHi = rand32();
  for (let j = 1; j <= n; j++) {
    // j stays below 2^32, so only the low word of the seed changes.
    const count = patLen64(seedHi, j ^ seedLo);
    dense.denseSet(patIndex, count);
    if (o.buf[4] === ENC_DENSE) o.denseSet(patIndex, count);
    else if (o.sparseSet(patIndex, count, sparseMax) === -1) return 'TESTFAILED dense/sparse disagree';
    if (j !== checkpoint) continue;
    if (j < Math.floor(sparseMax / 2) && o.buf[4] !== ENC_SPARSE) return 'TESTFAILED sparse encoding not used';
    const card = countString(dense.toString());
    if (card !== countString(o.toString())) return 'TESTFAILED dense/sparse disagree';
    const abserr = Math.abs(checkpoint - card);
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return null;
}
