// RDB value encoding: one keyshard value to and from the bytes Redis writes
// for an object in an RDB file and a DUMP payload (a type byte, then the
// type's payload). Formats are Redis 7.0's (RDB version 10):
//
//  string  RDB_TYPE_STRING: int-encoded (8/16/32-bit) when the value is a
//          canonical integer of at most 11 chars, LZF-compressed when longer
//          than 20 bytes and compression pays (rdbcompression), else raw.
//  list    RDB_TYPE_LIST_QUICKLIST_2: nodes split as Redis's quicklist fills
//          them on tail pushes (list-max-listpack-size), each a listpack
//          (or a PLAIN node for an element of 1 GB or more); inner nodes
//          LZF-compressed as list-compress-depth would leave them.
//  set     RDB_TYPE_SET_INTSET or RDB_TYPE_SET.
//  zset    RDB_TYPE_ZSET_LISTPACK or RDB_TYPE_ZSET_2 (tail to head, binary
//          doubles).
//  hash    RDB_TYPE_HASH_LISTPACK or RDB_TYPE_HASH.
//
// Loading accepts every object type Redis 7.0 loads, older encodings
// included: plain lists/sets/hashes, RDB_TYPE_ZSET (scores as text),
// zipmap, ziplist, intset, quicklist v1 (ziplist nodes). The loaded value
// gets the encoding Redis 7.0 would give it under the limits passed in
// (rdbLoadObject's conversion rules). Payloads are validated in depth
// (as sanitize-dump-payload yes does): a malformed one is an RdbError,
// never a crash or a half-built value. Streams and module values are not
// supported yet (RdbError 'unsupported').

import type { ShardConfig } from '../store/settings';
import type { Value } from '../store/keyspace';
import { ListValue } from '../store/list';
import { SetValue, maxIntsetEntries } from '../store/set';
import { HashValue, hashMaxEntries, hashMaxValue } from '../store/hash';
import { ZsetValue, zsetLimits } from '../store/zset';
import { formatDouble } from '../protocol/double';
import { parseDouble, parseLL, parseSmallInt } from '../util/parse';
import { lzfCompress, lzfDecompress } from './lzf';
import { checkCrc64LE, writeCrc64LE } from './crc64';

export const RDB_VERSION = 10;

export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_ZSET_2 = 5;
export const RDB_TYPE_MODULE = 6;
export const RDB_TYPE_MODULE_2 = 7;
export const RDB_TYPE_HASH_ZIPMAP = 9;
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13;
export const RDB_TYPE_LIST_QUICKLIST = 14;
export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_HASH_LISTPACK = 16;
export const RDB_TYPE_ZSET_LISTPACK = 17;
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;

/** rdbIsObjectType: the type bytes that start a value (the rest are opcodes). */
export function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 19);
}

// Length prefixes (rdbSaveLen / rdbLoadLen).
const RDB_6BITLEN = 0;
const RDB_14BITLEN = 1;
const RDB_32BITLEN = 0x80;
const RDB_64BITLEN = 0x81;
const RDB_ENCVAL = 3;
const RDB_ENC_INT8 = 0;
const RDB_ENC_INT16 = 1;
const RDB_ENC_INT32 = 2;
const RDB_ENC_LZF = 3;

const QUICKLIST_NODE_CONTAINER_PLAIN = 1;
const QUICKLIST_NODE_CONTAINER_PACKED = 2;

/** Elements this large get a quicklist node of their own (packed_threshold). */
const PACKED_THRESHOLD = 1 << 30;
/** quicklist fill levels -1..-5: listpack byte limits. */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
const SIZE_SAFETY_LIMIT = 8192;
const SIZE_ESTIMATE_OVERHEAD = 8;
/** Quicklist nodes smaller than this are never compressed. */
const MIN_COMPRESS_BYTES = 48;
const MIN_COMPRESS_IMPROVE = 8;

/** Why a payload did not load. */
export type RdbErrorKind =
  | 'corrupt' // malformed or truncated
  | 'empty' // a well-formed but empty collection (Redis skips such keys when loading a file)
  | 'unsupported'; // a stream or module value: not in keyshard yet

export class RdbError extends Error {
  constructor(
    message: string,
    readonly kind: RdbErrorKind = 'corrupt',
  ) {
    super(message);
  }
}

function corrupt(what: string): never {
  throw new RdbError(what, 'corrupt');
}

function emptyKey(): never {
  throw new RdbError('empty key', 'empty');
}

// ------------------------------------------------------------ settings

/** What the encoder reads from the configuration. */
export interface RdbEncodeOptions {
  /** rdbcompression: LZF-compress strings longer than 20 bytes when it pays. */
  compress: boolean;
  /** list-max-listpack-size (negative: a byte limit level; positive: entries). */
  listFill: number;
  /** list-compress-depth: nodes at each end left uncompressed (0: none compressed). */
  listCompressDepth: number;
}

/** The encoding thresholds a loaded value is converted by. */
export interface RdbLoadLimits {
  hashMaxEntries: number;
  hashMaxValue: number;
  setMaxIntsetEntries: number;
  zsetMaxEntries: number;
  zsetMaxValue: number;
}

function cfgNum(cfg: ShardConfig, name: string, dflt: number): number {
  const v = cfg[name];
  return typeof v === 'number' ? v : dflt;
}

export function encodeOptionsFromConfig(cfg: ShardConfig): RdbEncodeOptions {
  const c = cfg['rdbcompression'];
  return {
    compress: !(c === 'no' || c === 0),
    listFill: cfgNum(cfg, 'list-max-listpack-size', -2),
    listCompressDepth: cfgNum(cfg, 'list-compress-depth', 0),
  };
}

export function loadLimitsFromConfig(cfg: ShardConfig): RdbLoadLimits {
  const [ze, zv] = zsetLimits(cfg);
  return {
    hashMaxEntries: hashMaxEntries(cfg),
    hashMaxValue: hashMaxValue(cfg),
    setMaxIntsetEntries: maxIntsetEntries(cfg),
    zsetMaxEntries: ze,
    zsetMaxValue: zv,
  };
}

export const DEFAULT_ENCODE_OPTIONS: RdbEncodeOptions = { compress: true, listFill: -2, listCompressDepth: 0 };
export const DEFAULT_LOAD_LIMITS: RdbLoadLimits = {
  hashMaxEntries: 512,
  hashMaxValue: 64,
  setMaxIntsetEntries: 512,
  zsetMaxEntries: 128,
  zsetMaxValue: 64,
};

// ------------------------------------------------------------ numbers

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * string2ll / lpStringToInt64 on a latin1 string: the integer it spells
 * canonically (a number when |v| < 2^53, else a bigint), or null.
 */
function canonicalInt(s: string): number | bigint | null {
  if (s.length === 0 || s.length > 20) return null;
  const v = parseSmallInt(s);
  return v !== null ? v : parseLL(s);
}

/** d2string: how Redis writes a score into a listpack. */
function d2string(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  // double2ll: integral values within ±2^62 print as integers.
  if (Number.isInteger(d) && d >= -4611686018427387904 && d <= 4611686018427387904) {
    return Number.isSafeInteger(d) ? String(d) : BigInt(d).toString();
  }
  return formatDouble(d);
}

const DEC_PREFIX = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEX_PREFIX = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?/;
const INF_PREFIX = /^[+-]?inf(?:inity)?/i;
const NAN_PREFIX = /^[+-]?nan(?:\([0-9A-Za-z_]*\))?/i;

/**
 * strtod on the longest valid prefix after leading white space: the value,
 * or null when no number starts the string (strtod would return 0 and
 * consume nothing; sscanf("%lg") would fail).
 */
function strtodPrefix(s: string): number | null {
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && (c < 9 || c > 13)) break;
    i++;
  }
  const t = i ? s.slice(i) : s;
  let m = HEX_PREFIX.exec(t);
  if (m) return parseDouble(m[0]);
  m = DEC_PREFIX.exec(t);
  if (m) return parseDouble(m[0]);
  m = INF_PREFIX.exec(t);
  if (m) return m[0][0] === '-' ? -Infinity : Infinity;
  if (NAN_PREFIX.test(t)) return NaN;
  return null;
}

/** Entries of a sorted set in (score, member) order, memcmp on members. */
function sortZsetEntries(es: Array<[string, number]>): void {
  es.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

// ------------------------------------------------------------ writing

/** A growable byte buffer with the RDB primitives (rdbSaveLen, rdbSaveRawString …). */
export class RdbWriter {
  buf: Buffer;
  pos = 0;

  constructor(
    readonly opt: RdbEncodeOptions = DEFAULT_ENCODE_OPTIONS,
    size = 256,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  /** The bytes written (a view of the internal buffer). */
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  u8(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  latin1(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.latin1Write(s, this.pos);
  }

  /** rdbSaveLen. */
  len(n: number): void {
    this.ensure(9);
    const b = this.buf;
    if (n < 1 << 6) {
      b[this.pos++] = n | (RDB_6BITLEN << 6);
    } else if (n < 1 << 14) {
      b[this.pos++] = (n >> 8) | (RDB_14BITLEN << 6);
      b[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[this.pos++] = RDB_32BITLEN;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      b[this.pos++] = RDB_64BITLEN;
      b.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  /** rdbEncodeInteger for a value known to fit 32 bits. */
  private intEnc(v: number): void {
    this.ensure(5);
    const b = this.buf;
    if (v >= -128 && v <= 127) {
      b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
      b[this.pos++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
      b.writeInt16LE(v, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
      b.writeInt32LE(v, this.pos);
      this.pos += 4;
    }
  }

  /** rdbSaveLzfBlob. */
  lzfBlob(compressed: Uint8Array, originalLen: number): void {
    this.u8((RDB_ENCVAL << 6) | RDB_ENC_LZF);
    this.len(compressed.length);
    this.len(originalLen);
    this.bytes(compressed);
  }

  /** The integer a short string saves as (rdbTryIntegerEncoding), or null. */
  private static intOf(s: string): number | null {
    if (s.length > 11) return null;
    const v = parseSmallInt(s);
    return v !== null && v >= INT32_MIN && v <= INT32_MAX ? v : null;
  }

  /** rdbSaveRawString for a latin1 string. */
  string(s: string): void {
    const n = s.length;
    if (n <= 11) {
      const v = RdbWriter.intOf(s);
      if (v !== null) return this.intEnc(v);
    }
    if (this.opt.compress && n > 20) {
      const c = lzfCompress(Buffer.from(s, 'latin1'), n - 4);
      if (c !== null) return this.lzfBlob(c, n);
    }
    this.len(n);
    this.latin1(s);
  }

  /** rdbSaveRawString for bytes (listpack, intset and quicklist blobs). */
  blob(b: Uint8Array): void {
    const n = b.length;
    if (n <= 11) {
      const v = RdbWriter.intOf(Buffer.from(b.buffer, b.byteOffset, n).latin1Slice(0, n));
      if (v !== null) return this.intEnc(v);
    }
    if (this.opt.compress && n > 20) {
      const c = lzfCompress(b, n - 4);
      if (c !== null) return this.lzfBlob(c, n);
    }
    this.len(n);
    this.bytes(b);
  }

  /** rdbSaveBinaryDoubleValue. */
  binaryDouble(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  /** The type byte and payload of a value (rdbSaveObjectType + rdbSaveObject). */
  value(v: Value): void {
    if (typeof v === 'string') {
      this.u8(RDB_TYPE_STRING);
      this.string(v);
    } else if (v instanceof ListValue) {
      this.u8(RDB_TYPE_LIST_QUICKLIST_2);
      this.list(v);
    } else if (v instanceof SetValue) {
      if (v.ht) {
        this.u8(RDB_TYPE_SET);
        const items = v.items;
        this.len(items.length);
        for (let i = 0; i < items.length; i++) this.string(items[i]);
      } else {
        this.u8(RDB_TYPE_SET_INTSET);
        this.blob(buildIntset(v.order()));
      }
    } else if (v instanceof ZsetValue) {
      if (v.lp) {
        this.u8(RDB_TYPE_ZSET_LISTPACK);
        const lp = new ListpackBuilder();
        v.forEach((m, s) => {
          lp.append(m);
          lp.append(d2string(s));
        });
        this.blob(lp.finish());
      } else {
        this.u8(RDB_TYPE_ZSET_2);
        const es = v.entries();
        this.len(es.length);
        for (let i = es.length - 1; i >= 0; i--) {
          this.string(es[i][0]);
          this.binaryDouble(es[i][1]);
        }
      }
    } else if (v instanceof HashValue) {
      const kv = v.kv;
      if (v.ht) {
        this.u8(RDB_TYPE_HASH);
        this.len(kv.length >> 1);
        for (let i = 0; i < kv.length; i++) this.string(kv[i]);
      } else {
        this.u8(RDB_TYPE_HASH_LISTPACK);
        const lp = new ListpackBuilder();
        for (let i = 0; i < kv.length; i++) lp.append(kv[i]);
        this.blob(lp.finish());
      }
    } else {
      throw new RdbError('cannot serialize a value of type ' + v.type, 'unsupported');
    }
  }

  /** A list as quicklist nodes, split as tail pushes would fill them. */
  private list(l: ListValue): void {
    const fill = this.opt.listFill;
    const nodes: Array<{ plain: boolean; data: Uint8Array }> = [];
    let lp: ListpackBuilder | null = null;
    for (let i = 0; i < l.length; i++) {
      const e = l.get(i);
      const sz = e.length;
      if (sz >= PACKED_THRESHOLD) {
        if (lp !== null) nodes.push({ plain: false, data: lp.finish() });
        lp = null;
        nodes.push({ plain: true, data: Buffer.from(e, 'latin1') });
        continue;
      }
      if (lp === null || !allowInsert(lp, fill, sz)) {
        if (lp !== null) nodes.push({ plain: false, data: lp.finish() });
        lp = new ListpackBuilder();
      }
      lp.append(e);
    }
    if (lp !== null) nodes.push({ plain: false, data: lp.finish() });

    const depth = this.opt.listCompressDepth;
    const n = nodes.length;
    this.len(n);
    for (let i = 0; i < n; i++) {
      const node = nodes[i];
      this.len(node.plain ? QUICKLIST_NODE_CONTAINER_PLAIN : QUICKLIST_NODE_CONTAINER_PACKED);
      // Nodes deeper than list-compress-depth from both ends sit compressed
      // in Redis, and are saved as the LZF blob they hold.
      if (depth > 0 && i >= depth && i < n - depth && node.data.length >= MIN_COMPRESS_BYTES) {
        const c = lzfCompress(node.data, node.data.length);
        if (c !== null && c.length + MIN_COMPRESS_IMPROVE < node.data.length) {
          this.lzfBlob(c, node.data.length);
          continue;
        }
      }
      this.blob(node.data);
    }
  }
}

/** _quicklistNodeAllowInsert for a tail push of an element of sz bytes. */
function allowInsert(lp: ListpackBuilder, fill: number, sz: number): boolean {
  // quicklistSetFill clamps the setting to -5..32767.
  if (fill < -5) fill = -5;
  else if (fill > 32767) fill = 32767;
  const newSz = lp.bytes + sz + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) {
    const level = -fill - 1;
    if (level < OPTIMIZATION_LEVEL.length && newSz <= OPTIMIZATION_LEVEL[level]) return true;
  }
  if (newSz > SIZE_SAFETY_LIMIT) return false;
  return lp.count < fill;
}

/** Serialize a value (type byte + payload) with the given options. */
export function encodeRdbValue(v: Value, opt: RdbEncodeOptions = DEFAULT_ENCODE_OPTIONS): Buffer {
  const w = new RdbWriter(opt);
  w.value(v);
  return w.result();
}

// ------------------------------------------------------------ listpack / intset builders

const LP_HDR_SIZE = 6;
const LP_EOF = 0xff;

/** Appends elements the way lpAppend encodes them; `bytes` is lpBytes. */
export class ListpackBuilder {
  private w = new RdbWriter(DEFAULT_ENCODE_OPTIONS, 64);
  count = 0;

  constructor() {
    this.w.pos = LP_HDR_SIZE;
  }

  /** Total listpack size so far, header and terminator included. */
  get bytes(): number {
    return this.w.pos + 1;
  }

  append(s: string): void {
    const w = this.w;
    w.ensure(s.length + 16);
    const b = w.buf;
    const start = w.pos;
    let p = start;
    const v = canonicalInt(s);
    if (v === null) {
      const n = s.length;
      if (n < 64) {
        b[p++] = 0x80 | n;
      } else if (n < 4096) {
        b[p++] = 0xe0 | (n >> 8);
        b[p++] = n & 0xff;
      } else {
        b[p++] = 0xf0;
        b.writeUInt32LE(n, p);
        p += 4;
      }
      p += b.latin1Write(s, p);
    } else if (typeof v === 'bigint') {
      b[p++] = 0xf4;
      b.writeBigInt64LE(v, p);
      p += 8;
    } else if (v >= 0 && v <= 127) {
      b[p++] = v;
    } else if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? (1 << 13) + v : v;
      b[p++] = 0xc0 | (u >> 8);
      b[p++] = u & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      b[p++] = 0xf1;
      b.writeInt16LE(v, p);
      p += 2;
    } else if (v >= -8388608 && v <= 8388607) {
      b[p++] = 0xf2;
      b.writeIntLE(v, p, 3);
      p += 3;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      b[p++] = 0xf3;
      b.writeInt32LE(v, p);
      p += 4;
    } else {
      b[p++] = 0xf4;
      b.writeBigInt64LE(BigInt(v), p);
      p += 8;
    }
    p += writeBacklen(b, p, p - start);
    w.pos = p;
    this.count++;
  }

  /** The finished listpack. The builder must not be used afterwards. */
  finish(): Buffer {
    const w = this.w;
    w.u8(LP_EOF);
    w.buf.writeUInt32LE(w.pos, 0);
    w.buf.writeUInt16LE(this.count < 65535 ? this.count : 65535, 4);
    return w.result();
  }
}

/** lpEncodeBacklen: the entry length l, 7 bits a byte, read right to left. */
function writeBacklen(b: Buffer, p: number, l: number): number {
  if (l <= 127) {
    b[p] = l;
    return 1;
  }
  if (l < 16383) {
    b[p] = l >> 7;
    b[p + 1] = (l & 127) | 128;
    return 2;
  }
  if (l < 2097151) {
    b[p] = l >> 14;
    b[p + 1] = ((l >> 7) & 127) | 128;
    b[p + 2] = (l & 127) | 128;
    return 3;
  }
  if (l < 268435455) {
    b[p] = l >> 21;
    b[p + 1] = ((l >> 14) & 127) | 128;
    b[p + 2] = ((l >> 7) & 127) | 128;
    b[p + 3] = (l & 127) | 128;
    return 4;
  }
  b[p] = Math.floor(l / 2 ** 28);
  b[p + 1] = ((l >>> 21) & 127) | 128;
  b[p + 2] = ((l >>> 14) & 127) | 128;
  b[p + 3] = ((l >>> 7) & 127) | 128;
  b[p + 4] = (l & 127) | 128;
  return 5;
}

/** Bytes of the backlen field for an entry of length l. */
function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/**
 * An intset of ascending canonical integer strings: the narrowest of 16, 32
 * or 64-bit slots that holds every member. (Redis never narrows an intset,
 * so after removing its widest member Redis may still use wider slots.)
 */
function buildIntset(sorted: readonly string[]): Buffer {
  const n = sorted.length;
  const vals = new Array<number | bigint>(n);
  let width = 2;
  for (let i = 0; i < n; i++) {
    const v = canonicalInt(sorted[i]);
    if (v === null) throw new RdbError('intset member is not an integer: ' + sorted[i], 'corrupt');
    vals[i] = v;
    if (typeof v === 'bigint' || v < INT32_MIN || v > INT32_MAX) width = 8;
    else if (width === 2 && (v < -32768 || v > 32767)) width = 4;
  }
  const b = Buffer.allocUnsafe(8 + n * width);
  b.writeUInt32LE(width, 0);
  b.writeUInt32LE(n, 4);
  let p = 8;
  for (let i = 0; i < n; i++) {
    const v = vals[i];
    if (width === 2) b.writeInt16LE(v as number, p);
    else if (width === 4) b.writeInt32LE(v as number, p);
    else b.writeBigInt64LE(BigInt(v), p);
    p += width;
  }
  return b;
}

// ------------------------------------------------------------ reading

/** Upper bound on LZF expansion: a 3-byte back reference yields 264 bytes. */
const LZF_MAX_RATIO = 88;

/** Sequential reader over RDB bytes; every method throws RdbError on bad input. */
export class RdbReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos >= this.end) corrupt('unexpected end of data');
    return this.buf[this.pos++];
  }

  take(n: number): Buffer {
    if (n > this.end - this.pos) corrupt('unexpected end of data');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /**
   * rdbLoadLenByRef: a length, or (enc true) a special string encoding
   * number. Lengths beyond 2^53 are reported as corrupt (no structure that
   * large can follow).
   */
  lenOrEnc(): { enc: boolean; n: number } {
    const b0 = this.u8();
    const type = (b0 & 0xc0) >> 6;
    if (type === RDB_ENCVAL) return { enc: true, n: b0 & 0x3f };
    if (type === RDB_6BITLEN) return { enc: false, n: b0 & 0x3f };
    if (type === RDB_14BITLEN) return { enc: false, n: ((b0 & 0x3f) << 8) | this.u8() };
    if (b0 === RDB_32BITLEN) {
      const v = this.take(4).readUInt32BE(0);
      return { enc: false, n: v };
    }
    if (b0 === RDB_64BITLEN) {
      const v = this.take(8).readBigUInt64BE(0);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) corrupt('length out of range');
      return { enc: false, n: Number(v) };
    }
    return corrupt('unknown length encoding');
  }

  /** rdbLoadLen (a plain length; a string encoding marker is corrupt here). */
  len(): number {
    const r = this.lenOrEnc();
    if (r.enc) corrupt('unexpected encoded length');
    return r.n;
  }

  /** The int-encoded string or LZF blob after a special-encoding marker. */
  private encoded(n: number): Buffer | string {
    switch (n) {
      case RDB_ENC_INT8:
        return String(this.take(1).readInt8(0));
      case RDB_ENC_INT16:
        return String(this.take(2).readInt16LE(0));
      case RDB_ENC_INT32:
        return String(this.take(4).readInt32LE(0));
      case RDB_ENC_LZF: {
        const clen = this.len();
        const len = this.len();
        if (clen > this.remaining) corrupt('unexpected end of data');
        if (len > clen * LZF_MAX_RATIO + 32) corrupt('Invalid LZF compressed string');
        const out = lzfDecompress(this.take(clen), len);
        if (out === null) corrupt('Invalid LZF compressed string');
        return Buffer.from(out.buffer, out.byteOffset, out.length);
      }
      default:
        return corrupt('unknown string encoding');
    }
  }

  /** rdbGenericLoadStringObject as raw bytes (int encodings as their decimal text). */
  stringBytes(): Buffer {
    const { enc, n } = this.lenOrEnc();
    if (!enc) return this.take(n);
    const v = this.encoded(n);
    return typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
  }

  /** A string as latin1 (one char per byte). */
  string(): string {
    const { enc, n } = this.lenOrEnc();
    if (!enc) {
      if (n > this.end - this.pos) corrupt('unexpected end of data');
      const s = this.buf.latin1Slice(this.pos, this.pos + n);
      this.pos += n;
      return s;
    }
    const v = this.encoded(n);
    return typeof v === 'string' ? v : latin1(v);
  }

  /** rdbLoadBinaryDoubleValue. */
  binaryDouble(): number {
    return this.take(8).readDoubleLE(0);
  }

  /** rdbLoadDoubleValue: RDB_TYPE_ZSET scores, a length byte and text. */
  textDouble(): number {
    const n = this.u8();
    if (n === 255) return -Infinity;
    if (n === 254) return Infinity;
    if (n === 253) return NaN;
    const s = latin1(this.take(n));
    // sscanf("%lg") stops at a NUL like any C string.
    const z = s.indexOf('\0');
    const v = strtodPrefix(z < 0 ? s : s.slice(0, z));
    if (v === null) corrupt('invalid double');
    return v;
  }
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).latin1Slice(0, b.length);
}

/**
 * The elements of a listpack, fully validated (lpValidateIntegrity deep):
 * header size, terminator, every entry's encoding and back length, and the
 * element count when the header knows it.
 */
export function listpackEntries(lp: Buffer): string[] {
  const size = lp.length;
  if (size < LP_HDR_SIZE + 1) corrupt('listpack too short');
  if (lp.readUInt32LE(0) !== size) corrupt('listpack size mismatch');
  if (lp[size - 1] !== LP_EOF) corrupt('listpack not terminated');
  const numele = lp.readUInt16LE(4);
  const out: string[] = [];
  const last = size - 1; // the EOF byte
  let p = LP_HDR_SIZE;
  while (p < last) {
    const b = lp[p];
    let hdr: number; // encoding bytes before the data
    let dlen: number; // data bytes
    let s: string | null = null;
    if ((b & 0x80) === 0) {
      hdr = 1;
      dlen = 0;
      s = String(b & 0x7f);
    } else if ((b & 0xc0) === 0x80) {
      hdr = 1;
      dlen = b & 0x3f;
    } else if ((b & 0xe0) === 0xc0) {
      hdr = 2;
      dlen = 0;
      if (p + 1 >= last) corrupt('listpack entry out of range');
      let v = ((b & 0x1f) << 8) | lp[p + 1];
      if (v >= 1 << 12) v -= 1 << 13;
      s = String(v);
    } else if ((b & 0xf0) === 0xe0) {
      hdr = 2;
      if (p + 1 >= last) corrupt('listpack entry out of range');
      dlen = ((b & 0x0f) << 8) | lp[p + 1];
    } else if (b === 0xf0) {
      hdr = 5;
      if (p + 4 >= last) corrupt('listpack entry out of range');
      dlen = lp.readUInt32LE(p + 1);
    } else if (b >= 0xf1 && b <= 0xf4) {
      hdr = 1;
      dlen = b === 0xf1 ? 2 : b === 0xf2 ? 3 : b === 0xf3 ? 4 : 8;
    } else {
      return corrupt('bad listpack encoding');
    }
    const entryLen = hdr + dlen;
    const bl = backlenSize(entryLen);
    if (p + entryLen + bl > last) corrupt('listpack entry out of range');
    const d = p + hdr;
    if (s === null) {
      if (b === 0xf1) s = String(lp.readInt16LE(d));
      else if (b === 0xf2) s = String(lp.readIntLE(d, 3));
      else if (b === 0xf3) s = String(lp.readInt32LE(d));
      else if (b === 0xf4) s = lp.readBigInt64LE(d).toString();
      else s = lp.latin1Slice(d, d + dlen);
    }
    // The back length, read right to left, must repeat the entry length.
    let q = p + entryLen + bl - 1;
    let val = 0, shift = 0;
    for (;;) {
      const c = lp[q];
      val += (c & 127) * 2 ** shift;
      if (!(c & 128)) break;
      shift += 7;
      q--;
      if (shift > 28) corrupt('bad listpack back length');
    }
    if (val !== entryLen || q !== p + entryLen) corrupt('listpack back length mismatch');
    out.push(s);
    p += entryLen + bl;
  }
  if (p !== last) corrupt('listpack entries overrun');
  if (numele !== 65535 && numele !== out.length) corrupt('listpack count mismatch');
  return out;
}

const ZIPLIST_HEADER_SIZE = 10;

/** The elements of a ziplist, fully validated (ziplistValidateIntegrity deep). */
export function ziplistEntries(zl: Buffer): string[] {
  const size = zl.length;
  if (size < ZIPLIST_HEADER_SIZE + 1) corrupt('ziplist too short');
  if (zl.readUInt32LE(0) !== size) corrupt('ziplist size mismatch');
  if (zl[size - 1] !== 0xff) corrupt('ziplist not terminated');
  const tail = zl.readUInt32LE(4);
  if (tail > size - 1) corrupt('ziplist tail out of range');
  const headerCount = zl.readUInt16LE(8);
  const last = size - 1;
  const out: string[] = [];
  let p = ZIPLIST_HEADER_SIZE;
  let prevRaw = 0;
  let prevStart = -1;
  while (zl[p] !== 0xff) {
    // prevlen
    let prevlen: number, plsize: number;
    if (zl[p] < 254) {
      plsize = 1;
      prevlen = zl[p];
    } else {
      plsize = 5;
      if (p + 5 > last) corrupt('ziplist entry out of range');
      prevlen = zl.readUInt32LE(p + 1);
    }
    if (prevlen !== prevRaw) corrupt('ziplist prevlen mismatch');
    const e = p + plsize;
    if (e >= last) corrupt('ziplist entry out of range');
    const enc = zl[e];
    let lensize: number, len: number;
    let intVal: number | bigint | null = null;
    if (enc < 0xc0) {
      const t = enc & 0xc0;
      if (t === 0x00) {
        lensize = 1;
        len = enc & 0x3f;
      } else if (t === 0x40) {
        lensize = 2;
        if (e + 1 >= last) corrupt('ziplist entry out of range');
        len = ((enc & 0x3f) << 8) | zl[e + 1];
      } else {
        lensize = 5;
        if (e + 4 >= last) corrupt('ziplist entry out of range');
        len = zl.readUInt32BE(e + 1);
      }
    } else {
      lensize = 1;
      if (enc === 0xfe) len = 1;
      else if (enc === 0xc0) len = 2;
      else if (enc === 0xf0) len = 3;
      else if (enc === 0xd0) len = 4;
      else if (enc === 0xe0) len = 8;
      else if (enc >= 0xf1 && enc <= 0xfd) {
        len = 0;
        intVal = (enc & 0x0f) - 1;
      } else return corrupt('bad ziplist encoding');
    }
    const d = e + lensize;
    if (d + len > last) corrupt('ziplist entry out of range');
    if (p - prevlen < ZIPLIST_HEADER_SIZE) corrupt('ziplist prevlen out of range');
    let s: string;
    if (enc < 0xc0) s = zl.latin1Slice(d, d + len);
    else if (intVal !== null) s = String(intVal);
    else if (enc === 0xfe) s = String(zl.readInt8(d));
    else if (enc === 0xc0) s = String(zl.readInt16LE(d));
    else if (enc === 0xf0) s = String(zl.readIntLE(d, 3));
    else if (enc === 0xd0) s = String(zl.readInt32LE(d));
    else s = zl.readBigInt64LE(d).toString();
    out.push(s);
    prevRaw = plsize + lensize + len;
    prevStart = p;
    p = d + len;
  }
  if (p !== last) corrupt('ziplist entries overrun');
  if (prevStart >= 0 && prevStart !== tail) corrupt('ziplist tail mismatch');
  if (headerCount !== 65535 && headerCount !== out.length) corrupt('ziplist count mismatch');
  return out;
}

/** Field/value pairs of a zipmap (Redis 2.4 hashes), validated. */
export function zipmapEntries(zm: Buffer): string[] {
  const size = zm.length;
  if (size < 2) corrupt('zipmap too short');
  if (zm[size - 1] !== 0xff) corrupt('zipmap not terminated');
  const last = size - 1;
  const out: string[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p > last) corrupt('zipmap entry out of range');
    const b = zm[p];
    if (b < 254) {
      p += 1;
      return b;
    }
    if (b === 255) corrupt('zipmap entry out of range');
    if (p + 5 > last) corrupt('zipmap entry out of range');
    const v = zm.readUInt32LE(p + 1);
    p += 5;
    return v;
  };
  while (p <= last && zm[p] !== 0xff) {
    const flen = readLen();
    if (p + flen > last) corrupt('zipmap entry out of range');
    const field = zm.latin1Slice(p, p + flen);
    p += flen;
    const vlen = readLen();
    if (p > last) corrupt('zipmap entry out of range');
    const free = zm[p++];
    if (p + vlen + free > last) corrupt('zipmap entry out of range');
    out.push(field, zm.latin1Slice(p, p + vlen));
    p += vlen + free;
  }
  if (p !== last) corrupt('zipmap entries overrun');
  const count = out.length >> 1;
  if (count === 0) corrupt('empty zipmap');
  if (zm[0] !== 254 && zm[0] !== count) corrupt('zipmap count mismatch');
  return out;
}

/** Members of an intset, validated (sorted, no duplicates), as strings. */
export function intsetEntries(is: Buffer): string[] {
  if (is.length < 8) corrupt('intset too short');
  const enc = is.readUInt32LE(0);
  if (enc !== 2 && enc !== 4 && enc !== 8) corrupt('bad intset encoding');
  const count = is.readUInt32LE(4);
  if (8 + count * enc !== is.length) corrupt('intset size mismatch');
  if (count === 0) corrupt('empty intset');
  const out = new Array<string>(count);
  let prev: bigint | number | null = null;
  for (let i = 0, p = 8; i < count; i++, p += enc) {
    const v: number | bigint = enc === 2 ? is.readInt16LE(p) : enc === 4 ? is.readInt32LE(p) : is.readBigInt64LE(p);
    if (prev !== null && v <= prev) corrupt('intset not sorted');
    prev = v;
    out[i] = v.toString();
  }
  return out;
}

// ------------------------------------------------------------ building values

function buildHashPairs(kv: string[], lim: RdbLoadLimits, checkValues: boolean): HashValue {
  const h = new HashValue();
  const n = kv.length >> 1;
  if (n === 0) emptyKey();
  if (n > lim.hashMaxEntries) h.ht = true;
  for (let i = 0; i < kv.length; i += 2) {
    const f = kv[i], v = kv[i + 1];
    if (checkValues && !h.ht && (f.length > lim.hashMaxValue || v.length > lim.hashMaxValue)) h.ht = true;
    if (!h.set(f, v)) corrupt('duplicate hash field');
  }
  return h;
}

/** A zset from (member, score) pairs; `skiplistPayload` selects Redis's post-load conversion rule. */
function buildZset(es: Array<[string, number]>, lim: RdbLoadLimits, skiplistPayload: boolean): ZsetValue {
  if (es.length === 0) emptyKey();
  const seen = new Set<string>();
  let maxLen = 0;
  for (const [m, s] of es) {
    if (Number.isNaN(s)) corrupt('zset with NaN score');
    if (seen.has(m)) corrupt('duplicate zset member');
    seen.add(m);
    if (m.length > maxLen) maxLen = m.length;
  }
  sortZsetEntries(es);
  const z = new ZsetValue();
  const listpack = skiplistPayload
    ? es.length <= lim.zsetMaxEntries && maxLen <= lim.zsetMaxValue
    : es.length <= lim.zsetMaxEntries;
  if (!listpack) z.toSkiplist();
  for (const [m, s] of es) z.appendSorted(m, s === 0 ? 0 : s);
  return z;
}

function zsetFromPairs(items: string[]): Array<[string, number]> {
  if (items.length & 1) corrupt('odd number of zset entries');
  const es: Array<[string, number]> = [];
  for (let i = 0; i < items.length; i += 2) {
    // zzlStrtod: strtod on at most 127 bytes; no number reads as 0.
    const t = items[i + 1];
    const v = strtodPrefix(t.length > 127 ? t.slice(0, 127) : t);
    es.push([items[i], v === null ? 0 : v]);
  }
  return es;
}

function buildSet(members: string[], startHt: boolean): SetValue {
  const s = new SetValue();
  if (members.length === 0) emptyKey();
  if (startHt) s.ht = true;
  for (let i = 0; i < members.length; i++) if (!s.add(members[i])) corrupt('duplicate set member');
  return s;
}

/**
 * rdbLoadObject: the value of the given type read from r, with the encoding
 * Redis 7.0 would give it under `lim`.
 */
export function readRdbValue(r: RdbReader, type: number, lim: RdbLoadLimits = DEFAULT_LOAD_LIMITS): Value {
  switch (type) {
    case RDB_TYPE_STRING:
      return r.string();

    case RDB_TYPE_LIST: {
      const n = r.len();
      if (n === 0) emptyKey();
      const l = new ListValue();
      for (let i = 0; i < n; i++) l.pushRight(r.string());
      return l;
    }

    case RDB_TYPE_SET: {
      const n = r.len();
      if (n === 0) emptyKey();
      const s = new SetValue();
      if (n > lim.setMaxIntsetEntries) s.ht = true;
      for (let i = 0; i < n; i++) if (!s.add(r.string())) corrupt('duplicate set member');
      return s;
    }

    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2: {
      const n = r.len();
      if (n === 0) emptyKey();
      const es: Array<[string, number]> = [];
      for (let i = 0; i < n; i++) {
        const m = r.string();
        es.push([m, type === RDB_TYPE_ZSET_2 ? r.binaryDouble() : r.textDouble()]);
      }
      return buildZset(es, lim, true);
    }

    case RDB_TYPE_HASH: {
      const n = r.len();
      if (n === 0) emptyKey();
      const kv: string[] = [];
      for (let i = 0; i < n; i++) kv.push(r.string(), r.string());
      return buildHashPairs(kv, lim, true);
    }

    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2: {
      const n = r.len();
      if (n === 0) emptyKey();
      const l = new ListValue();
      for (let i = 0; i < n; i++) {
        let container = QUICKLIST_NODE_CONTAINER_PACKED;
        if (type === RDB_TYPE_LIST_QUICKLIST_2) {
          container = r.len();
          if (container !== QUICKLIST_NODE_CONTAINER_PACKED && container !== QUICKLIST_NODE_CONTAINER_PLAIN) {
            corrupt('Quicklist integrity check failed.');
          }
        }
        const data = r.stringBytes();
        if (data.length === 0) corrupt('empty quicklist node');
        if (container === QUICKLIST_NODE_CONTAINER_PLAIN) {
          l.pushRight(latin1(data));
          continue;
        }
        const items = type === RDB_TYPE_LIST_QUICKLIST_2 ? listpackEntries(data) : ziplistEntries(data);
        for (let k = 0; k < items.length; k++) l.pushRight(items[k]);
      }
      if (l.length === 0) emptyKey();
      return l;
    }

    case RDB_TYPE_HASH_ZIPMAP: {
      const kv = zipmapEntries(r.stringBytes());
      return buildHashPairs(kv, lim, true);
    }

    case RDB_TYPE_LIST_ZIPLIST: {
      const items = ziplistEntries(r.stringBytes());
      if (items.length === 0) emptyKey();
      return ListValue.from(items);
    }

    case RDB_TYPE_SET_INTSET: {
      const items = intsetEntries(r.stringBytes());
      return buildSet(items, items.length > lim.setMaxIntsetEntries);
    }

    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK: {
      const b = r.stringBytes();
      const items = type === RDB_TYPE_ZSET_LISTPACK ? listpackEntries(b) : ziplistEntries(b);
      return buildZset(zsetFromPairs(items), lim, false);
    }

    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_LISTPACK: {
      const b = r.stringBytes();
      const items = type === RDB_TYPE_HASH_LISTPACK ? listpackEntries(b) : ziplistEntries(b);
      if (items.length & 1) corrupt('odd number of hash entries');
      return buildHashPairs(items, lim, false);
    }

    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
      throw new RdbError('stream values are not supported', 'unsupported');

    case RDB_TYPE_MODULE:
    case RDB_TYPE_MODULE_2:
      throw new RdbError('module values are not supported', 'unsupported');

    default:
      return corrupt('unknown RDB object type ' + type);
  }
}

/**
 * Decode a value from `buf` starting at `pos` (type byte first). Returns
 * the value and the offset just past it.
 */
export function decodeRdbValue(
  buf: Buffer,
  lim: RdbLoadLimits = DEFAULT_LOAD_LIMITS,
  pos = 0,
  end = buf.length,
): { value: Value; end: number } {
  const r = new RdbReader(buf, pos, end);
  const type = r.u8();
  if (!isObjectType(type)) corrupt('not an object type: ' + type);
  const value = readRdbValue(r, type, lim);
  return { value, end: r.pos };
}

// ------------------------------------------------------------ DUMP payloads

/** createDumpPayload: value bytes, RDB version (LE16), CRC-64 (LE64). */
export function createDumpPayload(v: Value, opt: RdbEncodeOptions = DEFAULT_ENCODE_OPTIONS): Buffer {
  const w = new RdbWriter(opt);
  w.value(v);
  w.ensure(10);
  const b = w.buf;
  b[w.pos++] = RDB_VERSION & 0xff;
  b[w.pos++] = (RDB_VERSION >> 8) & 0xff;
  writeCrc64LE(b, 0, w.pos, b, w.pos);
  w.pos += 8;
  return w.result();
}

/** verifyDumpPayload: a footer with a version this server reads and a matching CRC. */
export function verifyDumpPayload(p: Buffer): boolean {
  const len = p.length;
  if (len < 10) return false;
  const ver = p[len - 10] | (p[len - 9] << 8);
  if (ver > RDB_VERSION) return false;
  return checkCrc64LE(p, 0, len - 8, len - 8);
}
