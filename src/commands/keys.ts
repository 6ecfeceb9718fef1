// Generic keyspace commands (db.c, expire.c, object.c semantics): DEL,
// EXISTS, RENAME, COPY, MOVE, the EXPIRE/TTL family, OBJECT, and the
// whole-keyspace commands the acceptor fans out to every shard (KEYS,
// DBSIZE, RANDOMKEY, FLUSHDB, FLUSHALL, SWAPDB) or routes by cursor (SCAN).
//
// Lookups mirror Redis's: read lookups (db.get) count keyspace hits/misses,
// write lookups (db.peek) don't; both expire a stale key first.

import type { CommandDef, ShardCtx } from './contract';
import type { Db, Value } from '../store/keyspace';
import { typeOf } from '../store/keyspace';
import { E, cstr, formatError } from './errors';
import { replyHelp } from './table';
import { parseLL, parseSmallInt, INT64, parseScanCursor } from '../util/parse';
import { globMatch, isPlainPattern } from '../util/glob';
import { SLOTS, slotOfString } from '../util/slot';

const INT_RANGE = 'ERR value is out of range, value must between -2147483648 and 2147483647';

/**
 * getIntFromObjectOrReply: a C int, or null after replying. `msg` replaces
 * both the not-an-integer and the out-of-range texts, as in Redis.
 */
function intArg(c: ShardCtx, s: string, msg?: string): number | null {
  let v: number | bigint | null = parseSmallInt(s);
  if (v === null) v = parseLL(s);
  if (v === null) {
    c.w.error(msg ?? E.NOTINT);
    return null;
  }
  if (v < -2147483648 || v > 2147483647) {
    c.w.error(msg ?? INT_RANGE);
    return null;
  }
  return Number(v);
}

/** selectDb's range check. */
function dbInRange(c: ShardCtx, id: number): boolean {
  return id >= 0 && id < c.config.databases;
}

/**
 * Same test Db.expireIfNeeded applies, without deleting: for loops that
 * iterate a slot Map, where removing entries would disturb the walk.
 */
function isStale(db: Db, key: string, now: number): boolean {
  if (db.expires.size === 0) return false;
  const t = db.expires.get(key);
  return t !== undefined && t <= now;
}

/**
 * The value a copy stores. Strings are immutable JS strings, so the copy
 * shares them. Other types own mutable state: a type that supports COPY
 * gives itself a `clone()` that returns an independent deep copy; one that
 * doesn't (yet) is shared, which is only safe while it is never mutated.
 */
function dupValue(v: Value): Value {
  if (typeof v === 'string') return v;
  const o = v as { clone?: () => Value };
  return typeof o.clone === 'function' ? o.clone() : v;
}

/** Carry the "raw" encoding mark along when a value moves or is copied. */
function carryRaw(from: Db, key: string, to: Db, newKey: string): void {
  if (from.raw.size !== 0 && from.raw.has(key)) {
    to.raw.add(newKey);
    if (from.embstr.size !== 0 && from.embstr.has(key)) to.embstr.add(newKey);
  }
}

// ---------------------------------------------------------------- DEL & co

function delCommand(c: ShardCtx, a: string[]): void {
  const db = c.db;
  let n = 0;
  for (let j = 1; j < a.length; j++) if (db.del(a[j])) n++;
  c.ks.stats.dirty += n;
  c.w.int(n);
}

/** EXISTS and TOUCH: read lookups, repeats counted each time. */
function existsCommand(c: ShardCtx, a: string[]): void {
  const db = c.db;
  let n = 0;
  for (let j = 1; j < a.length; j++) if (db.get(a[j]) !== undefined) n++;
  c.w.int(n);
}

function typeCommand(c: ShardCtx, a: string[]): void {
  const v = c.db.get(a[1]);
  c.w.simple(v === undefined ? 'none' : typeOf(v));
}

function renameGeneric(c: ShardCtx, a: string[], nx: boolean): void {
  const db = c.db;
  const src = a[1], dst = a[2];
  const v = db.peek(src);
  if (v === undefined) return c.w.error(E.NOKEY);
  if (src === dst) return nx ? c.w.int(0) : c.w.ok();
  const when = db.ttlOf(src);
  if (db.peek(dst) !== undefined) {
    if (nx) return c.w.int(0);
    db.removeKey(dst);
  }
  db.set(dst, v);
  if (when !== -1) db.setExpire(dst, when);
  carryRaw(db, src, db, dst);
  db.removeKey(src);
  c.ks.onWrite(db.index, src);
  c.ks.stats.dirty++;
  if (nx) c.w.int(1);
  else c.w.ok();
}

function copyCommand(c: ShardCtx, a: string[]): void {
  const src = c.db;
  let dst = src;
  let replace = false;
  for (let j = 3; j < a.length; j++) {
    const opt = a[j].toLowerCase();
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'db' && j + 1 < a.length) {
      const id = intArg(c, a[++j]);
      if (id === null) return;
      if (!dbInRange(c, id)) return c.w.error(E.DBINDEX);
      dst = c.ks.dbs[id];
    } else {
      return c.w.error(E.SYNTAX);
    }
  }
  const key = a[1], newKey = a[2];
  if (src === dst && key === newKey) return c.w.error(E.SAMEOBJ);
  const v = src.get(key);
  if (v === undefined) return c.w.int(0);
  const when = src.ttlOf(key);
  const exists = dst.peek(newKey) !== undefined;
  if (exists && !replace) return c.w.int(0);
  const copy = dupValue(v);
  if (exists) dst.removeKey(newKey);
  dst.set(newKey, copy);
  if (when !== -1) dst.setExpire(newKey, when);
  carryRaw(src, key, dst, newKey);
  c.ks.stats.dirty++;
  c.w.int(1);
}

function moveCommand(c: ShardCtx, a: string[]): void {
  const src = c.db;
  const id = intArg(c, a[2]);
  if (id === null) return;
  if (!dbInRange(c, id)) return c.w.error(E.DBINDEX);
  const dst = c.ks.dbs[id];
  if (dst === src) return c.w.error(E.SAMEOBJ);
  const key = a[1];
  const v = src.peek(key);
  if (v === undefined) return c.w.int(0);
  const when = src.ttlOf(key);
  if (dst.peek(key) !== undefined) return c.w.int(0);
  dst.set(key, v);
  if (when !== -1) dst.setExpire(key, when);
  carryRaw(src, key, dst, key);
  src.removeKey(key);
  c.ks.onWrite(src.index, key);
  c.ks.stats.dirty++;
  c.w.int(1);
}

// ------------------------------------------------------------------ EXPIRE

const X_NX = 1, X_XX = 2, X_GT = 4, X_LT = 8;
/** Below this |value| neither the unit conversion nor adding "now" can overflow int64. */
const SMALL = 2 ** 42;
const THOUSAND = 1000n;

/**
 * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT. `relative`: add the current time;
 * `ms`: the argument is in milliseconds. `name` is Redis's fullname for the
 * overflow error.
 */
function expireGeneric(c: ShardCtx, a: string[], relative: boolean, ms: boolean, name: string): void {
  let flags = 0;
  for (let j = 3; j < a.length; j++) {
    const opt = a[j].length === 2 ? a[j].toLowerCase() : '';
    if (opt === 'nx') flags |= X_NX;
    else if (opt === 'xx') flags |= X_XX;
    else if (opt === 'gt') flags |= X_GT;
    else if (opt === 'lt') flags |= X_LT;
    else return c.w.error(formatError('ERR Unsupported option ' + cstr(a[j])));
  }
  if (flags & X_NX && flags & (X_XX | X_GT | X_LT)) {
    return c.w.error('ERR NX and XX, GT or LT options at the same time are not compatible');
  }
  if (flags & X_GT && flags & X_LT) return c.w.error('ERR GT and LT options at the same time are not compatible');

  const now = c.ks.now();
  const base = relative ? now : 0;
  let when: number;
  const small = parseSmallInt(a[2]);
  if (small !== null && small < SMALL && small > -SMALL) {
    when = (ms ? small : small * 1000) + base;
  } else {
    // Rare: do Redis's int64 overflow checks exactly.
    let w = parseLL(a[2]);
    if (w === null) return c.w.error(E.NOTINT);
    if (!ms) {
      if (w > INT64.MAX / THOUSAND || w < INT64.MIN / THOUSAND) return c.w.error(`ERR invalid expire time in '${name}' command`);
      w *= THOUSAND;
    }
    const b = BigInt(base);
    if (w > INT64.MAX - b) return c.w.error(`ERR invalid expire time in '${name}' command`);
    // Deadlines are doubles: beyond 2^53 ms (year 287396) they round.
    when = Number(w + b);
  }

  const db = c.db;
  const key = a[1];
  if (db.peek(key) === undefined) return c.w.int(0);
  if (flags !== 0) {
    const cur = db.ttlOf(key);
    if (flags & X_NX && cur !== -1) return c.w.int(0);
    if (flags & X_XX && cur === -1) return c.w.int(0);
    // No TTL counts as infinite: GT never beats it, LT always does.
    if (flags & X_GT && (cur === -1 || when <= cur)) return c.w.int(0);
    if (flags & X_LT && cur !== -1 && when >= cur) return c.w.int(0);
  }
  if (when <= now) {
    // A deadline already past deletes the key, and still replies 1.
    db.removeKey(key);
  } else {
    db.setExpire(key, when);
  }
  c.ks.onWrite(db.index, key);
  c.ks.stats.dirty++;
  c.w.int(1);
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME. */
function ttlGeneric(c: ShardCtx, a: string[], ms: boolean, abs: boolean): void {
  const db = c.db;
  if (db.get(a[1]) === undefined) return c.w.int(-2);
  const when = db.ttlOf(a[1]);
  if (when === -1) return c.w.int(-1);
  let t = abs ? when : when - c.ks.now();
  if (t < 0) t = 0;
  c.w.int(ms ? t : Math.trunc((t + 500) / 1000));
}

function persistCommand(c: ShardCtx, a: string[]): void {
  const db = c.db;
  const key = a[1];
  if (db.peek(key) !== undefined && db.persist(key)) {
    c.ks.onWrite(db.index, key);
    c.ks.stats.dirty++;
    c.w.int(1);
  } else {
    c.w.int(0);
  }
}

// ------------------------------------------------------------------ OBJECT

/** The encoding Redis would give a string value (object.c tryObjectEncoding). */
export function stringEncoding(db: Db, key: string, v: string): string {
  const n = v.length;
  if (db.raw.size !== 0 && db.raw.has(key)) {
    return n <= 44 && db.embstr.size !== 0 && db.embstr.has(key) ? 'embstr' : 'raw';
  }
  if (n <= 20 && (parseSmallInt(v) !== null || parseLL(v) !== null)) return 'int';
  return n <= 44 ? 'embstr' : 'raw';
}

function policy(c: ShardCtx): string {
  const p = c.config['maxmemory-policy'];
  return typeof p === 'string' ? p.toLowerCase() : 'noeviction';
}

function isLfu(c: ShardCtx): boolean {
  const p = policy(c);
  return p === 'allkeys-lfu' || p === 'volatile-lfu';
}

/**
 * Redis stores the integers 0..9999 as shared objects (refcount INT_MAX)
 * unless maxmemory is set with an LRU/LFU policy, which needs per-object
 * access data.
 */
function sharesIntegers(c: ShardCtx): boolean {
  if (!Number(c.config['maxmemory'] ?? 0)) return true;
  const p = policy(c);
  return !(p.endsWith('-lru') || p.endsWith('-lfu'));
}

function objectEncoding(c: ShardCtx, a: string[]): void {
  const v = c.db.get(a[2]);
  if (v === undefined) return c.w.nil();
  if (typeof v === 'string') return c.w.bulk(stringEncoding(c.db, a[2], v));
  const o = v as { encoding?: (config: unknown) => string };
  c.w.bulk(typeof o.encoding === 'function' ? o.encoding(c.config) : 'unknown');
}

function objectRefcount(c: ShardCtx, a: string[]): void {
  const key = a[2];
  const v = c.db.get(key);
  if (v === undefined) return c.w.nil();
  if (typeof v === 'string' && !(c.db.raw.size !== 0 && c.db.raw.has(key)) && sharesIntegers(c)) {
    const n = v.length <= 4 ? parseSmallInt(v) : null;
    // TODO: a COPY of a shared integer is a private object in Redis (refcount 1); not tracked.
    if (n !== null && n >= 0 && n < 10000) return c.w.int(2147483647);
  }
  c.w.int(1);
}

function objectIdletime(c: ShardCtx, a: string[]): void {
  if (c.db.get(a[2]) === undefined) return c.w.nil();
  if (isLfu(c)) {
    return c.w.error(
      'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  }
  // TODO: no per-key access clock is kept yet, so every key looks just used.
  c.w.int(0);
}

function objectFreq(c: ShardCtx, a: string[]): void {
  if (c.db.get(a[2]) === undefined) return c.w.nil();
  if (!isLfu(c)) {
    return c.w.error(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  }
  // TODO: no per-key LFU counter is kept yet.
  c.w.int(0);
}

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

// ------------------------------------------------------- whole keyspace

/**
 * The one slot every key matching the pattern hashes to, or -1. True when
 * the pattern's literal prefix holds a complete non-empty {hash tag}: every
 * matching key then starts with that prefix, so its first '{'…'}' is the tag.
 */
function patternSlot(p: string): number {
  let open = -1;
  for (let i = 0; i < p.length; i++) {
    const ch = p.charCodeAt(i);
    if (ch === 42 || ch === 63 || ch === 91 || ch === 92) return -1;
    if (ch === 0x7b && open < 0) open = i;
    else if (ch === 0x7d && open >= 0) return i > open + 1 ? slotOfString(p.slice(0, i + 1)) : -1;
  }
  return -1;
}

function keysCommand(c: ShardCtx, a: string[]): void {
  const db = c.db;
  const pat = a[1];
  const now = c.ks.now();
  const out: string[] = [];
  if (isPlainPattern(pat)) {
    const s = slotOfString(pat);
    const m = s >= c.ks.slotLo && s < c.ks.slotHi ? db.slots[s] : undefined;
    if (m !== undefined && m.has(pat) && !isStale(db, pat, now)) out.push(pat);
    return c.w.bulks(out);
  }
  const all = pat === '*';
  let lo = c.ks.slotLo, hi = c.ks.slotHi;
  const one = patternSlot(pat);
  if (one >= 0) {
    if (one < lo || one >= hi) return c.w.arr(0);
    lo = one;
    hi = one + 1;
  }
  for (let s = lo; s < hi; s++) {
    const m = db.slots[s];
    if (m === undefined) continue;
    for (const k of m.keys()) {
      if ((all || globMatch(pat, k)) && !isStale(db, k, now)) out.push(k);
    }
  }
  c.w.bulks(out);
}

function dbsizeCommand(c: ShardCtx): void {
  c.w.int(c.db.size);
}

/** A uniformly random key of this shard's part of the db, or undefined. */
function randomKeyOf(c: ShardCtx, db: Db): string | undefined {
  let r = Math.floor(Math.random() * db.size);
  const hi = c.ks.slotHi;
  for (let s = c.ks.slotLo; s < hi; s++) {
    const m = db.slots[s];
    if (m === undefined) continue;
    if (r >= m.size) {
      r -= m.size;
      continue;
    }
    for (const k of m.keys()) if (r-- === 0) return k;
  }
  return undefined;
}

function randomkeyCommand(c: ShardCtx): void {
  const db = c.db;
  // An expired pick is reclaimed and another drawn; each retry shrinks the db.
  while (db.size !== 0) {
    const k = randomKeyOf(c, db);
    if (k === undefined) break;
    if (db.expires.size !== 0 && db.expireIfNeeded(k)) continue;
    return c.w.bulk(k);
  }
  c.w.nil();
}

/** FLUSHDB/FLUSHALL's optional SYNC|ASYNC; false after replying. */
function flushArgs(c: ShardCtx, a: string[]): boolean {
  if (a.length === 1) return true;
  if (a.length === 2) {
    const m = a[1].toLowerCase();
    if (m === 'sync' || m === 'async') return true;
  }
  c.w.error(E.SYNTAX);
  return false;
}

function flushdbCommand(c: ShardCtx, a: string[]): void {
  if (!flushArgs(c, a)) return;
  const db = c.db;
  c.ks.stats.dirty += db.size;
  const volatile = db.expires.size !== 0;
  c.ks.onFlush(db.index, -1);
  db.clear();
  // Drop the flushed deadlines from the heap rather than let them linger.
  if (volatile) c.ks.rebuildHeap();
  c.w.ok();
}

function flushallCommand(c: ShardCtx, a: string[]): void {
  if (!flushArgs(c, a)) return;
  for (const db of c.ks.dbs) {
    c.ks.stats.dirty += db.size;
    c.ks.onFlush(db.index, -1);
    if (db.size !== 0) db.clear();
  }
  c.ks.heap.clear();
  c.w.ok();
}

function swapdbCommand(c: ShardCtx, a: string[]): void {
  const x = intArg(c, a[1], 'ERR invalid first DB index');
  if (x === null) return;
  const y = intArg(c, a[2], 'ERR invalid second DB index');
  if (y === null) return;
  if (!dbInRange(c, x) || !dbInRange(c, y)) return c.w.error(E.DBINDEX);
  if (x !== y) c.ks.swapDb(x, y);
  c.ks.stats.dirty++;
  c.w.ok();
}

// -------------------------------------------------------------------- SCAN

/**
 * A SCAN cursor as Redis's parseScanCursorOrReply reads it (strtoul, base
 * 10: optional sign, no leading space, nothing after the digits, fits 64
 * bits; "" is 0) mapped to the slot it names: the slot number, SLOTS for
 * "past the end" (any value ≥ 16384, including wrapped negatives), or -1
 * when Redis would reply "invalid cursor".
 */
export function scanCursorSlot(s: string): number {
  const v = parseScanCursor(s);
  return v < 0 ? -1 : v < SLOTS ? v : SLOTS;
}

/**
 * The cursor is a slot number. Each call visits whole slots upward from it
 * within this shard's range until COUNT keys were seen, so a key present for
 * the whole scan is returned at least once whatever is added or removed.
 * The reply cursor is the first unvisited slot (the next shard's first slot
 * at the end of this range), 0 after the last slot.
 */
function scanCommand(c: ShardCtx, a: string[]): void {
  const cursor = scanCursorSlot(a[1]);
  if (cursor < 0) return c.w.error('ERR invalid cursor');
  let count = 10;
  let pat: string | null = null;
  let typeName: string | null = null;
  for (let i = 2; i < a.length; i += 2) {
    const opt = a[i].toLowerCase();
    const more = i + 1 < a.length;
    if (opt === 'count' && more) {
      let v: number | bigint | null = parseSmallInt(a[i + 1]);
      if (v === null) v = parseLL(a[i + 1]);
      if (v === null) return c.w.error(E.NOTINT);
      if (v < 1) return c.w.error(E.SYNTAX);
      count = Number(v);
    } else if (opt === 'match' && more) {
      pat = a[i + 1] === '*' ? null : a[i + 1];
    } else if (opt === 'type' && more) {
      typeName = a[i + 1].toLowerCase();
    } else {
      return c.w.error(E.SYNTAX);
    }
  }

  const db = c.db;
  const keys: string[] = [];
  let slot = cursor < c.ks.slotLo ? c.ks.slotLo : cursor;
  if (cursor < SLOTS) {
    const hi = c.ks.slotHi;
    const plain = pat !== null && isPlainPattern(pat);
    let seen = 0;
    while (slot < hi && seen < count) {
      const m = db.slots[slot++];
      if (m === undefined) continue;
      seen += m.size;
      if (plain) {
        if (m.has(pat!)) keys.push(pat!);
      } else {
        for (const k of m.keys()) if (pat === null || globMatch(pat, k)) keys.push(k);
      }
    }
    // Empty slots after the last one visited hold nothing to return: skip
    // them, so a scan whose keys were all seen answers the end of the range
    // (cursor 0 on the last shard) instead of one more empty page.
    const slots = db.slots;
    while (slot < hi && slots[slot] === undefined) slot++;
  }

  // Filter after the walk: these lookups may delete expired keys.
  let n = 0;
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j];
    if (typeName !== null) {
      // Redis's order: the type check's lookup expires the key first, so
      // an expired key passes only "TYPE none".
      const v = db.get(k);
      if ((v === undefined ? 'none' : typeOf(v)) !== typeName) continue;
    }
    if (db.expires.size !== 0 && db.expireIfNeeded(k)) continue;
    keys[n++] = k;
  }
  keys.length = n;

  c.w.arr(2);
  c.w.bulk(slot >= SLOTS ? '0' : String(slot));
  c.w.bulks(keys);
}

// ------------------------------------------------------------------- table

/** COPY's destination lives in the DB option's database. */
function copyKeyDb(a: string[], i: number, connDb: number): number {
  if (i !== 2) return connDb;
  for (let j = 3; j + 1 < a.length; j++) {
    if (a[j].toLowerCase() === 'db') {
      const n = Number(a[j + 1]);
      return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : connDb;
    }
  }
  return connDb;
}

export const commands: CommandDef[] = [
  { name: 'del', run: delCommand, split: 'sum' },
  { name: 'unlink', run: delCommand, split: 'sum' },
  { name: 'exists', run: existsCommand, split: 'sum' },
  { name: 'touch', run: existsCommand, split: 'sum' },
  { name: 'type', run: typeCommand },
  { name: 'rename', run: (c, a) => renameGeneric(c, a, false) },
  { name: 'renamenx', run: (c, a) => renameGeneric(c, a, true) },
  { name: 'copy', run: copyCommand, keyDb: copyKeyDb },
  { name: 'move', run: moveCommand },
  { name: 'expire', run: (c, a) => expireGeneric(c, a, true, false, 'expire') },
  { name: 'pexpire', run: (c, a) => expireGeneric(c, a, true, true, 'pexpire') },
  { name: 'expireat', run: (c, a) => expireGeneric(c, a, false, false, 'expireat') },
  { name: 'pexpireat', run: (c, a) => expireGeneric(c, a, false, true, 'pexpireat') },
  { name: 'ttl', run: (c, a) => ttlGeneric(c, a, false, false) },
  { name: 'pttl', run: (c, a) => ttlGeneric(c, a, true, false) },
  { name: 'expiretime', run: (c, a) => ttlGeneric(c, a, false, true) },
  { name: 'pexpiretime', run: (c, a) => ttlGeneric(c, a, true, true) },
  { name: 'persist', run: persistCommand },
  { name: 'object|encoding', run: objectEncoding },
  { name: 'object|refcount', run: objectRefcount },
  { name: 'object|idletime', run: objectIdletime },
  { name: 'object|freq', run: objectFreq },
  { name: 'object|help', run: (c, a) => replyHelp(c.w, a[0], OBJECT_HELP) },
  { name: 'dbsize', run: dbsizeCommand, fanout: 'sum' },
  { name: 'keys', run: keysCommand, fanout: 'concat' },
  { name: 'randomkey', run: randomkeyCommand, fanout: 'random' },
  { name: 'flushdb', run: flushdbCommand, fanout: 'ok' },
  { name: 'flushall', run: flushallCommand, fanout: 'ok' },
  { name: 'swapdb', run: swapdbCommand, fanout: 'ok' },
  { name: 'scan', run: scanCommand, cursorRoute: true },
];
