// Sorted set commands (Redis 7.0 t_zset.c semantics).

import { parseScanCursor } from '../util/parse';
import type { CommandDef, ShardCtx } from './contract';
import type { Value } from '../store/keyspace';
import { E } from './errors';
import { parseDouble, parseLL, parseSmallInt, INT64 } from '../util/parse';
import { globMatch } from '../util/glob';
import { ZsetValue, zsetLimits } from '../store/zset';
import type { SetValue } from '../store/set';
import { formatDouble } from '../protocol/double';

// ------------------------------------------------------------ parsing

function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

/**
 * string2d (getDoubleFromObject): the whole string, no leading space, no
 * NaN, no overflow to ±inf nor underflow to 0 (an explicit "inf" is fine).
 */
export function strictDouble(s: string): number | null {
  if (s.length === 0 || isSpace(s.charCodeAt(0))) return null;
  const v = parseDouble(s);
  if (v === null) return null;
  if (v === Infinity || v === -Infinity) {
    if (!/inf/i.test(s)) return null;
  } else if (v === 0) {
    const hex = /^[+-]?0[xX]/.test(s);
    const mant = s.split(hex ? /[pP]/ : /[eE]/)[0].replace(/^[+-]?0[xX]/, '');
    if ((hex ? /[1-9a-fA-F]/ : /[1-9]/).test(mant)) return null;
  }
  return v;
}

/** strtod as zslParseRange uses it: leading space ok, "" is 0, no NaN. */
function rangeDouble(s: string): number | null {
  const z = s.indexOf('\0');
  if (z >= 0) s = s.slice(0, z);
  if (s.length === 0) return 0;
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  if (i === s.length) return null;
  return parseDouble(i ? s.slice(i) : s);
}

/** string2ll as a number (exact below 2^53), or null. */
export function getLong(s: string): number | null {
  const v = parseSmallInt(s);
  if (v !== null) return v;
  const b = parseLL(s);
  return b === null ? null : Number(b);
}

interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

function parseScoreRange(a: string, b: string): ScoreRange | null {
  const minex = a.charCodeAt(0) === 40; // (
  const maxex = b.charCodeAt(0) === 40;
  const min = rangeDouble(minex ? a.slice(1) : a);
  const max = rangeDouble(maxex ? b.slice(1) : b);
  if (min === null || max === null) return null;
  return { min, max, minex, maxex };
}

/** A lex bound: kind -1 is "-", 1 is "+", 0 a string with ex. */
interface LexItem {
  kind: number;
  v: string;
  ex: boolean;
}

function parseLexItem(s: string): LexItem | null {
  const c0 = s.charCodeAt(0);
  if (c0 === 43 || c0 === 45) {
    // C compares the next byte against NUL: "+\0…" is still "+".
    if (s.length > 1 && s.charCodeAt(1) !== 0) return null;
    return { kind: c0 === 43 ? 1 : -1, v: '', ex: true };
  }
  if (c0 === 40) return { kind: 0, v: s.slice(1), ex: true };
  if (c0 === 91) return { kind: 0, v: s.slice(1), ex: false };
  return null;
}

/** First ascending rank in the lex range's lower bound. */
function lexFirst(z: ZsetValue, it: LexItem): number {
  if (it.kind === -1) return 0;
  if (it.kind === 1) return z.size;
  return z.countLexBelow(it.v, it.ex);
}

/** One past the last ascending rank within the upper bound. */
function lexEnd(z: ZsetValue, it: LexItem): number {
  if (it.kind === 1) return z.size;
  if (it.kind === -1) return 0;
  return z.countLexBelow(it.v, !it.ex);
}

/** Blocking timeout in ms (0 = forever) or an error text. */
export function parseTimeout(s: string): number | string {
  const v = s.length === 0 || isSpace(s.charCodeAt(0)) ? null : parseDouble(s);
  if (v === null) return 'ERR timeout is not a float or out of range';
  let t = Math.ceil(v * 1000);
  // (long long) of a value beyond the long long range (±inf included) is
  // LLONG_MIN on x86-64: Redis answers "is negative" rather than block forever.
  if (!(t < 2 ** 63)) t = -1;
  if (t < 0) return 'ERR timeout is negative';
  return t;
}

function lookupZ(c: ShardCtx, v: Value | undefined): ZsetValue | null | false {
  if (v === undefined) return null;
  if (typeof v === 'string' || v.type !== 'zset') {
    c.w.error(E.WRONGTYPE);
    return false;
  }
  return v as ZsetValue;
}

function limits(c: ShardCtx): [number, number] {
  return zsetLimits(c.config);
}

// ------------------------------------------------------------ ZADD

const NANERR = 'ERR resulting score is not a number (NaN)';

/** ZADD / ZINCRBY (incr) / GEOADD's insertion step. */
export function zaddGeneric(c: ShardCtx, a: string[], incrCmd: boolean): void {
  let nx = false, xx = false, gt = false, lt = false, ch = false, incr = incrCmd;
  let i = 2;
  for (; i < a.length; i++) {
    const o = a[i].toLowerCase();
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o === 'ch') ch = true;
    else if (o === 'incr') incr = true;
    else if (o === 'gt') gt = true;
    else if (o === 'lt') lt = true;
    else break;
  }
  const left = a.length - i;
  if (left % 2 || !left) return c.w.error(E.SYNTAX);
  const n = left / 2;
  if (nx && xx) return c.w.error('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt))
    return c.w.error('ERR GT, LT, and/or NX options at the same time are not compatible');
  if (incr && n > 1) return c.w.error('ERR INCR option supports a single increment-element pair');
  const scores = new Array<number>(n);
  for (let j = 0; j < n; j++) {
    const d = strictDouble(a[i + j * 2]);
    if (d === null) return c.w.error(E.NOTFLOAT);
    scores[j] = d;
  }
  const key = a[1];
  let z = lookupZ(c, c.db.peek(key));
  if (z === false) return;
  let created = false;
  let added = 0, updated = 0, processed = 0;
  let score = 0;
  if (z === null) {
    if (xx) {
      if (incr) c.w.nil();
      else c.w.int(0);
      return;
    }
    z = ZsetValue.create(c.config, a[i + 1].length);
    created = true;
  }
  for (let j = 0; j < n; j++) {
    score = scores[j];
    const ele = a[i + 1 + j * 2];
    const cur = z.score(ele);
    if (cur !== undefined) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) {
          c.w.error(NANERR);
          processed = -1;
          break;
        }
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      if (score !== cur) {
        z.updateScore(ele, cur, score);
        updated++;
      }
      processed++;
    } else if (!xx) {
      z.insertNew(ele, score, c.config);
      added++;
      processed++;
    }
  }
  if (processed >= 0) {
    c.ks.stats.dirty += added + updated;
    if (incr) {
      if (processed) c.w.double(score);
      else c.w.nil();
    } else {
      c.w.int(ch ? added + updated : added);
    }
  }
  if (created) {
    if (z.size > 0) c.db.set(key, z);
  } else if (added || updated) {
    c.ks.onWrite(c.db.index, key);
  }
}

function zremCommand(c: ShardCtx, a: string[]): void {
  const key = a[1];
  const z = lookupZ(c, c.db.peek(key));
  if (z === false) return;
  if (z === null) return c.w.int(0);
  let deleted = 0;
  for (let j = 2; j < a.length; j++) {
    if (z.del(a[j])) deleted++;
    if (z.size === 0) break;
  }
  if (deleted) {
    if (z.size === 0) c.db.del(key);
    else c.ks.onWrite(c.db.index, key);
    c.ks.stats.dirty += deleted;
  }
  c.w.int(deleted);
}

// ------------------------------------------------------------ ZREMRANGEBY*

function zremrangeGeneric(c: ShardCtx, a: string[], type: 0 | 1 | 2): void {
  let start = 0, end = 0;
  let sr: ScoreRange | null = null;
  let lmin: LexItem | null = null, lmax: LexItem | null = null;
  if (type === 0) {
    const s = getLong(a[2]);
    const e = s === null ? null : getLong(a[3]);
    if (s === null || e === null) return c.w.error(E.NOTINT);
    start = s;
    end = e;
  } else if (type === 1) {
    sr = parseScoreRange(a[2], a[3]);
    if (sr === null) return c.w.error('ERR min or max is not a float');
  } else {
    lmin = parseLexItem(a[2]);
    lmax = lmin && parseLexItem(a[3]);
    if (!lmin || !lmax) return c.w.error('ERR min or max not valid string range item');
  }
  const key = a[1];
  const z = lookupZ(c, c.db.peek(key));
  if (z === false) return;
  if (z === null) return c.w.int(0);
  const llen = z.size;
  let first: number, last: number;
  if (type === 0) {
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) return c.w.int(0);
    if (end >= llen) end = llen - 1;
    first = start;
    last = end;
  } else if (type === 1) {
    first = z.countBelow(sr!.min, sr!.minex);
    last = z.countBelow(sr!.max, !sr!.maxex) - 1;
  } else {
    first = lexFirst(z, lmin!);
    last = lexEnd(z, lmax!) - 1;
  }
  const deleted = last >= first ? z.deleteRange(first, last) : 0;
  if (deleted) {
    if (z.size === 0) c.db.del(key);
    else c.ks.onWrite(c.db.index, key);
  }
  c.ks.stats.dirty += deleted;
  c.w.int(deleted);
}

// ------------------------------------------------------------ ZRANGE family

const enum RT { AUTO, RANK, SCORE, LEX }
const enum DIR { AUTO, FWD, REV }

const outM: string[] = [];
const outS: number[] = [];

function emitPairs(c: ShardCtx, ms: string[], ss: number[] | null): void {
  const w = c.w;
  const n = ms.length;
  if (ss === null) {
    w.arr(n);
    for (let i = 0; i < n; i++) w.bulk(ms[i]);
    return;
  }
  if (w.proto === 2) {
    w.arr(n * 2);
    for (let i = 0; i < n; i++) {
      w.bulk(ms[i]);
      w.double(ss[i]);
    }
  } else {
    w.arr(n);
    for (let i = 0; i < n; i++) {
      w.arr(2);
      w.bulk(ms[i]);
      w.double(ss[i]);
    }
  }
}

/**
 * ZRANGE, ZRANGESTORE and the legacy ZRANGEBYSCORE & co. `ks` is the index
 * of the source key; `dst` the destination for ZRANGESTORE.
 */
function zrangeGeneric(c: ShardCtx, a: string[], ks: number, dst: string | null, rt: RT, dir: DIR): void {
  const store = dst !== null;
  let withscores = false;
  let offset = 0, limit = -1;
  for (let j = ks + 3; j < a.length; j++) {
    const left = a.length - j - 1;
    const o = a[j].toLowerCase();
    if (!store && o === 'withscores') withscores = true;
    else if (o === 'limit' && left >= 2) {
      const of = getLong(a[j + 1]);
      const li = of === null ? null : getLong(a[j + 2]);
      if (of === null || li === null) return c.w.error(E.NOTINT);
      offset = of;
      limit = li;
      j += 2;
    } else if (dir === DIR.AUTO && o === 'rev') dir = DIR.REV;
    else if (rt === RT.AUTO && o === 'bylex') rt = RT.LEX;
    else if (rt === RT.AUTO && o === 'byscore') rt = RT.SCORE;
    else return c.w.error(E.SYNTAX);
  }
  if (dir === DIR.AUTO) dir = DIR.FWD;
  if (rt === RT.AUTO) rt = RT.RANK;
  if (limit !== -1 && rt === RT.RANK)
    return c.w.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withscores && rt === RT.LEX)
    return c.w.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  const rev = dir === DIR.REV;
  let minA = a[ks + 1], maxA = a[ks + 2];
  if (rev && rt !== RT.RANK) {
    const t = minA;
    minA = maxA;
    maxA = t;
  }
  let start = 0, end = 0;
  let sr: ScoreRange | null = null;
  let lmin: LexItem | null = null, lmax: LexItem | null = null;
  if (rt === RT.RANK) {
    const s = getLong(minA);
    const e = s === null ? null : getLong(maxA);
    if (s === null || e === null) return c.w.error(E.NOTINT);
    start = s;
    end = e;
  } else if (rt === RT.SCORE) {
    sr = parseScoreRange(minA, maxA);
    if (sr === null) return c.w.error('ERR min or max is not a float');
  } else {
    lmin = parseLexItem(minA);
    lmax = lmin && parseLexItem(maxA);
    if (!lmin || !lmax) return c.w.error('ERR min or max not valid string range item');
  }
  const wantScores = withscores || store;

  const z = lookupZ(c, c.db.get(a[ks]));
  if (z === false) return;
  outM.length = 0;
  outS.length = 0;
  let declared = -1; // the length ZRANGESTORE sizes its destination with
  if (z !== null) {
    const llen = z.size;
    if (rt === RT.RANK) {
      if (start < 0) start = llen + start;
      if (end < 0) end = llen + end;
      if (start < 0) start = 0;
      if (!(start > end || start >= llen)) {
        if (end >= llen) end = llen - 1;
        const n = end - start + 1;
        declared = n;
        z.collect(rev ? llen - 1 - start : start, n, rev, outM, wantScores ? outS : null);
      } else {
        declared = 0;
      }
    } else {
      let first: number, endx: number;
      if (rt === RT.SCORE) {
        first = z.countBelow(sr!.min, sr!.minex);
        endx = z.countBelow(sr!.max, !sr!.maxex);
      } else {
        first = lexFirst(z, lmin!);
        endx = lexEnd(z, lmax!);
      }
      const inRange = endx - first;
      if (offset >= 0 && inRange > offset && limit !== 0) {
        let n = inRange - offset;
        if (limit > 0 && limit < n) n = limit;
        z.collect(rev ? endx - 1 - offset : first + offset, n, rev, outM, wantScores ? outS : null);
      }
    }
  } else if (!store) {
    return c.w.arr(0);
  }

  if (!store) return emitPairs(c, outM, withscores ? outS : null);

  const n = outM.length;
  if (n) {
    const d = new ZsetValue();
    if (declared > limits(c)[0]) d.toSkiplist();
    for (let i = 0; i < n; i++) d.insertNew(outM[i], outS[i], c.config);
    c.db.set(dst!, d);
    c.w.int(n);
    c.ks.stats.dirty++;
  } else {
    c.w.int(0);
    if (c.db.del(dst!)) c.ks.stats.dirty++;
  }
}

// ------------------------------------------------------------ counts & lookups

function zcardCommand(c: ShardCtx, a: string[]): void {
  const z = lookupZ(c, c.db.get(a[1]));
  if (z === false) return;
  c.w.int(z === null ? 0 : z.size);
}

function zcountCommand(c: ShardCtx, a: string[]): void {
  const sr = parseScoreRange(a[2], a[3]);
  if (sr === null) return c.w.error('ERR min or max is not a float');
  const z = lookupZ(c, c.db.get(a[1]));
  if (z === false) return;
  if (z === null) return c.w.int(0);
  const n = z.countBelow(sr.max, !sr.maxex) - z.countBelow(sr.min, sr.minex);
  c.w.int(n > 0 ? n : 0);
}

function zlexcountCommand(c: ShardCtx, a: string[]): void {
  const lmin = parseLexItem(a[2]);
  const lmax = lmin && parseLexItem(a[3]);
  if (!lmin || !lmax) return c.w.error('ERR min or max not valid string range item');
  const z = lookupZ(c, c.db.get(a[1]));
  if (z === false) return;
  if (z === null) return c.w.int(0);
  const n = lexEnd(z, lmax) - lexFirst(z, lmin);
  c.w.int(n > 0 ? n : 0);
}

function zscoreCommand(c: ShardCtx, a: string[]): void {
  const z = lookupZ(c, c.db.get(a[1]));
  if (z === false) return;
  const s = z === null ? undefined : z.score(a[2]);
  if (s === undefined) c.w.nil();
  else c.w.double(s);
}

function zmscoreCommand(c: ShardCtx, a: string[]): void {
  const z = lookupZ(c, c.db.get(a[1]));
  if (z === false) return;
  c.w.arr(a.length - 2);
  for (let j = 2; j < a.length; j++) {
    const s = z === null ? undefined : z.score(a[j]);
    if (s === undefined) c.w.nil();
    else c.w.double(s);
  }
}

function zrankGeneric(c: ShardCtx, a: string[], rev: boolean): void {
  const z = lookupZ(c, c.db.get(a[1]));
  if (z === false) return;
  if (z === null) return c.w.nil();
  const r = z.rank(a[2]);
  if (r < 0) return c.w.nil();
  c.w.int(rev ? z.size - 1 - r : r);
}

// ------------------------------------------------------------ set operations

interface Src {
  z: ZsetValue | null;
  s: SetValue | null;
  obj: unknown;
  w: number;
  n: number;
}

function srcScore(src: Src, m: string): number | undefined {
  if (src.z !== null) return src.z.score(m);
  if (src.s !== null) return src.s.has(m) ? 1.0 : undefined;
  return undefined;
}

function srcEach(src: Src, fn: (m: string, s: number) => void): void {
  if (src.z !== null) src.z.forEach(fn);
  else if (src.s !== null) {
    const ms = src.s.order();
    for (let i = 0; i < ms.length; i++) fn(ms[i], 1.0);
  }
}

const AGG_SUM = 0, AGG_MIN = 1, AGG_MAX = 2;

function aggregate(t: number, v: number, agg: number): number {
  if (agg === AGG_SUM) {
    const r = t + v;
    return Number.isNaN(r) ? 0 : r;
  }
  if (agg === AGG_MIN) return v < t ? v : t;
  return v > t ? v : t;
}

const OP_UNION = 0, OP_INTER = 1, OP_DIFF = 2;

function zsetOpGeneric(c: ShardCtx, a: string[], dst: string | null, numIdx: number, op: number, cardOnly: boolean, name: string): void {
  const setnum = getLong(a[numIdx]);
  if (setnum === null) return c.w.error(E.NOTINT);
  if (setnum < 1) return c.w.error(`ERR at least 1 input key is needed for '${name}' command`);
  if (setnum > a.length - (numIdx + 1)) return c.w.error(E.SYNTAX);
  const srcs: Src[] = [];
  let j = numIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = c.db.get(a[j]);
    const src: Src = { z: null, s: null, obj: v, w: 1.0, n: 0 };
    if (v !== undefined) {
      if (typeof v === 'string' || (v.type !== 'zset' && v.type !== 'set')) return c.w.error(E.WRONGTYPE);
      if (v.type === 'zset') {
        src.z = v as ZsetValue;
        src.n = src.z.size;
      } else {
        src.s = v as SetValue;
        src.n = src.s.size;
      }
    }
    srcs.push(src);
  }
  let agg = AGG_SUM, withscores = false, limit = 0;
  let remaining = a.length - j;
  while (remaining > 0) {
    const o = a[j].toLowerCase();
    if (op !== OP_DIFF && !cardOnly && remaining >= setnum + 1 && o === 'weights') {
      j++;
      remaining--;
      for (let i = 0; i < setnum; i++, j++, remaining--) {
        const d = strictDouble(a[j]);
        if (d === null) return c.w.error('ERR weight value is not a float');
        srcs[i].w = d;
      }
    } else if (op !== OP_DIFF && !cardOnly && remaining >= 2 && o === 'aggregate') {
      const v = a[j + 1].toLowerCase();
      if (v === 'sum') agg = AGG_SUM;
      else if (v === 'min') agg = AGG_MIN;
      else if (v === 'max') agg = AGG_MAX;
      else return c.w.error(E.SYNTAX);
      j += 2;
      remaining -= 2;
    } else if (remaining >= 1 && dst === null && !cardOnly && o === 'withscores') {
      withscores = true;
      j++;
      remaining--;
    } else if (cardOnly && remaining >= 2 && o === 'limit') {
      const l = getLong(a[j + 1]);
      if (l === null || l < 0) return c.w.error("ERR LIMIT can't be negative");
      limit = l;
      j += 2;
      remaining -= 2;
    } else {
      return c.w.error(E.SYNTAX);
    }
  }
  if (op !== OP_DIFF) srcs.sort((x, y) => x.n - y.n);

  const res = new Map<string, number>();
  let card = 0;
  if (op === OP_INTER) {
    const s0 = srcs[0];
    if (s0.n > 0) {
      const items: Array<[string, number]> = [];
      srcEach(s0, (m, s) => items.push([m, s]));
      for (let k = 0; k < items.length; k++) {
        const [m, zs] = items[k];
        let score = s0.w * zs;
        if (Number.isNaN(score)) score = 0;
        let i = 1;
        for (; i < setnum; i++) {
          const sj = srcs[i];
          if (sj.obj === s0.obj) {
            score = aggregate(score, zs * sj.w, agg);
          } else {
            const v = srcScore(sj, m);
            if (v === undefined) break;
            score = aggregate(score, v * sj.w, agg);
          }
        }
        if (i === setnum) {
          if (cardOnly) {
            card++;
            if (limit && card >= limit) break;
          } else {
            res.set(m, score);
          }
        }
      }
    }
  } else if (op === OP_UNION) {
    for (let i = 0; i < setnum; i++) {
      const si = srcs[i];
      if (si.n === 0) continue;
      srcEach(si, (m, s) => {
        let score = si.w * s;
        if (Number.isNaN(score)) score = 0;
        const cur = res.get(m);
        res.set(m, cur === undefined ? score : aggregate(cur, score, agg));
      });
    }
  } else {
    const s0 = srcs[0];
    let same = false;
    for (let i = 1; i < setnum; i++) if (srcs[i].obj === s0.obj && s0.obj !== undefined) same = true;
    if (s0.n > 0 && !same) {
      srcEach(s0, (m, s) => {
        for (let i = 1; i < setnum; i++) if (srcScore(srcs[i], m) !== undefined) return;
        res.set(m, s);
      });
    }
  }

  if (cardOnly) return c.w.int(card);
  const out = new ZsetValue();
  out.toSkiplist();
  for (const [m, s] of res) out.insertNew(m, s);
  if (dst !== null) {
    if (out.size) {
      out.maybeToListpack(c.config);
      c.db.set(dst, out);
      c.w.int(out.size);
      c.ks.stats.dirty++;
    } else {
      c.w.int(0);
      if (c.db.del(dst)) c.ks.stats.dirty++;
    }
    return;
  }
  outM.length = 0;
  outS.length = 0;
  out.collect(0, out.size, false, outM, outS);
  emitPairs(c, outM, withscores ? outS : null);
}

// ------------------------------------------------------------ pops

const popped = { m: '', s: 0 };

/**
 * genericZpopCommand. count -1 is the plain single pop; nested: pairs as
 * arrays; emitKey: key name first; nilWhenEmpty: null array when nothing.
 */
function genericZpop(c: ShardCtx, keys: string[], max: boolean, emitKey: boolean, count: number, nested: boolean, nilWhenEmpty: boolean): void {
  let key = '';
  let z: ZsetValue | null = null;
  for (let i = 0; i < keys.length; i++) {
    const v = c.db.peek(keys[i]);
    if (v === undefined) continue;
    if (typeof v === 'string' || v.type !== 'zset') return c.w.error(E.WRONGTYPE);
    z = v as ZsetValue;
    key = keys[i];
    break;
  }
  const w = c.w;
  if (z === null) {
    if (nilWhenEmpty) w.nilArray();
    else w.arr(0);
    return;
  }
  if (count === 0) return w.arr(0);
  if (count === -1) count = 1;
  let n = count > z.size ? z.size : count;
  if (!nested && !emitKey) w.arr(n * 2);
  else if (nested && !emitKey) w.arr(n);
  else if (!nested && emitKey) {
    w.arr(n * 2 + 1);
    w.bulk(key);
  } else {
    w.arr(2);
    w.bulk(key);
    w.arr(n);
  }
  while (n-- > 0) {
    z.pop(max, popped);
    c.ks.stats.dirty++;
    if (nested) w.arr(2);
    w.bulk(popped.m);
    w.double(popped.s);
  }
  if (z.size === 0) c.db.del(key);
  else c.ks.onWrite(c.db.index, key);
}

function zpopCommand(c: ShardCtx, a: string[], max: boolean): void {
  if (a.length > 3) return c.w.error(E.SYNTAX);
  let count = -1;
  if (a.length === 3) {
    const n = getLong(a[2]);
    if (n === null || n < 0) return c.w.error(E.NOTPOSITIVE);
    count = n;
  }
  genericZpop(c, [a[1]], max, false, count, c.w.proto > 2 && count !== -1, false);
}

function blockingZpop(c: ShardCtx, keys: string[], max: boolean, timeoutArg: string, count: number, nested: boolean, nilWhenEmpty: boolean): void {
  const t = parseTimeout(timeoutArg);
  if (typeof t === 'string') return c.w.error(t);
  for (let i = 0; i < keys.length; i++) {
    const v = c.db.peek(keys[i]);
    if (v === undefined) continue;
    if (typeof v === 'string' || v.type !== 'zset') return c.w.error(E.WRONGTYPE);
    if ((v as ZsetValue).size === 0) continue;
    return genericZpop(c, [keys[i]], max, true, count, nested, nilWhenEmpty);
  }
  if (c.block === null) return c.w.nilArray();
  c.block(
    keys,
    t,
    (cc) => {
      const ready = cc.readyKey !== null ? [cc.readyKey] : keys;
      for (let i = 0; i < ready.length; i++) {
        const v = cc.db.peek(ready[i]);
        if (v === undefined || typeof v === 'string' || v.type !== 'zset') continue;
        if ((v as ZsetValue).size === 0) continue;
        genericZpop(cc, [ready[i]], max, true, count, nested, nilWhenEmpty);
        return true;
      }
      return false;
    },
    (cc) => cc.w.nilArray(),
  );
}

function bzpopCommand(c: ShardCtx, a: string[], max: boolean): void {
  blockingZpop(c, a.slice(1, a.length - 1), max, a[a.length - 1], -1, false, false);
}

function getRangeLong(s: string, min: number): number | null {
  const v = getLong(s);
  return v === null || v < min ? null : v;
}

function zmpopGeneric(c: ShardCtx, a: string[], numIdx: number, block: boolean): void {
  const numkeys = getRangeLong(a[numIdx], 1);
  if (numkeys === null) return c.w.error('ERR numkeys should be greater than 0');
  const whereIdx = numIdx + numkeys + 1;
  if (whereIdx >= a.length) return c.w.error(E.SYNTAX);
  const wh = a[whereIdx].toLowerCase();
  let max: boolean;
  if (wh === 'min') max = false;
  else if (wh === 'max') max = true;
  else return c.w.error(E.SYNTAX);
  let count = -1;
  for (let j = whereIdx + 1; j < a.length; j++) {
    const more = a.length - 1 - j;
    if (count === -1 && a[j].toLowerCase() === 'count' && more) {
      j++;
      const n = getRangeLong(a[j], 1);
      if (n === null) return c.w.error('ERR count should be greater than 0');
      count = n;
    } else {
      return c.w.error(E.SYNTAX);
    }
  }
  if (count === -1) count = 1;
  const keys = a.slice(numIdx + 1, numIdx + 1 + numkeys);
  if (block) blockingZpop(c, keys, max, a[1], count, true, true);
  else genericZpop(c, keys, max, true, count, true, true);
}

// ------------------------------------------------------------ ZRANDMEMBER

const LONG_MAX = INT64.MAX;

function zrandmemberCommand(c: ShardCtx, a: string[]): void {
  const w = c.w;
  if (a.length >= 3) {
    const b = parseLL(a[2]);
    if (b === null) return w.error(E.NOTINT);
    if (b < -LONG_MAX)
      return w.error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    let withscores = false;
    if (a.length > 4 || (a.length === 4 && a[3].toLowerCase() !== 'withscores')) return w.error(E.SYNTAX);
    if (a.length === 4) {
      withscores = true;
      if (b < -LONG_MAX / 2n || b > LONG_MAX / 2n) return w.error('ERR value is out of range');
    }
    return zrandWithCount(c, a[1], Number(b), withscores);
  }
  const z = lookupZ(c, c.db.get(a[1]));
  if (z === false) return;
  if (z === null) return w.nil();
  w.bulk(z.randomAt(Math.floor(Math.random() * z.size))[0]);
}

function zrandWithCount(c: ShardCtx, key: string, l: number, withscores: boolean): void {
  const w = c.w;
  const z = lookupZ(c, c.db.get(key));
  if (z === false) return;
  if (z === null) return w.arr(0);
  const size = z.size;
  const uniq = l >= 0;
  const count = Math.abs(l);
  if (count === 0) return w.arr(0);
  const pair = withscores && w.proto > 2;
  if (!uniq || count === 1) {
    w.arr(withscores && w.proto === 2 ? count * 2 : count);
    for (let i = 0; i < count; i++) {
      const [m, s] = z.randomAt(Math.floor(Math.random() * size));
      if (pair) w.arr(2);
      w.bulk(m);
      if (withscores) w.double(s);
    }
    return;
  }
  const n = count < size ? count : size;
  w.arr(withscores && w.proto === 2 ? n * 2 : n);
  outM.length = 0;
  outS.length = 0;
  // Whole-set replies walk from the top, as Redis's zset iterator does.
  z.collect(size - 1, size, true, outM, outS);
  if (count < size) {
    // Partial Fisher-Yates: the first n slots become a uniform sample.
    for (let i = 0; i < n; i++) {
      const r = i + Math.floor(Math.random() * (size - i));
      const tm = outM[i]; outM[i] = outM[r]; outM[r] = tm;
      const ts = outS[i]; outS[i] = outS[r]; outS[r] = ts;
    }
  }
  for (let i = 0; i < n; i++) {
    if (pair) w.arr(2);
    w.bulk(outM[i]);
    if (withscores) w.double(outS[i]);
  }
}

// ------------------------------------------------------------ ZSCAN


function zscanCommand(c: ShardCtx, a: string[]): void {
  const w = c.w;
  const cursor = parseScanCursor(a[2]);
  if (cursor < 0) return w.error('ERR invalid cursor');
  const z = lookupZ(c, c.db.get(a[1]));
  if (z === false) return;
  if (z === null) return w.raw('*2\r\n$1\r\n0\r\n*0\r\n');
  let count = 10;
  let pat: string | null = null;
  for (let i = 3; i < a.length; ) {
    const left = a.length - i;
    const o = a[i].toLowerCase();
    if (o === 'count' && left >= 2) {
      const n = getLong(a[i + 1]);
      if (n === null) return w.error(E.NOTINT);
      if (n < 1) return w.error(E.SYNTAX);
      count = n;
      i += 2;
    } else if (o === 'match' && left >= 2) {
      pat = a[i + 1] === '*' ? null : a[i + 1];
      i += 2;
    } else {
      return w.error(E.SYNTAX);
    }
  }
  outM.length = 0;
  outS.length = 0;
  let next = 0;
  if (z.lp) {
    z.collect(0, z.size, false, outM, outS);
  } else {
    next = z.scanStep(cursor, count, outM, outS);
  }
  let k = 0;
  for (let i = 0; i < outM.length; i++) {
    if (pat !== null && !globMatch(pat, outM[i])) continue;
    outM[k] = outM[i];
    outS[k++] = outS[i];
  }
  w.arr(2);
  w.bulk(String(next));
  w.arr(k * 2);
  for (let i = 0; i < k; i++) {
    w.bulk(outM[i]);
    w.bulk(formatDouble(outS[i]));
  }
}


// ------------------------------------------------------------ table

export const commands: CommandDef[] = [
  { name: 'zadd', run: (c, a) => zaddGeneric(c, a, false) },
  { name: 'zincrby', run: (c, a) => zaddGeneric(c, a, true) },
  { name: 'zrem', run: zremCommand },
  { name: 'zcard', run: zcardCommand },
  { name: 'zcount', run: zcountCommand },
  { name: 'zlexcount', run: zlexcountCommand },
  { name: 'zscore', run: zscoreCommand },
  { name: 'zmscore', run: zmscoreCommand },
  { name: 'zrank', run: (c, a) => zrankGeneric(c, a, false) },
  { name: 'zrevrank', run: (c, a) => zrankGeneric(c, a, true) },
  { name: 'zrange', run: (c, a) => zrangeGeneric(c, a, 1, null, RT.AUTO, DIR.AUTO) },
  { name: 'zrangestore', run: (c, a) => zrangeGeneric(c, a, 2, a[1], RT.AUTO, DIR.AUTO) },
  { name: 'zrevrange', run: (c, a) => zrangeGeneric(c, a, 1, null, RT.RANK, DIR.REV) },
  { name: 'zrangebyscore', run: (c, a) => zrangeGeneric(c, a, 1, null, RT.SCORE, DIR.FWD) },
  { name: 'zrevrangebyscore', run: (c, a) => zrangeGeneric(c, a, 1, null, RT.SCORE, DIR.REV) },
  { name: 'zrangebylex', run: (c, a) => zrangeGeneric(c, a, 1, null, RT.LEX, DIR.FWD) },
  { name: 'zrevrangebylex', run: (c, a) => zrangeGeneric(c, a, 1, null, RT.LEX, DIR.REV) },
  { name: 'zremrangebyrank', run: (c, a) => zremrangeGeneric(c, a, 0) },
  { name: 'zremrangebyscore', run: (c, a) => zremrangeGeneric(c, a, 1) },
  { name: 'zremrangebylex', run: (c, a) => zremrangeGeneric(c, a, 2) },
  { name: 'zpopmin', run: (c, a) => zpopCommand(c, a, false) },
  { name: 'zpopmax', run: (c, a) => zpopCommand(c, a, true) },
  { name: 'bzpopmin', run: (c, a) => bzpopCommand(c, a, false) },
  { name: 'bzpopmax', run: (c, a) => bzpopCommand(c, a, true) },
  { name: 'zmpop', run: (c, a) => zmpopGeneric(c, a, 1, false) },
  { name: 'bzmpop', run: (c, a) => zmpopGeneric(c, a, 2, true) },
  { name: 'zrandmember', run: zrandmemberCommand },
  { name: 'zunion', run: (c, a) => zsetOpGeneric(c, a, null, 1, OP_UNION, false, 'zunion') },
  { name: 'zinter', run: (c, a) => zsetOpGeneric(c, a, null, 1, OP_INTER, false, 'zinter') },
  { name: 'zdiff', run: (c, a) => zsetOpGeneric(c, a, null, 1, OP_DIFF, false, 'zdiff') },
  { name: 'zintercard', run: (c, a) => zsetOpGeneric(c, a, null, 1, OP_INTER, true, 'zintercard') },
  { name: 'zunionstore', run: (c, a) => zsetOpGeneric(c, a, a[1], 2, OP_UNION, false, 'zunionstore') },
  { name: 'zinterstore', run: (c, a) => zsetOpGeneric(c, a, a[1], 2, OP_INTER, false, 'zinterstore') },
  { name: 'zdiffstore', run: (c, a) => zsetOpGeneric(c, a, a[1], 2, OP_DIFF, false, 'zdiffstore') },
  { name: 'zscan', run: zscanCommand },
];

