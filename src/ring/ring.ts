// Single-producer / single-consumer ring of variable-length records over a
// SharedArrayBuffer. See docs/ARCHITECTURE.md "Rings" for the layout.
//
// Control words (Int32, one per 64-byte line so producer and consumer never
// write the same cache line):
//   [0]  head     consumer position (bytes, monotonically increasing, wraps at 2^32)
//   [16] tail     producer position
//   [32] sleeping consumer sets 1 before Atomics.wait, producer notifies only then
//   [48] seq      bumped on every publish, the word the consumer waits on
// Data starts at byte 256. Each record: u32 length (header+payload, unpadded),
// then the bytes, padded to 8. A length of WRAP means "continue at offset 0".
//
// Records larger than `maxRecord` never enter the ring: the producer ships
// them in their own SharedArrayBuffer over the ring's MessagePort and writes
// a small LARGE marker in the ring; the consumer takes the buffer with
// receiveMessageOnPort. Port messages are FIFO and are queued before the
// marker is published, so markers and buffers pair up in order.

import { MessagePort, receiveMessageOnPort } from 'node:worker_threads';

const HEAD = 0;
const TAIL = 16;
const SLEEPING = 32;
const SEQ = 48;
const DATA = 256;
const WRAP = 0xffffffff;
const LARGE_BIT = 0x80000000;

export interface RingShared {
  sab: SharedArrayBuffer;
  port: MessagePort | null;
}

export function createRingBuffer(capacity: number): SharedArrayBuffer {
  if (capacity & (capacity - 1)) throw new Error('ring capacity must be a power of two');
  return new SharedArrayBuffer(DATA + capacity);
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

class RingBase {
  readonly ctl: Int32Array;
  readonly u8: Uint8Array;
  readonly buf: Buffer;
  /** 32-bit view of the data area, for record headers (payloads start 4-aligned). */
  readonly u32: Uint32Array;
  readonly cap: number;
  readonly mask: number;
  readonly maxRecord: number;
  constructor(readonly sab: SharedArrayBuffer, public port: MessagePort | null) {
    this.ctl = new Int32Array(sab, 0, DATA >> 2);
    this.cap = sab.byteLength - DATA;
    this.mask = this.cap - 1;
    this.u8 = new Uint8Array(sab, DATA, this.cap);
    this.buf = Buffer.from(sab, DATA, this.cap);
    this.u32 = new Uint32Array(sab, DATA, this.cap >>> 2);
    // A quarter of the ring: big enough for every ordinary command, small
    // enough that a few in flight never starve the rest.
    this.maxRecord = this.cap >>> 2;
  }
}

/**
 * Producer side. Usage: `const off = p.reserve(n)`; write n bytes at
 * `p.buf[off..off+n)`; `p.commit()`. Several records may be reserved and
 * committed before `publish()` makes them visible in one store.
 */
export class RingProducer extends RingBase {
  private tail: number;
  private cachedHead: number;
  private pendingLen = 0;
  private pendingOff = 0;
  /** Records committed but not yet published. */
  unpublished = 0;

  constructor(sab: SharedArrayBuffer, port: MessagePort | null = null) {
    super(sab, port);
    this.tail = Atomics.load(this.ctl, TAIL) >>> 0;
    this.cachedHead = Atomics.load(this.ctl, HEAD) >>> 0;
  }

  private free(): number {
    return this.cap - ((this.tail - this.cachedHead) >>> 0);
  }

  /** True when a record of payload length n can be reserved right now. */
  canWrite(n: number): boolean {
    if (n > this.maxRecord) n = 8;
    const need = pad8(4 + n);
    const pos = this.tail & this.mask;
    const total = pos + need > this.cap ? need + (this.cap - pos) : need;
    if (this.free() >= total) return true;
    this.cachedHead = Atomics.load(this.ctl, HEAD) >>> 0;
    return this.free() >= total;
  }

  /**
   * Reserve space for a record of n payload bytes; returns the offset in
   * `buf` where the payload goes, or -1 when the ring is full. For n larger
   * than maxRecord use writeLarge instead.
   */
  reserve(n: number): number {
    const need = pad8(4 + n);
    let pos = this.tail & this.mask;
    const wrap = pos + need > this.cap;
    const total = wrap ? need + (this.cap - pos) : need;
    if (this.free() < total) {
      this.cachedHead = Atomics.load(this.ctl, HEAD) >>> 0;
      if (this.free() < total) return -1;
    }
    if (wrap) {
      // The wrap marker needs 4 bytes; positions are 8-aligned so they fit.
      this.buf.writeUInt32LE(WRAP, pos);
      this.tail = (this.tail + (this.cap - pos)) >>> 0;
      pos = 0;
    }
    this.pendingOff = pos;
    this.pendingLen = n;
    return pos + 4;
  }

  commit(): void {
    this.buf.writeUInt32LE(this.pendingLen, this.pendingOff);
    this.tail = (this.tail + pad8(4 + this.pendingLen)) >>> 0;
    this.unpublished++;
  }

  /** Ship a record too large for the ring through the side channel. */
  writeLarge(bytes: Uint8Array): boolean {
    if (!this.port) throw new Error('ring has no port for large records');
    const off = this.reserve(8);
    if (off < 0) return false;
    const side = new SharedArrayBuffer(bytes.length);
    new Uint8Array(side).set(bytes);
    this.port.postMessage(side);
    this.buf.writeUInt32LE(bytes.length, off);
    this.buf.writeUInt32LE(0, off + 4);
    this.buf.writeUInt32LE((8 | LARGE_BIT) >>> 0, this.pendingOff);
    this.tail = (this.tail + pad8(12)) >>> 0;
    this.unpublished++;
    return true;
  }

  /** Make committed records visible. Returns true if the consumer sleeps. */
  publish(): boolean {
    if (this.unpublished === 0) return false;
    this.unpublished = 0;
    Atomics.store(this.ctl, TAIL, this.tail | 0);
    Atomics.add(this.ctl, SEQ, 1);
    return Atomics.load(this.ctl, SLEEPING) !== 0;
  }

  /** Wake the consumer if it announced sleep. */
  notify(): void {
    if (Atomics.load(this.ctl, SLEEPING) !== 0) Atomics.notify(this.ctl, SEQ);
  }

  /** Blocking wait (worker threads only) until the consumer frees space. */
  waitForSpace(timeoutMs: number): void {
    const head = Atomics.load(this.ctl, HEAD);
    if ((head >>> 0) !== this.cachedHead) {
      this.cachedHead = head >>> 0;
      return;
    }
    Atomics.wait(this.ctl, HEAD, head, timeoutMs);
    this.cachedHead = Atomics.load(this.ctl, HEAD) >>> 0;
  }
}

/**
 * Consumer side. `next()` returns the payload offset of the next record (its
 * length in `len`), or -1 when empty. Payload bytes are valid until
 * `release()` publishes the new head.
 */
export class RingConsumer extends RingBase {
  private head: number;
  private cachedTail: number;
  len = 0;
  /** Set when the last record came through the side channel. */
  large: Buffer | null = null;

  constructor(sab: SharedArrayBuffer, port: MessagePort | null = null) {
    super(sab, port);
    this.head = Atomics.load(this.ctl, HEAD) >>> 0;
    this.cachedTail = Atomics.load(this.ctl, TAIL) >>> 0;
  }

  hasData(): boolean {
    if (this.head !== this.cachedTail) return true;
    this.cachedTail = Atomics.load(this.ctl, TAIL) >>> 0;
    return this.head !== this.cachedTail;
  }

  next(): number {
    if (this.head === this.cachedTail) {
      this.cachedTail = Atomics.load(this.ctl, TAIL) >>> 0;
      if (this.head === this.cachedTail) return -1;
    }
    let pos = this.head & this.mask;
    let len = this.buf.readUInt32LE(pos);
    if (len === WRAP) {
      this.head = (this.head + (this.cap - pos)) >>> 0;
      pos = 0;
      len = this.buf.readUInt32LE(0);
    }
    if (len & LARGE_BIT) {
      const msg = this.port ? receiveMessageOnPort(this.port) : undefined;
      if (!msg) throw new Error('ring: large record without its buffer');
      const sab = msg.message as SharedArrayBuffer;
      this.large = Buffer.from(sab);
      len &= ~LARGE_BIT;
    } else {
      this.large = null;
    }
    this.head = (this.head + pad8(4 + len)) >>> 0;
    this.len = len;
    return pos + 4;
  }

  release(): void {
    Atomics.store(this.ctl, HEAD, this.head | 0);
    // A producer blocked in waitForSpace waits on HEAD.
    Atomics.notify(this.ctl, HEAD);
  }

  /**
   * Announce sleep and re-check. Returns the SEQ value to wait on, or null
   * if data arrived meanwhile (then do not sleep).
   */
  prepareSleep(): number | null {
    const seq = Atomics.load(this.ctl, SEQ);
    Atomics.store(this.ctl, SLEEPING, 1);
    if (this.hasData()) {
      Atomics.store(this.ctl, SLEEPING, 0);
      return null;
    }
    return seq;
  }

  /** Blocking sleep (worker threads). Returns after data or timeout. */
  sleep(timeoutMs: number): void {
    const seq = this.prepareSleep();
    if (seq === null) return;
    Atomics.wait(this.ctl, SEQ, seq, timeoutMs);
    Atomics.store(this.ctl, SLEEPING, 0);
  }

  awake(): void {
    Atomics.store(this.ctl, SLEEPING, 0);
  }

  get seqView(): Int32Array {
    return this.ctl;
  }
}

export const RING_SEQ_INDEX = SEQ;
export const RING_SLEEPING_INDEX = SLEEPING;
/** Consumer position word; release() notifies it, so a main-thread producer can waitAsync on it. */
export const RING_HEAD_INDEX = HEAD;
