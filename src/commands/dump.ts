// DUMP and RESTORE (cluster.c semantics in Redis 7.0): a value travels as
// its RDB object bytes, the RDB version (2 bytes LE) and a CRC-64 (8 bytes
// LE); see src/persistence/rdb-value.ts for the formats.
//
// Not kept yet: the LRU/LFU data IDLETIME and FREQ set (keyshard keeps no
// per-key access clock); the options are validated exactly as Redis does
// and then have no effect. Stream payloads answer "Bad data format" until
// streams exist.

import type { CommandDef, ShardCtx } from './contract';
import { E } from './errors';
import { parseLL, parseSmallInt } from '../util/parse';
import {
  RdbError,
  RdbReader,
  createDumpPayload,
  encodeOptionsFromConfig,
  isObjectType,
  loadLimitsFromConfig,
  readRdbValue,
  verifyDumpPayload,
} from '../persistence/rdb-value';
import type { Value } from '../store/keyspace';

const INT64_MAX = 2n ** 63n - 1n;
const TWO64 = 2n ** 64n;

function dumpCommand(c: ShardCtx, a: string[]): void {
  const v = c.db.get(a[1]);
  if (v === undefined) return c.w.nil();
  c.w.bulkBuf(createDumpPayload(v, encodeOptionsFromConfig(c.config)));
}

/** getLongLongFromObjectOrReply: the value, or null after replying. */
function longLongArg(c: ShardCtx, s: string): number | bigint | null {
  const small = parseSmallInt(s);
  if (small !== null) return small;
  const v = parseLL(s);
  if (v === null) c.w.error(E.NOTINT);
  return v;
}

/** rdbLoadObjectType + rdbLoadObject on the payload, or null when it does not load. */
function loadPayload(c: ShardCtx, payload: Buffer): Value | null {
  const r = new RdbReader(payload);
  try {
    const type = r.u8();
    if (!isObjectType(type)) return null;
    return readRdbValue(r, type, loadLimitsFromConfig(c.config));
  } catch (e) {
    if (e instanceof RdbError) return null;
    throw e;
  }
}

/** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
function restoreCommand(c: ShardCtx, a: string[]): void {
  let replace = false, absttl = false;
  let idle: number | bigint = -1, freq: number | bigint = -1;
  for (let j = 4; j < a.length; j++) {
    const opt = a[j].toLowerCase();
    const more = a.length - j - 1 >= 1;
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'absttl') {
      absttl = true;
    } else if (opt === 'idletime' && more && freq === -1) {
      const v = longLongArg(c, a[j + 1]);
      if (v === null) return;
      if (v < 0) return c.w.error('ERR Invalid IDLETIME value, must be >= 0');
      idle = v;
      j++;
    } else if (opt === 'freq' && more && idle === -1) {
      const v = longLongArg(c, a[j + 1]);
      if (v === null) return;
      if (v < 0 || v > 255) return c.w.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = v;
      j++;
    } else {
      return c.w.error(E.SYNTAX);
    }
  }

  const db = c.db;
  const key = a[1];
  if (!replace && db.peek(key) !== undefined) return c.w.error(E.BUSYKEY);

  const ttlArg = longLongArg(c, a[2]);
  if (ttlArg === null) return;
  if (ttlArg < 0) return c.w.error('ERR Invalid TTL value, must be >= 0');

  const payload = Buffer.from(a[3], 'latin1');
  if (!verifyDumpPayload(payload)) return c.w.error('ERR DUMP payload version or checksum are wrong');
  const value = loadPayload(c, payload);
  if (value === null) return c.w.error('ERR Bad data format');

  const existed = replace && db.peek(key) !== undefined;

  // The deadline in ms; Redis adds "now" in 64-bit arithmetic, wrapping on
  // overflow (a wrapped, negative deadline counts as already passed).
  const now = c.ks.now();
  let when = 0;
  if (ttlArg !== 0 && ttlArg !== 0n) {
    if (absttl) {
      when = Number(ttlArg);
    } else if (typeof ttlArg === 'number' && ttlArg < 2 ** 52) {
      when = ttlArg + now;
    } else {
      let w = BigInt(ttlArg) + BigInt(now);
      if (w > INT64_MAX) w -= TWO64;
      when = Number(w);
    }
    if (when <= now) {
      // checkAlreadyExpired: the key is not created (and a replaced one is gone).
      if (existed) {
        db.del(key);
        c.ks.stats.dirty++;
      }
      return c.w.ok();
    }
  }

  if (existed) db.removeKey(key);
  db.set(key, value);
  if (when !== 0) db.setExpire(key, when);
  c.ks.stats.dirty++;
  c.w.ok();
}

export const commands: CommandDef[] = [
  { name: 'dump', run: dumpCommand },
  { name: 'restore', run: restoreCommand },
  { name: 'restore-asking', run: restoreCommand },
];
