// Sorted set value. Two representations, switched exactly where Redis
// switches encodings so OBJECT ENCODING answers match:
//  - "listpack": parallel arrays of members and scores kept sorted by
//    (score, member); lookups by member are linear, as in Redis's listpack.
//  - "skiplist": a Map member → node plus a skiplist with spans, giving
//    O(log N) insert/delete/rank and range starts. Every node also sits in
//    a dense array (node.pos is its slot); deletion moves the last node into
//    the hole and a score change keeps the slot, so ZSCAN can walk the slots
//    top down with SCAN's guarantee (see hash.ts): an element present for
//    the whole scan is returned at least once, whatever else changes.
// Order is (score, member) with members compared bytewise (latin1 strings
// compare code unit by code unit, which is memcmp order).

import type { RObject } from './keyspace';
import type { ShardConfig } from './settings';
import { registerCodec } from './serialize';

const MAX_LEVEL = 32;

class ZNode {
  next: (ZNode | null)[];
  span: number[];
  prev: ZNode | null = null;
  /** Slot in ZsetValue's dense array. */
  pos = -1;
  constructor(public ele: string, public score: number, level: number) {
    this.next = new Array(level).fill(null);
    this.span = new Array(level).fill(0);
  }
}

function randomLevel(): number {
  let l = 1;
  while (l < MAX_LEVEL && Math.random() < 0.25) l++;
  return l;
}

/** True when (s1, e1) sorts before (s2, e2). */
function before(s1: number, e1: string, s2: number, e2: string): boolean {
  return s1 < s2 || (s1 === s2 && e1 < e2);
}

const update: ZNode[] = new Array(MAX_LEVEL);
const rankAcc: number[] = new Array(MAX_LEVEL).fill(0);

class SkipList {
  head = new ZNode('', 0, MAX_LEVEL);
  tail: ZNode | null = null;
  length = 0;
  level = 1;

  insert(score: number, ele: string): ZNode {
    return this.insertNode(new ZNode(ele, score, randomLevel()));
  }

  /** Link a node (new, or just unlinked and re-scored) at its place; its level is kept. */
  insertNode(n: ZNode): ZNode {
    const score = n.score, ele = n.ele;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rankAcc[i] = i === this.level - 1 ? 0 : rankAcc[i + 1];
      let nx = x.next[i];
      while (nx !== null && before(nx.score, nx.ele, score, ele)) {
        rankAcc[i] += x.span[i];
        x = nx;
        nx = x.next[i];
      }
      update[i] = x;
    }
    const lvl = n.next.length;
    if (lvl > this.level) {
      for (let i = this.level; i < lvl; i++) {
        rankAcc[i] = 0;
        update[i] = this.head;
        this.head.span[i] = this.length;
      }
      this.level = lvl;
    }
    for (let i = 0; i < lvl; i++) {
      const u = update[i];
      n.next[i] = u.next[i];
      u.next[i] = n;
      n.span[i] = u.span[i] - (rankAcc[0] - rankAcc[i]);
      u.span[i] = rankAcc[0] - rankAcc[i] + 1;
    }
    for (let i = lvl; i < this.level; i++) update[i].span[i]++;
    n.prev = update[0] === this.head ? null : update[0];
    if (n.next[0] !== null) n.next[0]!.prev = n;
    else this.tail = n;
    this.length++;
    return n;
  }

  private unlink(x: ZNode): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i];
      if (u.next[i] === x) {
        u.span[i] += x.span[i] - 1;
        u.next[i] = x.next[i];
      } else {
        u.span[i] -= 1;
      }
    }
    if (x.next[0] !== null) x.next[0]!.prev = x.prev;
    else this.tail = x.prev;
    while (this.level > 1 && this.head.next[this.level - 1] === null) this.level--;
    this.length--;
  }

  delete(score: number, ele: string): ZNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && before(nx.score, nx.ele, score, ele)) {
        x = nx;
        nx = x.next[i];
      }
      update[i] = x;
    }
    const t = x.next[0];
    if (t !== null && t.score === score && t.ele === ele) {
      this.unlink(t);
      return t;
    }
    return null;
  }

  /** 1-based rank of an element known to be present. */
  rankOf(score: number, ele: string): number {
    let x = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && (before(nx.score, nx.ele, score, ele) || (nx.score === score && nx.ele === ele))) {
        rank += x.span[i];
        x = nx;
        nx = x.next[i];
      }
      if (x !== this.head && x.ele === ele) return rank;
    }
    return 0;
  }

  /** Node at 1-based rank. */
  byRank(rank: number): ZNode | null {
    let x = this.head;
    let t = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && t + x.span[i] <= rank) {
        t += x.span[i];
        x = nx;
        nx = x.next[i];
      }
      if (t === rank) return x;
    }
    return null;
  }

  /** Elements with score < v (or <= v when incl). */
  countScore(v: number, incl: boolean): number {
    let x = this.head;
    let n = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && (nx.score < v || (incl && nx.score === v))) {
        n += x.span[i];
        x = nx;
        nx = x.next[i];
      }
    }
    return n;
  }

  /** Elements whose member is < v (or <= v when incl). */
  countLex(v: string, incl: boolean): number {
    let x = this.head;
    let n = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && (nx.ele < v || (incl && nx.ele === v))) {
        n += x.span[i];
        x = nx;
        nx = x.next[i];
      }
    }
    return n;
  }

  /** Delete ranks [start, end] (1-based, inclusive), removing from z too. */
  deleteRange(start: number, end: number, z: ZsetValue): number {
    let x = this.head;
    let t = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let nx = x.next[i];
      while (nx !== null && t + x.span[i] < start) {
        t += x.span[i];
        x = nx;
        nx = x.next[i];
      }
      update[i] = x;
    }
    t++;
    let cur = x.next[0];
    let removed = 0;
    while (cur !== null && t <= end) {
      const nxt = cur.next[0];
      this.unlink(cur);
      z.forget(cur);
      removed++;
      t++;
      cur = nxt;
    }
    return removed;
  }
}

/** Live thresholds, read from the shard config (defaults as Redis's). */
export function zsetLimits(cfg?: ShardConfig): [number, number] {
  if (!cfg) return [128, 64];
  const e = cfg['zset-max-listpack-entries'];
  const v = cfg['zset-max-listpack-value'];
  return [e === undefined ? 128 : Number(e), v === undefined ? 64 : Number(v)];
}

export class ZsetValue implements RObject {
  readonly type = 'zset' as const;
  /** listpack encoding: sorted parallel arrays. */
  lp = true;
  private m: string[] = [];
  private s: number[] = [];
  private dict: Map<string, ZNode> | null = null;
  private zsl: SkipList | null = null;
  /** skiplist encoding: every node, densely (see the note at the top). */
  private nodes: ZNode[] | null = null;

  /** An empty zset with the encoding Redis would create for it. */
  static create(cfg: ShardConfig | undefined, firstLen: number, forceSkiplist = false): ZsetValue {
    const z = new ZsetValue();
    const [me, mv] = zsetLimits(cfg);
    if (forceSkiplist || me === 0 || mv < firstLen) z.toSkiplist();
    return z;
  }

  get size(): number {
    return this.lp ? this.m.length : this.zsl!.length;
  }

  encoding(_cfg?: ShardConfig): string {
    return this.lp ? 'listpack' : 'skiplist';
  }

  toSkiplist(): void {
    if (!this.lp) return;
    const d = new Map<string, ZNode>();
    const zsl = new SkipList();
    const nodes: ZNode[] = [];
    const m = this.m, s = this.s;
    for (let i = 0; i < m.length; i++) {
      const n = zsl.insert(s[i], m[i]);
      n.pos = i;
      nodes.push(n);
      d.set(m[i], n);
    }
    this.dict = d;
    this.zsl = zsl;
    this.nodes = nodes;
    this.m = [];
    this.s = [];
    this.lp = false;
  }

  private toListpack(): void {
    if (this.lp) return;
    const m: string[] = [], s: number[] = [];
    for (let x = this.zsl!.head.next[0]; x !== null; x = x.next[0]) {
      m.push(x.ele);
      s.push(x.score === 0 ? 0 : x.score);
    }
    this.m = m;
    this.s = s;
    this.dict = null;
    this.zsl = null;
    this.nodes = null;
    this.lp = true;
  }

  /** zsetConvertToListpackIfNeeded: used by the STORE variants. */
  maybeToListpack(cfg: ShardConfig | undefined): void {
    if (this.lp) return;
    const [me, mv] = zsetLimits(cfg);
    if (this.size > me) return;
    for (const k of this.dict!.keys()) if (k.length > mv) return;
    this.toListpack();
  }

  score(member: string): number | undefined {
    if (!this.lp) {
      const n = this.dict!.get(member);
      return n === undefined ? undefined : n.score;
    }
    const i = this.m.indexOf(member);
    return i < 0 ? undefined : this.s[i];
  }

  has(member: string): boolean {
    return this.score(member) !== undefined;
  }

  /** Index in the arrays where (score, member) belongs. */
  private lpPos(score: number, ele: string): number {
    const m = this.m, s = this.s;
    let lo = 0, hi = m.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(s[mid], m[mid], score, ele)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Insert a member known to be absent, converting to skiplist when the
   * listpack would exceed the limits (as zsetAdd does).
   */
  insertNew(member: string, score: number, cfg?: ShardConfig): void {
    if (this.lp) {
      const [me, mv] = zsetLimits(cfg);
      if (this.m.length + 1 > me || member.length > mv) {
        this.toSkiplist();
      } else {
        const p = this.lpPos(score, member);
        this.m.splice(p, 0, member);
        this.s.splice(p, 0, score === 0 ? 0 : score);
        return;
      }
    }
    this.link(member, score);
  }

  /** Add a node for an absent member (skiplist encoding). */
  private link(member: string, score: number): void {
    const n = this.zsl!.insert(score, member);
    const nodes = this.nodes!;
    n.pos = nodes.length;
    nodes.push(n);
    this.dict!.set(member, n);
  }

  /** Drop an unlinked node from the dict and the dense array. */
  forget(n: ZNode): void {
    this.dict!.delete(n.ele);
    const nodes = this.nodes!;
    const last = nodes.pop()!;
    if (last !== n) {
      last.pos = n.pos;
      nodes[n.pos] = last;
    }
  }

  /** Change the score of a present member from cur to score. */
  updateScore(member: string, cur: number, score: number): void {
    if (this.lp) {
      const i = this.m.indexOf(member);
      this.m.splice(i, 1);
      this.s.splice(i, 1);
      const p = this.lpPos(score, member);
      this.m.splice(p, 0, member);
      this.s.splice(p, 0, score === 0 ? 0 : score);
      return;
    }
    const n = this.dict!.get(member)!;
    const next = n.next[0];
    // Still between its neighbours: only the score changes (as Redis's
    // zslUpdateScore does). Otherwise unlink and relink the same node, so
    // its slot in the dense array (ZSCAN) and its level stay.
    if ((n.prev === null || n.prev.score < score) && (next === null || next.score > score)) {
      n.score = score;
      return;
    }
    const zsl = this.zsl!;
    zsl.delete(cur, member);
    n.score = score;
    n.prev = null;
    zsl.insertNode(n);
  }

  /** Append an element known to sort after every present one. */
  appendSorted(member: string, score: number): void {
    if (this.lp) {
      this.m.push(member);
      this.s.push(score === 0 ? 0 : score);
    } else {
      this.link(member, score);
    }
  }

  /** Add or update; true when the member is new. */
  add(member: string, score: number, cfg?: ShardConfig): boolean {
    const cur = this.score(member);
    if (cur === undefined) {
      this.insertNew(member, score, cfg);
      return true;
    }
    if (cur !== score) this.updateScore(member, cur, score);
    return false;
  }

  del(member: string): boolean {
    if (this.lp) {
      const i = this.m.indexOf(member);
      if (i < 0) return false;
      this.m.splice(i, 1);
      this.s.splice(i, 1);
      return true;
    }
    const n = this.dict!.get(member);
    if (n === undefined) return false;
    this.zsl!.delete(n.score, member);
    this.forget(n);
    return true;
  }

  /** 0-based rank (ascending), or -1. */
  rank(member: string): number {
    if (this.lp) return this.m.indexOf(member);
    const n = this.dict!.get(member);
    if (n === undefined) return -1;
    return this.zsl!.rankOf(n.score, member) - 1;
  }

  /** Number of elements with score < v (or <= v when incl). */
  countBelow(v: number, incl: boolean): number {
    if (!this.lp) return this.zsl!.countScore(v, incl);
    const s = this.s;
    let lo = 0, hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid] < v || (incl && s[mid] === v)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Number of leading elements whose member is < v (or <= v when incl). */
  countLexBelow(v: string, incl: boolean): number {
    if (!this.lp) return this.zsl!.countLex(v, incl);
    const m = this.m;
    let lo = 0, hi = m.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (m[mid] < v || (incl && m[mid] === v)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Append `count` elements starting at ascending rank `from` to the output
   * arrays, walking down the ranks when rev. The caller keeps within bounds.
   */
  collect(from: number, count: number, rev: boolean, outM: string[], outS: number[] | null): void {
    if (count <= 0) return;
    if (this.lp) {
      const m = this.m, s = this.s;
      if (rev) {
        for (let i = from; count > 0; i--, count--) {
          outM.push(m[i]);
          if (outS) outS.push(s[i]);
        }
      } else {
        for (let i = from; count > 0; i++, count--) {
          outM.push(m[i]);
          if (outS) outS.push(s[i]);
        }
      }
      return;
    }
    const zsl = this.zsl!;
    let x: ZNode | null =
      from === 0 ? zsl.head.next[0] : from === zsl.length - 1 ? zsl.tail : zsl.byRank(from + 1);
    while (x !== null && count > 0) {
      outM.push(x.ele);
      if (outS) outS.push(x.score);
      x = rev ? x.prev : x.next[0];
      count--;
    }
  }

  /** Remove ascending ranks [start, end] (0-based, inclusive, in bounds). */
  deleteRange(start: number, end: number): number {
    if (end < start) return 0;
    if (this.lp) {
      this.m.splice(start, end - start + 1);
      this.s.splice(start, end - start + 1);
      return end - start + 1;
    }
    return this.zsl!.deleteRange(start + 1, end + 1, this);
  }

  /**
   * One ZSCAN step on the skiplist encoding: slots below `cursor` are still
   * to visit, top down (0 starts at the top). Appends up to `count` elements
   * and returns the next cursor (0 when done).
   */
  scanStep(cursor: number, count: number, outM: string[], outS: number[]): number {
    const nodes = this.nodes!;
    const n = nodes.length;
    const hi = cursor === 0 || cursor > n ? n : cursor;
    const lo = hi > count ? hi - count : 0;
    for (let i = hi - 1; i >= lo; i--) {
      const x = nodes[i];
      outM.push(x.ele);
      outS.push(x.score);
    }
    return lo;
  }

  /** Lowest (or highest) element, or undefined when empty. */
  edge(max: boolean): [string, number] | undefined {
    if (this.lp) {
      const n = this.m.length;
      if (n === 0) return undefined;
      const i = max ? n - 1 : 0;
      return [this.m[i], this.s[i]];
    }
    const x = max ? this.zsl!.tail : this.zsl!.head.next[0];
    return x === null ? undefined : [x.ele, x.score];
  }

  /** Pop the lowest or highest element into out; false when empty. */
  pop(max: boolean, out: { m: string; s: number }): boolean {
    if (this.lp) {
      const n = this.m.length;
      if (n === 0) return false;
      if (max) {
        out.m = this.m.pop()!;
        out.s = this.s.pop()!;
      } else {
        out.m = this.m.shift()!;
        out.s = this.s.shift()!;
      }
      return true;
    }
    const zsl = this.zsl!;
    const x = max ? zsl.tail : zsl.head.next[0];
    if (x === null) return false;
    out.m = x.ele;
    out.s = x.score;
    zsl.delete(x.score, x.ele);
    this.forget(x);
    return true;
  }

  /** Random member index (uniform). */
  randomAt(i: number): [string, number] {
    if (this.lp) return [this.m[i], this.s[i]];
    const x = this.zsl!.byRank(i + 1)!;
    return [x.ele, x.score];
  }

  /** All elements ascending by (score, member). */
  entries(): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    if (this.lp) {
      for (let i = 0; i < this.m.length; i++) out.push([this.m[i], this.s[i]]);
    } else {
      for (let x = this.zsl!.head.next[0]; x !== null; x = x.next[0]) out.push([x.ele, x.score]);
    }
    return out;
  }

  /** Members in any order with their scores (for set operations). */
  forEach(fn: (m: string, s: number) => void): void {
    if (this.lp) {
      for (let i = 0; i < this.m.length; i++) fn(this.m[i], this.s[i]);
    } else {
      for (let x = this.zsl!.head.next[0]; x !== null; x = x.next[0]) fn(x.ele, x.score);
    }
  }

  clone(): this {
    const z = new ZsetValue();
    if (this.lp) {
      z.m = this.m.slice();
      z.s = this.s.slice();
    } else {
      z.lp = false;
      z.dict = new Map();
      z.zsl = new SkipList();
      z.nodes = [];
      for (let x = this.zsl!.head.next[0]; x !== null; x = x.next[0]) z.link(x.ele, x.score);
    }
    return z as this;
  }
}

// Codec: 'L' or 'S' (encoding), then per element an 8-byte LE double and a
// 4-byte LE length followed by the member bytes.
registerCodec('zset', {
  encode(v: RObject): string {
    const z = v as ZsetValue;
    const es = z.entries();
    let len = 1;
    for (const [m] of es) len += 12 + m.length;
    const b = Buffer.allocUnsafe(len);
    b[0] = z.lp ? 0x4c : 0x53;
    let o = 1;
    for (const [m, s] of es) {
      b.writeDoubleLE(s, o);
      b.writeUInt32LE(m.length, o + 8);
      o += 12;
      o += b.latin1Write(m, o);
    }
    return b.latin1Slice(0, len);
  },
  decode(p: string): RObject {
    const b = Buffer.from(p, 'latin1');
    const z = new ZsetValue();
    const lp = b[0] === 0x4c;
    if (!lp) z.toSkiplist();
    let o = 1;
    while (o < b.length) {
      const s = b.readDoubleLE(o);
      const n = b.readUInt32LE(o + 8);
      o += 12;
      const m = b.latin1Slice(o, o + n);
      o += n;
      z.appendSorted(m, s);
    }
    return z;
  },
});
