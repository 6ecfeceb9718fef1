// String commands (t_string.c semantics). Values are latin1 strings; an
// integer value is simply its decimal text, so INCR parses and prints.

import type { CommandDef, ShardCtx } from './contract';
import type { Db } from '../store/keyspace';
import { E, arityError } from './errors';
import { parseLL, parseSmallInt, INT64 } from '../util/parse';
import { incrByFloatText } from '../util/longdouble';
import { constants as bufferConstants } from 'buffer';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** V8 cannot build a longer string; Redis's 512MB default is slightly above it. */
const MAX_STR = bufferConstants.MAX_STRING_LENGTH;

/** string2ll as a number (approximate beyond 2^53, which only range logic sees). */
export function llArg(s: string): number | null {
  const v = parseSmallInt(s);
  if (v !== null) return v;
  const b = parseLL(s);
  return b === null ? null : Number(b);
}

/** checkStringLength: false (after replying) when offset+len is too big. */
export function checkStringLength(c: ShardCtx, size: number, append: number): boolean {
  const total = size + append;
  if (total > c.config.protoMaxBulkLen || total > MAX_STR) {
    c.w.error(E.STRINGEXCEEDS);
    return false;
  }
  return true;
}

/** Redis deletes a stale key before writing it; keeps expired_keys honest. */
function expireStale(db: Db, key: string): void {
  if (db.expires.size !== 0) db.expireIfNeeded(key);
}

// SET/GETEX option flags, as in t_string.c.
const NX = 1, XX = 2, EX = 4, PX = 8, KEEPTTL = 16, GET = 32, EXAT = 64, PXAT = 128, PERSIST = 256;
const ANYEXP = EX | PX | EXAT | PXAT;

/** Index of the expire argument found by parseExtended (0 when none). */
let extExpire = 0;

/** parseExtendedStringArgumentsOrReply: flags, or -1 after a syntax error. */
function parseExtended(c: ShardCtx, a: string[], isSet: boolean): number {
  let flags = 0;
  extExpire = 0;
  const n = a.length;
  for (let j = isSet ? 3 : 2; j < n; j++) {
    const opt = a[j].length <= 7 ? a[j].toLowerCase() : '';
    const hasNext = j < n - 1;
    if (opt === 'nx' && !(flags & XX) && isSet) flags |= NX;
    else if (opt === 'xx' && !(flags & NX) && isSet) flags |= XX;
    else if (opt === 'get' && isSet) flags |= GET;
    else if (opt === 'keepttl' && !(flags & (PERSIST | ANYEXP)) && isSet) flags |= KEEPTTL;
    else if (opt === 'persist' && !isSet && !(flags & (ANYEXP | KEEPTTL))) flags |= PERSIST;
    else if (opt === 'ex' && !(flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) && hasNext) {
      flags |= EX;
      extExpire = ++j;
    } else if (opt === 'px' && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) && hasNext) {
      flags |= PX;
      extExpire = ++j;
    } else if (opt === 'exat' && !(flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) && hasNext) {
      flags |= EXAT;
      extExpire = ++j;
    } else if (opt === 'pxat' && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) && hasNext) {
      flags |= PXAT;
      extExpire = ++j;
    } else {
      c.w.error(E.SYNTAX);
      return -1;
    }
  }
  return flags;
}

/**
 * getExpireMillisecondsOrReply: absolute deadline in ms, or -1 after
 * replying. `cmd` is the command's full name for the error text.
 */
export function expireArg(c: ShardCtx, s: string, flags: number, cmd: string): number {
  const seconds = (flags & (EX | EXAT)) !== 0;
  const relative = (flags & (EX | PX)) !== 0;
  const v = parseSmallInt(s);
  if (v !== null) {
    if (v <= 0) {
      c.w.error(`ERR invalid expire time in '${cmd}' command`);
      return -1;
    }
    let ms = seconds ? v * 1000 : v;
    if (relative) ms += c.ks.now();
    if (ms <= MAX_SAFE) return ms;
  }
  // Beyond 2^53: redo it exactly to get Redis's overflow verdicts.
  const b = parseLL(s);
  if (b === null) {
    c.w.error(E.NOTINT);
    return -1;
  }
  if (b <= 0n || (seconds && b > INT64.MAX / 1000n)) {
    c.w.error(`ERR invalid expire time in '${cmd}' command`);
    return -1;
  }
  let ms = seconds ? b * 1000n : b;
  if (relative) ms += BigInt(c.ks.now());
  if (ms > INT64.MAX) {
    c.w.error(`ERR invalid expire time in '${cmd}' command`);
    return -1;
  }
  return Number(ms);
}

/**
 * setGenericCommand. expireIdx is the index of the expire argument or 0;
 * intReply answers :1/:0 (SETNX) instead of +OK/null.
 */
function setGeneric(
  c: ShardCtx, a: string[], flags: number, key: string, val: string,
  expireIdx: number, cmd: string, intReply: boolean,
): void {
  let when = 0;
  if (expireIdx !== 0) {
    when = expireArg(c, a[expireIdx], flags, cmd);
    if (when < 0) return;
  }
  const db = c.db;
  if (flags & GET) {
    const old = db.get(key);
    if (old === undefined) c.w.nil();
    else if (typeof old !== 'string') return c.w.error(E.WRONGTYPE);
    else c.w.bulk(old);
  }
  const found = db.peek(key) !== undefined;
  if (((flags & NX) && found) || ((flags & XX) && !found)) {
    if (!(flags & GET)) {
      if (intReply) c.w.raw(':0\r\n');
      else c.w.nil();
    }
    return;
  }
  db.set(key, val, (flags & KEEPTTL) !== 0);
  c.ks.stats.dirty++;
  if (expireIdx !== 0) db.setExpire(key, when);
  if (!(flags & GET)) {
    if (intReply) c.w.raw(':1\r\n');
    else c.w.ok();
  }
}

function setCommand(c: ShardCtx, a: string[]): void {
  if (a.length === 3) {
    // The benchmark's hot path: no options, nothing to parse.
    const db = c.db;
    const key = a[1];
    if (db.expires.size !== 0) db.expireIfNeeded(key);
    db.set(key, a[2]);
    c.ks.stats.dirty++;
    c.w.ok();
    return;
  }
  const flags = parseExtended(c, a, true);
  if (flags < 0) return;
  setGeneric(c, a, flags, a[1], a[2], extExpire, 'set', false);
}

function getCommand(c: ShardCtx, a: string[]): void {
  const v = c.db.get(a[1]);
  if (v === undefined) c.w.nil();
  else if (typeof v === 'string') c.w.bulk(v);
  else c.w.error(E.WRONGTYPE);
}

/** getGenericCommand: false when it replied an error. */
function getGeneric(c: ShardCtx, key: string): boolean {
  const v = c.db.get(key);
  if (v === undefined) c.w.nil();
  else if (typeof v === 'string') c.w.bulk(v);
  else {
    c.w.error(E.WRONGTYPE);
    return false;
  }
  return true;
}

function getexCommand(c: ShardCtx, a: string[]): void {
  const flags = parseExtended(c, a, false);
  if (flags < 0) return;
  const db = c.db;
  const key = a[1];
  const v = db.get(key);
  if (v === undefined) return c.w.nil();
  if (typeof v !== 'string') return c.w.error(E.WRONGTYPE);
  let when = 0;
  if (extExpire !== 0) {
    when = expireArg(c, a[extExpire], flags, 'getex');
    if (when < 0) return;
  }
  c.w.bulk(v);
  if ((flags & (EXAT | PXAT)) && when <= c.ks.now()) {
    db.del(key);
    c.ks.stats.dirty++;
  } else if (extExpire !== 0) {
    db.setExpire(key, when);
    c.ks.onWrite(db.index, key);
    c.ks.stats.dirty++;
  } else if (flags & PERSIST) {
    if (db.persist(key)) {
      c.ks.onWrite(db.index, key);
      c.ks.stats.dirty++;
    }
  }
}

function getdelCommand(c: ShardCtx, a: string[]): void {
  if (!getGeneric(c, a[1])) return;
  if (c.db.del(a[1])) c.ks.stats.dirty++;
}

function getsetCommand(c: ShardCtx, a: string[]): void {
  if (!getGeneric(c, a[1])) return;
  c.db.set(a[1], a[2]);
  c.ks.stats.dirty++;
}

function setnxCommand(c: ShardCtx, a: string[]): void {
  setGeneric(c, a, NX, a[1], a[2], 0, 'setnx', true);
}

function setexCommand(c: ShardCtx, a: string[]): void {
  setGeneric(c, a, EX, a[1], a[3], 2, 'setex', false);
}

function psetexCommand(c: ShardCtx, a: string[]): void {
  setGeneric(c, a, PX, a[1], a[3], 2, 'psetex', false);
}

function mgetCommand(c: ShardCtx, a: string[]): void {
  const w = c.w, db = c.db, n = a.length;
  w.arr(n - 1);
  for (let j = 1; j < n; j++) {
    const v = db.get(a[j]);
    if (typeof v === 'string') w.bulk(v);
    else w.nil();
  }
}

function msetGeneric(c: ShardCtx, a: string[], nx: boolean): void {
  const n = a.length;
  if ((n & 1) === 0) return c.w.error(arityError(nx ? 'msetnx' : 'mset'));
  const db = c.db;
  if (nx) {
    for (let j = 1; j < n; j += 2) {
      if (db.peek(a[j]) !== undefined) return c.w.raw(':0\r\n');
    }
  }
  for (let j = 1; j < n; j += 2) {
    expireStale(db, a[j]);
    db.set(a[j], a[j + 1]);
  }
  c.ks.stats.dirty += (n - 1) >> 1;
  if (nx) c.w.raw(':1\r\n');
  else c.w.ok();
}

function appendCommand(c: ShardCtx, a: string[]): void {
  const db = c.db, key = a[1], app = a[2];
  const v = db.peek(key);
  let len: number;
  if (v === undefined) {
    db.set(key, app);
    len = app.length;
  } else {
    if (typeof v !== 'string') return c.w.error(E.WRONGTYPE);
    if (!checkStringLength(c, v.length, app.length)) return;
    const nv = v + app;
    db.set(key, nv, true);
    // Appending unshares the value into a raw sds, whatever it was before.
    db.raw.add(key);
    len = nv.length;
  }
  c.ks.stats.dirty++;
  c.w.int(len);
}

function strlenCommand(c: ShardCtx, a: string[]): void {
  const v = c.db.get(a[1]);
  if (v === undefined) c.w.raw(':0\r\n');
  else if (typeof v !== 'string') c.w.error(E.WRONGTYPE);
  else c.w.int(v.length);
}

function getrangeCommand(c: ShardCtx, a: string[]): void {
  let start = llArg(a[2]);
  if (start === null) return c.w.error(E.NOTINT);
  let end = llArg(a[3]);
  if (end === null) return c.w.error(E.NOTINT);
  const v = c.db.get(a[1]);
  if (v === undefined) return c.w.raw('$0\r\n\r\n');
  if (typeof v !== 'string') return c.w.error(E.WRONGTYPE);
  const len = v.length;
  if (start < 0 && end < 0 && start > end) return c.w.raw('$0\r\n\r\n');
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) c.w.raw('$0\r\n\r\n');
  else c.w.bulk(start === 0 && end === len - 1 ? v : v.slice(start, end + 1));
}

function setrangeCommand(c: ShardCtx, a: string[]): void {
  const offset = llArg(a[2]);
  if (offset === null) return c.w.error(E.NOTINT);
  if (offset < 0) return c.w.error('ERR offset is out of range');
  const db = c.db, key = a[1], val = a[3];
  const v = db.peek(key);
  let nv: string;
  if (v === undefined) {
    if (val.length === 0) return c.w.raw(':0\r\n');
    if (!checkStringLength(c, offset, val.length)) return;
    nv = (offset ? '\0'.repeat(offset) : '') + val;
    db.set(key, nv);
  } else {
    if (typeof v !== 'string') return c.w.error(E.WRONGTYPE);
    if (val.length === 0) return c.w.int(v.length);
    if (!checkStringLength(c, offset, val.length)) return;
    const olen = v.length;
    if (offset > olen) nv = v + '\0'.repeat(offset - olen) + val;
    else if (offset === olen) nv = v + val;
    else nv = v.slice(0, offset) + val + (offset + val.length < olen ? v.slice(offset + val.length) : '');
    db.set(key, nv, true);
  }
  db.raw.add(key);
  c.ks.stats.dirty++;
  c.w.int(nv.length);
}

/** incrDecrCommand with a small increment; falls back to BigInt when needed. */
function incrDecr(c: ShardCtx, key: string, incr: number): void {
  const db = c.db;
  const v = db.peek(key);
  let cur = 0;
  if (v !== undefined) {
    if (typeof v !== 'string') return c.w.error(E.WRONGTYPE);
    const n = parseSmallInt(v);
    if (n === null) return incrDecrBig(c, key, v, BigInt(incr));
    cur = n;
  }
  const r = cur + incr;
  if (r > MAX_SAFE || r < -MAX_SAFE) return incrDecrBig(c, key, v as string | undefined, BigInt(incr));
  db.set(key, String(r), true);
  c.ks.stats.dirty++;
  c.w.int(r);
}

function incrDecrBig(c: ShardCtx, key: string, v: string | undefined, incr: bigint): void {
  let cur = 0n;
  if (v !== undefined) {
    const b = parseLL(v);
    if (b === null) return c.w.error(E.NOTINT);
    cur = b;
  }
  const r = cur + incr;
  if (r > INT64.MAX || r < INT64.MIN) return c.w.error(E.OVERFLOW);
  c.db.set(key, r.toString(), true);
  c.ks.stats.dirty++;
  c.w.int(r);
}

function incrbyGeneric(c: ShardCtx, a: string[], negate: boolean): void {
  const s = a[2];
  const n = parseSmallInt(s);
  if (n !== null) return incrDecr(c, a[1], negate ? -n : n);
  const b = parseLL(s);
  if (b === null) return c.w.error(E.NOTINT);
  if (negate && b === INT64.MIN) return c.w.error('ERR decrement would overflow');
  const db = c.db;
  const v = db.peek(a[1]);
  if (v !== undefined && typeof v !== 'string') return c.w.error(E.WRONGTYPE);
  incrDecrBig(c, a[1], v, negate ? -b : b);
}

function incrbyfloatCommand(c: ShardCtx, a: string[]): void {
  const db = c.db, key = a[1];
  const v = db.peek(key);
  if (v !== undefined && typeof v !== 'string') return c.w.error(E.WRONGTYPE);
  const r = incrByFloatText(v, a[2]);
  if (r === 0) return c.w.error(E.NOTFLOAT);
  if (r === 1) return c.w.error('ERR increment would produce NaN or Infinity');
  db.set(key, r, true);
  // Redis stores the result without trying the int encoding, so one that
  // looks like an integer still reports embstr (set() cleared the marks).
  if (r.length <= 20 && (parseSmallInt(r) !== null || parseLL(r) !== null)) {
    db.raw.add(key);
    db.embstr.add(key);
  }
  c.ks.stats.dirty++;
  c.w.bulk(r);
}

function lcsCommand(c: ShardCtx, a: string[]): void {
  const db = c.db;
  const va = db.get(a[1]);
  const vb = db.get(a[2]);
  if ((va !== undefined && typeof va !== 'string') || (vb !== undefined && typeof vb !== 'string')) {
    return c.w.error('ERR The specified keys must contain string values');
  }
  let getlen = false, getidx = false, withmatchlen = false;
  let minmatchlen = 0;
  const n = a.length;
  for (let j = 3; j < n; j++) {
    const opt = a[j].toLowerCase();
    if (opt === 'idx') getidx = true;
    else if (opt === 'len') getlen = true;
    else if (opt === 'withmatchlen') withmatchlen = true;
    else if (opt === 'minmatchlen' && j < n - 1) {
      const m = llArg(a[++j]);
      if (m === null) return c.w.error(E.NOTINT);
      minmatchlen = m < 0 ? 0 : m;
    } else return c.w.error(E.SYNTAX);
  }
  if (getlen && getidx) {
    return c.w.error('ERR If you want both the length and indexes, please just use IDX.');
  }
  const sa = (va as string | undefined) ?? '';
  const sb = (vb as string | undefined) ?? '';
  const alen = sa.length, blen = sb.length;
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > c.config.protoMaxBulkLen) {
    return c.w.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  let t: Uint32Array;
  try {
    t = new Uint32Array(cells);
  } catch {
    return c.w.error('ERR Insufficient memory, failed allocating transient memory for LCS');
  }
  const A = Buffer.from(sa, 'latin1'), B = Buffer.from(sb, 'latin1');
  const row = blen + 1;
  for (let i = 1; i <= alen; i++) {
    const ai = A[i - 1];
    const base = i * row, prev = base - row;
    for (let j = 1; j <= blen; j++) {
      if (ai === B[j - 1]) t[base + j] = t[prev + j - 1] + 1;
      else {
        const l1 = t[prev + j], l2 = t[base + j - 1];
        t[base + j] = l1 > l2 ? l1 : l2;
      }
    }
  }
  const total = t[alen * row + blen];
  if (getlen && !getidx) return c.w.int(total);

  // Walk back from the corner, rebuilding the LCS and the matched ranges
  // in the same order Redis emits them (last match first).
  const out = Buffer.allocUnsafe(total);
  const ranges: number[] = [];
  let idx = total;
  let aStart = alen, aEnd = 0, bStart = 0, bEnd = 0; // aStart === alen: no open range
  let i = alen, j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (A[i - 1] === B[j - 1]) {
      out[idx - 1] = A[i - 1];
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--; i--; j--;
    } else {
      if (t[(i - 1) * row + j] > t[i * row + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const mlen = aEnd - aStart + 1;
      if (getidx && (minmatchlen === 0 || mlen >= minmatchlen)) ranges.push(aStart, aEnd, bStart, bEnd, mlen);
      aStart = alen;
    }
  }
  if (!getidx) return c.w.bulk(out.latin1Slice(0, total));
  const w = c.w;
  w.map(2);
  w.bulk('matches');
  const nr = ranges.length / 5;
  w.arr(nr);
  for (let k = 0; k < ranges.length; k += 5) {
    w.arr(withmatchlen ? 3 : 2);
    w.arr(2);
    w.int(ranges[k]);
    w.int(ranges[k + 1]);
    w.arr(2);
    w.int(ranges[k + 2]);
    w.int(ranges[k + 3]);
    if (withmatchlen) w.int(ranges[k + 4]);
  }
  w.bulk('len');
  w.int(total);
}

export const commands: CommandDef[] = [
  { name: 'set', run: setCommand },
  { name: 'get', run: getCommand },
  { name: 'getex', run: getexCommand },
  { name: 'getdel', run: getdelCommand },
  { name: 'getset', run: getsetCommand },
  { name: 'setnx', run: setnxCommand },
  { name: 'setex', run: setexCommand },
  { name: 'psetex', run: psetexCommand },
  { name: 'mget', run: mgetCommand, split: 'mget' },
  { name: 'mset', run: (c, a) => msetGeneric(c, a, false), split: 'ok' },
  { name: 'msetnx', run: (c, a) => msetGeneric(c, a, true) },
  { name: 'append', run: appendCommand },
  { name: 'strlen', run: strlenCommand },
  { name: 'getrange', run: getrangeCommand },
  { name: 'substr', run: getrangeCommand },
  { name: 'setrange', run: setrangeCommand },
  { name: 'incr', run: (c, a) => incrDecr(c, a[1], 1) },
  { name: 'decr', run: (c, a) => incrDecr(c, a[1], -1) },
  { name: 'incrby', run: (c, a) => incrbyGeneric(c, a, false) },
  { name: 'decrby', run: (c, a) => incrbyGeneric(c, a, true) },
  { name: 'incrbyfloat', run: incrbyfloatCommand },
  { name: 'lcs', run: lcsCommand },
];
