// SCAN across shards: one call goes on into the next shards' slots until it
// has about COUNT keys, so a small keyspace comes back in one call with
// cursor 0 (as from one Redis), and a full iteration returns every key that
// is present throughout at least once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { startServer, Spawned } from './helpers/server';

for (const shards of [1, 4]) {
  describe(`SCAN (${shards} shard(s))`, () => {
    let srv: Spawned;
    let r: Redis;
    beforeAll(async () => {
      srv = await startServer({ shards });
      r = new Redis(srv.port);
    });
    afterAll(async () => {
      r?.disconnect();
      await srv?.stop();
    });

    it('a keyspace of up to 10 keys comes back in one call with cursor 0', async () => {
      for (const n of [0, 1, 2, 3, 5, 7, 10]) {
        await r.flushall();
        const keys = Array.from({ length: n }, (_, i) => `small:${n}:${i}`);
        for (const k of keys) await r.set(k, 'v');
        const [cursor, got] = await r.scan('0');
        expect(cursor).toBe('0');
        expect([...got].sort()).toEqual([...keys].sort());
      }
    });

    it('MATCH and TYPE pages of a small keyspace also finish in one call', async () => {
      await r.flushall();
      await r.set('s:a', '1');
      await r.set('s:b', '2');
      await r.rpush('l:a', 'x');
      await r.sadd('t:a', 'y');
      const [c1, m] = await r.scan('0', 'MATCH', 's:*');
      expect(c1).toBe('0');
      expect([...m].sort()).toEqual(['s:a', 's:b']);
      const [c2, t] = await r.scan('0', 'TYPE', 'list');
      expect(c2).toBe('0');
      expect(t).toEqual(['l:a']);
      const [c3, big] = await r.scan('0', 'COUNT', '1000');
      expect(c3).toBe('0');
      expect([...big].sort()).toEqual(['l:a', 's:a', 's:b', 't:a']);
    });

    it('a page holds about COUNT keys and a full scan returns every key', async () => {
      await r.flushall();
      const keys = Array.from({ length: 3000 }, (_, i) => `big:${i}`);
      for (let i = 0; i < keys.length; i += 500) await r.mset(...keys.slice(i, i + 500).flatMap((k) => [k, 'v']));
      for (const count of [undefined, 7, 100, 5000]) {
        const seen = new Set<string>();
        let cursor = '0';
        let calls = 0;
        let maxPage = 0;
        do {
          const [c, page] = count === undefined ? await r.scan(cursor) : await r.scan(cursor, 'COUNT', String(count));
          for (const k of page) seen.add(k);
          maxPage = Math.max(maxPage, page.length);
          cursor = c;
          calls++;
        } while (cursor !== '0' && calls < 10000);
        expect(cursor).toBe('0');
        expect(seen.size).toBe(keys.length);
        if (count === 5000) expect(calls).toBe(shards === 1 ? 1 : Math.ceil(shards / 4));
        // Whole slots are returned, so a page can pass COUNT by one slot's keys, not by a shard's.
        if (count === 7) expect(maxPage).toBeLessThan(60);
      }
    });

    it('keys present for the whole scan are returned while others come and go', async () => {
      await r.flushall();
      const stable = Array.from({ length: 1000 }, (_, i) => `keep:${i}`);
      await r.mset(...stable.flatMap((k) => [k, 'v']));
      const churn = new Redis(srv.port);
      let stop = false;
      const churning = (async () => {
        for (let i = 0; !stop; i++) {
          await churn.set(`tmp:${i % 300}`, 'x');
          if (i % 3 === 0) await churn.del(`tmp:${(i * 7) % 300}`);
        }
      })();
      const seen = new Set<string>();
      let cursor = '0';
      do {
        const [c, page] = await r.scan(cursor, 'COUNT', '20');
        for (const k of page) seen.add(k);
        cursor = c;
      } while (cursor !== '0');
      stop = true;
      await churning;
      churn.disconnect();
      for (const k of stable) expect(seen.has(k)).toBe(true);
    });

    it('errors are the shard handler errors, once', async () => {
      expect(await r.call('SCAN', 'x').catch((e) => String(e))).toBe('ReplyError: ERR invalid cursor');
      expect(await r.call('SCAN', '0', 'COUNT', '0').catch((e) => String(e))).toBe('ReplyError: ERR syntax error');
      expect(await r.call('SCAN', '0', 'BOGUS', '1').catch((e) => String(e))).toBe('ReplyError: ERR syntax error');
    });
  });
}
