// Hash commands (t_hash.c semantics of Redis 7.0.15), plus the SSCAN/HSCAN
// option parsing and random-sampling helpers the set commands share.

import type { CommandDef, ShardCtx } from './contract';
import type { Value } from '../store/keyspace';
import { E, arityError } from './errors';
import { HashValue, hashMaxEntries, hashMaxValue } from '../store/hash';
import { parseLL, parseSmallInt } from '../util/parse';
import { parseLongDouble, incrByFloatText } from '../util/longdouble';
import { globMatch } from '../util/glob';

const LONG_MAX = 2n ** 63n - 1n;
const RANGE_ERR = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
/**
 * Redis streams a repeated-pick reply of any size until the client is cut
 * off; we refuse counts whose reply could never be buffered.
 */
export const MAX_REPEAT_COUNT = 50_000_000;

// ------------------------------------------------------------ shared helpers

/** A getLongLong-style integer argument as a number (int64 range), or null. */
export function parseLongArg(s: string): number | null {
  const f = parseSmallInt(s);
  if (f !== null) return f;
  const b = parseLL(s);
  return b === null ? null : Number(b);
}

/**
 * The COUNT of SRANDMEMBER/HRANDFIELD: an integer in [-LONG_MAX, LONG_MAX].
 * Writes the error and returns null otherwise.
 */
export function parseRandCount(c: ShardCtx, s: string): number | null {
  const f = parseSmallInt(s);
  if (f !== null) return f;
  const b = parseLL(s);
  if (b === null) {
    c.w.error(E.NOTINT);
    return null;
  }
  if (b < -LONG_MAX) {
    c.w.error(RANGE_ERR);
    return null;
  }
  return Number(b);
}

/**
 * k distinct indices in [0, n), uniformly, in random order (k <= n). A partial
 * Fisher-Yates when k is a large share of n, rejection sampling otherwise.
 */
export function sampleDistinct(n: number, k: number): ArrayLike<number> {
  if (k * 3 > n) {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(Math.random() * (n - i));
      const t = a[i]; a[i] = a[j]; a[j] = t;
    }
    return a.subarray(0, k);
  }
  const seen = new Set<number>();
  const out = new Int32Array(k);
  let m = 0;
  while (m < k) {
    const r = Math.floor(Math.random() * n);
    if (seen.has(r)) continue;
    seen.add(r);
    out[m++] = r;
  }
  return out;
}


import { parseScanCursor } from '../util/parse';
export { parseScanCursor };

export interface ScanOpts {
  count: number;
  /** null: match everything. */
  pat: string | null;
}

/** SSCAN/HSCAN options from a[3]; null after writing the error. */
export function parseScanOpts(c: ShardCtx, a: string[]): ScanOpts | null {
  let count = 10;
  let pat: string | null = null;
  for (let i = 3; i < a.length; i += 2) {
    const opt = a[i].toLowerCase();
    const more = i + 1 < a.length;
    if (opt === 'count' && more) {
      const v = parseLongArg(a[i + 1]);
      if (v === null) {
        c.w.error(E.NOTINT);
        return null;
      }
      if (v < 1) {
        c.w.error(E.SYNTAX);
        return null;
      }
      count = v;
    } else if (opt === 'match' && more) {
      pat = a[i + 1] === '*' ? null : a[i + 1];
    } else {
      c.w.error(E.SYNTAX);
      return null;
    }
  }
  return { count, pat };
}

/** The reply of SSCAN/HSCAN on a missing key. */
export function emptyScan(c: ShardCtx): void {
  c.w.raw('*2\r\n$1\r\n0\r\n*0\r\n');
}

/**
 * Scan an array of elements with `stride` strings per element (1 for sets,
 * 2 for field/value pairs), matching the first string of each. `all` scans
 * everything at once (small encodings: cursor 0). Otherwise the cursor is
 * the slot boundary: slots below it are still to visit, top down; 0 starts
 * at the top.
 */
export function scanDense(c: ShardCtx, arr: readonly string[], stride: number, all: boolean, cursor: number, o: ScanOpts): void {
  const n = arr.length / stride;
  let lo: number, hi: number;
  if (all) {
    lo = 0;
    hi = n;
  } else {
    hi = cursor === 0 || cursor > n ? n : cursor;
    lo = hi > o.count ? hi - o.count : 0;
  }
  const out: string[] = [];
  const pat = o.pat;
  if (all) {
    for (let i = lo; i < hi; i++) {
      const k = arr[i * stride];
      if (pat !== null && !globMatch(pat, k)) continue;
      for (let j = 0; j < stride; j++) out.push(arr[i * stride + j]);
    }
  } else {
    for (let i = hi - 1; i >= lo; i--) {
      const k = arr[i * stride];
      if (pat !== null && !globMatch(pat, k)) continue;
      for (let j = 0; j < stride; j++) out.push(arr[i * stride + j]);
    }
  }
  const w = c.w;
  w.arr(2);
  w.bulk(all || lo === 0 ? '0' : String(lo));
  w.bulks(out);
}

// ------------------------------------------------------------------ lookups

/** Existing hash, undefined when missing, null after a WRONGTYPE reply. */
function readHash(c: ShardCtx, key: string): HashValue | undefined | null {
  const v = c.db.get(key);
  if (v === undefined) return undefined;
  if (typeof v === 'string' || v.type !== 'hash') {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v as HashValue;
}

function writeHash(c: ShardCtx, key: string): HashValue | undefined | null {
  const v: Value | undefined = c.db.peek(key);
  if (v === undefined) return undefined;
  if (typeof v === 'string' || v.type !== 'hash') {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v as HashValue;
}

/** After a write: register a new hash or announce the change of an old one. */
function commit(c: ShardCtx, key: string, h: HashValue, created: boolean): void {
  if (created) c.db.set(key, h);
  else c.ks.onWrite(c.db.index, key);
}

// ----------------------------------------------------------------- commands

function hsetCommand(c: ShardCtx, a: string[]): void {
  if (a.length % 2 === 1) return c.w.error(arityError(a[0].toLowerCase()));
  const key = a[1];
  let h = writeHash(c, key);
  if (h === null) return;
  const created = h === undefined;
  if (h === undefined) h = new HashValue();
  if (!h.ht) {
    const maxValue = hashMaxValue(c.config);
    for (let i = 2; i < a.length; i++) {
      if (a[i].length > maxValue) {
        h.ht = true;
        break;
      }
    }
  }
  let added = 0;
  for (let i = 2; i < a.length; i += 2) if (h.set(a[i], a[i + 1])) added++;
  if (!h.ht && h.size > hashMaxEntries(c.config)) h.ht = true;
  commit(c, key, h, created);
  c.ks.stats.dirty += (a.length - 2) >> 1;
  // HSET answers the count of new fields, HMSET +OK.
  const c1 = a[0].charCodeAt(1);
  if (c1 === 115 || c1 === 83) c.w.int(added);
  else c.w.ok();
}

function hsetnxCommand(c: ShardCtx, a: string[]): void {
  const key = a[1];
  let h = writeHash(c, key);
  if (h === null) return;
  const created = h === undefined;
  if (h === undefined) h = new HashValue();
  else if (h.has(a[2])) return c.w.int(0);
  h.setChecked(a[2], a[3], hashMaxEntries(c.config), hashMaxValue(c.config));
  commit(c, key, h, created);
  c.ks.stats.dirty++;
  c.w.int(1);
}

function hgetCommand(c: ShardCtx, a: string[]): void {
  const h = readHash(c, a[1]);
  if (h === null) return;
  c.w.bulk(h === undefined ? null : h.get(a[2]));
}

function hmgetCommand(c: ShardCtx, a: string[]): void {
  const h = readHash(c, a[1]);
  if (h === null) return;
  const w = c.w;
  w.arr(a.length - 2);
  for (let i = 2; i < a.length; i++) w.bulk(h === undefined ? null : h.get(a[i]));
}

function hdelCommand(c: ShardCtx, a: string[]): void {
  const key = a[1];
  const h = writeHash(c, key);
  if (h === null) return;
  if (h === undefined) return c.w.int(0);
  removeMembers(c, key, h, a, (m) => h.delete(m));
}

/**
 * HDEL/SREM: remove a[2..] from a collection, delete the key when it empties
 * (Redis stops there), signal the write and reply the count.
 */
export function removeMembers(c: ShardCtx, key: string, coll: { size: number }, a: string[], remove: (m: string) => boolean): void {
  let deleted = 0;
  let removed = false;
  for (let i = 2; i < a.length; i++) {
    if (remove(a[i])) {
      deleted++;
      if (coll.size === 0) {
        c.db.del(key);
        removed = true;
        break;
      }
    }
  }
  if (deleted) {
    if (!removed) c.ks.onWrite(c.db.index, key);
    c.ks.stats.dirty += deleted;
  }
  c.w.int(deleted);
}

function hlenCommand(c: ShardCtx, a: string[]): void {
  const h = readHash(c, a[1]);
  if (h === null) return;
  c.w.int(h === undefined ? 0 : h.size);
}

function hstrlenCommand(c: ShardCtx, a: string[]): void {
  const h = readHash(c, a[1]);
  if (h === null) return;
  const v = h === undefined ? undefined : h.get(a[2]);
  c.w.int(v === undefined ? 0 : v.length);
}

function hexistsCommand(c: ShardCtx, a: string[]): void {
  const h = readHash(c, a[1]);
  if (h === null) return;
  c.w.int(h !== undefined && h.has(a[2]) ? 1 : 0);
}

function hincrbyCommand(c: ShardCtx, a: string[]): void {
  const incrS = a[3];
  let incrN = parseSmallInt(incrS);
  let incrB: bigint | null = null;
  if (incrN === null) {
    incrB = parseLL(incrS);
    if (incrB === null) return c.w.error(E.NOTINT);
  }
  const key = a[1];
  let h = writeHash(c, key);
  if (h === null) return;
  const created = h === undefined;
  if (h === undefined) h = new HashValue();
  const cur = h.get(a[2]);
  let out: string;
  let curN: number | null = 0;
  if (cur !== undefined) {
    curN = parseSmallInt(cur);
    if (curN === null && parseLL(cur) === null) return c.w.error('ERR hash value is not an integer');
  }
  if (curN !== null && incrN !== null && Number.isSafeInteger(curN + incrN)) {
    out = String(curN + incrN);
  } else {
    const x = cur === undefined ? 0n : parseLL(cur)!;
    const y = incrB !== null ? incrB : BigInt(incrN!);
    const r = x + y;
    if (r > LONG_MAX || r < -LONG_MAX - 1n) return c.w.error('ERR increment or decrement would overflow');
    out = r.toString();
  }
  h.setChecked(a[2], out, hashMaxEntries(c.config), hashMaxValue(c.config));
  commit(c, key, h, created);
  c.ks.stats.dirty++;
  c.w.raw(':' + out + '\r\n');
}

function hincrbyfloatCommand(c: ShardCtx, a: string[]): void {
  const incr = parseLongDouble(a[3]);
  if (incr === null) return c.w.error(E.NOTFLOAT);
  if (typeof incr === 'number') return c.w.error('ERR value is NaN or Infinity');
  const key = a[1];
  let h = writeHash(c, key);
  if (h === null) return;
  const created = h === undefined;
  if (h === undefined) h = new HashValue();
  const cur = h.get(a[2]);
  if (cur !== undefined && parseLongDouble(cur) === null) return c.w.error('ERR hash value is not a float');
  const r = incrByFloatText(cur, a[3]);
  if (typeof r !== 'string') return c.w.error('ERR increment would produce NaN or Infinity');
  h.setChecked(a[2], r, hashMaxEntries(c.config), hashMaxValue(c.config));
  commit(c, key, h, created);
  c.ks.stats.dirty++;
  c.w.bulk(r);
}

const KEYS = 1, VALS = 2;

function getallGeneric(c: ShardCtx, a: string[], what: number): void {
  const h = readHash(c, a[1]);
  if (h === null) return;
  const w = c.w;
  const n = h === undefined ? 0 : h.size;
  if (what === (KEYS | VALS)) w.map(n);
  else w.arr(n);
  if (h === undefined) return;
  const kv = h.kv;
  for (let i = 0; i < kv.length; i += 2) {
    if (what & KEYS) w.bulk(kv[i]);
    if (what & VALS) w.bulk(kv[i + 1]);
  }
}

function hrandfieldCommand(c: ShardCtx, a: string[]): void {
  const w = c.w;
  if (a.length < 3) {
    const h = readHash(c, a[1]);
    if (h === null) return;
    if (h === undefined) return w.nil();
    const i = Math.floor(Math.random() * h.size);
    return w.bulk(h.kv[2 * i]);
  }
  const l = parseRandCount(c, a[2]);
  if (l === null) return;
  let withValues = false;
  if (a.length > 4 || (a.length === 4 && a[3].toLowerCase() !== 'withvalues')) return w.error(E.SYNTAX);
  if (a.length === 4) {
    withValues = true;
    // Redis: l < -LONG_MAX/2 || l > LONG_MAX/2
    if (Math.abs(l) >= 2 ** 52) {
      const b = BigInt(a[2]);
      if (b < -(LONG_MAX / 2n) || b > LONG_MAX / 2n) return w.error('ERR value is out of range');
    }
  }
  const h = readHash(c, a[1]);
  if (h === null) return;
  if (h === undefined) return w.arr(0);
  const size = h.size;
  const kv = h.kv;
  const uniq = l >= 0;
  const count = uniq ? l : -l;
  if (count === 0) return w.arr(0);
  const resp3 = w.proto === 3;

  if (!uniq || count === 1) {
    if (count > MAX_REPEAT_COUNT) return w.error('ERR value is out of range');
    w.arr(withValues && !resp3 ? count * 2 : count);
    for (let k = 0; k < count; k++) {
      const i = 2 * Math.floor(Math.random() * size);
      if (withValues && resp3) w.arr(2);
      w.bulk(kv[i]);
      if (withValues) w.bulk(kv[i + 1]);
    }
    return;
  }

  const n = count < size ? count : size;
  w.arr(withValues && !resp3 ? n * 2 : n);
  if (count >= size) {
    for (let i = 0; i < kv.length; i += 2) {
      if (withValues && resp3) w.arr(2);
      w.bulk(kv[i]);
      if (withValues) w.bulk(kv[i + 1]);
    }
    return;
  }
  const pick = sampleDistinct(size, n);
  for (let k = 0; k < n; k++) {
    const i = 2 * pick[k];
    if (withValues && resp3) w.arr(2);
    w.bulk(kv[i]);
    if (withValues) w.bulk(kv[i + 1]);
  }
}

function hscanCommand(c: ShardCtx, a: string[]): void {
  const cursor = parseScanCursor(a[2]);
  if (cursor < 0) return c.w.error('ERR invalid cursor');
  const h = readHash(c, a[1]);
  if (h === null) return;
  if (h === undefined) return emptyScan(c);
  const o = parseScanOpts(c, a);
  if (o === null) return;
  scanDense(c, h.kv, 2, !h.ht, cursor, o);
}

export const commands: CommandDef[] = [
  { name: 'hset', run: hsetCommand },
  { name: 'hmset', run: hsetCommand },
  { name: 'hsetnx', run: hsetnxCommand },
  { name: 'hget', run: hgetCommand },
  { name: 'hmget', run: hmgetCommand },
  { name: 'hdel', run: hdelCommand },
  { name: 'hlen', run: hlenCommand },
  { name: 'hstrlen', run: hstrlenCommand },
  { name: 'hexists', run: hexistsCommand },
  { name: 'hincrby', run: hincrbyCommand },
  { name: 'hincrbyfloat', run: hincrbyfloatCommand },
  { name: 'hgetall', run: (c, a) => getallGeneric(c, a, KEYS | VALS) },
  { name: 'hkeys', run: (c, a) => getallGeneric(c, a, KEYS) },
  { name: 'hvals', run: (c, a) => getallGeneric(c, a, VALS) },
  { name: 'hrandfield', run: hrandfieldCommand },
  { name: 'hscan', run: hscanCommand },
];
