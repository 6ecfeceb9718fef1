// Bit commands (bitops.c semantics) over latin1 string values. Bit 0 is the
// most significant bit of the first byte.

import type { CommandDef, ShardCtx } from './contract';
import { E } from './errors';
import { parseLL, parseSmallInt } from '../util/parse';
import { llArg } from './string';
import { constants as bufferConstants } from 'buffer';

const MAX_STR = bufferConstants.MAX_STRING_LENGTH;
const BIT_OFFSET_ERR = 'ERR bit offset is not an integer or out of range';

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/**
 * getBitOffsetFromArgument: bit offset or -1 after replying. With `bits`
 * > 0 (BITFIELD) a "#n" offset means n * bits.
 */
function bitOffsetArg(c: ShardCtx, s: string, bits: number): number {
  const hash = bits > 0 && s.charCodeAt(0) === 35;
  let v = llArg(hash ? s.slice(1) : s);
  if (v === null) {
    c.w.error(BIT_OFFSET_ERR);
    return -1;
  }
  if (hash) v *= bits;
  if (v < 0 || Math.floor(v / 8) >= c.config.protoMaxBulkLen) {
    c.w.error(BIT_OFFSET_ERR);
    return -1;
  }
  return v;
}

/** Pad s with zero bytes so that byte index `byte` exists. */
function growTo(s: string, byte: number): string {
  return byte < s.length ? s : s + '\0'.repeat(byte + 1 - s.length);
}

function setbitCommand(c: ShardCtx, a: string[]): void {
  const off = bitOffsetArg(c, a[2], 0);
  if (off < 0) return;
  const on = parseSmallInt(a[3]);
  if (on !== 0 && on !== 1) {
    // Anything string2l accepts other than 0/1 gets the same complaint.
    return c.w.error('ERR bit is not an integer or out of range');
  }
  const db = c.db, key = a[1];
  const v = db.peek(key);
  if (v !== undefined && typeof v !== 'string') return c.w.error(E.WRONGTYPE);
  const byte = Math.floor(off / 8);
  if (byte + 1 > MAX_STR) return c.w.error(E.STRINGEXCEEDS);
  const old = v === undefined ? '' : v;
  let s = growTo(old, byte);
  const dirty = v === undefined || s.length !== old.length;
  const b = s.charCodeAt(byte);
  const mask = 1 << (7 - (off % 8));
  const was = (b & mask) !== 0 ? 1 : 0;
  if (dirty || was !== on) {
    const nb = on ? b | mask : b & ~mask;
    s = s.slice(0, byte) + String.fromCharCode(nb) + s.slice(byte + 1);
    db.set(key, s, true);
    c.ks.stats.dirty++;
  }
  // The value was unshared into a raw sds even when no bit changed.
  db.raw.add(key);
  c.w.raw(was ? ':1\r\n' : ':0\r\n');
}

function getbitCommand(c: ShardCtx, a: string[]): void {
  const off = bitOffsetArg(c, a[2], 0);
  if (off < 0) return;
  const v = c.db.get(a[1]);
  if (v === undefined) return c.w.raw(':0\r\n');
  if (typeof v !== 'string') return c.w.error(E.WRONGTYPE);
  const byte = Math.floor(off / 8);
  const bit = byte < v.length ? (v.charCodeAt(byte) >> (7 - (off % 8))) & 1 : 0;
  c.w.raw(bit ? ':1\r\n' : ':0\r\n');
}

const OP_AND = 0, OP_OR = 1, OP_XOR = 2, OP_NOT = 3;

function bitopCommand(c: ShardCtx, a: string[]): void {
  const opname = a[1].toLowerCase();
  let op: number;
  if (opname === 'and') op = OP_AND;
  else if (opname === 'or') op = OP_OR;
  else if (opname === 'xor') op = OP_XOR;
  else if (opname === 'not') op = OP_NOT;
  else return c.w.error(E.SYNTAX);
  if (op === OP_NOT && a.length !== 4) {
    return c.w.error('ERR BITOP NOT must be called with a single source key.');
  }
  const db = c.db;
  const n = a.length - 3;
  const srcs: Buffer[] = new Array(n);
  let maxlen = 0;
  for (let j = 0; j < n; j++) {
    const v = db.get(a[j + 3]);
    if (v === undefined) {
      srcs[j] = EMPTY;
      continue;
    }
    if (typeof v !== 'string') return c.w.error(E.WRONGTYPE);
    srcs[j] = Buffer.from(v, 'latin1');
    if (v.length > maxlen) maxlen = v.length;
  }
  const dest = a[2];
  if (maxlen === 0) {
    if (db.del(dest)) c.ks.stats.dirty++;
    return c.w.raw(':0\r\n');
  }
  const res = Buffer.alloc(maxlen);
  const s0 = srcs[0];
  s0.copy(res, 0, 0, s0.length);
  if (op === OP_NOT) {
    for (let i = 0; i < maxlen; i++) res[i] = ~res[i];
  } else {
    for (let j = 1; j < n; j++) {
      const s = srcs[j];
      const l = s.length;
      if (op === OP_AND) {
        for (let i = 0; i < l; i++) res[i] &= s[i];
        res.fill(0, l);
      } else if (op === OP_OR) {
        for (let i = 0; i < l; i++) res[i] |= s[i];
      } else {
        for (let i = 0; i < l; i++) res[i] ^= s[i];
      }
    }
  }
  expireStaleAndSet(c, dest, res.latin1Slice(0, maxlen));
  // A freshly built sds: Redis reports it raw whatever its length.
  db.raw.add(dest);
  c.ks.stats.dirty++;
  c.w.int(maxlen);
}

const EMPTY = Buffer.alloc(0);

function expireStaleAndSet(c: ShardCtx, key: string, v: string): void {
  const db = c.db;
  if (db.expires.size !== 0) db.expireIfNeeded(key);
  db.set(key, v);
}

/** Number of set bits of s within bit range [sb, eb] (inclusive, valid). */
function countBits(s: string, sb: number, eb: number): number {
  const first = Math.floor(sb / 8), last = Math.floor(eb / 8);
  let n = 0;
  for (let i = first; i <= last; i++) n += POPCOUNT[s.charCodeAt(i)];
  const lead = sb % 8, trail = 7 - (eb % 8);
  if (lead) n -= POPCOUNT[s.charCodeAt(first) & ~(0xff >> lead) & 0xff];
  if (trail) n -= POPCOUNT[s.charCodeAt(last) & ((1 << trail) - 1)];
  return n;
}

/** First bit equal to `want` in bit range [sb, eb] of s, or -1. */
function findBit(s: string, sb: number, eb: number, want: number): number {
  let i = sb;
  while (i <= eb && i % 8 !== 0) {
    if (((s.charCodeAt(Math.floor(i / 8)) >> (7 - (i % 8))) & 1) === want) return i;
    i++;
  }
  const skip = want ? 0 : 0xff;
  while (i + 7 <= eb) {
    const b = s.charCodeAt(i / 8);
    if (b !== skip) break;
    i += 8;
  }
  while (i <= eb) {
    if (((s.charCodeAt(Math.floor(i / 8)) >> (7 - (i % 8))) & 1) === want) return i;
    i++;
  }
  return -1;
}

/** BIT|BYTE unit argument: 1 bit, 0 byte, -1 after a syntax error reply. */
function unitArg(c: ShardCtx, s: string): number {
  const u = s.toLowerCase();
  if (u === 'bit') return 1;
  if (u === 'byte') return 0;
  c.w.error(E.SYNTAX);
  return -1;
}

function bitcountCommand(c: ShardCtx, a: string[]): void {
  const v = c.db.get(a[1]);
  if (v === undefined) return c.w.raw(':0\r\n');
  if (typeof v !== 'string') return c.w.error(E.WRONGTYPE);
  const argc = a.length;
  const len = v.length;
  let sb: number, eb: number;
  if (argc === 4 || argc === 5) {
    let start = llArg(a[2]);
    if (start === null) return c.w.error(E.NOTINT);
    let end = llArg(a[3]);
    if (end === null) return c.w.error(E.NOTINT);
    if (start < 0 && end < 0 && start > end) return c.w.raw(':0\r\n');
    let isbit = 0;
    if (argc === 5) {
      isbit = unitArg(c, a[4]);
      if (isbit < 0) return;
    }
    if (!bitRange(start, end, isbit, len)) return c.w.raw(':0\r\n');
    sb = rangeSb;
    eb = rangeEb;
  } else if (argc === 2) {
    if (len === 0) return c.w.raw(':0\r\n');
    sb = 0;
    eb = len * 8 - 1;
  } else {
    return c.w.error(E.SYNTAX);
  }
  c.w.int(countBits(v, sb, eb));
}

// BITCOUNT/BITPOS ranges: start/end in bytes or bits (isbit), negative from
// the end, clamped as Redis does; the result is a bit range [rangeSb, rangeEb].
let rangeSb = 0;
let rangeEb = 0;
function bitRange(start: number, end: number, isbit: number, len: number): boolean {
  const total = isbit ? len * 8 : len;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return false;
  rangeSb = isbit ? start : start * 8;
  rangeEb = isbit ? end : end * 8 + 7;
  return true;
}

function bitposCommand(c: ShardCtx, a: string[]): void {
  const bit = llArg(a[2]);
  if (bit === null) return c.w.error(E.NOTINT);
  if (bit !== 0 && bit !== 1) return c.w.error('ERR The bit argument must be 1 or 0.');
  const v = c.db.get(a[1]);
  if (v === undefined) return c.w.raw(bit ? ':-1\r\n' : ':0\r\n');
  if (typeof v !== 'string') return c.w.error(E.WRONGTYPE);
  const argc = a.length;
  const len = v.length;
  let endGiven = false;
  let sb: number, eb: number;
  if (argc >= 4 && argc <= 6) {
    let start = llArg(a[3]);
    if (start === null) return c.w.error(E.NOTINT);
    let isbit = 0;
    if (argc === 6) {
      isbit = unitArg(c, a[5]);
      if (isbit < 0) return;
    }
    const total = isbit ? len * 8 : len;
    let end: number;
    if (argc >= 5) {
      const e = llArg(a[4]);
      if (e === null) return c.w.error(E.NOTINT);
      end = e;
      endGiven = true;
    } else end = total - 1;
    if (!bitRange(start, end, isbit, len)) return c.w.raw(':-1\r\n');
    sb = rangeSb;
    eb = rangeEb;
  } else if (argc === 3) {
    if (len === 0) return c.w.raw(':-1\r\n');
    sb = 0;
    eb = len * 8 - 1;
  } else {
    return c.w.error(E.SYNTAX);
  }
  const pos = findBit(v, sb, eb, bit);
  if (pos >= 0) return c.w.int(pos);
  // No clear bit: without an explicit end the string counts as zero-padded
  // on the right, so the answer is the first bit past it.
  if (bit === 0 && !endGiven) return c.w.int(len * 8);
  c.w.raw(':-1\r\n');
}

// ---- BITFIELD ----

const BF_GET = 0, BF_SET = 1, BF_INCRBY = 2;
const OW_WRAP = 0, OW_SAT = 1, OW_FAIL = 2;
const BF_TYPE_ERR =
  'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/** Unsigned field of `bits` at bit `off` of s (zero past the end). */
function fieldFromString(s: string, off: number, bits: number): bigint {
  const first = Math.floor(off / 8), shift = off % 8;
  const nbytes = (shift + bits + 7) >> 3;
  const len = s.length;
  let x = 0n;
  for (let i = 0; i < nbytes; i++) {
    const p = first + i;
    x = (x << 8n) | BigInt(p < len ? s.charCodeAt(p) : 0);
  }
  return (x >> BigInt(nbytes * 8 - shift - bits)) & ((1n << BigInt(bits)) - 1n);
}

function fieldFromBuf(buf: Buffer, off: number, bits: number): bigint {
  const first = Math.floor(off / 8), shift = off % 8;
  const nbytes = (shift + bits + 7) >> 3;
  const len = buf.length;
  let x = 0n;
  for (let i = 0; i < nbytes; i++) {
    const p = first + i;
    x = (x << 8n) | BigInt(p < len ? buf[p] : 0);
  }
  return (x >> BigInt(nbytes * 8 - shift - bits)) & ((1n << BigInt(bits)) - 1n);
}

/** Store the low `bits` of v at bit `off`; buf already spans the field. */
function storeField(buf: Buffer, off: number, bits: number, v: bigint): void {
  const first = Math.floor(off / 8), shift = off % 8;
  const nbytes = (shift + bits + 7) >> 3;
  let x = 0n;
  for (let i = 0; i < nbytes; i++) x = (x << 8n) | BigInt(buf[first + i]);
  const sh = BigInt(nbytes * 8 - shift - bits);
  const fmask = (1n << BigInt(bits)) - 1n;
  x = (x & ~(fmask << sh)) | ((v & fmask) << sh);
  for (let i = nbytes - 1; i >= 0; i--) {
    buf[first + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

interface BfOp {
  op: number;
  ow: number;
  off: number;
  bits: number;
  signed: boolean;
  val: bigint;
}

/** <sign><bits> with i1..i64 and u1..u63; bits, negated for signed, or 0. */
function bitfieldType(s: string): number {
  const t = s.charCodeAt(0);
  if (t !== 105 && t !== 117) return 0;
  const n = llArg(s.slice(1));
  if (n === null || n < 1 || (t === 105 && n > 64) || (t === 117 && n > 63)) return 0;
  return t === 105 ? -n : n;
}

function bitfieldGeneric(c: ShardCtx, a: string[], ro: boolean): void {
  const argc = a.length;
  const ops: BfOp[] = [];
  let ow = OW_WRAP;
  let readonly = true;
  let highest = 0;
  for (let j = 2; j < argc; j++) {
    const rem = argc - j - 1;
    const sub = a[j].toLowerCase();
    let op: number;
    if (sub === 'get' && rem >= 2) op = BF_GET;
    else if (sub === 'set' && rem >= 3) op = BF_SET;
    else if (sub === 'incrby' && rem >= 3) op = BF_INCRBY;
    else if (sub === 'overflow' && rem >= 1) {
      const t = a[++j].toLowerCase();
      if (t === 'wrap') ow = OW_WRAP;
      else if (t === 'sat') ow = OW_SAT;
      else if (t === 'fail') ow = OW_FAIL;
      else return c.w.error('ERR Invalid OVERFLOW type specified');
      continue;
    } else return c.w.error(E.SYNTAX);
    const tb = bitfieldType(a[j + 1]);
    if (tb === 0) return c.w.error(BF_TYPE_ERR);
    const bits = tb < 0 ? -tb : tb;
    const off = bitOffsetArg(c, a[j + 2], bits);
    if (off < 0) return;
    let val = 0n;
    if (op !== BF_GET) {
      readonly = false;
      if (highest < off + bits - 1) highest = off + bits - 1;
      const s = a[j + 3];
      const sv = parseSmallInt(s);
      if (sv !== null) val = BigInt(sv);
      else {
        const b = parseLL(s);
        if (b === null) return c.w.error(E.NOTINT);
        val = b;
      }
    }
    ops.push({ op, ow, off, bits, signed: tb < 0, val });
    j += op === BF_GET ? 2 : 3;
  }

  const w = c.w, db = c.db, key = a[1];
  if (readonly) {
    const v = db.get(key);
    if (v !== undefined && typeof v !== 'string') return w.error(E.WRONGTYPE);
    const s = v === undefined ? '' : v;
    w.arr(ops.length);
    for (let k = 0; k < ops.length; k++) {
      const o = ops[k];
      const u = fieldFromString(s, o.off, o.bits);
      w.int(o.signed ? BigInt.asIntN(o.bits, u) : u);
    }
    return;
  }
  if (ro) return w.error('ERR BITFIELD_RO only supports the GET subcommand');

  const v = db.peek(key);
  if (v !== undefined && typeof v !== 'string') return w.error(E.WRONGTYPE);
  const old = v === undefined ? '' : v;
  const need = Math.floor(highest / 8) + 1;
  if (need > MAX_STR) return w.error(E.STRINGEXCEEDS);
  const size = need > old.length ? need : old.length;
  const grew = v === undefined || size !== old.length;
  const buf = Buffer.alloc(size);
  buf.latin1Write(old, 0);
  let changes = 0;
  w.arr(ops.length);
  for (let k = 0; k < ops.length; k++) {
    const o = ops[k];
    const bits = o.bits;
    const oldU = fieldFromBuf(buf, o.off, bits);
    if (o.op === BF_GET) {
      w.int(o.signed ? BigInt.asIntN(bits, oldU) : oldU);
      continue;
    }
    let newv: bigint; // mathematically intended value
    let overflow = 0;
    let stored: bigint;
    if (o.signed) {
      const oldS = BigInt.asIntN(bits, oldU);
      newv = o.op === BF_INCRBY ? oldS + o.val : o.val;
      const max = (1n << BigInt(bits - 1)) - 1n;
      const min = -max - 1n;
      if (newv > max) overflow = 1;
      else if (newv < min) overflow = -1;
      stored = overflow === 0 ? newv : o.ow === OW_SAT ? (overflow > 0 ? max : min) : BigInt.asIntN(bits, newv);
      if (overflow && o.ow === OW_FAIL) {
        w.nil();
        continue;
      }
      w.int(o.op === BF_INCRBY ? stored : oldS);
      if (grew || stored !== oldS) changes++;
    } else {
      const max = (1n << BigInt(bits)) - 1n;
      // SET takes the value as uint64: a negative one is a huge positive.
      newv = o.op === BF_INCRBY ? oldU + o.val : BigInt.asUintN(64, o.val);
      if (newv > max) overflow = 1;
      else if (newv < 0n) overflow = -1;
      stored = overflow === 0 ? newv : o.ow === OW_SAT ? (overflow > 0 ? max : 0n) : BigInt.asUintN(bits, newv);
      if (overflow && o.ow === OW_FAIL) {
        w.nil();
        continue;
      }
      w.int(o.op === BF_INCRBY ? stored : oldU);
      if (grew || stored !== oldU) changes++;
    }
    storeField(buf, o.off, bits, stored);
  }
  if (grew || changes) db.set(key, buf.latin1Slice(0, size), true);
  db.raw.add(key);
  c.ks.stats.dirty += changes;
}

export const commands: CommandDef[] = [
  { name: 'setbit', run: setbitCommand },
  { name: 'getbit', run: getbitCommand },
  { name: 'bitcount', run: bitcountCommand },
  { name: 'bitpos', run: bitposCommand },
  { name: 'bitop', run: bitopCommand },
  { name: 'bitfield', run: (c, a) => bitfieldGeneric(c, a, false) },
  { name: 'bitfield_ro', run: (c, a) => bitfieldGeneric(c, a, true) },
];
