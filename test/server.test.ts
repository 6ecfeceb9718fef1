// End-to-end behaviour through a spawned server, with 1 shard and with 4
// (the cross-shard paths differ), via ioredis and raw sockets.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import Redis from 'ioredis';
import { startServer, Spawned, RawClient, frame } from './helpers/server';

/** CLIENT ID of a raw connection (read until the whole integer reply is in). */
async function clientId(c: RawClient): Promise<number> {
  c.send(frame('CLIENT', 'ID'));
  let s = '';
  while (!s.endsWith('\r\n')) {
    const got = await c.read(1);
    if (got === '') throw new Error('no reply to CLIENT ID');
    s += got;
  }
  const m = /^:(\d+)\r\n$/.exec(s);
  if (!m) throw new Error('unexpected CLIENT ID reply ' + JSON.stringify(s));
  return Number(m[1]);
}

/** Redis 7.0.15's reply to HELLO 3 on the connection with this id. */
function hello3Reply(id: number): string {
  return (
    '%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n' +
    '$2\r\nid\r\n:' + id + '\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n'
  );
}

for (const shards of [1, 4]) {
  describe(`server with ${shards} shard(s)`, () => {
    let srv: Spawned;
    let r: Redis;
    beforeAll(async () => {
      srv = await startServer({ shards });
      r = new Redis(srv.port); // ioredis runs its INFO ready check here
      await r.ping();
    });
    afterAll(async () => {
      r?.disconnect();
      await srv?.stop();
    });

    it('strings and keys through ioredis', async () => {
      expect(await r.set('foo', 'bar')).toBe('OK');
      expect(await r.get('foo')).toBe('bar');
      expect(await r.mset('a', '1', 'b', '2', 'c', '3', 'd', '4')).toBe('OK');
      expect(await r.mget('a', 'b', 'nope', 'c', 'd')).toEqual(['1', '2', null, '3', '4']);
      expect(await r.exists('a', 'b', 'a', 'nope')).toBe(3);
      expect(await r.del('a', 'b', 'nope')).toBe(2);
      expect(await r.incr('counter')).toBe(1);
      expect(await r.incrby('counter', 41)).toBe(42);
      expect(await r.append('foo', 'baz')).toBe(6);
      expect(await r.getrange('foo', 1, 3)).toBe('arb');
    });

    it('keeps binary values intact', async () => {
      const v = Buffer.alloc(256);
      for (let i = 0; i < 256; i++) v[i] = i;
      const k = Buffer.from([0xff, 0x00, 0x0d, 0x0a, 0x80]);
      await r.set(k, v);
      expect(Buffer.compare((await r.getBuffer(k))!, v)).toBe(0);
      expect(await r.strlen(k)).toBe(256);
    });

    it('expires keys with millisecond TTLs', async () => {
      await r.set('ttl', 'x', 'PX', 80);
      const pttl = await r.pttl('ttl');
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(80);
      await new Promise((res) => setTimeout(res, 120));
      expect(await r.get('ttl')).toBe(null);
      expect(await r.exists('ttl')).toBe(0);
    });

    it('reclaims expired keys nobody touches', async () => {
      await r.flushall();
      const p = r.pipeline();
      for (let i = 0; i < 200; i++) p.set(`gone:${i}`, 'v', 'PX', 30);
      await p.exec();
      expect(await r.dbsize()).toBe(200);
      await new Promise((res) => setTimeout(res, 300));
      expect(await r.dbsize()).toBe(0);
      const info = await r.info('stats');
      expect(Number(/expired_keys:(\d+)/.exec(info)![1])).toBeGreaterThanOrEqual(200);
    });

    it('renames and copies across slots', async () => {
      await r.set('src{1}', 'v1');
      expect(await r.rename('src{1}', 'dst{2}')).toBe('OK');
      expect(await r.get('dst{2}')).toBe('v1');
      expect(await r.exists('src{1}')).toBe(0);
      expect(await r.copy('dst{2}', 'cp{3}')).toBe(1);
      expect(await r.get('cp{3}')).toBe('v1');
      await expect(r.rename('missing{1}', 'x{2}')).rejects.toThrow('ERR no such key');
    });

    it('fans out whole-keyspace commands', async () => {
      await r.flushdb();
      const p = r.pipeline();
      for (let i = 0; i < 100; i++) p.set(`k:${i}`, String(i));
      await p.exec();
      expect(await r.dbsize()).toBe(100);
      const keys = await r.keys('k:*');
      expect(keys.length).toBe(100);
      const seen = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await r.scan(cursor, 'MATCH', 'k:*', 'COUNT', 10);
        batch.forEach((k) => seen.add(k));
        cursor = next;
      } while (cursor !== '0');
      expect(seen.size).toBe(100);
      expect((await r.randomkey())!.startsWith('k:')).toBe(true);
      expect(await r.flushall()).toBe('OK');
      expect(await r.dbsize()).toBe(0);
      expect(await r.randomkey()).toBe(null);
    });

    it('keeps databases apart and SWAPDB swaps them', async () => {
      const c = new Redis({ port: srv.port, db: 3 });
      await c.set('dbkey', 'three');
      expect(await r.get('dbkey')).toBe(null);
      await r.swapdb(0, 3);
      expect(await r.get('dbkey')).toBe('three');
      await r.swapdb(0, 3);
      expect(await c.get('dbkey')).toBe('three');
      c.disconnect();
    });

    it('answers pipelines in request order across shards', async () => {
      const p = r.pipeline();
      for (let i = 0; i < 500; i++) {
        p.set(`order:${i}`, String(i));
        p.get(`order:${i}`);
        if (i % 50 === 0) p.ping();
      }
      const res = await p.exec();
      let j = 0;
      for (let i = 0; i < 500; i++) {
        expect(res![j++]).toEqual([null, 'OK']);
        expect(res![j++]).toEqual([null, String(i)]);
        if (i % 50 === 0) expect(res![j++]).toEqual([null, 'PONG']);
      }
    });

    it('moves large values through the rings', async () => {
      const big = 'x'.repeat(5 * 1024 * 1024) + 'end';
      await r.set('big', big);
      expect(await r.strlen('big')).toBe(big.length);
      expect(await r.get('big')).toBe(big);
    });

    it('speaks exact RESP on raw sockets', async () => {
      const c = new RawClient(srv.port);
      await c.ready();
      expect(await c.call(frame('SET', 'raw', 'v'), 5)).toBe('+OK\r\n');
      expect(await c.call(frame('GET', 'raw'), 7)).toBe('$1\r\nv\r\n');
      expect(await c.call(frame('GET', 'nokey'), 5)).toBe('$-1\r\n');
      expect(await c.call('PING\r\n', 7)).toBe('+PONG\r\n');
      expect(await c.call('set inl "a b"\r\nget inl\r\n', 14)).toBe('+OK\r\n$3\r\na b\r\n');
      const unk = "-ERR unknown command 'foo', with args beginning with: 'bar' \r\n";
      expect(await c.call(frame('foo', 'bar'), unk.length)).toBe(unk);
      const ar = "-ERR wrong number of arguments for 'get' command\r\n";
      expect(await c.call(frame('GET'), ar.length)).toBe(ar);
      const nan = '+OK\r\n-ERR value is not an integer or out of range\r\n';
      expect(await c.call(frame('SET', 'n', 'abc') + frame('INCR', 'n'), nan.length)).toBe(nan);
      const wt = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
      const lst = ':1\r\n' + wt + wt;
      expect(await c.call(frame('RPUSH', 'wt:list', 'a') + frame('GET', 'wt:list') + frame('INCR', 'wt:list'), lst.length)).toBe(lst);
      c.close();
    });

    it('speaks RESP3 after HELLO 3', async () => {
      const c = new RawClient(srv.port);
      await c.ready();
      const id = await clientId(c);
      const hello = hello3Reply(id);
      expect(await c.call(frame('HELLO', '3'), hello.length)).toBe(hello);
      expect(await c.call(frame('GET', 'nokey3'), 3)).toBe('_\r\n');
      expect(await c.call(frame('MGET', 'nokey3', 'nokey4{x}'), 10)).toBe('*2\r\n_\r\n_\r\n');
      expect(await c.call(frame('SET', 'f', '1.5') + frame('INCRBYFLOAT', 'f', '1'), 5 + 9)).toBe('+OK\r\n$3\r\n2.5\r\n');
      c.close();
    });

    it('closes the connection on protocol errors, others carry on', async () => {
      const other = new RawClient(srv.port);
      await other.ready();
      const cases: Array<[string, string]> = [
        ['*1\r\n$x\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
        ['*abc\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
        ['*1\r\nfoo\r\n', "-ERR Protocol error: expected '$', got 'f'\r\n"],
        ['set "a\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
        ['*1\r\n$999999999999\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
      ];
      for (const [input, reply] of cases) {
        const c = new RawClient(srv.port);
        await c.ready();
        c.send(input);
        expect(await c.read(reply.length)).toBe(reply);
        expect(await c.waitClose()).toBe(true);
      }
      expect(await other.call('PING\r\n', 7)).toBe('+PONG\r\n');
      other.close();
    });

    it('survives clients that vanish mid-pipeline', async () => {
      for (let i = 0; i < 5; i++) {
        const c = new RawClient(srv.port);
        await c.ready();
        let s = '';
        for (let j = 0; j < 2000; j++) s += frame('SET', `v:${j}`, 'x'.repeat(100));
        c.send(s + '*3\r\n$3\r\nSET\r\n$1\r\n');
        c.close();
      }
      expect(await r.ping()).toBe('PONG');
      // What reached the server before the close runs (the first SET of each
      // pipeline, at least, left in one write); other connections carry on.
      await vi.waitFor(async () => expect(await r.get('v:0')).toBe('x'.repeat(100)), { timeout: 3000, interval: 20 });
      expect(await r.set('after', 'ok')).toBe('OK');
      expect(await r.get('after')).toBe('ok');
    });
  });
}
