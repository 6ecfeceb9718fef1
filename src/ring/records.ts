// Record layouts carried by the rings, and the one request writer. Request
// rings (acceptor → shard) and control rings (coordinator → held shard)
// share the request layout; reply rings (shard → acceptor) use the reply
// layout.
//
// Request record: 16-byte header, then a RESP multibulk frame.
//   u8 kind | u8 proto | u8 0 | u8 flags | u32 tag1 | u32 tag2 | u32 db
// (the database number takes a whole word: `databases` goes up to INT_MAX)
// Reply record: 12-byte header, then RESP reply bytes.
//   u8 kind | u8 flags | u16 0 | u32 tag1 | u32 tag2
// The tags are opaque to the shard: it echoes them so the acceptor knows
// where the reply goes.

import { copyBytes } from '../util/bytes';
import type { RingProducer } from './ring';

export const REQ_HEADER = 16;
export const REP_HEADER = 12;

/** A client command: tag1 = connection id, tag2 = its sequence number. */
export const K_CMD = 1;
/** One shard's part of a split or fanned-out command: tag1 = gather id, tag2 = part. */
export const K_PART = 2;
/** Multi-hop marker: the shard stops here and serves its control ring until released. tag1 = txn id. */
export const K_HOLD = 3;
/** Control op executed by a held shard (payload: a command frame). tag1 = txn id, tag2 = op id. */
export const K_CTRL = 4;
/** End of hold. */
export const K_RELEASE = 5;
/** Shard-internal request from the acceptor (stats, config): tag1 = request id. */
export const K_ADMIN = 6;

/** A cross-shard wait's watcher fired (reply only): tag1 = wait token. */
export const K_WAKE = 7;

/** A shard's unsolicited note to the acceptor (reply only): the payload is a frame, e.g. `scriptforeign <sha>`. */
export const K_NOTE = 8;

/** Reply flag: the reply is an error reply. */
export const RF_ERROR = 1;

/** Request flag (byte 3): an acceptor-built internal op carried as a client command (EXEC's __exec). */
export const RQ_INTERNAL = 1;

/**
 * Append one request record carrying src[s, e) to ring (committed, not yet
 * published). False when the ring has no room now. The common case writes
 * the header as four words into the ring (payload offsets are 4-aligned);
 * a record over the ring's size limit travels through its side channel.
 */
export function writeRequest(
  ring: RingProducer, kind: number, flags: number, proto: number, db: number,
  tag1: number, tag2: number, src: Uint8Array, s: number, e: number,
): boolean {
  const n = e - s;
  if (REQ_HEADER + n > ring.maxRecord) {
    const rec = Buffer.allocUnsafe(REQ_HEADER + n);
    writeReqHeader(rec, 0, kind, flags, proto, db, tag1, tag2);
    copyBytes(src, s, e, rec, REQ_HEADER);
    return ring.writeLarge(rec);
  }
  const off = ring.reserve(REQ_HEADER + n);
  if (off < 0) return false;
  const u32 = ring.u32;
  const i = off >>> 2;
  u32[i] = kind | (proto << 8) | (flags << 24);
  u32[i + 1] = tag1;
  u32[i + 2] = tag2;
  u32[i + 3] = db;
  if (n > 0) copyBytes(src, s, e, ring.buf, off + REQ_HEADER);
  ring.commit();
  return true;
}

/** A request header at b[off] (records built outside a ring). */
export function writeReqHeader(b: Buffer, off: number, kind: number, flags: number, proto: number, db: number, tag1: number, tag2: number): void {
  b[off] = kind;
  b[off + 1] = proto;
  b[off + 2] = 0;
  b[off + 3] = flags;
  b.writeUInt32LE(tag1 >>> 0, off + 4);
  b.writeUInt32LE(tag2 >>> 0, off + 8);
  b.writeUInt32LE(db >>> 0, off + 12);
}

/** A reply header at b[off]. */
export function writeRepHeader(b: Buffer, off: number, kind: number, flags: number, tag1: number, tag2: number): void {
  b[off] = kind;
  b[off + 1] = flags;
  b[off + 2] = 0;
  b[off + 3] = 0;
  b.writeUInt32LE(tag1 >>> 0, off + 4);
  b.writeUInt32LE(tag2 >>> 0, off + 8);
}

/** The database number of the request record at b[off]. */
export function reqDb(b: Uint8Array, off: number): number {
  return (b[off + 12] | (b[off + 13] << 8) | (b[off + 14] << 16) | (b[off + 15] << 24)) >>> 0;
}
