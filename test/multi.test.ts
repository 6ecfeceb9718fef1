// MULTI/EXEC/DISCARD/WATCH/UNWATCH against a spawned server, with one shard
// and with four (where a transaction's keys, or its watched keys, may live on
// several shards and EXEC takes the held-shards path).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { startServer, Spawned, RawClient, frame } from './helpers/server';
import { slotOfString, slotRanges } from '../src/util/slot';

function shardOf(key: string, shards: number): number {
  const slot = slotOfString(key);
  return slotRanges(shards).findIndex(([a, b]) => slot >= a && slot < b);
}

/** Two keys on different shards (with one shard: any two keys). */
function splitPair(prefix: string, shards: number): [string, string] {
  const a = `${prefix}:a`;
  for (let i = 0; ; i++) {
    const b = `${prefix}:b${i}`;
    if (shards === 1 || shardOf(b, shards) !== shardOf(a, shards)) return [a, b];
  }
}

async function blockedClients(r: Redis): Promise<number> {
  return Number(/blocked_clients:(\d+)/.exec(await r.info('clients'))![1]);
}

for (const SHARDS of [1, 4]) {
  describe(`transactions (${SHARDS} shard${SHARDS > 1 ? 's' : ''})`, () => {
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

    it('queues commands and runs them in order, one reply array', async () => {
      const [a, b] = splitPair('basic', SHARDS);
      await r.del(a, b);
      const res = await r.multi().set(a, '1').incr(a).rpush(b, 'x', 'y').lrange(b, 0, -1).get(a).exec();
      expect(res).toEqual([[null, 'OK'], [null, 2], [null, 2], [null, ['x', 'y']], [null, '2']]);
    });

    it('exact bytes: QUEUED, errors inside the array, RESP3 null on a failed WATCH', async () => {
      const c = new RawClient(srv.port);
      await c.ready();
      const [a, b] = splitPair('bytes', SHARDS);
      c.send(frame('DEL', a, b) + frame('SET', a, 'v') + frame('MULTI') + frame('INCR', a) + frame('GET', a) + frame('LPUSH', b, 'e') + frame('EXEC'));
      const want = ':0\r\n+OK\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n-ERR value is not an integer or out of range\r\n$1\r\nv\r\n:1\r\n';
      expect(await c.read(want.length)).toBe(want);
      c.send(frame('CLIENT', 'ID'));
      let idReply = '';
      while (!idReply.endsWith('\r\n')) {
        const got = await c.read(1);
        if (got === '') throw new Error('no reply to CLIENT ID');
        idReply += got;
      }
      const id = /^:(\d+)\r\n$/.exec(idReply)![1];
      const hello =
        '%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n' +
        `$2\r\nid\r\n:${id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n`;
      c.send(frame('HELLO', '3'));
      expect(await c.read(hello.length)).toBe(hello);
      c.send(frame('WATCH', a, b) + frame('SET', b, 'changed') + frame('MULTI') + frame('GET', a) + frame('EXEC'));
      const want3 = '+OK\r\n+OK\r\n+OK\r\n+QUEUED\r\n_\r\n';
      expect(await c.read(want3.length)).toBe(want3);
      c.close();
    });

    it('refusals while queueing abort EXEC; runtime errors do not', async () => {
      const c = new RawClient(srv.port);
      await c.ready();
      c.send(frame('MULTI') + frame('SET', 'abort:k') + frame('NOSUCHCMD') + frame('SET', 'abort:k', '1') + frame('EXEC') + frame('EXISTS', 'abort:k'));
      const want =
        '+OK\r\n' +
        "-ERR wrong number of arguments for 'set' command\r\n" +
        "-ERR unknown command 'NOSUCHCMD', with args beginning with: \r\n" +
        '+QUEUED\r\n' +
        '-EXECABORT Transaction discarded because of previous errors.\r\n' +
        ':0\r\n';
      expect(await c.read(want.length)).toBe(want);
      c.send(frame('MULTI') + frame('CONFIG', 'NOSUCH') + frame('SHUTDOWN') + frame('EXEC'));
      const want2 =
        '+OK\r\n' +
        "-ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP.\r\n" +
        '-ERR Command not allowed inside a transaction\r\n' +
        '-EXECABORT Transaction discarded because of previous errors.\r\n';
      expect(await c.read(want2.length)).toBe(want2);
      c.close();
    });

    it('commands pipelined behind an EXEC that changes the db run after it, in the new db', async () => {
      const c = new RawClient(srv.port);
      await c.ready();
      c.send(
        frame('MULTI') + frame('SELECT', '5') + frame('SET', 'pipe:k', 'in5') + frame('PING') + frame('EXEC') +
          frame('GET', 'pipe:k') + frame('SELECT', '0') + frame('EXISTS', 'pipe:k'),
      );
      const want = '+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+OK\r\n+OK\r\n+PONG\r\n$3\r\nin5\r\n+OK\r\n:0\r\n';
      expect(await c.read(want.length)).toBe(want);
      // The key really is in db 5 (and the cleanup is checked, not just awaited).
      const del = '+OK\r\n:1\r\n';
      c.send(frame('SELECT', '5') + frame('DEL', 'pipe:k'));
      expect(await c.read(del.length)).toBe(del);
      c.close();
    });

    it('MULTI/EXEC/DISCARD/WATCH misuse errors', async () => {
      const c = new RawClient(srv.port);
      await c.ready();
      c.send(frame('EXEC') + frame('DISCARD') + frame('MULTI') + frame('MULTI') + frame('WATCH', 'x') + frame('PING') + frame('EXEC'));
      const want =
        '-ERR EXEC without MULTI\r\n' +
        '-ERR DISCARD without MULTI\r\n' +
        '+OK\r\n' +
        '-ERR MULTI calls can not be nested\r\n' +
        '-ERR WATCH inside MULTI is not allowed\r\n' +
        '+QUEUED\r\n' +
        '*1\r\n+PONG\r\n';
      expect(await c.read(want.length)).toBe(want);
      c.close();
    });

    it('DISCARD drops the queue and the watches', async () => {
      const [a, b] = splitPair('discard', SHARDS);
      await r.set(a, '0');
      const c = new Redis(srv.port);
      await c.watch(a, b);
      await r.set(a, '1');
      await c.multi({ pipeline: false });
      expect(await c.discard()).toBe('OK');
      // After DISCARD nothing is watched: this transaction runs.
      expect(await c.multi().set(b, 'ok').exec()).toEqual([[null, 'OK']]);
      c.disconnect();
    });

    it('WATCH: untouched keys let EXEC run, a write from another client fails it', async () => {
      const [a, b] = splitPair('watch', SHARDS);
      await r.mset(a, '1', b, '1');
      const c = new Redis(srv.port);
      await c.watch(a, b);
      expect(await c.multi().incr(a).incr(b).exec()).toEqual([[null, 2], [null, 2]]);
      // EXEC unwatched everything: a later write does not fail the next one.
      await r.set(b, 'x');
      expect(await c.multi().get(a).exec()).toEqual([[null, '2']]);
      await c.watch(a, b);
      await r.set(b, 'y');
      expect(await c.multi().incr(a).exec()).toBeNull();
      expect(await r.get(a)).toBe('2');
      c.disconnect();
    });

    it('WATCH sees EXPIRE, DEL of a live key, FLUSHDB of existing keys, SWAPDB', async () => {
      const [a, b] = splitPair('touch', SHARDS);
      const c = new Redis(srv.port);
      const tryTx = async (): Promise<unknown> => c.multi().ping().exec();

      await r.set(a, 'v');
      await c.watch(a);
      await r.expire(a, 100);
      expect(await tryTx()).toBeNull();

      await c.watch(a);
      await r.del(a);
      expect(await tryTx()).toBeNull();

      // Flushing a db where the watched key does not exist touches nothing.
      await r.del(b);
      await c.watch(b);
      await r.flushdb();
      expect(await tryTx()).toEqual([[null, 'PONG']]);

      await r.set(b, 'v');
      await c.watch(b);
      await r.flushdb();
      expect(await tryTx()).toBeNull();

      await c.watch(a);
      const other = new Redis(srv.port, { db: 9 });
      await other.set(a, 'in9');
      await r.swapdb(0, 9);
      expect(await tryTx()).toBeNull();
      await r.swapdb(0, 9);
      await other.flushdb();
      other.disconnect();
      c.disconnect();
    });

    it('WATCH fails EXEC when a watched key expires before it', async () => {
      const [a] = splitPair('exp', SHARDS);
      const c = new Redis(srv.port);
      await r.set(a, 'v', 'PX', 30);
      await c.watch(a);
      await new Promise((res) => setTimeout(res, 60));
      expect(await c.multi().ping().exec()).toBeNull();
      c.disconnect();
    });

    it('WATCH remembers the db; UNWATCH forgets', async () => {
      const c = new Redis(srv.port);
      await c.watch('wdb');
      await c.select(1);
      await c.set('wdb', 'db1 write, not the watched key');
      expect(await c.multi().ping().exec()).toEqual([[null, 'PONG']]);
      await c.select(0);
      await c.watch('wdb');
      await c.unwatch();
      await r.set('wdb', 'x');
      expect(await c.multi().ping().exec()).toEqual([[null, 'PONG']]);
      c.disconnect();
    });

    it('a cross-shard command that does not change a watched key does not fail EXEC', async () => {
      const [a, b] = splitPair('nochange', SHARDS);
      await r.del(a, b);
      await r.sadd(a, 'm');
      const c = new Redis(srv.port);
      await c.watch(a);
      await r.sunionstore(b, a); // reads a (on another shard), writes b
      expect(await c.multi().ping().exec()).toEqual([[null, 'PONG']]);
      await c.watch(a);
      await r.smove(a, b, 'm');
      expect(await c.multi().ping().exec()).toBeNull();
      c.disconnect();
    });

    it('SELECT, PING, fan-out and cross-shard commands inside one transaction', async () => {
      const [a, b] = splitPair('mixed', SHARDS);
      const c = new Redis(srv.port);
      await c.select(3);
      await c.flushdb();
      const res = await c
        .multi()
        .mset(a, '1', b, '2')
        .rename(a, `${a}:new`)
        .dbsize()
        .select(4)
        .set(a, 'db4')
        .exec();
      expect(res).toEqual([[null, 'OK'], [null, 'OK'], [null, 2], [null, 'OK'], [null, 'OK']]);
      // The SELECT inside EXEC stays in effect, also for pipelined commands after it.
      expect(await c.get(a)).toBe('db4');
      await c.select(3);
      expect(await c.mget(`${a}:new`, b)).toEqual(['1', '2']);
      await c.flushdb();
      await c.select(4);
      await c.flushdb();
      c.disconnect();
    });

    it('blocking commands inside MULTI do not block', async () => {
      const [a, b] = splitPair('blk', SHARDS);
      await r.del(a, b);
      const res = await r.multi().blpop(a, 0).brpoplpush(a, b, 0).bzpopmin(b, 0).blmove(a, b, 'LEFT', 'LEFT', 0).exec();
      expect(res).toEqual([[null, null], [null, null], [null, null], [null, null]]);
    });

    it('blocked clients see a transaction only as a whole', async () => {
      const [a, b] = splitPair('iso', SHARDS);
      await r.del(a, b);
      const c = new Redis(srv.port);
      const p = c.blpop(a, 0);
      for (let i = 0; i < 200 && (await blockedClients(r)) !== 1; i++) await new Promise((res) => setTimeout(res, 5));
      await r.multi().lpush(a, 'one').lpush(a, 'two').set(b, 'x').lpush(a, 'three').exec();
      expect(await p).toEqual([a, 'three']);
      expect(await r.lrange(a, 0, -1)).toEqual(['two', 'one']);
      c.disconnect();
    });

    it('a blocked client is served from the key that became ready first, as in Redis 7.0', async () => {
      await r.del('{rk}a', '{rk}b', '{rk}za', '{rk}zb');
      const c = new Redis(srv.port);
      const p = c.blpop('{rk}a', '{rk}b', 0);
      for (let i = 0; i < 200 && (await blockedClients(r)) !== 1; i++) await new Promise((res) => setTimeout(res, 5));
      await r.multi().rpush('{rk}b', 'x').rpush('{rk}a', 'y').exec();
      expect(await p).toEqual(['{rk}b', 'x']);
      const pz = c.bzpopmin('{rk}za', '{rk}zb', 0);
      for (let i = 0; i < 200 && (await blockedClients(r)) !== 1; i++) await new Promise((res) => setTimeout(res, 5));
      await r.multi().zadd('{rk}zb', 1, 'x').zadd('{rk}za', 1, 'y').exec();
      expect(await pz).toEqual(['{rk}zb', 'x', '1']);
      c.disconnect();
    });

    it('no client sees half of a cross-shard transaction', async () => {
      const [a, b] = splitPair('atomic', SHARDS);
      await r.mset(a, '0', b, '0');
      const writer = new Redis(srv.port);
      const reader = new Redis(srv.port);
      let torn = 0;
      let stop = false;
      const reads = (async () => {
        while (!stop) {
          const [x, y] = (await reader.mget(a, b)) as string[];
          if (x !== y) torn++;
        }
      })();
      for (let i = 1; i <= 100; i++) await writer.multi().set(a, String(i)).set(b, String(i)).exec();
      stop = true;
      await reads;
      expect(torn).toBe(0);
      expect(await r.mget(a, b)).toEqual(['100', '100']);
      writer.disconnect();
      reader.disconnect();
    });

    it('WATCH-based optimistic increments from concurrent clients lose no update', async () => {
      const [a, b] = splitPair('cas', SHARDS);
      await r.mset(a, '0', b, '0');
      const clients = Array.from({ length: 6 }, () => new Redis(srv.port));
      let retries = 0;
      const worker = async (c: Redis): Promise<void> => {
        for (let done = 0; done < 25; ) {
          await c.watch(a, b);
          const [x, y] = (await c.mget(a, b)) as string[];
          const res = await c.multi().set(a, String(Number(x) + 1)).set(b, String(Number(y) + 1)).exec();
          if (res === null) retries++;
          else done++;
        }
      };
      await Promise.all(clients.map(worker));
      expect(await r.mget(a, b)).toEqual(['150', '150']);
      expect(retries).toBeGreaterThan(0); // the clients did contend
      clients.forEach((c) => c.disconnect());
    });

    it('CLIENT LIST shows the x flag and queued count; a closed client leaves no watch behind', async () => {
      const c = new Redis(srv.port);
      await c.client('SETNAME', 'txc');
      await c.watch('leftover');
      await c.multi({ pipeline: false });
      await c.get('leftover');
      const line = ((await r.client('LIST')) as string).split('\n').find((l) => l.includes('name=txc'))!;
      expect(line).toMatch(/ flags=x /);
      expect(line).toMatch(/ multi=1 /);
      c.disconnect();
      await new Promise((res) => setTimeout(res, 50));
      // Writing the key the closed client watched must not trip anything.
      await r.set('leftover', '1');
      expect(await r.get('leftover')).toBe('1');
    });
  });
}
