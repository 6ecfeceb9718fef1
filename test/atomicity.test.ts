// Cross-shard atomicity: no client may observe half of a multi-shard command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { startServer, Spawned } from './helpers/server';
import { slotOfString, slotRanges } from '../src/util/slot';

const SHARDS = 4;

/** One key per shard (k = shard index), so every multi-key command spans all shards. */
function keysOnEveryShard(prefix: string): string[] {
  const ranges = slotRanges(SHARDS);
  const out: string[] = new Array(SHARDS);
  for (let i = 0; out.filter(Boolean).length < SHARDS; i++) {
    const k = `${prefix}:${i}`;
    const slot = slotOfString(k);
    const shard = ranges.findIndex(([a, b]) => slot >= a && slot < b);
    if (!out[shard]) out[shard] = k;
  }
  return out;
}

describe('cross-shard atomicity (4 shards)', () => {
  let srv: Spawned;
  beforeAll(async () => {
    srv = await startServer({ shards: SHARDS });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('MSET is never seen half-applied by MGET', async () => {
    const keys = keysOnEveryShard('mset');
    const writers = [new Redis(srv.port), new Redis(srv.port)];
    const readers = [new Redis(srv.port), new Redis(srv.port), new Redis(srv.port)];
    await writers[0].mset(...keys.flatMap((k) => [k, 'w0-0']));
    let stop = false;
    let torn = 0;
    let reads = 0;
    const writing = writers.map(async (w, wi) => {
      for (let i = 1; !stop; i++) {
        const v = `w${wi}-${i}`;
        await w.mset(...keys.flatMap((k) => [k, v]));
      }
    });
    const reading = readers.map(async (r) => {
      while (!stop) {
        const vals = await r.mget(...keys);
        reads++;
        if (new Set(vals).size !== 1) torn++;
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await Promise.all([...writing, ...reading]);
    [...writers, ...readers].forEach((c) => c.disconnect());
    expect(reads).toBeGreaterThan(100);
    expect(torn).toBe(0);
  });

  it('DEL and EXISTS across shards are all-or-nothing', async () => {
    const keys = keysOnEveryShard('del');
    const w = new Redis(srv.port);
    const r = new Redis(srv.port);
    let stop = false;
    let torn = 0;
    let reads = 0;
    const writing = (async () => {
      while (!stop) {
        await w.mset(...keys.flatMap((k) => [k, 'x']));
        await w.del(...keys);
      }
    })();
    const reading = (async () => {
      while (!stop) {
        const n = await r.exists(...keys);
        reads++;
        if (n !== 0 && n !== keys.length) torn++;
      }
    })();
    await new Promise((res) => setTimeout(res, 1000));
    stop = true;
    await Promise.all([writing, reading]);
    w.disconnect();
    r.disconnect();
    expect(reads).toBeGreaterThan(50);
    expect(torn).toBe(0);
  });

  it('RENAME back and forth between shards: EXISTS always sees exactly one', async () => {
    const [a, b] = keysOnEveryShard('ren');
    const w = new Redis(srv.port);
    const readers = [new Redis(srv.port), new Redis(srv.port)];
    await w.del(a, b);
    await w.set(a, 'payload', 'PX', 600000);
    let stop = false;
    let torn = 0;
    let reads = 0;
    let renames = 0;
    const writing = (async () => {
      while (!stop) {
        await w.rename(a, b);
        await w.rename(b, a);
        renames += 2;
      }
    })();
    const reading = readers.map(async (r) => {
      while (!stop) {
        const [n, vals] = await Promise.all([r.exists(a, b), r.mget(a, b)]);
        reads++;
        if (n !== 1) torn++;
        if (vals.filter((v) => v === 'payload').length !== 1) torn++;
      }
    });
    await new Promise((res) => setTimeout(res, 1500));
    stop = true;
    await Promise.all([writing, ...reading]);
    // The TTL travelled with the value.
    const pttl = await w.pttl(a);
    expect(pttl).toBeGreaterThan(500000);
    [w, ...readers].forEach((c) => c.disconnect());
    expect(renames).toBeGreaterThan(20);
    expect(reads).toBeGreaterThan(50);
    expect(torn).toBe(0);
  });

  it('MSETNX across shards sets all or none', async () => {
    const keys = keysOnEveryShard('nx');
    const c = new Redis(srv.port);
    await c.del(...keys);
    await c.set(keys[2], 'taken');
    expect(await c.msetnx(...keys.flatMap((k) => [k, 'v']))).toBe(0);
    expect(await c.exists(...keys)).toBe(1);
    await c.del(keys[2]);
    expect(await c.msetnx(...keys.flatMap((k) => [k, 'v']))).toBe(1);
    expect(await c.mget(...keys)).toEqual(keys.map(() => 'v'));
    c.disconnect();
  });
});
