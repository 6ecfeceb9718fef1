// The set type: members in a dense array plus a Map from member to its slot,
// so add, remove, membership and uniform random picks are all O(1).
//
// Removal moves the last member into the freed slot. Hashtable-encoded sets
// are scanned (SSCAN) from the top slot downward, which makes that move safe
// for SCAN's guarantee: the moved member either came from a slot the cursor
// already passed (it may be returned twice, which SCAN allows) or it lands
// lower than where it was, still ahead of the cursor. Members that stay put
// are visited exactly once.
//
// Encoding follows Redis 7.0.15: a set starts as an intset while every member
// is an integer string (string2ll rules) and it has at most
// set-max-intset-entries members; past that it becomes a hashtable for good.
// Intset members are stored as their (canonical) strings; only the iteration
// order differs: an intset iterates in ascending numeric order.

import type { RObject } from './keyspace';
import type { ShardConfig } from './settings';
import { registerCodec } from './serialize';
import { parseLL, parseSmallInt } from '../util/parse';

/** Redis caps the intset size at 1G entries whatever the config says. */
const INTSET_HARD_MAX = 1 << 30;

/** string2ll acceptance: the member can live in an intset. */
export function isIntMember(s: string): boolean {
  return parseSmallInt(s) !== null || parseLL(s) !== null;
}

/** Numeric order of two canonical integer strings. */
function cmpIntStr(a: string, b: string): number {
  const na = a.charCodeAt(0) === 45, nb = b.charCodeAt(0) === 45;
  if (na !== nb) return na ? -1 : 1;
  const r = a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return na ? -r : r;
}

export function maxIntsetEntries(config: ShardConfig): number {
  const v = config['set-max-intset-entries'];
  const n = typeof v === 'number' ? v : 512;
  return n > INTSET_HARD_MAX ? INTSET_HARD_MAX : n;
}

export class SetValue implements RObject {
  readonly type = 'set' as const;
  /** Members, densely packed. */
  items: string[] = [];
  /** member → index in items. */
  private idx = new Map<string, number>();
  /** Hashtable encoding (otherwise intset). One way. */
  ht = false;
  /** Ascending order of an intset, rebuilt lazily after writes. */
  private sortedCache: string[] | null = null;

  get size(): number {
    return this.items.length;
  }

  encoding(_config?: ShardConfig): string {
    return this.ht ? 'hashtable' : 'intset';
  }

  has(m: string): boolean {
    return this.idx.has(m);
  }

  /**
   * Add a member; true if it was not there. `maxIntset` is the live
   * set-max-intset-entries (Infinity: never convert for size).
   */
  add(m: string, maxIntset = Infinity): boolean {
    const idx = this.idx;
    if (idx.has(m)) return false;
    if (!this.ht) {
      if (!isIntMember(m)) this.ht = true;
      this.sortedCache = null;
    }
    idx.set(m, this.items.length);
    this.items.push(m);
    if (!this.ht && this.items.length > maxIntset) this.ht = true;
    return true;
  }

  /** Remove a member; true if it was there. */
  remove(m: string): boolean {
    const i = this.idx.get(m);
    if (i === undefined) return false;
    this.removeAt(i);
    return true;
  }

  /** Remove the member in slot i (the last member moves into it). */
  removeAt(i: number): string {
    const items = this.items;
    const m = items[i];
    const last = items.pop()!;
    this.idx.delete(m);
    if (i < items.length) {
      items[i] = last;
      this.idx.set(last, i);
    }
    if (!this.ht) this.sortedCache = null;
    return m;
  }

  /** A uniformly random member; the set must not be empty. */
  random(): string {
    return this.items[Math.floor(Math.random() * this.items.length)];
  }

  /** Remove and return a uniformly random member; the set must not be empty. */
  popRandom(): string {
    return this.removeAt(Math.floor(Math.random() * this.items.length));
  }

  /**
   * Members in Redis's iteration order for the encoding (ascending for an
   * intset). A read-only view: callers must not modify it, and it is only
   * valid until the next write.
   */
  order(): readonly string[] {
    if (this.ht) return this.items;
    if (this.sortedCache === null) this.sortedCache = this.items.slice().sort(cmpIntStr);
    return this.sortedCache;
  }

  /** A copy of the members in iteration order. */
  members(): string[] {
    return this.order().slice();
  }

  clone(): this {
    const s = new SetValue();
    s.items = this.items.slice();
    s.idx = new Map(this.idx);
    s.ht = this.ht;
    return s as this;
  }
}

registerCodec('set', {
  encode(v: RObject): string {
    const s = v as SetValue;
    const items = s.items;
    const parts = new Array<string>(items.length * 2 + 1);
    parts[0] = s.ht ? '1' : '0';
    for (let i = 0; i < items.length; i++) {
      parts[2 * i + 1] = items[i].length + ':';
      parts[2 * i + 2] = items[i];
    }
    return parts.join('');
  },
  decode(p: string): RObject {
    const s = new SetValue();
    const ht = p.charCodeAt(0) === 49;
    s.ht = true; // skip per-member integer checks while loading
    let i = 1;
    while (i < p.length) {
      const colon = p.indexOf(':', i);
      const len = Number(p.slice(i, colon));
      s.add(p.slice(colon + 1, colon + 1 + len));
      i = colon + 1 + len;
    }
    s.ht = ht;
    return s;
  },
});
