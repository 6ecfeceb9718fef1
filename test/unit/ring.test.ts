import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import {
  createRingBuffer,
  RingProducer,
  RingConsumer,
  RING_SEQ_INDEX,
  RING_SLEEPING_INDEX,
  RING_HEAD_INDEX,
} from '../../src/ring/ring';
// @ts-expect-error plain JS helper shared with the worker
import { rng32, nextLen, fillRecord, checkRecord } from './ring-stress-worker.mjs';

const HEAD = 0;
const TAIL = 16;
const WORKER = join(__dirname, 'ring-stress-worker.mjs');
const ROOT = join(__dirname, '..', '..');

function pair(cap: number, start?: number) {
  const sab = createRingBuffer(cap);
  if (start !== undefined) {
    const ctl = new Int32Array(sab, 0, 64);
    ctl[HEAD] = start | 0;
    ctl[TAIL] = start | 0;
  }
  return { sab, p: new RingProducer(sab), c: new RingConsumer(sab) };
}

function put(p: RingProducer, len: number, seq: number): number {
  const off = p.reserve(len);
  if (off < 0) return off;
  fillRecord(p.buf, off, len, seq);
  p.commit();
  return off;
}

/** Read one record and check it; expect() only on failure, it is slow in hot loops. */
function take(c: RingConsumer, len: number, seq: number): void {
  const off = c.next();
  const bad = off < 0 ? -2 : checkRecord(c.buf, off, c.len, seq);
  if (off < 0 || c.large !== null || c.len !== len || bad !== -1) {
    expect({ seq, found: off >= 0, large: c.large !== null, len: c.len, bad }).toEqual({
      seq,
      found: true,
      large: false,
      len,
      bad: -1,
    });
  }
}

describe('ring, one thread', () => {
  it('empty ring has nothing', () => {
    const { p, c } = pair(1024);
    expect(c.next()).toBe(-1);
    expect(c.hasData()).toBe(false);
    expect(p.publish()).toBe(false);
    expect(c.next()).toBe(-1);
  });

  it('one record, visible only after publish', () => {
    const { p, c } = pair(1024);
    const off = p.reserve(11);
    expect(off).toBeGreaterThanOrEqual(0);
    p.buf.write('hello world', off, 'latin1');
    p.commit();
    expect(p.unpublished).toBe(1);
    expect(c.next()).toBe(-1);
    p.publish();
    expect(p.unpublished).toBe(0);
    expect(c.hasData()).toBe(true);
    const r = c.next();
    expect(c.len).toBe(11);
    expect(c.buf.latin1Slice(r, r + c.len)).toBe('hello world');
    expect(c.next()).toBe(-1);
    c.release();
    expect(c.hasData()).toBe(false);
  });

  it('many random-sized records, random interleaving, exact bytes', () => {
    const { p, c } = pair(4096);
    const rnd = rng32(1);
    const queue: number[] = [];
    let wseq = 0;
    let rseq = 0;
    while (rseq < 20000) {
      const writes = Math.floor(rnd() * 20);
      for (let i = 0; i < writes; i++) {
        const len = Math.floor(rnd() * (p.maxRecord + 1));
        const can = p.canWrite(len);
        const off = put(p, len, wseq);
        if (off >= 0 !== can) expect({ len, off, can }).toBe(null);
        if (off < 0) break;
        queue.push(len);
        wseq++;
      }
      if (rnd() < 0.7) p.publish();
      const reads = Math.floor(rnd() * 20);
      for (let i = 0; i < reads; i++) {
        const off = c.next();
        if (off < 0) {
          // Nothing visible: what is left in the queue must be exactly the unpublished part.
          expect(queue.length).toBe(p.unpublished);
          break;
        }
        const len = queue.shift()!;
        if (c.len !== len || checkRecord(c.buf, off, len, rseq) !== -1) expect({ rseq, len: c.len }).toEqual({ rseq, len });
        rseq++;
      }
      if (rnd() < 0.5) c.release();
    }
    expect(wseq).toBeGreaterThanOrEqual(rseq);
  });

  it('exact bytes across many records', () => {
    const { p, c } = pair(2048);
    const rnd = rng32(7);
    let w = 0;
    let r = 0;
    const lens: number[] = [];
    while (r < 30000) {
      for (;;) {
        const len = Math.floor(rnd() * (p.maxRecord + 1));
        if (put(p, len, w) < 0) break;
        lens.push(len);
        w++;
      }
      p.publish();
      const k = 1 + Math.floor(rnd() * lens.length);
      for (let i = 0; i < k; i++) take(c, lens.shift()!, r++);
      c.release();
    }
  });

  it('wrap-around at every 8-byte alignment and every size', () => {
    const cap = 256;
    // The second base puts the ring's end on the 2^32 boundary of the positions.
    for (let start = 0; start < 2 * cap; start += 8) {
      const base = start < cap ? start : 2 ** 32 - 2 * cap + start;
      for (let len = 0; len <= cap / 4; len++) {
        const { p, c } = pair(cap, base);
        const need = (4 + len + 7) & ~7;
        const off = put(p, len, start + len);
        const pos = base & (cap - 1);
        // Ends exactly at the end or earlier: in place; otherwise a wrap marker.
        expect(off).toBe(pos + need <= cap ? pos + 4 : 4);
        // A 0-byte record right after, then one of the same size again.
        put(p, 0, 1);
        put(p, len, 2);
        p.publish();
        take(c, len, start + len);
        take(c, 0, 1);
        take(c, len, 2);
        if (c.next() !== -1 || c.hasData()) expect({ start, len }).toBe('empty');
        c.release();
      }
    }
  });

  it('full ring: reserve fails, canWrite false, then drain and continue', () => {
    const { p, c } = pair(256);
    // Each 60-byte record takes 64 bytes: exactly four fit.
    for (let i = 0; i < 4; i++) expect(put(p, 60, i)).toBeGreaterThanOrEqual(0);
    expect(p.canWrite(0)).toBe(false);
    expect(p.reserve(0)).toBe(-1);
    expect(p.canWrite(60)).toBe(false);
    p.publish();
    take(c, 60, 0);
    // Consumed but not released: the producer still sees a full ring.
    expect(p.canWrite(60)).toBe(false);
    c.release();
    expect(p.canWrite(60)).toBe(true);
    expect(p.canWrite(61)).toBe(false);
    expect(put(p, 60, 4)).toBeGreaterThanOrEqual(0);
    expect(p.reserve(0)).toBe(-1);
    p.publish();
    for (let i = 1; i <= 4; i++) take(c, 60, i);
    c.release();
    expect(c.next()).toBe(-1);
  });

  it('a record that fits only at the end, and a wrap that needs skip + record', () => {
    const { p, c } = pair(256);
    put(p, 60, 0); // 0..64
    put(p, 60, 1); // 64..128
    put(p, 60, 2); // 128..192
    put(p, 52, 3); // 192..248
    // 8 bytes left, all at the end: a record of up to 4 bytes ends exactly there.
    expect(p.canWrite(4)).toBe(true);
    expect(p.canWrite(5)).toBe(false);
    p.publish();
    take(c, 60, 0);
    c.release();
    // 72 free: 8 at the end (skipped) + 64 at the start.
    expect(p.canWrite(60)).toBe(true);
    expect(p.canWrite(61)).toBe(false);
    expect(put(p, 61, 9)).toBe(-1);
    expect(put(p, 60, 4)).toBe(4);
    expect(p.canWrite(0)).toBe(false);
    expect(p.reserve(0)).toBe(-1);
    p.publish();
    for (let i = 1; i <= 2; i++) take(c, 60, i);
    take(c, 52, 3);
    take(c, 60, 4);
    c.release();
    expect(c.next()).toBe(-1);
    // Exactly at the end: a 4-byte record at 248 with no wrap marker.
    expect(put(p, 60, 5)).toBe(68);
    expect(put(p, 60, 6)).toBe(132);
    expect(put(p, 52, 7)).toBe(196);
    expect(put(p, 4, 8)).toBe(252);
    expect(put(p, 0, 9)).toBe(4);
    p.publish();
    take(c, 60, 5);
    take(c, 60, 6);
    take(c, 52, 7);
    take(c, 4, 8);
    take(c, 0, 9);
    expect(c.next()).toBe(-1);
  });

  it('canWrite agrees with reserve', () => {
    const { p, c } = pair(512);
    const rnd = rng32(3);
    for (let i = 0; i < 20000; i++) {
      const len = Math.floor(rnd() * (p.maxRecord + 1));
      const can = p.canWrite(len);
      const off = p.reserve(len);
      if (off >= 0 !== can) expect({ i, len, off, can }).toBe(null);
      if (off >= 0) p.commit();
      p.publish();
      if (rnd() < 0.4) {
        while (c.next() >= 0 && rnd() < 0.8);
        c.release();
      }
    }
  });

  it('head and tail wrapping past 2^32', () => {
    const start = 0xfffff000;
    for (const cap of [256, 4096, 65536]) {
      const { sab, p, c } = pair(cap, start);
      const ctl = new Int32Array(sab, 0, 64);
      const rnd = rng32(cap);
      const lens: number[] = [];
      let w = 0;
      let r = 0;
      let bytes = 0;
      // Run well past the 2^32 boundary, filling the ring each round so the
      // full check is exercised on both sides of it.
      while (bytes < 3 * 0x1000 + 4 * cap) {
        for (;;) {
          const len = Math.floor(rnd() * (p.maxRecord + 1));
          if (put(p, len, w) < 0) break;
          lens.push(len);
          w++;
        }
        p.publish();
        const used = ((ctl[TAIL] >>> 0) - (ctl[HEAD] >>> 0)) >>> 0;
        expect(used).toBeLessThanOrEqual(cap);
        // A full ring has less free space than one max record plus a wrap skip.
        expect(cap - used).toBeLessThan(2 * (p.maxRecord + 8));
        const k = 1 + Math.floor(rnd() * lens.length);
        for (let i = 0; i < k; i++) {
          const len = lens.shift()!;
          take(c, len, r++);
          bytes += (4 + len + 7) & ~7;
        }
        c.release();
      }
      while (lens.length) take(c, lens.shift()!, r++);
      c.release();
      expect(c.next()).toBe(-1);
      expect(ctl[HEAD] >>> 0).toBeLessThan(start);
      expect(ctl[HEAD]).toBe(ctl[TAIL]);
    }
  });

  it('large records over the side channel keep their order', () => {
    const ch = new MessageChannel();
    try {
      const sab = createRingBuffer(1024);
      const p = new RingProducer(sab, ch.port1);
      const c = new RingConsumer(sab, ch.port2);
      const rnd = rng32(11);
      const lens: number[] = [];
      let w = 0;
      let r = 0;
      let large = 0;
      while (r < 3000) {
        for (;;) {
          const len = rnd() < 0.3 ? p.maxRecord + 1 + Math.floor(rnd() * 3000) : Math.floor(rnd() * (p.maxRecord + 1));
          const can = p.canWrite(len);
          let ok: boolean;
          if (len > p.maxRecord) {
            const b = new Uint8Array(len);
            fillRecord(b, 0, len, w);
            ok = p.writeLarge(b);
          } else ok = put(p, len, w) >= 0;
          expect(ok).toBe(can);
          if (!ok) break;
          lens.push(len);
          w++;
        }
        p.publish();
        const k = 1 + Math.floor(rnd() * lens.length);
        for (let i = 0; i < k; i++) {
          const len = lens.shift()!;
          if (len > p.maxRecord) {
            const off = c.next();
            expect(off).toBeGreaterThanOrEqual(0);
            expect(c.large).not.toBeNull();
            expect(c.large!.length).toBe(len);
            expect(checkRecord(c.large!, 0, len, r)).toBe(-1);
            large++;
            r++;
          } else take(c, len, r++);
        }
        c.release();
      }
      expect(large).toBeGreaterThan(500);
    } finally {
      ch.port1.close();
      ch.port2.close();
    }
  });

  it('writeLarge without a port throws; a marker without its buffer throws', () => {
    const sab = createRingBuffer(256);
    const p = new RingProducer(sab);
    expect(() => p.writeLarge(new Uint8Array(100))).toThrow(/no port/);
    const ch = new MessageChannel();
    try {
      const p2 = new RingProducer(sab, ch.port1);
      const c = new RingConsumer(sab, new MessageChannel().port2);
      p2.writeLarge(new Uint8Array(100));
      p2.publish();
      expect(() => c.next()).toThrow(/without its buffer/);
    } finally {
      ch.port1.close();
      ch.port2.close();
    }
  });

  it('sleep handshake flags', () => {
    const { sab, p, c } = pair(256);
    const ctl = new Int32Array(sab, 0, 64);
    const seq = c.prepareSleep();
    expect(seq).toBe(ctl[RING_SEQ_INDEX]);
    expect(ctl[RING_SLEEPING_INDEX]).toBe(1);
    put(p, 3, 0);
    expect(p.publish()).toBe(true);
    expect(ctl[RING_SEQ_INDEX]).not.toBe(seq);
    c.awake();
    expect(ctl[RING_SLEEPING_INDEX]).toBe(0);
    // Data already there: do not sleep.
    expect(c.prepareSleep()).toBeNull();
    expect(ctl[RING_SLEEPING_INDEX]).toBe(0);
    take(c, 3, 0);
    c.release();
    expect(ctl[RING_HEAD_INDEX]).toBe(ctl[TAIL]);
    put(p, 3, 1);
    expect(p.publish()).toBe(false);
  });
});

interface WorkerResult {
  ok: boolean;
  error?: string;
  bad?: string | null;
  waits?: number;
  sleepers?: number;
  sleeps?: number;
  large?: number;
}

function runWorker(data: Record<string, unknown>, transfer: any[]): { w: Worker; done: Promise<WorkerResult> } {
  const w = new Worker(WORKER, { workerData: { ringStress: true, ...data }, transferList: transfer });
  const done = new Promise<WorkerResult>((resolve, reject) => {
    let res: WorkerResult | null = null;
    w.once('message', (m) => (res = m));
    w.once('error', reject);
    w.once('exit', (code) => (res ? resolve(res) : reject(new Error('worker exited with ' + code))));
  });
  return { w, done };
}

/** Main-thread consumer that sleeps with Atomics.waitAsync on the SEQ word. */
async function consumeAsync(
  c: RingConsumer,
  n: number,
  seed: number,
  largeRate: number,
  slow = 0,
): Promise<{ sleeps: number; large: number }> {
  const rnd = rng32(seed);
  let sleeps = 0;
  let large = 0;
  for (let seq = 0; seq < n; ) {
    const off = c.next();
    if (off < 0) {
      c.release();
      const s = c.prepareSleep();
      if (s === null) continue;
      const r = Atomics.waitAsync(c.ctl, RING_SEQ_INDEX, s, 2000);
      if (r.async) {
        if ((await r.value) === 'timed-out') throw new Error(`consumer starved at seq ${seq}`);
      }
      c.awake();
      sleeps++;
      continue;
    }
    const want = nextLen(rnd, c.maxRecord, largeRate);
    if (want > c.maxRecord) {
      large++;
      if (c.large === null || c.large.length !== want) throw new Error(`seq ${seq}: bad large record`);
      const at = checkRecord(c.large, 0, want, seq);
      if (at >= 0) throw new Error(`seq ${seq}: large byte ${at} differs`);
    } else {
      if (c.large !== null || c.len !== want) throw new Error(`seq ${seq}: length ${c.len} != ${want}`);
      const at = checkRecord(c.buf, off, want, seq);
      if (at >= 0) throw new Error(`seq ${seq}: byte ${at} differs`);
    }
    seq++;
    if ((seq & 63) === 0) {
      c.release();
      // A slow consumer: let the producer fill the ring and block.
      if (slow && seq % slow === 0) await new Promise((r) => setTimeout(r, 1));
    }
  }
  c.release();
  expect(c.next()).toBe(-1);
  return { sleeps, large };
}

describe('ring, two threads', () => {
  beforeAll(() => {
    // The worker runs the compiled ring; `make test` builds first.
    if (!existsSync(join(ROOT, 'dist/ring/ring.js'))) {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', ROOT]);
    }
  }, 60_000);

  it('worker produces, main consumes with waitAsync', async () => {
    const n = 200_000;
    const seed = 42;
    const largeRate = 0.002;
    const sab = createRingBuffer(64 * 1024);
    const ch = new MessageChannel();
    const c = new RingConsumer(sab, ch.port2);
    const { done } = runWorker({ mode: 'produce', sab, port: ch.port1, n, seed, largeRate, batch: 16 }, [ch.port1]);
    try {
      const got = await consumeAsync(c, n, seed, largeRate);
      const res = await done;
      expect(res.ok, res.error).toBe(true);
      expect(got.large).toBeGreaterThan(200);
    } finally {
      ch.port2.close();
    }
  }, 30_000);

  it('main produces, worker consumes with sleep()', async () => {
    const n = 200_000;
    const seed = 43;
    const largeRate = 0.002;
    const sab = createRingBuffer(64 * 1024);
    const ch = new MessageChannel();
    const p = new RingProducer(sab, ch.port1);
    const { done } = runWorker({ mode: 'consume', sab, port: ch.port2, n, seed, largeRate }, [ch.port2]);
    const rnd = rng32(seed);
    const scratch = new Uint8Array(Math.max(p.maxRecord * 2, 1024) + 1);
    let waits = 0;
    try {
      for (let seq = 0; seq < n; seq++) {
        const len = nextLen(rnd, p.maxRecord, largeRate);
        for (;;) {
          let ok: boolean;
          if (len > p.maxRecord) {
            fillRecord(scratch, 0, len, seq);
            ok = p.writeLarge(scratch.subarray(0, len));
          } else {
            const off = p.reserve(len);
            ok = off >= 0;
            if (ok) {
              fillRecord(p.buf, off, len, seq);
              p.commit();
            }
          }
          if (ok) break;
          // Full: publish what we have, then wait for the consumer to move HEAD.
          p.publish();
          p.notify();
          const head = Atomics.load(p.ctl, RING_HEAD_INDEX);
          if (!p.canWrite(len)) {
            const r = Atomics.waitAsync(p.ctl, RING_HEAD_INDEX, head, 2000);
            if (r.async && (await r.value) === 'timed-out') throw new Error(`producer stuck at seq ${seq}`);
          }
          waits++;
        }
        if (p.unpublished >= 16) {
          p.publish();
          p.notify();
        }
      }
      p.publish();
      p.notify();
      const res = await done;
      expect(res.ok, res.error).toBe(true);
      expect(res.bad).toBeNull();
      expect(res.large).toBeGreaterThan(200);
    } finally {
      ch.port1.close();
    }
  }, 30_000);

  it('backpressure: tiny ring, producer blocks in waitForSpace', async () => {
    const n = 20_000;
    const seed = 44;
    const largeRate = 0.01;
    const sab = createRingBuffer(256);
    const ch = new MessageChannel();
    const c = new RingConsumer(sab, ch.port2);
    const { done } = runWorker({ mode: 'produce', sab, port: ch.port1, n, seed, largeRate, batch: 8 }, [ch.port1]);
    try {
      const got = await consumeAsync(c, n, seed, largeRate, 64 * 16);
      const res = await done;
      expect(res.ok, res.error).toBe(true);
      expect(res.waits).toBeGreaterThan(10);
      expect(got.large).toBeGreaterThan(50);
    } finally {
      ch.port2.close();
    }
  }, 30_000);

  it('ping-pong: main waitAsync, worker sleep()', async () => {
    const trips = 500;
    const inSab = createRingBuffer(256);
    const outSab = createRingBuffer(256);
    const p = new RingProducer(inSab);
    const c = new RingConsumer(outSab);
    const { done } = runWorker({ mode: 'pong', inSab, outSab, n: trips }, []);
    for (let i = 0; i < trips; i++) {
      const o = p.reserve(4);
      p.buf.writeUInt32LE(i, o);
      p.commit();
      p.publish();
      p.notify();
      let off: number;
      while ((off = c.next()) < 0) {
        const s = c.prepareSleep();
        if (s === null) continue;
        const r = Atomics.waitAsync(c.ctl, RING_SEQ_INDEX, s, 2000);
        if (r.async && (await r.value) === 'timed-out') throw new Error(`no pong for ${i}`);
        c.awake();
      }
      expect(c.buf.readUInt32LE(off)).toBe(i);
      c.release();
    }
    const res = await done;
    expect(res.ok, res.error).toBe(true);
  }, 30_000);
});
