// A shard's keyspace: per database, one Map per hash slot, created lazily.
// Keys and string values are latin1 strings (one char = one byte). Values of
// the other types are objects with a `type` tag (see RObject).
//
// Expiry: absolute deadlines in ms in a per-db Map, checked lazily on every
// lookup, plus a shard-wide min-heap ordered by deadline that the active
// cycle pops (exact, no sampling). Heap entries are never removed when a TTL
// changes; a popped entry is acted on only if the key's current deadline is
// still the one it carries.

import { SLOTS, slotOfString } from '../util/slot';

export type TypeName = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

/** A value of a non-string type. */
export interface RObject {
  readonly type: TypeName;
}

export type Value = string | RObject;

export function typeOf(v: Value): TypeName {
  return typeof v === 'string' ? 'string' : v.type;
}

export interface ShardStats {
  expiredKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  dirty: number;
  /** Clients blocked on this shard's keys (INFO blocked_clients). */
  blocked: number;
}

class ExpireHeap {
  // Parallel arrays: deadline, db, key.
  private t: number[] = [];
  private d: number[] = [];
  private k: string[] = [];

  get size(): number {
    return this.t.length;
  }

  push(when: number, db: number, key: string): void {
    const t = this.t, d = this.d, k = this.k;
    let i = t.length;
    t.push(when); d.push(db); k.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p] <= when) break;
      t[i] = t[p]; d[i] = d[p]; k[i] = k[p];
      i = p;
    }
    t[i] = when; d[i] = db; k[i] = key;
  }

  peekTime(): number {
    return this.t.length ? this.t[0] : Infinity;
  }

  /** Pop the earliest entry into out fields. */
  pop(out: { when: number; db: number; key: string }): void {
    const t = this.t, d = this.d, k = this.k;
    out.when = t[0]; out.db = d[0]; out.key = k[0];
    const lt = t.pop()!, ld = d.pop()!, lk = k.pop()!;
    const n = t.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && t[c + 1] < t[c]) c++;
      if (t[c] >= lt) break;
      t[i] = t[c]; d[i] = d[c]; k[i] = k[c];
      i = c;
    }
    t[i] = lt; d[i] = ld; k[i] = lk;
  }

  clear(): void {
    this.t = []; this.d = []; this.k = [];
  }
}

/**
 * The slot table of an empty database, shared and never written: a table is
 * 128 KB, so a server with many databases pays only for the ones in use.
 */
const NO_SLOTS: Array<Map<string, Value> | undefined> = new Array(SLOTS);

export class Db {
  /** One Map per slot; undefined until the slot gets its first key. */
  slots: Array<Map<string, Value> | undefined> = NO_SLOTS;
  /** Absolute expiry deadlines (ms since epoch). */
  expires = new Map<string, number>();
  /** Keys whose string value Redis would report as "raw" although short. */
  raw = new Set<string>();
  /**
   * Subset of `raw`: keys whose value Redis stored as a plain string object
   * (embstr up to 44 bytes, raw beyond) without int-encoding it although it
   * looks like an integer (INCRBYFLOAT). Only touched while `raw` is non-empty.
   */
  embstr = new Set<string>();
  size = 0;

  constructor(public readonly index: number, private readonly ks: Keyspace) {}

  private map(key: string): Map<string, Value> | undefined {
    return this.slots[slotOfString(key)];
  }

  /** Deadline of key, or -1 when it has none. Does not check liveness. */
  ttlOf(key: string): number {
    if (this.expires.size === 0) return -1;
    const t = this.expires.get(key);
    return t === undefined ? -1 : t;
  }

  /** Remove the key if its deadline has passed. Returns true if removed. */
  expireIfNeeded(key: string): boolean {
    if (this.expires.size === 0) return false;
    const t = this.expires.get(key);
    // Redis: a key is expired only once now > deadline.
    if (t === undefined || t >= this.ks.now()) return false;
    this.removeKey(key);
    this.ks.stats.expiredKeys++;
    this.ks.onExpired(this.index, key);
    return true;
  }

  /** Live value of key or undefined. Counts hits/misses like Redis lookups. */
  get(key: string): Value | undefined {
    const m = this.map(key);
    const v = m === undefined ? undefined : m.get(key);
    if (v === undefined) {
      this.ks.stats.keyspaceMisses++;
      return undefined;
    }
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) {
      this.ks.stats.keyspaceMisses++;
      return undefined;
    }
    this.ks.stats.keyspaceHits++;
    return v;
  }

  /** Like get, for write paths: no hit/miss accounting. */
  peek(key: string): Value | undefined {
    const m = this.map(key);
    const v = m === undefined ? undefined : m.get(key);
    if (v === undefined) return undefined;
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    return v;
  }

  has(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  /** The key is stored, live or past its deadline (no expiry check). */
  stored(key: string): boolean {
    const m = this.map(key);
    return m !== undefined && m.has(key);
  }

  /**
   * Store a value. Clears the TTL (as SET does) unless keepTtl. Returns
   * nothing; use peek first when the old value matters.
   */
  set(key: string, v: Value, keepTtl = false): void {
    const slot = slotOfString(key);
    let m = this.slots[slot];
    if (m === undefined) {
      if (this.slots === NO_SLOTS) this.slots = new Array(SLOTS);
      m = this.slots[slot] = new Map();
    }
    const before = m.size;
    m.set(key, v);
    if (m.size !== before) this.size++;
    else if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    if (this.raw.size !== 0) this.unmarkRaw(key);
    this.ks.onWrite(this.index, key);
  }

  /** Replace the value of an existing key keeping its TTL (APPEND, INCR…). */
  update(key: string, v: Value): void {
    this.set(key, v, true);
  }

  /** Delete a live key. Returns true if it existed. */
  del(key: string): boolean {
    if (this.peek(key) === undefined) return false;
    this.removeKey(key);
    this.ks.onWrite(this.index, key);
    return true;
  }

  /** Unconditional removal (no liveness check, no notifications). */
  removeKey(key: string): void {
    const slot = slotOfString(key);
    const m = this.slots[slot];
    if (m === undefined || !m.delete(key)) return;
    this.size--;
    if (m.size === 0) this.slots[slot] = undefined;
    if (this.expires.size !== 0) this.expires.delete(key);
    if (this.raw.size !== 0) this.unmarkRaw(key);
  }

  private unmarkRaw(key: string): void {
    if (this.raw.delete(key) && this.embstr.size !== 0) this.embstr.delete(key);
  }

  /** Set an absolute deadline on an existing key. */
  setExpire(key: string, when: number): void {
    this.expires.set(key, when);
    this.ks.heap.push(when, this.index, key);
    this.ks.maybeCompactHeap();
  }

  /** Remove the TTL. Returns true if there was one. */
  persist(key: string): boolean {
    return this.expires.size !== 0 && this.expires.delete(key);
  }

  clear(): void {
    this.slots = NO_SLOTS;
    this.expires = new Map();
    this.raw = new Set();
    this.embstr = new Set();
    this.size = 0;
  }

  /** Keys of one slot (live or not: callers check liveness). */
  slotKeys(slot: number): IterableIterator<string> | null {
    const m = this.slots[slot];
    return m === undefined ? null : m.keys();
  }
}

export class Keyspace {
  dbs: Db[];
  heap = new ExpireHeap();
  stats: ShardStats = { expiredKeys: 0, keyspaceHits: 0, keyspaceMisses: 0, dirty: 0, blocked: 0 };
  /** The command's clock (0 = not read yet): Redis reads the time once per command. */
  cachedNow = 0;
  /** Hooks for later layers (blocking pops, keyspace notifications, AOF). */
  onWrite: (db: number, key: string) => void = () => {};
  onExpired: (db: number, key: string) => void = () => {};
  /** Before a db is emptied (replacedWith -1) or swapped with another (WATCH). */
  onFlush: (emptied: number, replacedWith: number) => void = () => {};

  constructor(databases: number, public readonly slotLo = 0, public readonly slotHi = SLOTS) {
    this.dbs = [];
    for (let i = 0; i < databases; i++) this.dbs.push(new Db(i, this));
  }

  now(): number {
    // Read the clock once per command, and only if the command needs it.
    return this.cachedNow !== 0 ? this.cachedNow : (this.cachedNow = Date.now());
  }

  /**
   * Active expiry: reclaim keys whose deadline passed, earliest first, for
   * at most budgetMs. Returns the number of keys removed.
   */
  activeExpire(budgetMs: number): number {
    const start = Date.now();
    const e = { when: 0, db: 0, key: '' };
    let n = 0;
    while (this.heap.peekTime() < start) {
      this.heap.pop(e);
      const db = this.dbs[e.db];
      if (db !== undefined && db.expires.get(e.key) === e.when) {
        db.removeKey(e.key);
        this.stats.expiredKeys++;
        this.onExpired(e.db, e.key);
        n++;
      }
      if ((n & 63) === 0 && Date.now() - start >= budgetMs) break;
    }
    return n;
  }

  /**
   * Stale heap entries (TTL changed or key deleted) are dropped lazily when
   * popped; a key whose TTL is refreshed often would still grow the heap, so
   * rebuild it once stale entries outnumber live ones.
   */
  maybeCompactHeap(): void {
    if (this.heap.size < 4096) return;
    let live = 0;
    for (const db of this.dbs) live += db.expires.size;
    if (this.heap.size > 2 * live + 4096) this.rebuildHeap();
  }

  /** Delay until the next deadline (ms), for the worker's sleep. */
  nextDeadlineIn(): number {
    const t = this.heap.peekTime();
    return t === Infinity ? Infinity : Math.max(0, t - Date.now());
  }

  /** Rebuild the heap, e.g. after SWAPDB moved databases around. */
  rebuildHeap(): void {
    this.heap.clear();
    for (const db of this.dbs) for (const [k, t] of db.expires) this.heap.push(t, db.index, k);
  }

  swapDb(a: number, b: number): void {
    this.onFlush(a, b);
    this.onFlush(b, a);
    const da = this.dbs[a], db = this.dbs[b];
    this.dbs[a] = db; this.dbs[b] = da;
    (db as { index: number }).index = a;
    (da as { index: number }).index = b;
    this.rebuildHeap();
  }
}
