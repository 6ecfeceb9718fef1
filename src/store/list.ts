// The list type: a deque of latin1 strings in a growable circular array, so
// pushes and pops at both ends and access by index are O(1). Middle edits
// (LINSERT, LREM) shift the shorter side.

import type { RObject } from './keyspace';
import type { ShardConfig } from './settings';
import { registerCodec } from './serialize';

const MIN_CAP = 4;

export class ListValue implements RObject {
  readonly type = 'list' as const;
  /** Slots; capacity is a power of two. Free slots hold undefined. */
  a: (string | undefined)[];
  /** Index of the first element in `a`. */
  h = 0;
  /** Capacity - 1. */
  m: number;
  length = 0;

  constructor(cap = MIN_CAP) {
    let c = MIN_CAP;
    while (c < cap) c *= 2;
    this.a = new Array(c);
    this.m = c - 1;
  }

  /** Element i (0 = head); caller keeps 0 <= i < length. */
  get(i: number): string {
    return this.a[(this.h + i) & this.m] as string;
  }

  setAt(i: number, v: string): void {
    this.a[(this.h + i) & this.m] = v;
  }

  private resize(cap: number): void {
    const na: (string | undefined)[] = new Array(cap);
    const a = this.a, m = this.m, n = this.length;
    for (let i = 0, j = this.h; i < n; i++, j = (j + 1) & m) na[i] = a[j];
    this.a = na;
    this.h = 0;
    this.m = cap - 1;
  }

  private shrinkIfSparse(): void {
    const cap = this.m + 1;
    if (cap > MIN_CAP && this.length < cap >>> 2) this.resize(Math.max(MIN_CAP, cap >>> 1));
  }

  pushLeft(v: string): void {
    if (this.length > this.m) this.resize((this.m + 1) * 2);
    this.h = (this.h - 1) & this.m;
    this.a[this.h] = v;
    this.length++;
  }

  pushRight(v: string): void {
    if (this.length > this.m) this.resize((this.m + 1) * 2);
    this.a[(this.h + this.length) & this.m] = v;
    this.length++;
  }

  /** Push each item in turn (LPUSH a b c leaves c at the head). */
  push(items: string[], left: boolean): void {
    const n = items.length;
    if (this.length + n > this.m + 1) {
      let cap = this.m + 1;
      while (cap < this.length + n) cap *= 2;
      this.resize(cap);
    }
    if (left) for (let i = 0; i < n; i++) this.pushLeft(items[i]);
    else for (let i = 0; i < n; i++) this.pushRight(items[i]);
  }

  /** Push args[from..] (command arguments) without copying them out. */
  pushArgs(args: string[], from: number, left: boolean): void {
    const n = args.length - from;
    if (this.length + n > this.m + 1) {
      let cap = this.m + 1;
      while (cap < this.length + n) cap *= 2;
      this.resize(cap);
    }
    if (left) for (let i = from; i < args.length; i++) this.pushLeft(args[i]);
    else for (let i = from; i < args.length; i++) this.pushRight(args[i]);
  }

  popLeft(): string | undefined {
    if (this.length === 0) return undefined;
    const v = this.a[this.h];
    this.a[this.h] = undefined;
    this.h = (this.h + 1) & this.m;
    this.length--;
    if (this.length < (this.m + 1) >>> 2) this.shrinkIfSparse();
    return v;
  }

  popRight(): string | undefined {
    if (this.length === 0) return undefined;
    const j = (this.h + this.length - 1) & this.m;
    const v = this.a[j];
    this.a[j] = undefined;
    this.length--;
    if (this.length < (this.m + 1) >>> 2) this.shrinkIfSparse();
    return v;
  }

  pop(left: boolean): string | undefined {
    return left ? this.popLeft() : this.popRight();
  }

  /** Remove `count` elements starting at index `start` (both in range). */
  removeRange(start: number, count: number): void {
    if (count <= 0) return;
    const n = this.length, a = this.a, m = this.m, h = this.h;
    const after = n - start - count;
    if (start <= after) {
      // Shift the head side right over the gap.
      for (let i = start - 1; i >= 0; i--) a[(h + i + count) & m] = a[(h + i) & m];
      for (let i = 0; i < count; i++) a[(h + i) & m] = undefined;
      this.h = (h + count) & m;
    } else {
      for (let i = start + count; i < n; i++) a[(h + i - count) & m] = a[(h + i) & m];
      for (let i = n - count; i < n; i++) a[(h + i) & m] = undefined;
    }
    this.length = n - count;
    this.shrinkIfSparse();
  }

  /** Insert v so that it becomes element `index` (0..length). */
  insertAt(index: number, v: string): void {
    if (this.length > this.m) this.resize((this.m + 1) * 2);
    const n = this.length, a = this.a, m = this.m;
    if (index < n - index) {
      const h = (this.h - 1) & m;
      for (let i = 0; i < index; i++) a[(h + i) & m] = a[(h + i + 1) & m];
      a[(h + index) & m] = v;
      this.h = h;
    } else {
      const h = this.h;
      for (let i = n; i > index; i--) a[(h + i) & m] = a[(h + i - 1) & m];
      a[(h + index) & m] = v;
    }
    this.length = n + 1;
  }

  /**
   * Remove elements equal to v, scanning from the head (fromTail false) or
   * the tail, at most `limit` of them (0 = all), in one compaction pass.
   * Returns the number removed.
   */
  removeValue(v: string, limit: number, fromTail: boolean): number {
    const n = this.length, a = this.a, m = this.m, h = this.h;
    let removed = 0;
    if (!fromTail) {
      let w = 0;
      for (let r = 0; r < n; r++) {
        const e = a[(h + r) & m];
        if (e === v && (limit === 0 || removed < limit)) {
          removed++;
          continue;
        }
        if (w !== r) a[(h + w) & m] = e;
        w++;
      }
      for (let i = w; i < n; i++) a[(h + i) & m] = undefined;
    } else {
      let w = n - 1;
      for (let r = n - 1; r >= 0; r--) {
        const e = a[(h + r) & m];
        if (e === v && (limit === 0 || removed < limit)) {
          removed++;
          continue;
        }
        if (w !== r) a[(h + w) & m] = e;
        w--;
      }
      for (let i = 0; i <= w; i++) a[(h + i) & m] = undefined;
      this.h = (h + removed) & m;
    }
    this.length = n - removed;
    if (removed) this.shrinkIfSparse();
    return removed;
  }

  toArray(): string[] {
    const n = this.length, out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.a[(this.h + i) & this.m] as string;
    return out;
  }

  /** Redis 7.0 creates every list as a quicklist (listpack lists came in 7.2). */
  encoding(_config?: ShardConfig): string {
    return 'quicklist';
  }

  clone(): this {
    const c = new ListValue(this.length) as this;
    for (let i = 0; i < this.length; i++) c.pushRight(this.get(i));
    return c;
  }

  static from(items: string[]): ListValue {
    const l = new ListValue(items.length);
    l.push(items, false);
    return l;
  }
}

// Payload: for each element its byte length in decimal, ':', the bytes.
registerCodec('list', {
  encode(v: RObject): string {
    const l = v as ListValue;
    const parts = new Array<string>(l.length * 2);
    for (let i = 0; i < l.length; i++) {
      const e = l.get(i);
      parts[2 * i] = e.length + ':';
      parts[2 * i + 1] = e;
    }
    return parts.join('');
  },
  decode(p: string): RObject {
    const l = new ListValue();
    let i = 0;
    while (i < p.length) {
      const c = p.indexOf(':', i);
      const n = +p.slice(i, c);
      l.pushRight(p.slice(c + 1, c + 1 + n));
      i = c + 1 + n;
    }
    return l;
  },
});
