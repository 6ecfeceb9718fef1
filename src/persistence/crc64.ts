// CRC-64/Jones as Redis computes it (crc64.c): polynomial 0xad93d23594c935a9,
// reflected input and output, initial value 0, no final xor. Check value:
// crc64("123456789") = 0xe9c6d914c4b8d9ca. DUMP payloads and RDB files end
// with it, little-endian.
//
// The 64-bit register is kept as two unsigned 32-bit halves so the loop stays
// in small integers; the table is built from the reflected polynomial.

const POLY_REFLECTED_HI = 0x95ac9329;
const POLY_REFLECTED_LO = 0xac4bc9b5;

// Slice-by-8 tables: T[k] advances a byte followed by k zero bytes. Table k
// lives at offset 256 * k of the two arrays.
const T_HI = new Uint32Array(256 * 8);
const T_LO = new Uint32Array(256 * 8);

for (let n = 0; n < 256; n++) {
  let hi = 0, lo = n;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry) {
      hi = (hi ^ POLY_REFLECTED_HI) >>> 0;
      lo = (lo ^ POLY_REFLECTED_LO) >>> 0;
    }
  }
  T_HI[n] = hi;
  T_LO[n] = lo;
}
for (let k = 1; k < 8; k++) {
  for (let n = 0; n < 256; n++) {
    const phi = T_HI[256 * (k - 1) + n], plo = T_LO[256 * (k - 1) + n];
    const idx = plo & 0xff;
    T_LO[256 * k + n] = (((plo >>> 8) | (phi << 24)) ^ T_LO[idx]) >>> 0;
    T_HI[256 * k + n] = ((phi >>> 8) ^ T_HI[idx]) >>> 0;
  }
}

/** A running CRC-64 as its two halves (start with {hi: 0, lo: 0}). */
export interface Crc64State {
  hi: number;
  lo: number;
}

/** Feed data[start, end) into the state. */
export function crc64Update(st: Crc64State, data: Uint8Array, start = 0, end = data.length): void {
  let hi = st.hi, lo = st.lo;
  let i = start;
  const end8 = start + ((end - start) & ~7);
  for (; i < end8; i += 8) {
    const a = lo ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    const b = hi ^ (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24));
    const i7 = 1792 + (a & 0xff), i6 = 1536 + ((a >>> 8) & 0xff);
    const i5 = 1280 + ((a >>> 16) & 0xff), i4 = 1024 + (a >>> 24);
    const i3 = 768 + (b & 0xff), i2 = 512 + ((b >>> 8) & 0xff);
    const i1 = 256 + ((b >>> 16) & 0xff), i0 = b >>> 24;
    lo = T_LO[i7] ^ T_LO[i6] ^ T_LO[i5] ^ T_LO[i4] ^ T_LO[i3] ^ T_LO[i2] ^ T_LO[i1] ^ T_LO[i0];
    hi = T_HI[i7] ^ T_HI[i6] ^ T_HI[i5] ^ T_HI[i4] ^ T_HI[i3] ^ T_HI[i2] ^ T_HI[i1] ^ T_HI[i0];
  }
  for (; i < end; i++) {
    const idx = (lo ^ data[i]) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ T_LO[idx];
    hi = (hi >>> 8) ^ T_HI[idx];
  }
  st.hi = hi >>> 0;
  st.lo = lo >>> 0;
}

/** CRC-64 of data[start, end) as a bigint. */
export function crc64(data: Uint8Array, start = 0, end = data.length): bigint {
  const st = { hi: 0, lo: 0 };
  crc64Update(st, data, start, end);
  return (BigInt(st.hi) << 32n) | BigInt(st.lo);
}

/** Write the CRC-64 of data[start, end) little-endian at out[at..at+8). */
export function writeCrc64LE(data: Uint8Array, start: number, end: number, out: Uint8Array, at: number): void {
  const st = { hi: 0, lo: 0 };
  crc64Update(st, data, start, end);
  const lo = st.lo, hi = st.hi;
  out[at] = lo & 0xff;
  out[at + 1] = (lo >>> 8) & 0xff;
  out[at + 2] = (lo >>> 16) & 0xff;
  out[at + 3] = lo >>> 24;
  out[at + 4] = hi & 0xff;
  out[at + 5] = (hi >>> 8) & 0xff;
  out[at + 6] = (hi >>> 16) & 0xff;
  out[at + 7] = hi >>> 24;
}

/** True when data[at..at+8) holds the little-endian CRC-64 of data[start, end). */
export function checkCrc64LE(data: Uint8Array, start: number, end: number, at: number): boolean {
  const st = { hi: 0, lo: 0 };
  crc64Update(st, data, start, end);
  const lo = data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24);
  const hi = data[at + 4] | (data[at + 5] << 8) | (data[at + 6] << 16) | (data[at + 7] << 24);
  return lo >>> 0 === st.lo && hi >>> 0 === st.hi;
}
