// List commands (t_list.c semantics) over ListValue, including the blocking
// pops, which park through ShardCtx.block when no key has data.

import type { CommandDef, ShardCtx } from './contract';
import type { Value } from '../store/keyspace';
import type { ReplyWriter } from '../protocol/reply';
import { E, arityError } from './errors';
import { llArg } from './string';
import { parseLL, parseDouble, INT64 } from '../util/parse';
import { ListValue } from '../store/list';

const LONG_MAX = 9223372036854775807; // as a double: 2^63

/** getLongFromObjectOrReply without a custom message; null after replying. */
function longArg(c: ShardCtx, s: string): number | null {
  const v = llArg(s);
  if (v === null) c.w.error(E.NOTINT);
  return v;
}

/** getRangeLongFromObjectOrReply(min..LONG_MAX) with one message for every failure. */
function rangeArg(c: ShardCtx, s: string, min: number, msg: string): number | null {
  const v = llArg(s);
  if (v === null || v < min) {
    c.w.error(msg);
    return null;
  }
  return v;
}

/**
 * getTimeoutFromObjectOrReply (seconds, decimals allowed): relative ms,
 * 0 = forever, or -1 after replying. Values whose ms count overflows a long
 * long come out negative in Redis (x86 conversion), hence "is negative".
 */
export function timeoutArg(c: ShardCtx, s: string): number {
  const f = parseDouble(s);
  if (f === null) {
    c.w.error('ERR timeout is not a float or out of range');
    return -1;
  }
  const ms = Math.ceil(f * 1000);
  if (!(ms < LONG_MAX) || ms < 0) {
    c.w.error('ERR timeout is negative');
    return -1;
  }
  return ms === 0 ? 0 : ms; // -0 → 0
}

/** LEFT/RIGHT: 1 left, 0 right, -1 after a syntax error reply. */
function whereArg(c: ShardCtx, s: string): number {
  if (s.length === 4 && s.toLowerCase() === 'left') return 1;
  if (s.length === 5 && s.toLowerCase() === 'right') return 0;
  c.w.error(E.SYNTAX);
  return -1;
}

function isList(v: Value): v is ListValue {
  return typeof v !== 'string' && v.type === 'list';
}

/** After elements left a list: delete it when empty, else signal the write. */
function afterRemove(c: ShardCtx, key: string, l: ListValue): void {
  if (l.length === 0) c.db.del(key);
  else c.ks.onWrite(c.db.index, key);
}

// ---------------------------------------------------------------- pushes

function pushGeneric(c: ShardCtx, a: string[], left: boolean, xx: boolean): void {
  const key = a[1];
  const v = c.db.peek(key);
  const n = a.length - 2;
  if (v === undefined) {
    if (xx) return c.w.int(0);
    const l = new ListValue(n);
    l.pushArgs(a, 2, left);
    c.db.set(key, l);
    c.ks.stats.dirty += n;
    return c.w.int(n);
  }
  if (!isList(v)) return c.w.error(E.WRONGTYPE);
  v.pushArgs(a, 2, left);
  c.ks.onWrite(c.db.index, key);
  c.ks.stats.dirty += n;
  c.w.int(v.length);
}

function linsert(c: ShardCtx, a: string[]): void {
  const wh = a[2].toLowerCase();
  let after: boolean;
  if (wh === 'after') after = true;
  else if (wh === 'before') after = false;
  else return c.w.error(E.SYNTAX);
  const v = c.db.peek(a[1]);
  if (v === undefined) return c.w.int(0);
  if (!isList(v)) return c.w.error(E.WRONGTYPE);
  const pivot = a[3], n = v.length;
  for (let i = 0; i < n; i++) {
    if (v.get(i) === pivot) {
      v.insertAt(after ? i + 1 : i, a[4]);
      c.ks.onWrite(c.db.index, a[1]);
      c.ks.stats.dirty++;
      return c.w.int(v.length);
    }
  }
  c.w.int(-1);
}

// ---------------------------------------------------------------- reads

function llen(c: ShardCtx, a: string[]): void {
  const v = c.db.get(a[1]);
  if (v === undefined) return c.w.int(0);
  if (!isList(v)) return c.w.error(E.WRONGTYPE);
  c.w.int(v.length);
}

function lindex(c: ShardCtx, a: string[]): void {
  const v = c.db.get(a[1]);
  if (v === undefined) return c.w.nil();
  if (!isList(v)) return c.w.error(E.WRONGTYPE);
  let i = longArg(c, a[2]);
  if (i === null) return;
  if (i < 0) i += v.length;
  if (i < 0 || i >= v.length) return c.w.nil();
  c.w.bulk(v.get(i));
}

/** addListRangeReply with Redis's index normalisation. */
function rangeReply(c: ShardCtx, l: ListValue, start: number, end: number): void {
  const n = l.length;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) return c.w.arr(0);
  if (end >= n) end = n - 1;
  c.w.arr(end - start + 1);
  writeBulks(c.w, l, start, end);
}

/**
 * Elements start..end as bulk strings, written straight into the reply
 * buffer: one size check for the whole run, and short values copied byte by
 * byte, which beats a native latin1Write call per element (LRANGE_300).
 */
function writeBulks(w: ReplyWriter, l: ListValue, start: number, end: number): void {
  const arr = l.a, m = l.m, h = l.h;
  let total = 0;
  for (let i = start; i <= end; i++) total += (arr[(h + i) & m] as string).length + 16;
  w.ensure(total);
  const buf = w.buf;
  let p = w.len;
  for (let i = start; i <= end; i++) {
    const s = arr[(h + i) & m] as string;
    const n = s.length;
    buf[p++] = 0x24; // $
    if (n < 10) buf[p++] = 48 + n;
    else if (n < 100) {
      buf[p++] = 48 + ((n / 10) | 0);
      buf[p++] = 48 + (n % 10);
    } else p += buf.latin1Write(String(n), p);
    buf[p++] = 13;
    buf[p++] = 10;
    if (n <= 48) for (let k = 0; k < n; k++) buf[p++] = s.charCodeAt(k);
    else p += buf.latin1Write(s, p);
    buf[p++] = 13;
    buf[p++] = 10;
  }
  w.len = p;
}

function lrange(c: ShardCtx, a: string[]): void {
  const start = longArg(c, a[2]);
  if (start === null) return;
  const end = longArg(c, a[3]);
  if (end === null) return;
  const v = c.db.get(a[1]);
  if (v === undefined) return c.w.arr(0);
  if (!isList(v)) return c.w.error(E.WRONGTYPE);
  rangeReply(c, v, start, end);
}

const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

function lpos(c: ShardCtx, a: string[]): void {
  const ele = a[2];
  let rank = 1, count = -1, maxlen = 0;
  let fromTail = false;
  for (let j = 3; j < a.length; j++) {
    const opt = a[j].toLowerCase();
    const more = j < a.length - 1;
    if (opt === 'rank' && more) {
      const s = a[++j];
      const b = parseLL(s);
      if (b === null) return c.w.error(E.NOTINT);
      if (b === 0n) return c.w.error(RANK_ZERO);
      // Negating LONG_MIN leaves it negative in C: every match then counts.
      rank = b === INT64.MIN ? -Infinity : Number(b);
    } else if (opt === 'count' && more) {
      const v = rangeArg(c, a[++j], 0, "ERR COUNT can't be negative");
      if (v === null) return;
      count = v;
    } else if (opt === 'maxlen' && more) {
      const v = rangeArg(c, a[++j], 0, "ERR MAXLEN can't be negative");
      if (v === null) return;
      maxlen = v;
    } else {
      return c.w.error(E.SYNTAX);
    }
  }
  if (rank < 0) {
    rank = rank === -Infinity ? -Infinity : -rank;
    fromTail = true;
  }
  const v = c.db.get(a[1]);
  if (v === undefined) return count !== -1 ? c.w.arr(0) : c.w.nil();
  if (!isList(v)) return c.w.error(E.WRONGTYPE);
  const n = v.length;
  const limit = maxlen === 0 || maxlen > n ? n : maxlen;
  let matches = 0;
  if (count === -1) {
    for (let k = 0; k < limit; k++) {
      const idx = fromTail ? n - 1 - k : k;
      if (v.get(idx) === ele && ++matches >= rank) return c.w.int(idx);
    }
    return c.w.nil();
  }
  // The reply length is known only at the end: collect the indexes first.
  const found: number[] = [];
  for (let k = 0; k < limit; k++) {
    const idx = fromTail ? n - 1 - k : k;
    if (v.get(idx) === ele && ++matches >= rank) {
      found.push(idx);
      if (count !== 0 && found.length >= count) break;
    }
  }
  c.w.arr(found.length);
  for (let i = 0; i < found.length; i++) c.w.int(found[i]);
}

// ---------------------------------------------------------------- writes

function lset(c: ShardCtx, a: string[]): void {
  const v = c.db.peek(a[1]);
  if (v === undefined) return c.w.error(E.NOKEY);
  if (!isList(v)) return c.w.error(E.WRONGTYPE);
  let i = longArg(c, a[2]);
  if (i === null) return;
  if (i < 0) i += v.length;
  if (i < 0 || i >= v.length) return c.w.error(E.OUTOFRANGE);
  v.setAt(i, a[3]);
  c.ks.onWrite(c.db.index, a[1]);
  c.ks.stats.dirty++;
  c.w.ok();
}

function ltrim(c: ShardCtx, a: string[]): void {
  let start = longArg(c, a[2]);
  if (start === null) return;
  let end = longArg(c, a[3]);
  if (end === null) return;
  const v = c.db.peek(a[1]);
  if (v === undefined) return c.w.ok();
  if (!isList(v)) return c.w.error(E.WRONGTYPE);
  const n = v.length;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  let ltrim: number, rtrim: number;
  if (start > end || start >= n) {
    ltrim = n;
    rtrim = 0;
  } else {
    if (end >= n) end = n - 1;
    ltrim = start;
    rtrim = n - end - 1;
  }
  if (ltrim >= n) {
    c.db.del(a[1]);
  } else {
    v.removeRange(n - rtrim, rtrim);
    v.removeRange(0, ltrim);
    c.ks.onWrite(c.db.index, a[1]);
  }
  c.ks.stats.dirty += ltrim + rtrim;
  c.w.ok();
}

function lrem(c: ShardCtx, a: string[]): void {
  const toremove = longArg(c, a[2]);
  if (toremove === null) return;
  const v = c.db.peek(a[1]);
  if (v === undefined) return c.w.int(0);
  if (!isList(v)) return c.w.error(E.WRONGTYPE);
  const removed = v.removeValue(a[3], Math.abs(toremove), toremove < 0);
  if (removed) {
    c.ks.stats.dirty += removed;
    afterRemove(c, a[1], v);
  }
  c.w.int(removed);
}

// ---------------------------------------------------------------- pops

function popGeneric(c: ShardCtx, a: string[], left: boolean): void {
  if (a.length > 3) return c.w.error(arityError(left ? 'lpop' : 'rpop'));
  const hascount = a.length === 3;
  let count = 0;
  if (hascount) {
    const v = rangeArg(c, a[2], 0, E.NOTPOSITIVE);
    if (v === null) return;
    count = v;
  }
  const key = a[1];
  const v = c.db.peek(key);
  if (v === undefined) return hascount ? c.w.nilArray() : c.w.nil();
  if (!isList(v)) return c.w.error(E.WRONGTYPE);
  if (hascount && count === 0) return c.w.arr(0);
  if (!hascount) {
    c.w.bulk(v.pop(left)!);
    c.ks.stats.dirty++;
    return afterRemove(c, key, v);
  }
  popCountReply(c, v, left, count);
  afterRemove(c, key, v);
}

/** Pop up to count elements from one end, replying with them as an array. */
function popCountReply(c: ShardCtx, l: ListValue, left: boolean, count: number): number {
  const k = count > l.length ? l.length : count;
  const w = c.w;
  w.arr(k);
  if (left) for (let i = 0; i < k; i++) w.bulk(l.popLeft()!);
  else for (let i = 0; i < k; i++) w.bulk(l.popRight()!);
  c.ks.stats.dirty += k;
  return k;
}

/** listPopRangeAndReplyWithKey: [key, [elements…]]. */
function popRangeWithKey(c: ShardCtx, key: string, l: ListValue, left: boolean, count: number): void {
  c.w.arr(2);
  c.w.bulk(key);
  popCountReply(c, l, left, count);
  afterRemove(c, key, l);
}

// ---------------------------------------------------------------- moves

/**
 * lmoveGenericCommand after the source was found to be a non-empty list:
 * checks the destination, moves one element and replies with it.
 */
function moveOne(c: ShardCtx, src: string, l: ListValue, dst: string, from: boolean, to: boolean, dirty: boolean): void {
  const d = c.db.peek(dst);
  if (d !== undefined && !isList(d)) return c.w.error(E.WRONGTYPE);
  const value = l.pop(from)!;
  if (d === undefined) {
    const nl = new ListValue();
    nl.pushRight(value);
    c.db.set(dst, nl);
  } else {
    if (to) d.pushLeft(value);
    else d.pushRight(value);
    c.ks.onWrite(c.db.index, dst);
  }
  c.w.bulk(value);
  afterRemove(c, src, l);
  if (dirty) c.ks.stats.dirty++;
}

function lmoveGeneric(c: ShardCtx, src: string, dst: string, from: boolean, to: boolean): void {
  const v = c.db.peek(src);
  if (v === undefined) return c.w.nil();
  if (!isList(v)) return c.w.error(E.WRONGTYPE);
  moveOne(c, src, v, dst, from, to, true);
}

function lmove(c: ShardCtx, a: string[]): void {
  const from = whereArg(c, a[3]);
  if (from < 0) return;
  const to = whereArg(c, a[4]);
  if (to < 0) return;
  lmoveGeneric(c, a[1], a[2], from === 1, to === 1);
}

// ---------------------------------------------------------------- LMPOP

/** Parsed LMPOP/BLMPOP arguments (module scratch: handlers don't nest). */
let mpKeysFrom = 0;
let mpKeysTo = 0;
let mpLeft = false;
let mpCount = 1;

/** lmpopGenericCommand's argument parsing; false after replying. */
function parseMpop(c: ShardCtx, a: string[], numkeysIdx: number): boolean {
  const numkeys = rangeArg(c, a[numkeysIdx], 1, 'ERR numkeys should be greater than 0');
  if (numkeys === null) return false;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= a.length) {
    c.w.error(E.SYNTAX);
    return false;
  }
  const wh = whereArg(c, a[whereIdx]);
  if (wh < 0) return false;
  let count = -1;
  for (let j = whereIdx + 1; j < a.length; j++) {
    if (count === -1 && j < a.length - 1 && a[j].toLowerCase() === 'count') {
      const v = rangeArg(c, a[++j], 1, 'ERR count should be greater than 0');
      if (v === null) return false;
      count = v;
    } else {
      c.w.error(E.SYNTAX);
      return false;
    }
  }
  mpKeysFrom = numkeysIdx + 1;
  mpKeysTo = whereIdx;
  mpLeft = wh === 1;
  mpCount = count === -1 ? 1 : count;
  return true;
}

function lmpop(c: ShardCtx, a: string[]): void {
  if (!parseMpop(c, a, 1)) return;
  for (let j = mpKeysFrom; j < mpKeysTo; j++) {
    const v = c.db.peek(a[j]);
    if (v === undefined) continue;
    if (!isList(v)) return c.w.error(E.WRONGTYPE);
    if (v.length === 0) continue;
    return popRangeWithKey(c, a[j], v, mpLeft, mpCount);
  }
  c.w.nilArray();
}

// ---------------------------------------------------------------- blocking

/**
 * A parked BLPOP/BRPOP/BLMPOP. Served from the key whose write woke it (as
 * Redis 7.0 does), else by re-checking the keys left to right; a key holding
 * another type is passed over, as Redis only serves a ready key that is a list.
 */
class BlockedPop {
  constructor(
    readonly keys: string[],
    readonly left: boolean,
    /** -1: BLPOP/BRPOP reply [key, value]; else BLMPOP's count. */
    readonly count: number,
  ) {}

  serve = (c: ShardCtx): boolean => {
    const keys = c.readyKey !== null ? [c.readyKey] : this.keys;
    for (let j = 0; j < keys.length; j++) {
      const v = c.db.peek(keys[j]);
      if (v === undefined || !isList(v) || v.length === 0) continue;
      if (this.count === -1) {
        c.w.arr(2);
        c.w.bulk(keys[j]);
        c.w.bulk(v.pop(this.left)!);
        afterRemove(c, keys[j], v);
      } else {
        popRangeWithKey(c, keys[j], v, this.left, this.count);
      }
      return true;
    }
    return false;
  };

  onTimeout = (c: ShardCtx): void => c.w.nilArray();
}

/** blockingPopGenericCommand over a[from..to). */
function blockingPop(c: ShardCtx, a: string[], from: number, to: number, left: boolean, timeoutIdx: number, count: number): void {
  const timeout = timeoutArg(c, a[timeoutIdx]);
  if (timeout < 0) return;
  for (let j = from; j < to; j++) {
    const v = c.db.peek(a[j]);
    if (v === undefined) continue;
    if (!isList(v)) return c.w.error(E.WRONGTYPE);
    if (v.length === 0) continue;
    if (count !== -1) return popRangeWithKey(c, a[j], v, left, count);
    c.w.arr(2);
    c.w.bulk(a[j]);
    c.w.bulk(v.pop(left)!);
    c.ks.stats.dirty++;
    return afterRemove(c, a[j], v);
  }
  if (c.block === null) return c.w.nilArray();
  const b = new BlockedPop(a.slice(from, to), left, count);
  c.block(b.keys, timeout, b.serve, b.onTimeout);
}

/** A parked BLMOVE/BRPOPLPUSH. A wrong-type destination ends the wait with WRONGTYPE. */
class BlockedMove {
  constructor(
    readonly src: string,
    readonly dst: string,
    readonly from: boolean,
    readonly to: boolean,
  ) {}

  serve = (c: ShardCtx): boolean => {
    const v = c.db.peek(this.src);
    if (v === undefined || !isList(v) || v.length === 0) return false;
    moveOne(c, this.src, v, this.dst, this.from, this.to, false);
    return true;
  };

  // A real timeout answers with a null array like every list wait (blocked.c);
  // only the never-blocked case (MULTI) gets the null bulk.
  onTimeout = (c: ShardCtx): void => c.w.nilArray();
}

function blmoveGeneric(c: ShardCtx, a: string[], from: boolean, to: boolean, timeout: number): void {
  const v = c.db.peek(a[1]);
  if (v !== undefined) {
    if (!isList(v)) return c.w.error(E.WRONGTYPE);
    return moveOne(c, a[1], v, a[2], from, to, true);
  }
  if (c.block === null) return c.w.nil();
  const b = new BlockedMove(a[1], a[2], from, to);
  c.block([a[1]], timeout, b.serve, b.onTimeout);
}

function blmove(c: ShardCtx, a: string[]): void {
  const from = whereArg(c, a[3]);
  if (from < 0) return;
  const to = whereArg(c, a[4]);
  if (to < 0) return;
  const t = timeoutArg(c, a[5]);
  if (t < 0) return;
  blmoveGeneric(c, a, from === 1, to === 1, t);
}

function brpoplpush(c: ShardCtx, a: string[]): void {
  const t = timeoutArg(c, a[3]);
  if (t < 0) return;
  blmoveGeneric(c, a, false, true, t);
}

function blmpop(c: ShardCtx, a: string[]): void {
  if (!parseMpop(c, a, 2)) return;
  blockingPop(c, a, mpKeysFrom, mpKeysTo, mpLeft, 1, mpCount);
}

export const commands: CommandDef[] = [
  { name: 'lpush', run: (c, a) => pushGeneric(c, a, true, false) },
  { name: 'rpush', run: (c, a) => pushGeneric(c, a, false, false) },
  { name: 'lpushx', run: (c, a) => pushGeneric(c, a, true, true) },
  { name: 'rpushx', run: (c, a) => pushGeneric(c, a, false, true) },
  { name: 'linsert', run: linsert },
  { name: 'llen', run: llen },
  { name: 'lindex', run: lindex },
  { name: 'lrange', run: lrange },
  { name: 'lpos', run: lpos },
  { name: 'lset', run: lset },
  { name: 'ltrim', run: ltrim },
  { name: 'lrem', run: lrem },
  { name: 'lpop', run: (c, a) => popGeneric(c, a, true) },
  { name: 'rpop', run: (c, a) => popGeneric(c, a, false) },
  { name: 'lmove', run: lmove },
  { name: 'rpoplpush', run: (c, a) => lmoveGeneric(c, a[1], a[2], false, true) },
  { name: 'lmpop', run: lmpop },
  { name: 'blpop', run: (c, a) => blockingPop(c, a, 1, a.length - 1, true, a.length - 1, -1) },
  { name: 'brpop', run: (c, a) => blockingPop(c, a, 1, a.length - 1, false, a.length - 1, -1) },
  { name: 'blmove', run: blmove },
  { name: 'brpoplpush', run: brpoplpush },
  { name: 'blmpop', run: blmpop },
];
