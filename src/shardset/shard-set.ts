// The acceptor's one front door to the shards (as Dragonfly's
// EngineShardSet is): each shard's thread and rings, the request writers,
// gathers (replies of parts, admin and fan-out calls), the reply bell and
// the batched wake-ups. Nothing above this file touches a ring.
//
// Wake-ups: publishing a ring is one store; a sleeping worker is notified
// at most once per ring per event-loop turn (`publish` then `notifyAll`).
// Replies: workers bump bell[0] after publishing and notify only when
// bell[1] says the acceptor sleeps; the acceptor drains every reply ring
// when woken and keeps polling for a few turns while replies flow.

import { Worker, MessageChannel } from 'node:worker_threads';
import * as path from 'node:path';
import { createRingBuffer, RingConsumer, RingProducer } from '../ring/ring';
import {
  REQ_HEADER, REP_HEADER, K_CMD, K_PART, K_CTRL, K_ADMIN, K_WAKE, K_HOLD, K_NOTE, RQ_INTERNAL, writeRequest,
} from '../ring/records';
import type { ShardInit } from '../ring/shard-init';
import { encodeFrame, parseFrame } from '../protocol/frame-args';

export const REQ_RING_BYTES = 4 * 1024 * 1024;
export const CTRL_RING_BYTES = 256 * 1024;
export const REP_RING_BYTES = 4 * 1024 * 1024;
/** Young generation of each shard's V8 heap, MB (see the heap settings in acceptor/main.ts). */
export const SHARD_YOUNG_GEN_MB = 6;

/**
 * After a drain that found replies, how many event-loop turns the acceptor
 * polls the reply rings before asking the shards to wake it. Saves the
 * shard's futex wake and the waitAsync task per reply batch at light load
 * (-c 1: ≈ 7k → 9–11k rps); neutral under pipelining (docs/BENCHMARKS.md).
 */
const POLL_TURNS = 32;

export class ShardLink {
  readonly req: RingProducer;
  readonly ctrl: RingProducer;
  readonly rep: RingConsumer;
  readonly worker: Worker;
  /** Records committed since the last publish. */
  dirty = false;
  exited = false;

  constructor(readonly index: number, init: Omit<ShardInit, 'reqSab' | 'ctrlSab' | 'repSab' | 'reqPort' | 'ctrlPort' | 'repPort'>) {
    const reqSab = createRingBuffer(REQ_RING_BYTES);
    const ctrlSab = createRingBuffer(CTRL_RING_BYTES);
    const repSab = createRingBuffer(REP_RING_BYTES);
    const reqCh = new MessageChannel();
    const ctrlCh = new MessageChannel();
    const repCh = new MessageChannel();
    this.req = new RingProducer(reqSab, reqCh.port1);
    this.ctrl = new RingProducer(ctrlSab, ctrlCh.port1);
    this.rep = new RingConsumer(repSab, repCh.port1);
    // The side-channel ports are only read synchronously (receiveMessageOnPort);
    // unref so they never keep the process alive.
    reqCh.port1.unref();
    ctrlCh.port1.unref();
    repCh.port1.unref();
    const data: ShardInit = {
      ...init,
      reqSab, ctrlSab, repSab,
      reqPort: reqCh.port2, ctrlPort: ctrlCh.port2, repPort: repCh.port2,
    };
    this.worker = new Worker(path.join(__dirname, '..', 'shard', 'worker.js'), {
      workerData: data,
      transferList: [reqCh.port2, ctrlCh.port2, repCh.port2],
      stdout: false,
      stderr: false,
      // A small young generation (see the heap settings in main.ts).
      resourceLimits: { maxYoungGenerationSizeMb: SHARD_YOUNG_GEN_MB },
    });
  }
}

/** Where the replies that are not gathers go: the acceptor. */
export interface ReplySink {
  /** A client command's reply: tag1 = connection id, tag2 = sequence number. */
  onCommandReply(connId: number, seq: number, b: Buffer, s: number, e: number): void;
  /** A cross-shard wait's watcher fired. */
  onWake(token: number): void;
  /** A shard's unsolicited note (K_NOTE): its frame's arguments. */
  onNote(args: string[]): void;
  /** A held shard answered a control op. */
  onControlReply(tx: number, op: number, reply: Buffer): void;
  /** After every drain (woken or polled): resume connections, publish, flush output. */
  afterDrain(): void;
  /** Records were written outside the input path: publish and ring on the next turn. */
  scheduleTurn(): void;
  /** Something in the reply loop threw past every per-connection guard. */
  onLoopError(e: unknown): void;
  /** A shard thread died: tell the operator and stop. */
  onShardDied(shard: number, why: string): void;
}

export type GatherDone = (parts: Buffer[], errored: Buffer | null) => void;

interface Gather {
  parts: (Buffer | null)[];
  remaining: number;
  done: GatherDone;
  /** Called instead of crashing when `done` throws (closes the client's connection). */
  failed: ((e: unknown) => void) | null;
}

export class ShardSet {
  readonly links: ShardLink[] = [];
  readonly bell = new Int32Array(new SharedArrayBuffer(64));
  private sink: ReplySink | null = null;
  private gathers = new Map<number, Gather>();
  private nextGatherId = 1;
  private toNotify = new Set<ShardLink>();
  private pollLeft = 0;
  private stopped = false;
  /** DEBUG KEYSHARD-FAULT merge: the next client gather's merge throws. */
  faultMerge = false;

  get size(): number {
    return this.links.length;
  }

  /** Spawn one worker per slot range and start listening for replies. */
  start(ranges: Array<[number, number]>, databases: number, config: Record<string, number | string>, sink: ReplySink): void {
    this.sink = sink;
    for (let k = 0; k < ranges.length; k++) {
      const [lo, hi] = ranges[k];
      const link = new ShardLink(k, {
        shard: k,
        shards: ranges.length,
        slotLo: lo,
        slotHi: hi,
        databases,
        bellSab: this.bell.buffer as SharedArrayBuffer,
        config,
      });
      // A shard's keys live only in its thread: if the thread dies anyway
      // (shard/worker.ts answers a failing command with an error), the
      // server must not carry on with a hole in its keyspace.
      link.worker.on('error', (e) => sink.onShardDied(k, `failed: ${e?.stack ?? e}`));
      link.worker.on('exit', (code) => {
        link.exited = true;
        if (!this.stopped) sink.onShardDied(k, `exited with code ${code}`);
      });
      this.links.push(link);
    }
    this.armBell();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.links.map((l) => l.worker.terminate()));
  }

  // ------------------------------------------------------------ requests

  /** A client command record (tags: connection id, sequence number); false if no room. */
  sendCommand(shard: number, proto: number, db: number, connId: number, seq: number, buf: Uint8Array, s: number, e: number): boolean {
    const link = this.links[shard];
    if (!writeRequest(link.req, K_CMD, 0, proto, db, connId, seq, buf, s, e)) return false;
    link.dirty = true;
    return true;
  }

  /**
   * An acceptor-built internal op (EXEC's `__exec`) whose reply is the reply
   * of a client command: it travels as that command's record, so the reply
   * takes the ordinary path. False if the ring has no room.
   */
  sendInternalCommand(shard: number, proto: number, db: number, connId: number, seq: number, frame: Buffer): boolean {
    const link = this.links[shard];
    if (REQ_HEADER + frame.length > link.req.maxRecord) return false;
    if (!writeRequest(link.req, K_CMD, RQ_INTERNAL, proto, db, connId, seq, frame, 0, frame.length)) return false;
    link.dirty = true;
    return true;
  }

  /** A part/admin record; false if no room. */
  sendRecord(shard: number, kind: number, proto: number, db: number, tag1: number, tag2: number, frame: Uint8Array): boolean {
    const link = this.links[shard];
    if (!writeRequest(link.req, kind, 0, proto, db, tag1, tag2, frame, 0, frame.length)) return false;
    link.dirty = true;
    return true;
  }

  /** True when every listed ring can take a record of the given payload size now. */
  roomFor(shards: Iterable<number>, bytes: number): boolean {
    for (const k of shards) if (!this.links[k].req.canWrite(REQ_HEADER + bytes)) return false;
    return true;
  }

  /** Room in each listed ring for a couple of small admin records. */
  roomForAdmin(shards: number[]): boolean {
    return this.roomFor(shards, 256);
  }

  /** HOLD markers for transaction `tx` on every listed shard, in this one call (the global order point). */
  hold(shards: number[], tx: number): void {
    for (const k of shards) {
      // Callers check roomFor(shards, 0) in the same synchronous step.
      if (!writeRequest(this.links[k].req, K_HOLD, 0, 2, 0, tx, 0, EMPTY, 0, 0)) {
        throw new Error('shard set: no ring space for a HOLD marker');
      }
      this.links[k].dirty = true;
    }
    this.scheduleNotify();
  }

  /** A control op for a held shard, published and rung at once (round trips can't wait a turn). */
  sendControl(shard: number, kind: number, proto: number, db: number, tx: number, op: number, frame: Uint8Array): boolean {
    const link = this.links[shard];
    if (!writeRequest(link.ctrl, kind, 0, proto, db, tx, op, frame, 0, frame.length)) return false;
    link.ctrl.publish();
    link.ctrl.notify();
    // The HOLD marker itself may still sit unpublished in the request ring.
    link.dirty = false;
    link.req.publish();
    link.req.notify();
    return true;
  }

  /** Fire-and-forget internal op, in order with client commands (its reply is dropped). */
  adminSend(shard: number, args: string[], db: number): void {
    if (!this.sendRecord(shard, K_ADMIN, 2, db, 0, 0, encodeFrame(args))) {
      setTimeout(() => this.adminSend(shard, args, db), 1);
      return;
    }
    this.scheduleNotify();
  }

  /** Run an internal command on one shard, in order with client commands. */
  adminCall(shard: number, args: string[]): Promise<Buffer> {
    return new Promise((resolve) => {
      const gid = this.gather(1, (parts, err) => resolve(err ?? parts[0]));
      if (!this.sendRecord(shard, K_ADMIN, 2, 0, gid, 0, encodeFrame(args))) {
        // Rings full: retry shortly rather than block the acceptor.
        this.gathers.delete(gid);
        setTimeout(() => this.adminCall(shard, args).then(resolve), 1);
        return;
      }
      this.scheduleNotify();
    });
  }

  /** Run a client-visible command on every shard and collect the replies. */
  fanoutCall(args: string[], proto: 2 | 3, db: number): Promise<Buffer[]> {
    return new Promise((resolve) => {
      const frame = encodeFrame(args);
      const gid = this.gather(this.links.length, (parts, err) => resolve(err ? [err] : parts));
      for (const l of this.links) this.sendRecord(l.index, K_PART, proto, db, gid, l.index, frame);
      this.scheduleNotify();
    });
  }

  /** A gather of n parts (records tagged with the returned id and part number). */
  gather(n: number, done: GatherDone, failed: ((e: unknown) => void) | null = null): number {
    const id = this.nextGatherId;
    this.nextGatherId = (this.nextGatherId + 1) >>> 0 || 1;
    this.gathers.set(id, { parts: new Array(n).fill(null), remaining: n, done, failed });
    return id;
  }

  forgetGather(id: number): void {
    this.gathers.delete(id);
  }

  // ------------------------------------------------------------ wake-ups

  /** After a batch of input: publish what was written; sleeping shards are rung once this turn. */
  publish(): void {
    for (let k = 0; k < this.links.length; k++) {
      const l = this.links[k];
      if (!l.dirty) continue;
      l.dirty = false;
      if (l.req.publish()) this.toNotify.add(l);
    }
  }

  /** True when a published ring's shard sleeps and waits for notifyAll. */
  get wantsNotify(): boolean {
    return this.toNotify.size > 0;
  }

  notifyAll(): void {
    for (const l of this.toNotify) l.req.notify();
    this.toNotify.clear();
  }

  /** Records were written outside the input path (calls, holds): publish and ring this turn. */
  private scheduleNotify(): void {
    this.sink?.scheduleTurn();
  }

  /**
   * Block this thread until some reply ring has data (or timeoutMs passes),
   * then drain: for code that must wait for a held shard's answer in place
   * (scripts run on the acceptor). The event loop's own bell keeps working.
   */
  waitForReplies(timeoutMs: number): void {
    const v = Atomics.load(this.bell, 0);
    let ready = false;
    for (const l of this.links) if (l.rep.hasData()) ready = true;
    if (!ready) {
      // The event loop's own wait may have announced sleep already: leave
      // the flag as it was, or that waiter would never be woken.
      const prev = Atomics.load(this.bell, 1);
      Atomics.store(this.bell, 1, 1);
      for (const l of this.links) if (l.rep.hasData()) ready = true;
      if (!ready) Atomics.wait(this.bell, 0, v, timeoutMs);
      Atomics.store(this.bell, 1, prev);
    }
    this.drain();
  }

  // ------------------------------------------------------------- replies

  /** Drain every reply ring; returns how many records were read. */
  drain(): number {
    const sink = this.sink!;
    let total = 0;
    for (let k = 0; k < this.links.length; k++) {
      const ring = this.links[k].rep;
      let off: number;
      let n = 0;
      while ((off = ring.next()) >= 0) {
        n++;
        let b = ring.buf;
        let s = off;
        let e = off + ring.len;
        if (ring.large !== null) {
          b = ring.large;
          s = 0;
          e = b.length;
        }
        const kind = b[s];
        const tag1 = b === ring.buf ? ring.u32[(s + 4) >>> 2] : b.readUInt32LE(s + 4);
        const tag2 = b === ring.buf ? ring.u32[(s + 8) >>> 2] : b.readUInt32LE(s + 8);
        if (kind === K_CMD) {
          sink.onCommandReply(tag1, tag2, b, s + REP_HEADER, e);
        } else if (kind === K_PART || kind === K_ADMIN) {
          const g = this.gathers.get(tag1);
          if (g !== undefined) {
            g.parts[tag2 < g.parts.length ? tag2 : 0] = Buffer.from(b.subarray(s + REP_HEADER, e));
            if (--g.remaining === 0) {
              this.gathers.delete(tag1);
              this.finishGather(g, kind);
            }
          }
        } else if (kind === K_WAKE) {
          sink.onWake(tag1);
        } else if (kind === K_CTRL) {
          sink.onControlReply(tag1, tag2, Buffer.from(b.subarray(s + REP_HEADER, e)));
        } else if (kind === K_NOTE) {
          const args: string[] = [];
          parseFrame(b, s + REP_HEADER, e, args);
          sink.onNote(args);
        }
        if ((n & 1023) === 0) ring.release();
      }
      if (n > 0) ring.release();
      total += n;
    }
    return total;
  }

  /** Merge a complete gather; a failing merge is reported to its owner, nothing more. */
  private finishGather(g: Gather, kind: number): void {
    try {
      if (this.faultMerge && g.failed !== null) {
        this.faultMerge = false;
        throw new Error('injected fault (DEBUG KEYSHARD-FAULT merge)');
      }
      const err = kind === K_PART ? firstError(g.parts as Buffer[]) : null;
      g.done(g.parts as Buffer[], err);
    } catch (e) {
      if (g.failed !== null) g.failed(e);
      else throw e;
    }
  }

  private armBell(): void {
    if (this.stopped) return;
    if (this.pollLeft > 0) {
      // Replies are flowing: look again next loop turn instead of asking
      // the shards for a wake-up.
      this.pollLeft--;
      setImmediate(this.onBell);
      return;
    }
    const v = Atomics.load(this.bell, 0);
    Atomics.store(this.bell, 1, 1);
    for (const l of this.links) {
      if (l.rep.hasData()) {
        Atomics.store(this.bell, 1, 0);
        setImmediate(this.onBell);
        return;
      }
    }
    const r = Atomics.waitAsync(this.bell, 0, v);
    if (r.async) r.value.then(this.onBell);
    else setImmediate(this.onBell);
  }

  private onBell = (): void => {
    Atomics.store(this.bell, 1, 0);
    try {
      if (this.drain() > 0) this.pollLeft = POLL_TURNS;
      this.sink!.afterDrain();
    } catch (e) {
      // Whatever went wrong, the reply loop must go on or every client hangs.
      this.sink!.onLoopError(e);
    }
    this.armBell();
  };
}

const EMPTY = new Uint8Array(0);

/** The first error reply among parts, if any. */
export function firstError(parts: Buffer[]): Buffer | null {
  for (const p of parts) if (p !== null && p[0] === 0x2d) return p;
  return null;
}
