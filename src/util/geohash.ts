// Redis's geohash: 26 steps per axis interleaved into a 52-bit integer that
// is the sorted set score (latitude bits at even positions, longitude bits
// at odd ones), over latitudes ±85.05112878 (Web Mercator) and longitudes
// ±180. The arithmetic below follows Redis's operation order so scores,
// decoded coordinates, search areas and distances come out bit-identical.

export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const GEO_STEP_MAX = 26;

const D_R = Math.PI / 180.0;
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const TWO32 = 4294967296;

/** A hash of `step` bits per axis; bits = 0 and step = 0 is "no area". */
export interface GeoHashBits {
  bits: number;
  step: number;
}

export interface GeoArea {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v >>> 0;
}

function squash32(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** interleave64(x, y) for 32-bit x, y, as the (rounded) double it yields. */
function interleave(x: number, y: number): number {
  const lo = (spread16(x) | (spread16(y) << 1)) >>> 0;
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return hi * TWO32 + lo;
}

/** [x (even bits), y (odd bits)] of a hash held as an integral double. */
function deinterleave(bits: number): [number, number] {
  let hi: number, lo: number;
  if (bits >= 0 && bits < 2 ** 53) {
    hi = Math.floor(bits / TWO32);
    lo = bits - hi * TWO32;
  } else {
    // What (uint64_t) of such a double gives on x86-64 is out of spec;
    // wrap modulo 2^64 like the common code path does.
    const b = BigInt.asUintN(64, BigInt(Number.isFinite(bits) ? Math.trunc(bits) : 0));
    hi = Number(b >> 32n);
    lo = Number(b & 0xffffffffn);
  }
  const x = squash32(lo) + squash32(hi) * 65536;
  const y = squash32(lo >>> 1) + squash32(hi >>> 1) * 65536;
  return [x, y];
}

/** geohashEncode over the given ranges; null when out of range. */
export function geohashEncode(
  lonMin: number, lonMax: number, latMin: number, latMax: number,
  lon: number, lat: number, step: number,
): GeoHashBits | null {
  if (step > 32 || step === 0) return null;
  if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) return null;
  if (lat < latMin || lat > latMax || lon < lonMin || lon > lonMax) return null;
  let latOff = (lat - latMin) / (latMax - latMin);
  let lonOff = (lon - lonMin) / (lonMax - lonMin);
  latOff *= 2 ** step;
  lonOff *= 2 ** step;
  return { bits: interleave(Math.trunc(latOff) >>> 0, Math.trunc(lonOff) >>> 0), step };
}

export function geohashEncodeWGS84(lon: number, lat: number, step: number): GeoHashBits | null {
  return geohashEncode(GEO_LONG_MIN, GEO_LONG_MAX, GEO_LAT_MIN, GEO_LAT_MAX, lon, lat, step);
}

/** The 52-bit score for a coordinate pair (already range checked). */
export function geoScore(lon: number, lat: number): number {
  const h = geohashEncodeWGS84(lon, lat, GEO_STEP_MAX)!;
  return align52(h);
}

export function align52(h: GeoHashBits): number {
  return h.bits * 2 ** (52 - h.step * 2);
}

export function geohashDecode(
  lonMin: number, lonMax: number, latMin: number, latMax: number, h: GeoHashBits,
): GeoArea | null {
  if (h.bits === 0 && h.step === 0) return null;
  const [ilato, ilono] = deinterleave(h.bits);
  const latScale = latMax - latMin;
  const lonScale = lonMax - lonMin;
  const div = 2 ** h.step;
  return {
    latMin: latMin + ((ilato * 1.0) / div) * latScale,
    latMax: latMin + (((ilato + 1) * 1.0) / div) * latScale,
    lonMin: lonMin + ((ilono * 1.0) / div) * lonScale,
    lonMax: lonMin + (((ilono + 1) * 1.0) / div) * lonScale,
  };
}

function decodeWGS84(h: GeoHashBits): GeoArea | null {
  return geohashDecode(GEO_LONG_MIN, GEO_LONG_MAX, GEO_LAT_MIN, GEO_LAT_MAX, h);
}

/** Longitude/latitude of a score (the centre of its 52-bit cell). */
export function decodeScore(score: number, xy: number[]): boolean {
  const a = decodeWGS84({ bits: score, step: GEO_STEP_MAX });
  if (a === null) return false;
  let x = (a.lonMin + a.lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (a.latMin + a.latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  xy[0] = x;
  xy[1] = y;
  return true;
}

const AAAA = 0xaaaaaaaaaaaaaaaan;
const FIVE = 0x5555555555555555n;
const M64 = (1n << 64n) - 1n;

function moveX(h: GeoHashBits, d: number): GeoHashBits {
  const b = BigInt(h.bits);
  let x = b & AAAA;
  const y = b & FIVE;
  const sh = BigInt(64 - h.step * 2);
  const zz = FIVE >> sh;
  if (d > 0) x = (x + (zz + 1n)) & M64;
  else {
    x = x | zz;
    x = (x - (zz + 1n)) & M64;
  }
  x &= AAAA >> sh;
  return { bits: Number(x | y), step: h.step };
}

function moveY(h: GeoHashBits, d: number): GeoHashBits {
  const b = BigInt(h.bits);
  const x = b & AAAA;
  let y = b & FIVE;
  const sh = BigInt(64 - h.step * 2);
  const zz = AAAA >> sh;
  if (d > 0) y = (y + (zz + 1n)) & M64;
  else {
    y = y | zz;
    y = (y - (zz + 1n)) & M64;
  }
  y &= FIVE >> sh;
  return { bits: Number(x | y), step: h.step };
}

export function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

const degRad = (a: number): number => a * D_R;
const radDeg = (a: number): number => a / D_R;

/** A search area: a circle (radius) or a box (width × height), in units. */
export interface GeoShape {
  circle: boolean;
  lon: number;
  lat: number;
  radius: number;
  width: number;
  height: number;
  /** Metres per unit. */
  conversion: number;
}

/**
 * The geohash cell around the centre and its eight neighbours, at the step
 * Redis picks, with the useless neighbours zeroed; in Redis's scan order
 * (centre, N, S, E, W, NE, NW, SE, SW).
 */
export function searchAreas(shape: GeoShape): GeoHashBits[] {
  const lon = shape.lon, lat = shape.lat;
  const height = shape.conversion * (shape.circle ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.circle ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat - latDelta)));
  const south = lat < 0;
  const minLon = south ? lon - lonDeltaBottom : lon - lonDeltaTop;
  const maxLon = south ? lon + lonDeltaBottom : lon + lonDeltaTop;
  const minLat = lat - latDelta;
  const maxLat = lat + latDelta;

  let radiusMeters = shape.circle
    ? shape.radius
    : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;

  let steps = estimateStepsByRadius(radiusMeters, lat);
  let hash = geohashEncodeWGS84(lon, lat, steps) ?? { bits: 0, step: steps };
  let nb = neighbours(hash);
  let area = decodeWGS84(hash)!;

  let decrease = false;
  {
    const n = decodeWGS84(nb[0])!, s = decodeWGS84(nb[1])!, e = decodeWGS84(nb[2])!, w = decodeWGS84(nb[3])!;
    if (n.latMax < maxLat) decrease = true;
    if (s.latMin > minLat) decrease = true;
    if (e.lonMax < maxLon) decrease = true;
    if (w.lonMin > minLon) decrease = true;
  }
  if (steps > 1 && decrease) {
    steps--;
    hash = geohashEncodeWGS84(lon, lat, steps) ?? { bits: 0, step: steps };
    nb = neighbours(hash);
    area = decodeWGS84(hash)!;
  }
  // nb: N, S, E, W, NE, NW, SE, SW
  const Z: GeoHashBits = { bits: 0, step: 0 };
  if (steps >= 2) {
    if (area.latMin < minLat) { nb[1] = Z; nb[7] = Z; nb[6] = Z; }
    if (area.latMax > maxLat) { nb[0] = Z; nb[4] = Z; nb[5] = Z; }
    if (area.lonMin < minLon) { nb[3] = Z; nb[7] = Z; nb[5] = Z; }
    if (area.lonMax > maxLon) { nb[2] = Z; nb[6] = Z; nb[4] = Z; }
  }
  return [hash, ...nb];
}

/** N, S, E, W, NE, NW, SE, SW. */
function neighbours(h: GeoHashBits): GeoHashBits[] {
  return [
    moveY(h, 1),
    moveY(h, -1),
    moveX(h, 1),
    moveX(h, -1),
    moveY(moveX(h, 1), 1),
    moveY(moveX(h, -1), 1),
    moveY(moveX(h, 1), -1),
    moveY(moveX(h, -1), -1),
  ];
}

export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1));
}

/** Haversine distance in metres. */
export function geoDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * Distance from the shape's centre to (x, y) when the point is inside the
 * shape, else -1.
 */
export function distanceIfWithin(shape: GeoShape, x: number, y: number): number {
  if (shape.circle) {
    const d = geoDistance(shape.lon, shape.lat, x, y);
    return d > shape.radius * shape.conversion ? -1 : d;
  }
  const wm = shape.width * shape.conversion, hm = shape.height * shape.conversion;
  if (latDistance(y, shape.lat) > hm / 2) return -1;
  if (geoDistance(x, y, shape.lon, y) > wm / 2) return -1;
  return geoDistance(shape.lon, shape.lat, x, y);
}

const ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** The standard 11-character geohash (over ±90 latitude) of a score. */
export function geohashString(score: number): string | null {
  const xy = [0, 0];
  if (!decodeScore(score, xy)) return null;
  const h = geohashEncode(-180, 180, -90, 90, xy[0], xy[1], 26);
  if (h === null) return null;
  // 52 bits: 10 full characters of 5 bits, the 11th is always '0'.
  const hi = Math.floor(h.bits / 2 ** 26); // top 26 bits
  const lo = h.bits - hi * 2 ** 26;
  let s = '';
  for (let i = 0; i < 10; i++) {
    const shift = 52 - (i + 1) * 5; // bit offset of this character
    let idx: number;
    if (shift >= 26) idx = (hi >>> (shift - 26)) & 0x1f;
    else if (shift + 5 <= 26) idx = (lo >>> shift) & 0x1f;
    else idx = ((hi << (26 - shift)) | (lo >>> shift)) & 0x1f;
    s += ALPHABET[idx];
  }
  return s + '0';
}
