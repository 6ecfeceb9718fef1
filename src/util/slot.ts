// Redis Cluster hash slots: CRC16-XMODEM of the key (or of its {hash tag})
// modulo 16384. Two entry points: bytes in a Buffer (the acceptor, which
// never decodes keys) and latin1 strings (the shards, which hold keys as
// one-byte-per-char strings).

export const SLOTS = 16384;

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

export function crc16(buf: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ buf[i]) & 0xff];
  return crc;
}

/** Slot of the key stored at buf[start, end). */
export function slotOfBytes(buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    if (buf[i] === 0x7b) {
      // '{': hash the bytes up to the next '}' if there are any.
      for (let j = i + 1; j < end; j++) {
        if (buf[j] === 0x7d) {
          if (j > i + 1) return crc16(buf, i + 1, j) & (SLOTS - 1);
          break;
        }
      }
      break;
    }
  }
  return crc16(buf, start, end) & (SLOTS - 1);
}

function crc16Str(s: string, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff];
  return crc;
}

/** Slot of a latin1 key string. */
export function slotOfString(s: string): number {
  const open = s.indexOf('{');
  if (open >= 0) {
    const close = s.indexOf('}', open + 1);
    if (close > open + 1) return crc16Str(s, open + 1, close) & (SLOTS - 1);
  }
  return crc16Str(s, 0, s.length) & (SLOTS - 1);
}

/** Contiguous slot ranges, one per shard: shard k owns [starts[k], starts[k+1]). */
export function slotRanges(shards: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let k = 0; k < shards; k++) {
    out.push([Math.floor((k * SLOTS) / shards), Math.floor(((k + 1) * SLOTS) / shards)]);
  }
  return out;
}

/** slot → shard lookup table. */
export function slotOwners(shards: number): Uint8Array {
  const owners = new Uint8Array(SLOTS);
  slotRanges(shards).forEach(([a, b], k) => owners.fill(k, a, b));
  return owners;
}
