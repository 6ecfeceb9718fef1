// The acceptor's handle on each shard worker: its rings, its thread, and the
// per-turn doorbell batching described in docs/ARCHITECTURE.md.

import { Worker, MessageChannel } from 'node:worker_threads';
import * as path from 'node:path';
import { createRingBuffer, RingConsumer, RingProducer } from '../ring/ring';
import { REQ_HEADER } from '../ring/records';
import type { WorkerInit } from '../shard/worker';

export const REQ_RING_BYTES = 4 * 1024 * 1024;
export const CTRL_RING_BYTES = 256 * 1024;
export const REP_RING_BYTES = 4 * 1024 * 1024;

export class ShardLink {
  readonly req: RingProducer;
  readonly ctrl: RingProducer;
  readonly rep: RingConsumer;
  readonly worker: Worker;
  /** Records committed since the last publish. */
  dirty = false;
  exited = false;

  constructor(readonly index: number, init: Omit<WorkerInit, 'reqSab' | 'ctrlSab' | 'repSab' | 'reqPort' | 'ctrlPort' | 'repPort'>) {
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
    const data: WorkerInit = {
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

  /** Reserve a request record; returns the payload offset or -1 if full. */
  reserve(n: number): number {
    return this.req.reserve(REQ_HEADER + n);
  }
}

/** Write a request header at b[off]. */
/** Young generation of each shard's V8 heap, MB (see the Worker options). */
export const SHARD_YOUNG_GEN_MB = 6;

export function writeReqHeader(b: Buffer, off: number, kind: number, proto: number, db: number, tag1: number, tag2: number): void {
  b[off] = kind;
  b[off + 1] = proto;
  b[off + 2] = 0;
  b[off + 3] = 0;
  b.writeUInt32LE(tag1 >>> 0, off + 4);
  b.writeUInt32LE(tag2 >>> 0, off + 8);
  b.writeUInt32LE(db >>> 0, off + 12);
}
