// Set commands (t_set.c semantics of Redis 7.0.15).

import type { CommandDef, ShardCtx } from './contract';
import { E } from './errors';
import { SetValue, maxIntsetEntries } from '../store/set';
import { parseLL, parseSmallInt } from '../util/parse';
import {
  MAX_REPEAT_COUNT,
  emptyScan,
  parseRandCount,
  parseScanCursor,
  parseScanOpts,
  sampleDistinct,
  scanDense,
  removeMembers,
} from './hash';

/** Existing set, undefined when missing, null after a WRONGTYPE reply. */
function lookupSet(c: ShardCtx, key: string, write: boolean): SetValue | undefined | null {
  const v = write ? c.db.peek(key) : c.db.get(key);
  if (v === undefined) return undefined;
  if (typeof v === 'string' || v.type !== 'set') {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v as SetValue;
}

/** Reply with members as a RESP3 set (RESP2 array). */
function replyMembers(c: ShardCtx, m: readonly string[]): void {
  const w = c.w;
  w.set(m.length);
  for (let i = 0; i < m.length; i++) w.bulk(m[i]);
}

function saddCommand(c: ShardCtx, a: string[]): void {
  const key = a[1];
  let s = lookupSet(c, key, true);
  if (s === null) return;
  const created = s === undefined;
  if (s === undefined) s = new SetValue();
  const max = maxIntsetEntries(c.config);
  let added = 0;
  for (let i = 2; i < a.length; i++) if (s.add(a[i], max)) added++;
  if (created) c.db.set(key, s);
  else if (added) c.ks.onWrite(c.db.index, key);
  c.ks.stats.dirty += added;
  c.w.int(added);
}

function sremCommand(c: ShardCtx, a: string[]): void {
  const key = a[1];
  const s = lookupSet(c, key, true);
  if (s === null) return;
  if (s === undefined) return c.w.int(0);
  removeMembers(c, key, s, a, (m) => s.remove(m));
}

function smoveCommand(c: ShardCtx, a: string[]): void {
  const srcKey = a[1], dstKey = a[2], m = a[3];
  const src = c.db.peek(srcKey);
  const dst = c.db.peek(dstKey);
  if (src === undefined) return c.w.int(0);
  if (typeof src === 'string' || src.type !== 'set') return c.w.error(E.WRONGTYPE);
  if (dst !== undefined && (typeof dst === 'string' || dst.type !== 'set')) return c.w.error(E.WRONGTYPE);
  const ss = src as SetValue;
  if (src === dst) return c.w.int(ss.has(m) ? 1 : 0);
  if (!ss.remove(m)) return c.w.int(0);
  if (ss.size === 0) c.db.del(srcKey);
  else c.ks.onWrite(c.db.index, srcKey);
  c.ks.stats.dirty++;
  const max = maxIntsetEntries(c.config);
  if (dst === undefined) {
    const ds = new SetValue();
    ds.add(m, max);
    c.db.set(dstKey, ds);
    c.ks.stats.dirty++;
  } else if ((dst as SetValue).add(m, max)) {
    c.ks.stats.dirty++;
    c.ks.onWrite(c.db.index, dstKey);
  }
  c.w.int(1);
}

function sismemberCommand(c: ShardCtx, a: string[]): void {
  const s = lookupSet(c, a[1], false);
  if (s === null) return;
  c.w.int(s !== undefined && s.has(a[2]) ? 1 : 0);
}

function smismemberCommand(c: ShardCtx, a: string[]): void {
  const s = lookupSet(c, a[1], false);
  if (s === null) return;
  const w = c.w;
  w.arr(a.length - 2);
  for (let i = 2; i < a.length; i++) w.int(s !== undefined && s.has(a[i]) ? 1 : 0);
}

function scardCommand(c: ShardCtx, a: string[]): void {
  const s = lookupSet(c, a[1], false);
  if (s === null) return;
  c.w.int(s === undefined ? 0 : s.size);
}

function spopCommand(c: ShardCtx, a: string[]): void {
  if (a.length === 3) return spopWithCount(c, a);
  if (a.length > 3) return c.w.error(E.SYNTAX);
  const key = a[1];
  const s = lookupSet(c, key, true);
  if (s === null) return;
  if (s === undefined) return c.w.nil();
  const m = s.popRandom();
  c.w.bulk(m);
  if (s.size === 0) c.db.del(key);
  else c.ks.onWrite(c.db.index, key);
  c.ks.stats.dirty++;
}

/** Redis's switch point between popping and rebuilding from the remainder. */
const SPOP_MOVE_STRATEGY_MUL = 5;

function spopWithCount(c: ShardCtx, a: string[]): void {
  let count: number | null = parseSmallInt(a[2]);
  if (count === null) {
    const b = parseLL(a[2]);
    if (b === null) return c.w.error(E.NOTPOSITIVE);
    count = Number(b);
  }
  if (count < 0) return c.w.error(E.NOTPOSITIVE);
  const key = a[1];
  const s = lookupSet(c, key, true);
  if (s === null) return;
  const w = c.w;
  if (s === undefined || count === 0) return w.set(0);
  const size = s.size;
  c.ks.stats.dirty += count >= size ? size : count;

  if (count >= size) {
    // Redis answers with the union of the set alone (so a fresh set's order).
    replyMembers(c, setOpResult([s], UNION, maxIntsetEntries(c.config)).order());
    c.db.del(key);
    return;
  }

  const remaining = size - count;
  w.set(count);
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) w.bulk(s.popRandom());
    c.ks.onWrite(c.db.index, key);
  } else {
    // Move the few survivors to a new set (re-deciding its encoding, as
    // Redis does) and answer with what is left in the old one.
    const ns = new SetValue();
    const max = maxIntsetEntries(c.config);
    for (let i = 0; i < remaining; i++) ns.add(s.popRandom(), max);
    const rest = s.order();
    for (let i = 0; i < rest.length; i++) w.bulk(rest[i]);
    c.db.update(key, ns);
  }
}

function srandmemberCommand(c: ShardCtx, a: string[]): void {
  if (a.length === 3) return srandmemberWithCount(c, a);
  if (a.length > 3) return c.w.error(E.SYNTAX);
  const s = lookupSet(c, a[1], false);
  if (s === null) return;
  if (s === undefined) return c.w.nil();
  c.w.bulk(s.random());
}

function srandmemberWithCount(c: ShardCtx, a: string[]): void {
  const l = parseRandCount(c, a[2]);
  if (l === null) return;
  const s = lookupSet(c, a[1], false);
  if (s === null) return;
  const w = c.w;
  if (s === undefined) return w.arr(0);
  const uniq = l >= 0;
  const count = uniq ? l : -l;
  if (count === 0) return w.arr(0);
  if (!uniq || count === 1) {
    if (count > MAX_REPEAT_COUNT) return w.error('ERR value is out of range');
    w.arr(count);
    for (let i = 0; i < count; i++) w.bulk(s.random());
    return;
  }
  const size = s.size;
  if (count >= size) {
    const m = s.order();
    w.arr(size);
    for (let i = 0; i < size; i++) w.bulk(m[i]);
    return;
  }
  const items = s.items;
  const pick = sampleDistinct(size, count);
  w.arr(count);
  for (let i = 0; i < count; i++) w.bulk(items[pick[i]]);
}

// ------------------------------------------------------------ intersection

function sinterGeneric(c: ShardCtx, keys: string[], dst: string | null, cardOnly: boolean, limit: number): void {
  const sets: SetValue[] = [];
  let empty = false;
  for (let i = 0; i < keys.length; i++) {
    const s = lookupSet(c, keys[i], false);
    if (s === null) return;
    if (s === undefined) empty = true;
    else sets.push(s);
  }
  const w = c.w;
  if (empty) {
    if (dst !== null) {
      if (c.db.del(dst)) c.ks.stats.dirty++;
      w.int(0);
    } else if (cardOnly) w.int(0);
    else w.set(0);
    return;
  }
  if (sets.length === 1 && dst === null && !cardOnly) return replyMembers(c, sets[0].order());
  sets.sort((x, y) => x.size - y.size);
  const first = sets[0];
  const base = first.order();
  const out: string[] = [];
  let card = 0;
  for (let i = 0; i < base.length; i++) {
    const m = base[i];
    let j = 1;
    for (; j < sets.length; j++) {
      if (sets[j] !== first && !sets[j].has(m)) break;
    }
    if (j < sets.length) continue;
    card++;
    if (cardOnly) {
      if (limit && card >= limit) break;
    } else out.push(m);
  }
  if (cardOnly) return w.int(card);
  if (dst === null) return replyMembers(c, out);
  const max = maxIntsetEntries(c.config);
  const ds = new SetValue();
  for (let i = 0; i < out.length; i++) ds.add(out[i], max);
  storeResult(c, dst, ds);
}

/** SINTERSTORE/SUNIONSTORE/SDIFFSTORE: store a non-empty result, else delete. */
function storeResult(c: ShardCtx, dst: string, ds: SetValue): void {
  if (ds.size > 0) {
    c.db.set(dst, ds);
    c.ks.stats.dirty++;
    c.w.int(ds.size);
  } else {
    c.w.int(0);
    if (c.db.del(dst)) c.ks.stats.dirty++;
  }
}

function sintercardCommand(c: ShardCtx, a: string[]): void {
  const w = c.w;
  const nk = parseLL(a[1]);
  if (nk === null || nk < 1n) return w.error('ERR numkeys should be greater than 0');
  if (nk > BigInt(a.length - 2)) return w.error("ERR Number of keys can't be greater than number of args");
  const numkeys = Number(nk);
  let limit = 0;
  for (let j = 2 + numkeys; j < a.length; j++) {
    if (a[j].toLowerCase() === 'limit' && j + 1 < a.length) {
      j++;
      const l = parseLL(a[j]);
      if (l === null || l < 0n) return w.error("ERR LIMIT can't be negative");
      limit = Number(l);
    } else {
      return w.error(E.SYNTAX);
    }
  }
  sinterGeneric(c, a.slice(2, 2 + numkeys), null, true, limit);
}

// ---------------------------------------------------------- union and diff

const UNION = 0, DIFF = 1;

/**
 * The result set of SUNION/SDIFF over `sets` (null = missing key), built the
 * way Redis builds it: a fresh set that starts as an intset, with Redis's
 * choice of diff algorithm, so its encoding and order come out the same.
 */
function setOpResult(sets: (SetValue | null)[], op: number, max: number): SetValue {
  const ds = new SetValue();
  const n = sets.length;
  const s0 = sets[0];
  let sameset = false;
  for (let j = 1; j < n; j++) if (s0 !== null && sets[j] === s0) sameset = true;

  if (op === UNION) {
    for (let j = 0; j < n; j++) {
      const s = sets[j];
      if (s === null) continue;
      const m = s.order();
      for (let i = 0; i < m.length; i++) ds.add(m[i], max);
    }
    return ds;
  }
  if (s0 === null || sameset) return ds;

  let work1 = 0, work2 = 0;
  for (let j = 0; j < n; j++) {
    if (sets[j] === null) continue;
    work1 += s0.size;
    work2 += sets[j]!.size;
  }
  work1 = Math.floor(work1 / 2);
  if (work1 <= work2) {
    // Check each member of the first set against the others, biggest first.
    const others = sets.slice(1).sort((x, y) => (y ? y.size : 0) - (x ? x.size : 0));
    const m = s0.order();
    for (let i = 0; i < m.length; i++) {
      let j = 0;
      for (; j < others.length; j++) {
        const o = others[j];
        if (o !== null && o.has(m[i])) break;
      }
      if (j === others.length) ds.add(m[i], max);
    }
  } else {
    // Copy the first set, then strike out the members of the others.
    for (let j = 0; j < n; j++) {
      const s = sets[j];
      if (s === null) continue;
      const m = s.order();
      if (j === 0) for (let i = 0; i < m.length; i++) ds.add(m[i], max);
      else for (let i = 0; i < m.length; i++) ds.remove(m[i]);
      if (ds.size === 0) break;
    }
  }
  return ds;
}

function sunionDiffGeneric(c: ShardCtx, keys: string[], dst: string | null, op: number): void {
  const sets: (SetValue | null)[] = [];
  for (let i = 0; i < keys.length; i++) {
    const s = lookupSet(c, keys[i], false);
    if (s === null) return;
    sets.push(s === undefined ? null : s);
  }
  const ds = setOpResult(sets, op, maxIntsetEntries(c.config));
  if (dst === null) return replyMembers(c, ds.order());
  storeResult(c, dst, ds);
}

function sscanCommand(c: ShardCtx, a: string[]): void {
  const cursor = parseScanCursor(a[2]);
  if (cursor < 0) return c.w.error('ERR invalid cursor');
  const s = lookupSet(c, a[1], false);
  if (s === null) return;
  if (s === undefined) return emptyScan(c);
  const o = parseScanOpts(c, a);
  if (o === null) return;
  if (s.ht) scanDense(c, s.items, 1, false, cursor, o);
  else scanDense(c, s.order(), 1, true, cursor, o);
}

export const commands: CommandDef[] = [
  { name: 'sadd', run: saddCommand },
  { name: 'srem', run: sremCommand },
  { name: 'smove', run: smoveCommand },
  { name: 'sismember', run: sismemberCommand },
  { name: 'smismember', run: smismemberCommand },
  { name: 'scard', run: scardCommand },
  { name: 'spop', run: spopCommand },
  { name: 'srandmember', run: srandmemberCommand },
  { name: 'smembers', run: (c, a) => sinterGeneric(c, [a[1]], null, false, 0) },
  { name: 'sinter', run: (c, a) => sinterGeneric(c, a.slice(1), null, false, 0) },
  { name: 'sintercard', run: sintercardCommand },
  { name: 'sinterstore', run: (c, a) => sinterGeneric(c, a.slice(2), a[1], false, 0) },
  { name: 'sunion', run: (c, a) => sunionDiffGeneric(c, a.slice(1), null, UNION) },
  { name: 'sunionstore', run: (c, a) => sunionDiffGeneric(c, a.slice(2), a[1], UNION) },
  { name: 'sdiff', run: (c, a) => sunionDiffGeneric(c, a.slice(1), null, DIFF) },
  { name: 'sdiffstore', run: (c, a) => sunionDiffGeneric(c, a.slice(2), a[1], DIFF) },
  { name: 'sscan', run: sscanCommand },
];
