// Number parsing with Redis's exact acceptance rules (util.c string2ll,
// string2ld). Inputs are latin1 strings as they came off the wire.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * string2ll: optional '-', no '+', no leading zeros, no spaces, fits int64.
 * Returns null when Redis would reject the string.
 */
export function parseLL(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (n === 1 && s === '0') return 0n;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    i = 1;
    if (n === 1) return null;
  }
  const c0 = s.charCodeAt(i);
  if (c0 < 49 || c0 > 57) return null; // first digit 1-9
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const v = BigInt(s);
  if (v < INT64_MIN || v > INT64_MAX) return null;
  return v;
}

/**
 * Fast path of parseLL for values that fit a double exactly (|v| < 2^53);
 * null otherwise (including valid int64s beyond 2^53: use parseLL for those).
 */
export function parseSmallInt(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 16) return null;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    neg = true;
    i = 1;
  }
  let c = s.charCodeAt(i);
  if (c === 48) return n === 1 ? 0 : null;
  if (c < 49 || c > 57) return null;
  let v = c - 48;
  for (i++; i < n; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  if (v > Number.MAX_SAFE_INTEGER) return null;
  return neg ? -v : v;
}

/** parseLL as a number when it is exactly representable, else null. */
export function parseIntStrict(s: string): number | null {
  const f = parseSmallInt(s);
  if (f !== null) return f;
  const b = parseLL(s);
  if (b === null) return null;
  const v = Number(b);
  return Number.isSafeInteger(v) ? v : null;
}

export const INT64 = { MIN: INT64_MIN, MAX: INT64_MAX };

const FLOAT_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?)$/;
const INF_RE = /^[+-]?(?:inf|infinity)$/i;

/**
 * strtold-style double as Redis's string2ld/string2d accept it: no leading
 * or trailing space, no NaN. Infinity is returned as ±Infinity; callers that
 * reject it (INCRBYFLOAT) check.
 */
export function parseDouble(s: string): number | null {
  if (s.length === 0 || s.length > 5000) return null;
  if (FLOAT_RE.test(s)) {
    if (s.charCodeAt(0) === 48 && (s[1] === 'x' || s[1] === 'X')) return parseHexFloat(s, 1);
    const sign = s[0] === '-' ? -1 : 1;
    if ((s[0] === '-' || s[0] === '+') && (s[2] === 'x' || s[2] === 'X')) return sign * parseHexFloat(s.slice(1), 1);
    return Number(s);
  }
  if (INF_RE.test(s)) return s[0] === '-' ? -Infinity : Infinity;
  return null;
}

function parseHexFloat(s: string, sign: number): number {
  const m = /^0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?\d+))?$/.exec(s)!;
  const int = m[1] || '0';
  const frac = m[2] || '';
  let v = parseInt(int, 16);
  for (let i = 0; i < frac.length; i++) v += parseInt(frac[i], 16) / 16 ** (i + 1);
  return sign * v * 2 ** (m[3] ? Number(m[3]) : 0);
}

/** ASCII lowercase of a short token (command names, options). */
export function lower(s: string): string {
  return s.toLowerCase();
}

/**
 * A SCAN cursor as strtoul reads it (see parseScanCursorOrReply): -1 when
 * Redis answers "invalid cursor", else its value (saturating past 2^53;
 * negatives wrap to huge values, as unsigned long does).
 */
export function parseScanCursor(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return -1;
  let i = 0;
  let neg = false;
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    i = 1;
  }
  const start = i;
  while (i < n) {
    const ch = s.charCodeAt(i);
    if (ch < 48 || ch > 57) break;
    i++;
  }
  // strtoul stops at the first non-digit; C then sees the end only at a NUL.
  if (i === start) return c0 === 0 ? 0 : -1;
  if (i < n && s.charCodeAt(i) !== 0) return -1;
  let z = start;
  while (z < i - 1 && s.charCodeAt(z) === 48) z++;
  const digits = i - z;
  if (digits > 20 || (digits === 20 && s.slice(z, i) > '18446744073709551615')) return -1;
  const v = digits > 16 ? Number.MAX_SAFE_INTEGER : Number(s.slice(z, i));
  if (neg && v !== 0) return Number.MAX_SAFE_INTEGER;
  return v;
}
