// Blocking list and sorted-set commands, on one shard and across shards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { startServer, Spawned } from './helpers/server';
import { slotOfString, slotRanges } from '../src/util/slot';

const SHARDS = 4;

function shardOf(key: string): number {
  const slot = slotOfString(key);
  return slotRanges(SHARDS).findIndex(([a, b]) => slot >= a && slot < b);
}

/** Two keys on different shards. */
function splitPair(prefix: string): [string, string] {
  const a = `${prefix}:a`;
  for (let i = 0; ; i++) {
    const b = `${prefix}:b${i}`;
    if (shardOf(b) !== shardOf(a)) return [a, b];
  }
}

async function blockedClients(r: Redis): Promise<number> {
  return Number(/blocked_clients:(\d+)/.exec(await r.info('clients'))![1]);
}

async function waitBlocked(r: Redis, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await blockedClients(r)) === n) return;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`expected ${n} blocked clients, have ${await blockedClients(r)}`);
}

describe(`blocking commands (${SHARDS} shards)`, () => {
  let srv: Spawned;
  let r: Redis;
  beforeAll(async () => {
    srv = await startServer({ shards: SHARDS });
    r = new Redis(srv.port);
  });
  afterAll(async () => {
    r?.disconnect();
    await srv?.stop();
  });

  for (const cross of [false, true]) {
    const label = cross ? 'keys on different shards' : 'keys on one shard';

    it(`BLPOP is served by a later push, first come first served (${label})`, async () => {
      const [a, b] = cross ? splitPair('fifo') : ['fifo{x}:a', 'fifo{x}:b'];
      const c1 = new Redis(srv.port);
      const c2 = new Redis(srv.port);
      const p1 = c1.blpop(a, b, 0);
      await waitBlocked(r, 1);
      const p2 = c2.blpop(a, b, 0);
      await waitBlocked(r, 2);
      await r.rpush(b, 'one');
      expect(await p1).toEqual([b, 'one']);
      await r.rpush(a, 'two');
      expect(await p2).toEqual([a, 'two']);
      await waitBlocked(r, 0);
      c1.disconnect();
      c2.disconnect();
    });

    it(`BLPOP times out with a null reply after its (decimal) timeout (${label})`, async () => {
      const [a, b] = cross ? splitPair('to') : ['to{x}:a', 'to{x}:b'];
      const t0 = Date.now();
      expect(await r.blpop(a, b, 0.2)).toBe(null);
      const dt = Date.now() - t0;
      expect(dt).toBeGreaterThanOrEqual(190);
      expect(dt).toBeLessThan(2000);
    });

    it(`serves the first non-empty key from the left (${label})`, async () => {
      const [a, b] = cross ? splitPair('left') : ['left{x}:a', 'left{x}:b'];
      await r.rpush(b, 'b1');
      await r.rpush(a, 'a1');
      expect(await r.blpop(a, b, 1)).toEqual([a, 'a1']);
      expect(await r.blpop(a, b, 1)).toEqual([b, 'b1']);
    });

    it(`CLIENT UNBLOCK ends the wait with the timeout reply or an error (${label})`, async () => {
      const [a, b] = cross ? splitPair('unb') : ['unb{x}:a', 'unb{x}:b'];
      const c = new Redis(srv.port);
      const id = await c.client('ID');
      const p = c.brpop(a, b, 0);
      await waitBlocked(r, 1);
      expect(await r.client('UNBLOCK', id)).toBe(1);
      expect(await p).toBe(null);
      const p2 = expect(c.brpop(a, b, 0)).rejects.toThrow('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      await waitBlocked(r, 1);
      expect(await r.client('UNBLOCK', id, 'ERROR')).toBe(1);
      await p2;
      expect(await r.client('UNBLOCK', id)).toBe(0);
      c.disconnect();
    });

    it(`a client that disconnects while blocked leaves nothing behind (${label})`, async () => {
      const [a, b] = cross ? splitPair('gone') : ['gone{x}:a', 'gone{x}:b'];
      const c = new Redis(srv.port);
      c.blpop(a, b, 0).catch(() => {});
      await waitBlocked(r, 1);
      c.disconnect();
      await waitBlocked(r, 0);
      await r.rpush(a, 'kept');
      await new Promise((res) => setTimeout(res, 50));
      expect(await r.lrange(a, 0, -1)).toEqual(['kept']);
      await r.del(a);
    });

    it(`BLMOVE waits, then moves atomically (${label})`, async () => {
      const [src, dst] = cross ? splitPair('mv') : ['mv{x}:a', 'mv{x}:b'];
      const c = new Redis(srv.port);
      const p = c.blmove(src, dst, 'LEFT', 'RIGHT', 0);
      await waitBlocked(r, 1);
      await r.rpush(src, 'v');
      expect(await p).toBe('v');
      expect(await r.lrange(dst, 0, -1)).toEqual(['v']);
      expect(await r.exists(src)).toBe(0);
      c.disconnect();
    });

    it(`BZPOPMIN waits for ZADD (${label})`, async () => {
      const [a, b] = cross ? splitPair('z') : ['z{x}:a', 'z{x}:b'];
      const c = new Redis(srv.port);
      const p = c.bzpopmin(a, b, 0);
      await waitBlocked(r, 1);
      await r.zadd(b, 2, 'm2', 1, 'm1');
      expect(await p).toEqual([b, 'm1', '1']);
      expect(await r.zrange(b, 0, -1)).toEqual(['m2']);
      c.disconnect();
    });
  }

  it('a blocked client processes its pipelined commands only after it is served', async () => {
    const c = new Redis(srv.port);
    const p = c.pipeline().blpop('pipe{x}', 0).rpush('pipe{x}', 'self').exec();
    await waitBlocked(r, 1);
    // The RPUSH behind the BLPOP has not run: the list is still empty.
    expect(await r.llen('pipe{x}')).toBe(0);
    await r.rpush('pipe{x}', 'other');
    const res = await p;
    expect(res).toEqual([
      [null, ['pipe{x}', 'other']],
      [null, 1],
    ]);
    c.disconnect();
  });

  it('rejects bad timeouts with Redis errors', async () => {
    await expect(r.blpop('x', -1)).rejects.toThrow('ERR timeout is negative');
    await expect(r.blpop('x', 'abc')).rejects.toThrow('ERR timeout is not a float or out of range');
  });
});
