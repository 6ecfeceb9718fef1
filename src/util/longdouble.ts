// INCRBYFLOAT/HINCRBYFLOAT arithmetic as Redis does it on x86-64: values are
// parsed with strtold into an 80-bit long double (64-bit mantissa), added
// there, and printed with "%.17Lf" minus trailing zeros. Plain doubles give
// visibly different answers (0.1+0.2 prints 0.30000000000000004 instead of
// Redis's 0.3), so the extended format is emulated exactly with BigInt:
// a finite value is m * 2^e with |m| < 2^64.

import { parseDouble } from './parse';

export interface LongDouble {
  m: bigint;
  e: number;
}

const ZERO: LongDouble = { m: 0n, e: 0 };
// Largest finite x87 long double is just under 2^16384; the smallest
// subnormal is 2^-16445 (subnormal precision loss is not modelled).
const EMAX = 16384;
const EMIN = -16445;
const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const INF_RE = /^[+-]?(?:inf|infinity)$/i;
const P17 = 10n ** 17n;

function bitLen(n: bigint): number {
  return n.toString(2).length;
}

/** Round a positive n * 2^e to 64 significant bits, ties to even. */
function round64(n: bigint, e: number, sticky: boolean): LongDouble {
  const sh = bitLen(n) - 64;
  if (sh <= 0) return { m: n, e };
  let m = n >> BigInt(sh);
  const rem = n - (m << BigInt(sh));
  const half = 1n << BigInt(sh - 1);
  if (rem > half || (rem === half && (sticky || (m & 1n) === 1n))) m++;
  if (m === 1n << 64n) return { m: m >> 1n, e: e + sh + 1 };
  return { m, e: e + sh };
}

function fromDouble(d: number): LongDouble {
  if (d === 0) return ZERO;
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, d);
  const hi = dv.getUint32(0), lo = dv.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e = -1074;
  if (exp !== 0) {
    m |= 1n << 52n;
    e = exp - 1075;
  }
  return { m: d < 0 ? -m : m, e };
}

/**
 * string2ld: null when Redis rejects the text (empty, leading space, junk,
 * NaN, overflow, underflow to zero). ±Infinity is returned as a number.
 */
export function parseLongDouble(s: string): LongDouble | number | null {
  const len = s.length;
  if (len === 0 || len >= 5120) return null;
  const dm = DEC_RE.exec(s);
  if (dm === null) {
    if (INF_RE.test(s)) return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
    // Hex floats: a double holds every value a short hex literal can name.
    const d = parseDouble(s);
    if (d === null || !Number.isFinite(d)) return null;
    return fromDouble(d);
  }
  const ip = dm[2], fp = dm[3] ?? '';
  if (ip.length + fp.length === 0) return null;
  let digits = (ip + fp).replace(/^0+/, '');
  if (digits.length === 0) return ZERO;
  let exp10 = (dm[4] === undefined ? 0 : Number(dm[4])) - fp.length;
  // Trailing zeros only inflate the BigInts.
  const tz = digits.length - digits.replace(/0+$/, '').length;
  if (tz) {
    digits = digits.slice(0, digits.length - tz);
    exp10 += tz;
  }
  const mag = digits.length + exp10; // value in [10^(mag-1), 10^mag)
  if (mag > 4934) return null;
  if (mag < -4952) return null;
  const D = BigInt(digits);
  let r: LongDouble;
  if (exp10 >= 0) {
    r = round64(D * 10n ** BigInt(exp10), 0, false);
  } else {
    const den = 10n ** BigInt(-exp10);
    const k = Math.max(0, 66 + bitLen(den) - bitLen(D));
    const num = D << BigInt(k);
    const q = num / den;
    r = round64(q, -k, q * den !== num);
  }
  if (r.e + 63 >= EMAX || r.e + 64 <= EMIN) return null;
  if (dm[1] === '-') r.m = -r.m;
  return r;
}

/** a + b rounded to long double; null when the result is not finite. */
export function addLongDouble(a: LongDouble | number, b: LongDouble | number): LongDouble | null {
  if (typeof a === 'number' || typeof b === 'number') return null;
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const sum = (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e));
  if (sum === 0n) return ZERO;
  const neg = sum < 0n;
  const r = round64(neg ? -sum : sum, e, false);
  if (r.e + 63 >= EMAX) return null;
  if (neg) r.m = -r.m;
  return r;
}

/** printf("%.17Lf") with trailing zeros (and a bare '.') dropped; "-0" is "0". */
export function formatLongDoubleHuman(v: LongDouble): string {
  if (v.m === 0n) return '0';
  const neg = v.m < 0n;
  const a = neg ? -v.m : v.m;
  let out: string;
  if (v.e >= 0) {
    out = (a << BigInt(v.e)).toString();
  } else {
    const sh = BigInt(-v.e);
    const n = a * P17;
    let q = n >> sh;
    const rem = n - (q << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q++;
    const s = q.toString().padStart(18, '0');
    const ip = s.slice(0, s.length - 17);
    const fp = s.slice(s.length - 17).replace(/0+$/, '');
    out = fp.length ? ip + '.' + fp : ip;
    if (out === '0') return '0';
  }
  return neg ? '-' + out : out;
}

/**
 * The INCRBYFLOAT step: the new value's text, or 0 when either operand is
 * not a valid float, or 1 when the sum is NaN or infinite.
 */
export function incrByFloatText(cur: string | undefined, incr: string): string | 0 | 1 {
  const a = cur === undefined ? ZERO : parseLongDouble(cur);
  if (a === null) return 0;
  const b = parseLongDouble(incr);
  if (b === null) return 0;
  const r = addLongDouble(a, b);
  return r === null ? 1 : formatLongDoubleHuman(r);
}
