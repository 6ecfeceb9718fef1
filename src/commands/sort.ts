// SORT and SORT_RO (sort.c semantics).
//
// Cross-shard note: Redis's key specs declare only the sorted key and the
// STORE destination. BY and GET patterns name further keys computed from the
// elements, which in keyshard may live on other shards; this handler reads
// them from the local shard's database only. Sorting with real (starred) BY
// or GET patterns across shards needs the coordinator to route SORT to a
// multi-shard path that gathers those keys first.

import type { CommandDef, ShardCtx } from './contract';
import type { Db, Value } from '../store/keyspace';
import { E, cstr } from './errors';
import { parseDouble } from '../util/parse';
import { llArg } from './string';
import { ListValue } from '../store/list';
import type { SetValue } from '../store/set';
import type { ZsetValue } from '../store/zset';
import type { HashValue } from '../store/hash';

/** One element being sorted, with what it sorts by. */
interface SortItem {
  obj: string;
  score: number;
  /** ALPHA with BY: the looked-up value, null when missing. */
  cmp: string | null;
}

/**
 * lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is
 * replaced by the element and the key read (a string, or with "->field" a
 * hash field). C-string semantics: the pattern is scanned up to its first
 * NUL, the field name is taken to the end.
 */
function byPattern(db: Db, pat: string, sub: string): string | null {
  if (pat.charCodeAt(0) === 35 && (pat.length === 1 || pat.charCodeAt(1) === 0)) return sub;
  const nul = pat.indexOf('\0');
  const clen = nul < 0 ? pat.length : nul;
  const star = pat.indexOf('*');
  if (star < 0 || star >= clen) return null;
  const arrow = pat.indexOf('->', star + 1);
  let key: string;
  let field: string | null = null;
  if (arrow >= 0 && arrow + 2 < clen) {
    field = pat.slice(arrow + 2);
    key = pat.slice(0, star) + sub + pat.slice(star + 1, arrow);
  } else {
    key = pat.slice(0, star) + sub + pat.slice(star + 1);
  }
  const v: Value | undefined = db.get(key);
  if (v === undefined) return null;
  if (field !== null) {
    if (typeof v === 'string' || v.type !== 'hash') return null;
    const f = (v as HashValue).get(field);
    return f === undefined ? null : f;
  }
  return typeof v === 'string' ? v : null;
}

const SPACE = /^[ \t\n\v\f\r]+/;
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * strtod with SORT's acceptance test: the whole (C) string must parse, no
 * overflow/underflow (ERANGE), no NaN. The empty string is 0, as strtod
 * leaves the end pointer on its NUL. Returns null on failure.
 */
function sortScore(s: string): number | null {
  const t = cstr(s);
  if (t.length === 0) return 0;
  const m = SPACE.exec(t);
  const body = m === null ? t : t.slice(m[0].length);
  const d = parseDouble(body);
  if (d === null) return null;
  if (d === Infinity || d === -Infinity) return /inf/i.test(body) ? d : null;
  if (d === 0 || (d > -MIN_NORMAL && d < MIN_NORMAL)) {
    // glibc reports ERANGE for a non-zero decimal that lands in the
    // subnormal range or flushes to zero; a hex literal is usually exact,
    // so only its flush to zero counts.
    const hex = /^[+-]?0[xX]/.test(body);
    const mant = hex ? body.replace(/[pP].*$/, '').slice(body[0] === '0' ? 2 : 3) : body.replace(/[eE].*$/, '');
    if ((hex ? /[1-9a-fA-F]/ : /[1-9]/).test(mant) && (d === 0 || !hex)) return null;
  }
  return d;
}

/** Byte order (memcmp, then length): compareStringObjects. */
function cmpBinary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C locale: byte order of the C strings (up to a NUL). */
function cmpColl(a: string, b: string): number {
  if (a.indexOf('\0') >= 0) a = cstr(a);
  if (b.indexOf('\0') >= 0) b = cstr(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

// Sort parameters for the comparators (Redis passes them via globals too).
let sDesc = false;
let sStore = false;

function cmpNumeric(x: SortItem, y: SortItem): number {
  let r: number;
  if (x.score > y.score) r = 1;
  else if (x.score < y.score) r = -1;
  else r = cmpBinary(x.obj, y.obj);
  return sDesc ? -r : r;
}

function cmpAlphaBy(x: SortItem, y: SortItem): number {
  let r: number;
  if (x.cmp === null || y.cmp === null) r = x.cmp === y.cmp ? 0 : x.cmp === null ? -1 : 1;
  else r = sStore ? cmpBinary(x.cmp, y.cmp) : cmpColl(x.cmp, y.cmp);
  return sDesc ? -r : r;
}

function cmpAlpha(x: SortItem, y: SortItem): number {
  const r = sStore ? cmpBinary(x.obj, y.obj) : cmpColl(x.obj, y.obj);
  return sDesc ? -r : r;
}

function item(obj: string): SortItem {
  return { obj, score: 0, cmp: null };
}

function sortGeneric(c: ShardCtx, a: string[], readonly: boolean): void {
  let desc = false, alpha = false, dontsort = false;
  let limitStart = 0, limitCount = -1;
  let sortby: string | null = null;
  let storekey: string | null = null;
  const gets: string[] = [];
  const n = a.length;
  for (let j = 2; j < n; j++) {
    const left = n - j - 1;
    const opt = a[j].length <= 5 ? a[j].toLowerCase() : '';
    if (opt === 'asc') desc = false;
    else if (opt === 'desc') desc = true;
    else if (opt === 'alpha') alpha = true;
    else if (opt === 'limit' && left >= 2) {
      const s = llArg(a[j + 1]);
      if (s === null) return c.w.error(E.NOTINT);
      const cnt = llArg(a[j + 2]);
      if (cnt === null) return c.w.error(E.NOTINT);
      limitStart = s;
      limitCount = cnt;
      j += 2;
    } else if (!readonly && opt === 'store' && left >= 1) {
      storekey = a[++j];
    } else if (opt === 'by' && left >= 1) {
      sortby = a[++j];
      // A constant BY (no '*') means "don't sort"; it stays set even if a
      // later BY has a pattern, as in Redis.
      if (cstr(sortby).indexOf('*') < 0) dontsort = true;
    } else if (opt === 'get' && left >= 1) {
      gets.push(a[++j]);
    } else {
      return c.w.error(E.SYNTAX);
    }
  }

  const db = c.db;
  const v = db.get(a[1]);
  let type: 'list' | 'set' | 'zset' = 'list';
  if (v !== undefined) {
    if (typeof v === 'string' || (v.type !== 'list' && v.type !== 'set' && v.type !== 'zset')) {
      return c.w.error(E.WRONGTYPE);
    }
    type = v.type;
  }

  // An unsorted set would come out in hash order; STORE must be reproducible.
  if (dontsort && type === 'set' && storekey !== null) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }

  // Redis converts a listpack zset to a skiplist for SORT, and leaves it so.
  if (type === 'zset') (v as ZsetValue).toSkiplist();

  let vectorlen = 0;
  if (v !== undefined) {
    vectorlen = type === 'list' ? (v as ListValue).length : type === 'set' ? (v as SetValue).size : (v as ZsetValue).size;
  }

  let start = Math.min(Math.max(limitStart, 0), vectorlen);
  limitCount = Math.min(Math.max(limitCount, -1), vectorlen);
  let end = limitCount < 0 ? vectorlen - 1 : start + limitCount - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  // Lists and zsets keep their own order without sorting: load only the range.
  if (type !== 'set' && dontsort && (start !== 0 || end !== vectorlen - 1)) vectorlen = end - start + 1;

  const vec: SortItem[] = new Array(vectorlen);
  if (v === undefined) {
    // nothing to load
  } else if (type === 'list' && dontsort) {
    if (end >= start) {
      const l = v as ListValue;
      const len = l.length;
      if (desc) for (let i = 0, k = len - start - 1; i < vectorlen; i++, k--) vec[i] = item(l.get(k));
      else for (let i = 0; i < vectorlen; i++) vec[i] = item(l.get(start + i));
      end -= start;
      start = 0;
    }
  } else if (type === 'list') {
    const l = v as ListValue;
    for (let i = 0; i < vectorlen; i++) vec[i] = item(l.get(i));
  } else if (type === 'set') {
    const members = (v as SetValue).order();
    for (let i = 0; i < vectorlen; i++) vec[i] = item(members[i]);
  } else if (dontsort) {
    const z = v as ZsetValue;
    const out: string[] = [];
    z.collect(desc ? z.size - 1 - start : start, vectorlen, desc, out, null);
    for (let i = 0; i < vectorlen; i++) vec[i] = item(out[i]);
    end -= start;
    start = 0;
  } else {
    const ents = (v as ZsetValue).entries();
    for (let i = 0; i < vectorlen; i++) vec[i] = item(ents[i][0]);
  }

  let convError = false;
  if (!dontsort) {
    for (let j = 0; j < vectorlen; j++) {
      const it = vec[j];
      let byval: string | null;
      if (sortby !== null) {
        byval = byPattern(db, sortby, it.obj);
        if (byval === null) continue;
      } else {
        byval = it.obj;
      }
      if (alpha) {
        if (sortby !== null) it.cmp = byval;
      } else {
        const d = sortScore(byval);
        if (d === null) convError = true;
        else it.score = d;
      }
    }
    sDesc = desc;
    sStore = storekey !== null;
    vec.sort(!alpha ? cmpNumeric : sortby !== null ? cmpAlphaBy : cmpAlpha);
  }

  const w = c.w;
  const getop = gets.length;
  const outputlen = getop ? getop * (end - start + 1) : end - start + 1;
  if (convError) return w.error("ERR One or more scores can't be converted into double");
  if (storekey === null) {
    w.arr(outputlen);
    for (let j = start; j <= end; j++) {
      const obj = vec[j].obj;
      if (!getop) w.bulk(obj);
      for (let g = 0; g < getop; g++) {
        const val = byPattern(db, gets[g], obj);
        if (val === null) w.nil();
        else w.bulk(val);
      }
    }
    return;
  }
  const out: string[] = [];
  for (let j = start; j <= end; j++) {
    const obj = vec[j].obj;
    if (!getop) out.push(obj);
    else {
      for (let g = 0; g < getop; g++) {
        const val = byPattern(db, gets[g], obj);
        out.push(val === null ? '' : val);
      }
    }
  }
  if (outputlen > 0) {
    const list = new ListValue(out.length);
    list.push(out, false);
    db.set(storekey, list);
    c.ks.stats.dirty += outputlen;
  } else if (db.del(storekey)) {
    c.ks.stats.dirty++;
  }
  w.int(outputlen);
}

/** BY/GET patterns of a SORT call ('#' and constant BY patterns read nothing). */
function patterns(a: string[]): string[] {
  const out: string[] = [];
  for (let j = 2; j + 1 < a.length; j++) {
    const opt = a[j].toLowerCase();
    if (opt === 'limit') j += 2;
    else if (opt === 'store') j++;
    else if (opt === 'by' || opt === 'get') {
      const p = a[++j];
      if (cstr(p).indexOf('*') >= 0) out.push(p);
    }
  }
  return out;
}

/** Keys a SORT call will read through its patterns (see CommandDef.probe). */
function sortProbe(c: ShardCtx, a: string[]): string[] {
  const pats = patterns(a);
  const v = c.db.peek(a[1]);
  if (pats.length === 0 || v === undefined || typeof v === 'string') return [];
  let elems: string[];
  if (v.type === 'list') elems = (v as ListValue).toArray();
  else if (v.type === 'set') elems = (v as SetValue).members();
  else if (v.type === 'zset') elems = (v as ZsetValue).entries().map((e) => e[0]);
  else return [];
  const keys = new Set<string>();
  for (const p of pats) {
    // Same key derivation as byPattern.
    const clen = cstr(p).length;
    const star = p.indexOf('*');
    const arrow = p.indexOf('->', star + 1);
    const tail = arrow >= 0 && arrow + 2 < clen ? p.slice(star + 1, arrow) : p.slice(star + 1);
    for (const e of elems) keys.add(p.slice(0, star) + e + tail);
  }
  return [...keys];
}

function sortCommand(c: ShardCtx, a: string[]): void {
  sortGeneric(c, a, false);
}

function sortRoCommand(c: ShardCtx, a: string[]): void {
  sortGeneric(c, a, true);
}

export const commands: CommandDef[] = [
  { name: 'sort', wantsProbe: (a) => patterns(a).length > 0, probe: sortProbe, run: sortCommand },
  { name: 'sort_ro', wantsProbe: (a) => patterns(a).length > 0, probe: sortProbe, run: sortRoCommand },
];
