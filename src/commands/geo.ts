// Geo commands (Redis 7.0 geo.c): points live in a sorted set whose scores
// are 52-bit geohashes, exactly as Redis stores them.

import type { CommandDef, ShardCtx } from './contract';
import { E } from './errors';
import { ZsetValue } from '../store/zset';
import { strictDouble, zaddGeneric } from './zset';
import { parseLL } from '../util/parse';
import {
  GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN, GeoShape, align52, decodeScore,
  distanceIfWithin, geoDistance, geoScore, geohashString, searchAreas,
} from '../util/geohash';

// ------------------------------------------------------------ formatting

/** printf("%.*f") for a finite or infinite double. */
function fmtFixed(d: number, digits: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  const neg = d < 0 || Object.is(d, -0);
  const a = Math.abs(d);
  let s: string;
  if (a < 1e21) s = a.toFixed(digits);
  else {
    // Integral at this magnitude: print every digit of the exact value.
    s = BigInt(a).toString() + (digits ? '.' + '0'.repeat(digits) : '');
  }
  return neg ? '-' + s : s;
}

/** Redis's "human" long double format (%.17Lf, trailing zeros trimmed). */
function humanLD(d: number): string {
  let s = fmtFixed(d, 17);
  if (s.indexOf('.') >= 0) s = s.replace(/0+$/, '').replace(/\.$/, '');
  if (s === '-0') s = '0';
  return s;
}

function replyHumanLD(c: ShardCtx, d: number): void {
  const s = humanLD(d);
  if (c.w.proto === 2) c.w.bulk(s);
  else c.w.raw(',' + s + '\r\n');
}

/** llrint: round to nearest, ties to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** fixedpoint_d2string(…, 4): distances as Redis prints them. */
function fmtDist(d: number): string {
  if (d === 0) return '0.0000';
  const v = rint(d * 10000);
  const neg = v < 0;
  let s = String(Math.abs(v));
  if (s.indexOf('e') >= 0) s = BigInt(Math.abs(v)).toString();
  if (s.length < 5) s = '0'.repeat(5 - s.length) + s;
  return (neg ? '-' : '') + s.slice(0, s.length - 4) + '.' + s.slice(s.length - 4);
}

// ------------------------------------------------------------ argument helpers

function extractLonLat(c: ShardCtx, a: string, b: string, xy: number[]): boolean {
  const x = strictDouble(a);
  const y = x === null ? null : strictDouble(b);
  if (x === null || y === null) {
    c.w.error(E.NOTFLOAT);
    return false;
  }
  if (x < GEO_LONG_MIN || x > GEO_LONG_MAX || y < GEO_LAT_MIN || y > GEO_LAT_MAX) {
    c.w.error(`ERR invalid longitude,latitude pair ${fmtFixed(x, 6)},${fmtFixed(y, 6)}`);
    return false;
  }
  xy[0] = x;
  xy[1] = y;
  return true;
}

function extractUnit(c: ShardCtx, u: string): number {
  switch (u.toLowerCase()) {
    case 'm': return 1;
    case 'km': return 1000;
    case 'ft': return 0.3048;
    case 'mi': return 1609.34;
  }
  c.w.error('ERR unsupported unit provided. please use M, KM, FT, MI');
  return -1;
}

function extractDistance(c: ShardCtx, a: string[], i: number, shape: GeoShape): boolean {
  const d = strictDouble(a[i]);
  if (d === null) {
    c.w.error('ERR need numeric radius');
    return false;
  }
  if (d < 0) {
    c.w.error('ERR radius cannot be negative');
    return false;
  }
  shape.radius = d;
  const conv = extractUnit(c, a[i + 1]);
  if (conv < 0) return false;
  shape.conversion = conv;
  return true;
}

function extractBox(c: ShardCtx, a: string[], i: number, shape: GeoShape): boolean {
  const w = strictDouble(a[i]);
  if (w === null) {
    c.w.error('ERR need numeric width');
    return false;
  }
  const h = strictDouble(a[i + 1]);
  if (h === null) {
    c.w.error('ERR need numeric height');
    return false;
  }
  if (h < 0 || w < 0) {
    c.w.error('ERR height or width cannot be negative');
    return false;
  }
  shape.width = w;
  shape.height = h;
  const conv = extractUnit(c, a[i + 2]);
  if (conv < 0) return false;
  shape.conversion = conv;
  return true;
}

function getGeoZ(c: ShardCtx, key: string): ZsetValue | null | false {
  const v = c.db.get(key);
  if (v === undefined) return null;
  if (typeof v === 'string' || v.type !== 'zset') {
    c.w.error(E.WRONGTYPE);
    return false;
  }
  return v as ZsetValue;
}

// ------------------------------------------------------------ GEOADD

function geoaddCommand(c: ShardCtx, a: string[]): void {
  let xx = false, nx = false;
  let li = 2;
  for (; li < a.length; li++) {
    const o = a[li].toLowerCase();
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o !== 'ch') break;
  }
  if ((a.length - li) % 3 || (xx && nx)) return c.w.error(E.SYNTAX);
  const argv = a.slice(0, li);
  const xy = [0, 0];
  for (let i = li; i < a.length; i += 3) {
    if (!extractLonLat(c, a[i], a[i + 1], xy)) return;
    argv.push(String(geoScore(xy[0], xy[1])), a[i + 2]);
  }
  zaddGeneric(c, argv, false);
}

// ------------------------------------------------------------ search

const F_COORDS = 1, F_MEMBER = 2, F_NOSTORE = 4, F_SEARCH = 8, F_SEARCHSTORE = 16;

interface GeoPoint {
  m: string;
  score: number;
  dist: number;
  x: number;
  y: number;
}

const scanM: string[] = [];
const scanS: number[] = [];

/** Points of z in every search cell that lie inside the shape. */
function pointsInShape(z: ZsetValue, shape: GeoShape, limit: number): GeoPoint[] {
  const areas = searchAreas(shape);
  const out: GeoPoint[] = [];
  const xy = [0, 0];
  let last = 0;
  for (let i = 0; i < areas.length; i++) {
    const h = areas[i];
    if (h.bits === 0 && h.step === 0) continue;
    // Adjacent cells of a huge search can coincide: skip repeats.
    if (last && h.bits === areas[last].bits && h.step === areas[last].step) continue;
    if (out.length && limit && out.length >= limit) break;
    const min = align52(h);
    const max = align52({ bits: h.bits + 1, step: h.step });
    const first = z.countBelow(min, false);
    const end = z.countBelow(max, false);
    scanM.length = 0;
    scanS.length = 0;
    z.collect(first, end - first, false, scanM, scanS);
    for (let k = 0; k < scanM.length; k++) {
      if (decodeScore(scanS[k], xy)) {
        const d = distanceIfWithin(shape, xy[0], xy[1]);
        if (d >= 0) out.push({ m: scanM[k], score: scanS[k], dist: d, x: xy[0], y: xy[1] });
      }
      if (out.length && limit && out.length >= limit) break;
    }
    last = i;
  }
  return out;
}

function georadiusGeneric(c: ShardCtx, a: string[], srcIdx: number, flags: number): void {
  let storekey: string | null = null;
  let storedist = false;
  const z = getGeoZ(c, a[srcIdx]);
  if (z === false) return;
  const shape: GeoShape = { circle: true, lon: 0, lat: 0, radius: 0, width: 0, height: 0, conversion: 1 };
  const xy = [0, 0];
  let base: number;
  if (flags & F_COORDS) {
    base = 6;
    if (!extractLonLat(c, a[2], a[3], xy)) return;
    shape.lon = xy[0];
    shape.lat = xy[1];
    if (!extractDistance(c, a, base - 2, shape)) return;
  } else if ((flags & F_MEMBER) && z === null) {
    base = 5;
  } else if (flags & F_MEMBER) {
    base = 5;
    const sc = z!.score(a[2]);
    if (sc === undefined || !decodeScore(sc, xy)) return c.w.error('ERR could not decode requested zset member');
    shape.lon = xy[0];
    shape.lat = xy[1];
    if (!extractDistance(c, a, base - 2, shape)) return;
  } else {
    base = 2;
    if (flags & F_SEARCHSTORE) {
      base = 3;
      storekey = a[1];
    }
  }

  let withdist = false, withhash = false, withcoords = false;
  let frommember = false, fromloc = false, byradius = false, bybox = false;
  let sort = 0; // 0 none, 1 asc, 2 desc
  let any = false;
  let count = 0;
  const remaining = a.length - base;
  for (let i = 0; i < remaining; i++) {
    const arg = a[base + i].toLowerCase();
    if (arg === 'withdist') withdist = true;
    else if (arg === 'withhash') withhash = true;
    else if (arg === 'withcoord') withcoords = true;
    else if (arg === 'any') any = true;
    else if (arg === 'asc') sort = 1;
    else if (arg === 'desc') sort = 2;
    else if (arg === 'count' && i + 1 < remaining) {
      const n = parseLL(a[base + i + 1]);
      if (n === null) return c.w.error(E.NOTINT);
      if (n <= 0n) return c.w.error('ERR COUNT must be > 0');
      count = Number(n);
      i++;
    } else if ((arg === 'store' || arg === 'storedist') && i + 1 < remaining && !(flags & F_NOSTORE) && !(flags & F_SEARCH)) {
      storekey = a[base + i + 1];
      storedist = arg === 'storedist';
      i++;
    } else if (arg === 'storedist' && flags & F_SEARCH && flags & F_SEARCHSTORE) {
      storedist = true;
    } else if (arg === 'frommember' && i + 1 < remaining && flags & F_SEARCH && !fromloc) {
      if (z !== null) {
        const sc = z.score(a[base + i + 1]);
        if (sc === undefined || !decodeScore(sc, xy)) return c.w.error('ERR could not decode requested zset member');
        shape.lon = xy[0];
        shape.lat = xy[1];
      }
      frommember = true;
      i++;
    } else if (arg === 'fromlonlat' && i + 2 < remaining && flags & F_SEARCH && !frommember) {
      if (!extractLonLat(c, a[base + i + 1], a[base + i + 2], xy)) return;
      shape.lon = xy[0];
      shape.lat = xy[1];
      fromloc = true;
      i += 2;
    } else if (arg === 'byradius' && i + 2 < remaining && flags & F_SEARCH && !bybox) {
      if (!extractDistance(c, a, base + i + 1, shape)) return;
      shape.circle = true;
      byradius = true;
      i += 2;
    } else if (arg === 'bybox' && i + 3 < remaining && flags & F_SEARCH && !byradius) {
      if (!extractBox(c, a, base + i + 1, shape)) return;
      shape.circle = false;
      bybox = true;
      i += 3;
    } else {
      return c.w.error(E.SYNTAX);
    }
  }

  if (storekey !== null && (withdist || withhash || withcoords)) {
    return c.w.error(
      `ERR ${flags & F_SEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`,
    );
  }
  if (flags & F_SEARCH && !(frommember || fromloc))
    return c.w.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${a[0]}`);
  if (flags & F_SEARCH && !(byradius || bybox))
    return c.w.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${a[0]}`);
  if (any && !count) return c.w.error('ERR the ANY argument requires COUNT argument');

  if (z === null) {
    if (storekey !== null) {
      if (c.db.del(storekey)) c.ks.stats.dirty++;
      c.w.int(0);
    } else {
      c.w.arr(0);
    }
    return;
  }

  if (count !== 0 && sort === 0 && !any) sort = 1;
  const pts = pointsInShape(z, shape, any ? count : 0);
  if (pts.length === 0 && storekey === null) return c.w.arr(0);

  const returned = count === 0 || pts.length < count ? pts.length : count;
  if (sort === 1) pts.sort((p, q) => (p.dist > q.dist ? 1 : p.dist === q.dist ? 0 : -1));
  else if (sort === 2) pts.sort((p, q) => (p.dist > q.dist ? -1 : p.dist === q.dist ? 0 : 1));

  if (storekey === null) {
    const w = c.w;
    const opts = (withdist ? 1 : 0) + (withcoords ? 1 : 0) + (withhash ? 1 : 0);
    w.arr(returned);
    for (let i = 0; i < returned; i++) {
      const p = pts[i];
      const dist = p.dist / shape.conversion;
      if (opts) w.arr(opts + 1);
      w.bulk(p.m);
      if (withdist) w.bulk(fmtDist(dist));
      if (withhash) w.int(p.score);
      if (withcoords) {
        w.arr(2);
        replyHumanLD(c, p.x);
        replyHumanLD(c, p.y);
      }
    }
    return;
  }

  if (returned) {
    const d = new ZsetValue();
    d.toSkiplist();
    for (let i = 0; i < returned; i++) {
      const p = pts[i];
      d.insertNew(p.m, storedist ? p.dist / shape.conversion : p.score);
    }
    d.maybeToListpack(c.config);
    c.db.set(storekey, d);
    c.ks.stats.dirty += returned;
  } else if (c.db.del(storekey)) {
    c.ks.stats.dirty++;
  }
  c.w.int(returned);
}

// ------------------------------------------------------------ lookups

function geohashCommand(c: ShardCtx, a: string[]): void {
  const z = getGeoZ(c, a[1]);
  if (z === false) return;
  c.w.arr(a.length - 2);
  for (let j = 2; j < a.length; j++) {
    const sc = z === null ? undefined : z.score(a[j]);
    const h = sc === undefined ? null : geohashString(sc);
    if (h === null) c.w.nil();
    else c.w.bulk(h);
  }
}

function geoposCommand(c: ShardCtx, a: string[]): void {
  const z = getGeoZ(c, a[1]);
  if (z === false) return;
  const xy = [0, 0];
  c.w.arr(a.length - 2);
  for (let j = 2; j < a.length; j++) {
    const sc = z === null ? undefined : z.score(a[j]);
    if (sc === undefined || !decodeScore(sc, xy)) {
      c.w.nilArray();
      continue;
    }
    c.w.arr(2);
    replyHumanLD(c, xy[0]);
    replyHumanLD(c, xy[1]);
  }
}

function geodistCommand(c: ShardCtx, a: string[]): void {
  let toMeter = 1;
  if (a.length === 5) {
    toMeter = extractUnit(c, a[4]);
    if (toMeter < 0) return;
  } else if (a.length > 5) {
    return c.w.error(E.SYNTAX);
  }
  const z = getGeoZ(c, a[1]);
  if (z === false) return;
  if (z === null) return c.w.nil();
  const s1 = z.score(a[2]);
  const s2 = s1 === undefined ? undefined : z.score(a[3]);
  if (s1 === undefined || s2 === undefined) return c.w.nil();
  const p = [0, 0], q = [0, 0];
  if (!decodeScore(s1, p) || !decodeScore(s2, q)) return c.w.nil();
  c.w.bulk(fmtDist(geoDistance(p[0], p[1], q[0], q[1]) / toMeter));
}

export const commands: CommandDef[] = [
  { name: 'geoadd', run: geoaddCommand },
  { name: 'geohash', run: geohashCommand },
  { name: 'geopos', run: geoposCommand },
  { name: 'geodist', run: geodistCommand },
  { name: 'georadius', run: (c, a) => georadiusGeneric(c, a, 1, F_COORDS) },
  { name: 'georadiusbymember', run: (c, a) => georadiusGeneric(c, a, 1, F_MEMBER) },
  { name: 'georadius_ro', run: (c, a) => georadiusGeneric(c, a, 1, F_COORDS | F_NOSTORE) },
  { name: 'georadiusbymember_ro', run: (c, a) => georadiusGeneric(c, a, 1, F_MEMBER | F_NOSTORE) },
  { name: 'geosearch', run: (c, a) => georadiusGeneric(c, a, 1, F_SEARCH) },
  { name: 'geosearchstore', run: (c, a) => georadiusGeneric(c, a, 2, F_SEARCH | F_SEARCHSTORE) },
];
