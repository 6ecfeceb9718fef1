// The hash type: field/value pairs interleaved in one dense array plus a Map
// from field to its pair index, so lookups, updates and random picks are O(1).
//
// A listpack-encoded hash keeps insertion order like Redis's listpack
// (deleting a field shifts the later pairs down, O(n) as in Redis). Once a
// hashtable, deletion moves the last pair into the hole instead, and HSCAN
// walks the pairs from the top down, so a field present for the whole scan
// is returned at least once (see the note in set.ts).
//
// Encoding follows Redis 7.0.15: listpack until a field or value longer than
// hash-max-listpack-value is written or the hash grows past
// hash-max-listpack-entries; then hashtable for good.

import type { RObject } from './keyspace';
import type { ShardConfig } from './settings';
import { registerCodec } from './serialize';

export function hashMaxEntries(config: ShardConfig): number {
  const e = config['hash-max-listpack-entries'];
  return typeof e === 'number' ? e : 512;
}

export function hashMaxValue(config: ShardConfig): number {
  const v = config['hash-max-listpack-value'];
  return typeof v === 'number' ? v : 64;
}

export class HashValue implements RObject {
  readonly type = 'hash' as const;
  /** field0, value0, field1, value1, … */
  kv: string[] = [];
  /** field → pair index (its field is at kv[2 * i]). */
  private idx = new Map<string, number>();
  /** Hashtable encoding (otherwise listpack). One way. */
  ht = false;

  get size(): number {
    return this.kv.length >> 1;
  }

  encoding(_config?: ShardConfig): string {
    return this.ht ? 'hashtable' : 'listpack';
  }

  get(field: string): string | undefined {
    const i = this.idx.get(field);
    return i === undefined ? undefined : this.kv[2 * i + 1];
  }

  has(field: string): boolean {
    return this.idx.has(field);
  }

  /** Set a field; true if it is new. No encoding change (see setChecked). */
  set(field: string, value: string): boolean {
    const i = this.idx.get(field);
    if (i !== undefined) {
      this.kv[2 * i + 1] = value;
      return false;
    }
    this.idx.set(field, this.kv.length >> 1);
    this.kv.push(field, value);
    return true;
  }

  /** set() plus Redis's listpack → hashtable conversion rules. */
  setChecked(field: string, value: string, maxEntries: number, maxValue: number): boolean {
    if (!this.ht && (field.length > maxValue || value.length > maxValue)) this.ht = true;
    const created = this.set(field, value);
    if (!this.ht && this.kv.length >> 1 > maxEntries) this.ht = true;
    return created;
  }

  /** Remove a field; true if it was there. */
  delete(field: string): boolean {
    const i = this.idx.get(field);
    if (i === undefined) return false;
    const kv = this.kv, idx = this.idx;
    idx.delete(field);
    if (this.ht) {
      const v = kv.pop()!, f = kv.pop()!;
      if (2 * i < kv.length) {
        kv[2 * i] = f;
        kv[2 * i + 1] = v;
        idx.set(f, i);
      }
    } else {
      kv.splice(2 * i, 2);
      for (let j = 2 * i; j < kv.length; j += 2) idx.set(kv[j], j >> 1);
    }
    return true;
  }

  clone(): this {
    const h = new HashValue();
    h.kv = this.kv.slice();
    h.idx = new Map(this.idx);
    h.ht = this.ht;
    return h as this;
  }
}

registerCodec('hash', {
  encode(v: RObject): string {
    const h = v as HashValue;
    const kv = h.kv;
    const parts = new Array<string>(kv.length * 2 + 1);
    parts[0] = h.ht ? '1' : '0';
    for (let i = 0; i < kv.length; i++) {
      parts[2 * i + 1] = kv[i].length + ':';
      parts[2 * i + 2] = kv[i];
    }
    return parts.join('');
  },
  decode(p: string): RObject {
    const h = new HashValue();
    h.ht = p.charCodeAt(0) === 49;
    let i = 1;
    let field: string | null = null;
    while (i < p.length) {
      const colon = p.indexOf(':', i);
      const len = Number(p.slice(i, colon));
      const s = p.slice(colon + 1, colon + 1 + len);
      i = colon + 1 + len;
      if (field === null) field = s;
      else {
        h.set(field, s);
        field = null;
      }
    }
    return h;
  },
});
