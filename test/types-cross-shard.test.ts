// Data types across shards: multi-key type commands whose keys live on
// different shards (the generic multi-hop path, SORT's probe path, the split
// path) must answer exactly like Redis 7.0.15 and move values between shards
// without losing type, encoding or TTL. Each key below is chosen for the
// shard it lands on with 4 shards; the same names run with 1 shard, and
// every command is also run against a real redis-server 7.0.x and the
// replies compared. Without redis-server these tests fail (make test
// installs it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { spawn, ChildProcess, execFileSync } from 'node:child_process';
import { startServer, Spawned, freePort, RawClient, frame } from './helpers/server';
import { slotOfString, slotRanges } from '../src/util/slot';

const SPREAD = 4;
const RANGES = slotRanges(SPREAD);

function shardOf(key: string): number {
  const s = slotOfString(key);
  return RANGES.findIndex(([a, b]) => s >= a && s < b);
}

/** `prefix:i` for the first i that lands on `shard` (with 4 shards). */
function keyOn(prefix: string, shard: number): string {
  for (let i = 0; ; i++) {
    const k = `${prefix}:${i}`;
    if (shardOf(k) === shard) return k;
  }
}

/** The installed redis-server's version line; throws when there is none. */
function redisVersion(): string {
  try {
    return execFileSync('redis-server', ['--version']).toString();
  } catch (e) {
    throw new Error(
      'redis-server is not installed, and these tests compare every reply with it ' +
        `(make test installs it: apt-get install redis-server): ${(e as Error).message}`,
    );
  }
}

let redisProc: ChildProcess | null = null;
// Set by the beforeAll below, which fails the whole file when it can't.
let rd: Redis = null as unknown as Redis;

beforeAll(async () => {
  const version = redisVersion();
  if (!/ v=7\.0\./.test(version)) throw new Error('these tests compare with Redis 7.0.x, found: ' + version);
  const port = await freePort();
  redisProc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 10000;
  for (;;) {
    const c = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.ping();
      rd = c;
      break;
    } catch {
      c.disconnect();
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});

afterAll(async () => {
  rd?.disconnect();
  if (redisProc !== null && redisProc.exitCode === null) {
    const p = redisProc;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      process.kill(p.pid!, 'SIGKILL');
    });
  }
});

type Arg = string | number | Buffer;
type Reply = unknown;

async function call(c: Redis, args: Arg[], binary = false): Promise<Reply> {
  try {
    const [name, ...rest] = args;
    return binary ? await c.callBuffer(String(name), ...rest) : await c.call(String(name), ...rest);
  } catch (e) {
    return { err: (e as Error).message };
  }
}

/** Flattened and sorted, for replies whose order is a hashtable's. */
function sorted(v: Reply): Reply {
  return Array.isArray(v) ? v.flat(Infinity).map(String).sort() : v;
}

for (const shards of [1, 4]) {
  describe(`data types across shards (${shards} shard(s))`, () => {
    let srv: Spawned;
    let ks: Redis;

    /** Run on keyshard (and Redis, comparing); keyshard's reply. */
    async function both(...args: Arg[]): Promise<Reply> {
      const a = await call(ks, args);
      expect(a, args.join(' ')).toEqual(await call(rd, args));
      return a;
    }
    /** As both(), but the reply's order is unspecified (hashtable sets). */
    async function bothUnordered(...args: Arg[]): Promise<Reply> {
      const a = sorted(await call(ks, args));
      expect(a, args.join(' ')).toEqual(sorted(await call(rd, args)));
      return a;
    }
    async function bothBinary(...args: Arg[]): Promise<Reply> {
      const a = await call(ks, args, true);
      expect(a, args.join(' ')).toEqual(await call(rd, args, true));
      return a;
    }
    async function setup(...cmds: Arg[][]): Promise<void> {
      await ks.flushall();
      await rd.flushall();
      for (const c of cmds) await both(...c);
    }
    /** With 4 shards, the keys really are on pairwise different shards. */
    function spread(...keys: string[]): void {
      expect(new Set(keys.map(shardOf)).size).toBe(keys.length);
    }
    async function pttlBetween(key: string, lo: number, hi: number): Promise<void> {
      const t = (await ks.pttl(key)) as number;
      expect(t, key).toBeGreaterThan(lo);
      expect(t, key).toBeLessThanOrEqual(hi);
    }

    const K = [0, 1, 2, 3].map((i) => keyOn('k', i));
    const WT = 'WRONGTYPE Operation against a key holding the wrong kind of value';

    beforeAll(async () => {
      srv = await startServer({ shards });
      ks = new Redis(srv.port);
      await ks.ping();
    });
    afterAll(async () => {
      ks?.disconnect();
      await srv?.stop();
    });

    it('SMOVE between sets on different shards', async () => {
      const [a, b, c, s] = K;
      spread(a, b, c, s);
      await setup(['SADD', a, '1', '2', '3'], ['SADD', b, 'x', 'y'], ['SET', s, 'str'], ['PEXPIRE', a, 100000]);
      expect(await both('SMOVE', a, b, '1')).toBe(1);
      expect(await both('SMEMBERS', a)).toEqual(['2', '3']);
      expect(await bothUnordered('SMEMBERS', b)).toEqual(['1', 'x', 'y']);
      expect(await both('OBJECT', 'ENCODING', a)).toBe('intset');
      expect(await both('OBJECT', 'ENCODING', b)).toBe('hashtable');
      await pttlBetween(a, 90000, 100000);
      expect(await both('SMOVE', a, b, '99')).toBe(0);
      expect(await both('SMOVE', a, c, '2')).toBe(1);
      expect(await both('TYPE', c)).toBe('set');
      expect(await both('OBJECT', 'ENCODING', c)).toBe('intset');
      expect(await both('SMEMBERS', c)).toEqual(['2']);
      // Already in the destination: still removed from the source.
      await both('SADD', c, '3');
      expect(await both('SMOVE', a, c, '3')).toBe(1);
      expect(await both('EXISTS', a)).toBe(0);
      expect(await both('SMEMBERS', c)).toEqual(['2', '3']);
      expect(await both('SMOVE', a, c, '3')).toBe(0);
      // Wrong types on either side, nothing moves.
      expect(await both('SMOVE', s, c, '2')).toEqual({ err: WT });
      expect(await both('SMOVE', c, s, '2')).toEqual({ err: WT });
      expect(await both('SMEMBERS', c)).toEqual(['2', '3']);
      expect(await both('GET', s)).toBe('str');
      expect(await both('SMOVE', b, c, 'x')).toBe(1);
      expect(await both('OBJECT', 'ENCODING', c)).toBe('hashtable');
      expect(await both('SMOVE', c, c, 'x')).toBe(1);
      expect(await both('SMOVE', c, c, 'nope')).toBe(0);
      expect(await both('SMOVE', s, s, 'x')).toEqual({ err: WT });
    });

    it('LMOVE and RPOPLPUSH between lists on different shards', async () => {
      const [l1, l2, l3, st] = K;
      spread(l1, l2, l3, st);
      await setup(['RPUSH', l1, 'a', 'b', 'c', 'd'], ['RPUSH', l2, 'x'], ['SADD', st, 'm'], ['PEXPIRE', l1, 100000], ['PEXPIRE', l2, 50000]);
      expect(await both('LMOVE', l1, l2, 'LEFT', 'RIGHT')).toBe('a');
      expect(await both('LMOVE', l1, l2, 'RIGHT', 'LEFT')).toBe('d');
      expect(await both('LRANGE', l1, 0, -1)).toEqual(['b', 'c']);
      expect(await both('LRANGE', l2, 0, -1)).toEqual(['d', 'x', 'a']);
      await pttlBetween(l1, 90000, 100000);
      await pttlBetween(l2, 40000, 50000);
      expect(await both('RPOPLPUSH', l1, l3)).toBe('c');
      expect(await both('TYPE', l3)).toBe('list');
      expect(await both('OBJECT', 'ENCODING', l3)).toBe('quicklist');
      expect(await both('PTTL', l3)).toBe(-1);
      expect(await both('LMOVE', l1, st, 'LEFT', 'LEFT')).toEqual({ err: WT });
      expect(await both('RPOPLPUSH', st, l3)).toEqual({ err: WT });
      expect(await both('LRANGE', l1, 0, -1)).toEqual(['b']);
      expect(await both('RPOPLPUSH', l1, l3)).toBe('b');
      expect(await both('EXISTS', l1)).toBe(0);
      expect(await both('LRANGE', l3, 0, -1)).toEqual(['b', 'c']);
      expect(await both('LMOVE', l1, l3, 'LEFT', 'LEFT')).toBe(null);
      expect(await both('RPOPLPUSH', l1, st)).toBe(null);
      expect(await both('LMOVE', l2, l3, 'LEFT', 'FOO')).toEqual({ err: 'ERR syntax error' });
    });

    it('SINTER, SUNION, SDIFF, their STORE forms and SINTERCARD', async () => {
      const [s1, s2, s3, d] = K;
      spread(s1, s2, s3, d);
      const str = keyOn('str', 1);
      await setup(
        ['SADD', s1, '1', '2', '3', '4', '5'],
        ['SADD', s2, '3', '4', '5', '6'],
        ['SADD', s3, 'a', 'b', '3', '4'],
        ['SET', str, 'v'],
      );
      expect(await both('SINTER', s1, s2)).toEqual(['3', '4', '5']);
      expect(await both('SUNION', s1, s2)).toEqual(['1', '2', '3', '4', '5', '6']);
      expect(await both('SDIFF', s1, s2)).toEqual(['1', '2']);
      expect(await bothUnordered('SINTER', s1, s2, s3)).toEqual(['3', '4']);
      expect(await bothUnordered('SUNION', s1, s3)).toEqual(['1', '2', '3', '4', '5', 'a', 'b']);
      expect(await bothUnordered('SDIFF', s3, s1, s2)).toEqual(['a', 'b']);
      expect(await both('SINTER', s1, d)).toEqual([]);
      expect(await both('SDIFF', d, s1)).toEqual([]);
      expect(await both('SINTER', s1, str)).toEqual({ err: WT });
      expect(await both('SUNION', s1, str)).toEqual({ err: WT });
      expect(await both('SDIFF', s1, str)).toEqual({ err: WT });

      expect(await both('SINTERSTORE', d, s1, s2, s3)).toBe(2);
      expect(await both('SMEMBERS', d)).toEqual(['3', '4']);
      expect(await both('OBJECT', 'ENCODING', d)).toBe('intset');
      expect(await both('SUNIONSTORE', d, s1, s3)).toBe(7);
      expect(await both('OBJECT', 'ENCODING', d)).toBe('hashtable');
      expect(await both('SDIFFSTORE', d, s1, s2)).toBe(2);
      expect(await both('SMEMBERS', d)).toEqual(['1', '2']);
      // A STORE replaces whatever the destination was, TTL included.
      await both('SET', d, 'old', 'PX', 100000);
      expect(await both('SUNIONSTORE', d, s2, s1)).toBe(6);
      expect(await both('TYPE', d)).toBe('set');
      expect(await both('PTTL', d)).toBe(-1);
      // An empty result deletes the destination.
      expect(await both('SINTERSTORE', d, s3, s1, keyOn('none', 3))).toBe(0);
      expect(await both('EXISTS', d)).toBe(0);
      await both('SADD', d, 'z');
      expect(await both('SDIFFSTORE', d, s1, s1)).toBe(0);
      expect(await both('EXISTS', d)).toBe(0);
      await both('SADD', d, 'z');
      expect(await both('SUNIONSTORE', d, s1, str)).toEqual({ err: WT });
      expect(await both('SINTERSTORE', d, str, s1)).toEqual({ err: WT });
      expect(await both('SMEMBERS', d)).toEqual(['z']);
      // The destination may itself be a source.
      expect(await both('SUNIONSTORE', d, d, s2)).toBe(5);
      expect(await bothUnordered('SMEMBERS', d)).toEqual(['3', '4', '5', '6', 'z']);

      expect(await both('SINTERCARD', 2, s1, s2)).toBe(3);
      expect(await both('SINTERCARD', 3, s1, s2, s3)).toBe(2);
      expect(await both('SINTERCARD', 2, s1, s2, 'LIMIT', 1)).toBe(1);
      expect(await both('SINTERCARD', 2, s1, s2, 'LIMIT', 0)).toBe(3);
      expect(await both('SINTERCARD', 2, s1, keyOn('none', 2))).toBe(0);
      expect(await both('SINTERCARD', 2, s1, str)).toEqual({ err: WT });
      expect(await both('SINTERCARD', 2, s1, s2, 'LIMIT', -1)).toEqual({ err: "ERR LIMIT can't be negative" });
    });

    it('ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD and ZRANGESTORE', async () => {
      const [z1, z2, s3, d] = K;
      spread(z1, z2, s3, d);
      const str = keyOn('str', 2);
      await setup(
        ['ZADD', z1, 1, 'a', 2, 'b', 3, 'c'],
        ['ZADD', z2, 10, 'b', 20, 'c', 30, 'd'],
        ['SADD', s3, 'a', 'b'],
        ['SET', str, 'v'],
      );
      expect(await both('ZUNION', 2, z1, z2, 'WITHSCORES')).toEqual(['a', '1', 'b', '12', 'c', '23', 'd', '30']);
      expect(await both('ZUNION', 3, z1, z2, s3, 'WEIGHTS', 2, 1, 5, 'AGGREGATE', 'MAX', 'WITHSCORES')).toEqual([
        'a', '5', 'b', '10', 'c', '20', 'd', '30',
      ]);
      expect(await both('ZINTER', 3, z1, z2, s3, 'WITHSCORES')).toEqual(['b', '13']);
      expect(await both('ZINTER', 2, z1, z2, 'AGGREGATE', 'MIN')).toEqual(['b', 'c']);
      expect(await both('ZDIFF', 2, z1, z2, 'WITHSCORES')).toEqual(['a', '1']);
      expect(await both('ZDIFF', 3, z2, z1, s3)).toEqual(['d']);
      expect(await both('ZUNION', 2, z1, str)).toEqual({ err: WT });
      expect(await both('ZINTER', 2, z1, keyOn('none', 1))).toEqual([]);

      expect(await both('ZUNIONSTORE', d, 3, z1, z2, s3)).toBe(4);
      expect(await both('ZRANGE', d, 0, -1, 'WITHSCORES')).toEqual(['a', '2', 'b', '13', 'c', '23', 'd', '30']);
      expect(await both('OBJECT', 'ENCODING', d)).toBe('listpack');
      expect(await both('ZINTERSTORE', d, 2, z1, z2, 'WEIGHTS', 1, 0.5)).toBe(2);
      expect(await both('ZRANGE', d, 0, -1, 'WITHSCORES')).toEqual(['b', '7', 'c', '13']);
      expect(await both('ZDIFFSTORE', d, 2, z2, z1)).toBe(1);
      expect(await both('ZRANGE', d, 0, -1, 'WITHSCORES')).toEqual(['d', '30']);
      expect(await both('ZINTERSTORE', d, 2, z1, keyOn('none', 0))).toBe(0);
      expect(await both('EXISTS', d)).toBe(0);
      await both('SET', d, 'x', 'PX', 100000);
      expect(await both('ZUNIONSTORE', d, 2, z1, str)).toEqual({ err: WT });
      expect(await both('GET', d)).toBe('x');
      expect(await both('ZUNIONSTORE', d, 1, z1)).toBe(3);
      expect(await both('PTTL', d)).toBe(-1);
      expect(await both('ZUNIONSTORE', d, 2, d, z2, 'AGGREGATE', 'MAX')).toBe(4);
      expect(await both('ZRANGE', d, 0, -1, 'WITHSCORES')).toEqual(['a', '1', 'b', '10', 'c', '20', 'd', '30']);

      expect(await both('ZINTERCARD', 2, z1, z2)).toBe(2);
      expect(await both('ZINTERCARD', 3, z1, z2, s3, 'LIMIT', 5)).toBe(1);
      expect(await both('ZINTERCARD', 2, z1, z2, 'LIMIT', 1)).toBe(1);
      expect(await both('ZINTERCARD', 2, z1, str)).toEqual({ err: WT });

      expect(await both('ZRANGESTORE', d, z2, 0, 1)).toBe(2);
      expect(await both('ZRANGE', d, 0, -1, 'WITHSCORES')).toEqual(['b', '10', 'c', '20']);
      expect(await both('ZRANGESTORE', d, z2, '+inf', '(10', 'BYSCORE', 'REV', 'LIMIT', 0, 1)).toBe(1);
      expect(await both('ZRANGE', d, 0, -1, 'WITHSCORES')).toEqual(['d', '30']);
      expect(await both('ZRANGESTORE', d, z1, '[b', '+', 'BYLEX')).toBe(2);
      expect(await both('ZRANGE', d, 0, -1, 'WITHSCORES')).toEqual(['b', '2', 'c', '3']);
      expect(await both('ZRANGESTORE', d, z1, 5, 10)).toBe(0);
      expect(await both('EXISTS', d)).toBe(0);
      expect(await both('ZRANGESTORE', d, str, 0, -1)).toEqual({ err: WT });
      expect(await both('ZRANGESTORE', d, s3, 0, -1)).toEqual({ err: WT });

      // Encodings of stored results follow the size of the result.
      const big: Arg[] = ['ZADD', z1];
      for (let i = 0; i < 200; i++) big.push(i, `m${i}`);
      await both(...big);
      expect(await both('ZUNIONSTORE', d, 2, z1, z2)).toBe(204);
      expect(await both('OBJECT', 'ENCODING', d)).toBe('skiplist');
      expect(await both('ZRANGESTORE', d, z1, 0, 2)).toBe(3);
      expect(await both('OBJECT', 'ENCODING', d)).toBe('listpack');
      expect(await both('ZINTERSTORE', d, 2, z1, z2)).toBe(2);
      expect(await both('OBJECT', 'ENCODING', d)).toBe('listpack');
    });

    it('GEOSEARCHSTORE and GEORADIUS … STORE into another shard', async () => {
      const [g, d1, d2, d3] = K;
      spread(g, d1, d2, d3);
      await setup(['GEOADD', g, 13.361389, 38.115556, 'Palermo', 15.087269, 37.502669, 'Catania', 2.35, 48.85, 'Paris']);
      expect(await both('GEOSEARCHSTORE', d1, g, 'FROMLONLAT', 15, 37, 'BYRADIUS', 200, 'km', 'ASC')).toBe(2);
      expect(await both('ZRANGE', d1, 0, -1, 'WITHSCORES')).toEqual(['Palermo', '3479099956230698', 'Catania', '3479447370796909']);
      expect(await both('GEOSEARCHSTORE', d1, g, 'FROMMEMBER', 'Palermo', 'BYBOX', 400, 400, 'km', 'DESC', 'STOREDIST')).toBe(2);
      expect(await both('ZRANGE', d1, 0, -1, 'WITHSCORES')).toEqual(['Palermo', '0', 'Catania', '166.27415156960032']);
      expect(await both('GEOSEARCHSTORE', d1, g, 'FROMLONLAT', 15, 37, 'BYRADIUS', 200, 'km', 'COUNT', 1)).toBe(1);
      expect(await both('ZRANGE', d1, 0, -1)).toEqual(['Catania']);
      expect(await both('GEOSEARCHSTORE', d1, g, 'FROMLONLAT', 0, 0, 'BYRADIUS', 1, 'km')).toBe(0);
      expect(await both('EXISTS', d1)).toBe(0);
      expect(await both('GEORADIUS', g, 15, 37, 200, 'km', 'STORE', d2)).toBe(2);
      expect(await both('ZRANGE', d2, 0, -1, 'WITHSCORES')).toEqual(['Palermo', '3479099956230698', 'Catania', '3479447370796909']);
      expect(await both('GEORADIUS', g, 15, 37, 200, 'km', 'STOREDIST', d3)).toBe(2);
      expect(await both('ZRANGE', d3, 0, -1, 'WITHSCORES')).toEqual(['Catania', '56.441257870158204', 'Palermo', '190.44242984775784']);
      expect(await both('GEORADIUSBYMEMBER', g, 'Paris', 10, 'km', 'STORE', d2)).toBe(1);
      expect(await both('ZRANGE', d2, 0, -1)).toEqual(['Paris']);
      expect(await both('GEOPOS', d2, 'Paris')).toEqual(await both('GEOPOS', g, 'Paris'));
      // STORE and STOREDIST together: the last one wins.
      await both('DEL', d3);
      expect(await both('GEORADIUS', g, 15, 37, 200, 'km', 'STORE', d2, 'STOREDIST', d3)).toBe(2);
      expect(await both('ZRANGE', d3, 0, -1, 'WITHSCORES')).toEqual(['Catania', '56.441257870158204', 'Palermo', '190.44242984775784']);
      expect(await both('ZRANGE', d2, 0, -1)).toEqual(['Paris']);
      expect(await both('GEORADIUS', g, 15, 37, 200, 'km', 'STORE', d2, 'WITHDIST')).toEqual({
        err: 'ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options',
      });
      await both('SET', d1, 'str');
      expect(await both('GEOSEARCHSTORE', d2, d1, 'FROMLONLAT', 15, 37, 'BYRADIUS', 200, 'km')).toEqual({ err: WT });
      expect(await both('GEORADIUS', d1, 15, 37, 200, 'km', 'STORE', d2)).toEqual({ err: WT });
      expect(await both('ZCARD', d2)).toBe(1);
    });

    it('PFMERGE and PFCOUNT of several keys', async () => {
      const [h1, h2, h3, d] = K;
      spread(h1, h2, h3, d);
      const add = (k: string, from: number, to: number): Arg[] => {
        const c: Arg[] = ['PFADD', k];
        for (let i = from; i < to; i++) c.push(`e${i}`);
        return c;
      };
      const dense = keyOn('dense', 1);
      await setup(add(h1, 0, 100), add(h2, 50, 300), add(h3, 1000, 1010), add(dense, 0, 3000));
      expect(await both('PFCOUNT', dense, h1, h3)).toBe(await both('PFCOUNT', dense, h3));
      expect(await both('PFMERGE', d, h3, dense)).toBe('OK');
      expect(await bothBinary('GET', d)).toBeInstanceOf(Buffer);
      expect(await both('PFCOUNT', d)).toBe(await both('PFCOUNT', dense, h3));
      await both('DEL', d);
      expect(await both('PFCOUNT', h1)).toBe(100);
      const union = await both('PFCOUNT', h1, h2, h3);
      expect(Math.abs((union as number) - 310)).toBeLessThan(10);
      expect(await both('PFCOUNT', h1, h2, keyOn('none', 0))).toBe(await both('PFCOUNT', h1, h2));
      expect(await both('PFMERGE', d, h1, h2, h3)).toBe('OK');
      expect(await both('PFCOUNT', d)).toBe(union);
      expect(await bothBinary('GET', d)).toBeInstanceOf(Buffer);
      // The sources are left as they were.
      expect(await bothBinary('GET', h3)).toBeInstanceOf(Buffer);
      expect(await both('PFMERGE', d)).toBe('OK');
      expect(await both('PFMERGE', h1, h2)).toBe('OK');
      expect(await both('PFCOUNT', h1)).toBe(await both('PFCOUNT', h1, h2));
      await both('SET', h3, 'not an hll');
      expect(await both('PFCOUNT', h1, h3)).toEqual({ err: 'WRONGTYPE Key is not a valid HyperLogLog string value.' });
      expect(await both('PFMERGE', d, h3)).toEqual({ err: 'WRONGTYPE Key is not a valid HyperLogLog string value.' });
      await both('DEL', h3);
      await both('LPUSH', h3, 'a');
      expect(await both('PFCOUNT', h1, h3)).toEqual({ err: WT });
      expect(await both('PFMERGE', d, h1, h3)).toEqual({ err: WT });
      expect(await both('PFCOUNT', d)).toBe(union);
    });

    it('SORT with BY/GET patterns on other shards, and STORE', async () => {
      const [l, z, s, d] = K;
      spread(l, z, s, d);
      const cmds: Arg[][] = [
        ['RPUSH', l, '3', '1', '2', '4'],
        ['ZADD', z, 1, '3', 2, '1', 3, '2'],
        ['SADD', s, '1', '2', '3'],
      ];
      // weight_1 … and obj_1 … land wherever their names hash to.
      const w: Record<string, number> = { '1': 30, '2': 10, '3': 20 };
      for (const id of ['1', '2', '3']) {
        cmds.push(['SET', `weight_${id}`, w[id]]);
        cmds.push(['HSET', `obj_${id}`, 'name', `name-${id}`, 'n', Number(id) * 7]);
        cmds.push(['SET', `data_${id}`, `d${id}`]);
      }
      await setup(...cmds);
      if (shards > 1) {
        const used = ['weight_1', 'weight_2', 'weight_3', 'obj_1', 'obj_2', 'obj_3', 'data_1', 'data_2', 'data_3'];
        expect(new Set(used.map(shardOf)).size).toBeGreaterThan(2);
        expect(used.some((k) => shardOf(k) !== shardOf(l))).toBe(true);
      }
      expect(await both('SORT', l, 'BY', 'weight_*')).toEqual(['4', '2', '3', '1']);
      expect(await both('SORT', l, 'BY', 'weight_*', 'DESC', 'GET', '#', 'GET', 'obj_*->name', 'GET', 'data_*')).toEqual([
        '1', 'name-1', 'd1', '3', 'name-3', 'd3', '2', 'name-2', 'd2', '4', null, null,
      ]);
      expect(await both('SORT', l, 'BY', 'obj_*->n', 'GET', 'data_*', 'LIMIT', 0, 2)).toEqual([null, 'd1']);
      expect(await both('SORT', z, 'BY', 'nosort', 'GET', 'obj_*->name')).toEqual(['name-3', 'name-1', 'name-2']);
      expect(await both('SORT', s, 'BY', 'weight_*', 'GET', 'data_*')).toEqual(['d2', 'd3', 'd1']);
      expect(await both('SORT_RO', l, 'BY', 'weight_*', 'GET', 'obj_*->n')).toEqual([null, '14', '21', '7']);
      expect(await both('SORT', l, 'BY', 'weight_*', 'GET', 'obj_*->name', 'STORE', d)).toBe(4);
      expect(await both('LRANGE', d, 0, -1)).toEqual(['', 'name-2', 'name-3', 'name-1']);
      expect(await both('SORT', s, 'GET', 'data_*', 'STORE', d)).toBe(3);
      expect(await both('LRANGE', d, 0, -1)).toEqual(['d1', 'd2', 'd3']);
      expect(await both('SORT', l, 'STORE', d)).toBe(4);
      expect(await both('LRANGE', d, 0, -1)).toEqual(['1', '2', '3', '4']);
      expect(await both('SORT', keyOn('none', 1), 'BY', 'weight_*', 'STORE', d)).toBe(0);
      expect(await both('EXISTS', d)).toBe(0);
      // Sources keep their values and TTLs; the pattern keys stay where they are.
      expect(await both('GET', 'weight_1')).toBe('30');
      expect(await both('HGET', 'obj_2', 'name')).toBe('name-2');
      await both('SET', 'weight_4', 'abc');
      expect(await both('SORT', l, 'BY', 'weight_*')).toEqual({ err: "ERR One or more scores can't be converted into double" });
      await both('SET', d, 'str');
      expect(await both('SORT', d, 'BY', 'weight_*')).toEqual({ err: WT });
      expect(await both('SORT', l, 'BY', 'weight_*', 'ALPHA', 'GET', '#', 'STORE', d)).toBe(4);
      expect(await both('TYPE', d)).toBe('list');
    });

    it('LMPOP and ZMPOP over keys on several shards', async () => {
      const [e, l2, l3, z] = K;
      spread(e, l2, l3, z);
      await setup(['RPUSH', l2, 'a', 'b', 'c'], ['RPUSH', l3, 'x'], ['ZADD', z, 1, 'p', 2, 'q', 3, 'r']);
      expect(await both('LMPOP', 3, e, l2, l3, 'LEFT', 'COUNT', 2)).toEqual([l2, ['a', 'b']]);
      expect(await both('LMPOP', 3, e, l2, l3, 'RIGHT', 'COUNT', 5)).toEqual([l2, ['c']]);
      expect(await both('EXISTS', l2)).toBe(0);
      expect(await both('LMPOP', 3, e, l2, l3, 'RIGHT')).toEqual([l3, ['x']]);
      expect(await both('LMPOP', 2, e, l3, 'LEFT')).toBe(null);
      expect(await both('LMPOP', 2, e, z, 'LEFT')).toEqual({ err: WT });
      const zk = keyOn('zz', 0);
      await both('ZADD', zk, 5, 'five');
      expect(await both('ZMPOP', 3, e, z, zk, 'MIN', 'COUNT', 2)).toEqual([z, [['p', '1'], ['q', '2']]]);
      expect(await both('ZMPOP', 2, zk, z, 'MAX', 'COUNT', 9)).toEqual([zk, [['five', '5']]]);
      expect(await both('EXISTS', zk)).toBe(0);
      expect(await both('ZMPOP', 2, zk, z, 'MAX')).toEqual([z, [['r', '3']]]);
      expect(await both('ZMPOP', 2, zk, z, 'MAX')).toBe(null);
      await both('RPUSH', l2, 'a');
      expect(await both('ZMPOP', 2, zk, l2, 'MIN')).toEqual({ err: WT });
      expect(await both('LRANGE', l2, 0, -1)).toEqual(['a']);
    });

    it('RENAME and COPY of every type between shards keep type, encoding, TTL', async () => {
      const [a, b, c, o] = K;
      spread(a, b, c, o);
      const long = 'v'.repeat(100);
      const fields: Arg[] = ['HSET', 'tmp'];
      for (let i = 0; i < 200; i++) fields.push(`f${i}`, i);
      const builds: Array<[string, Arg[][]]> = [
        ['list', [['RPUSH', a, 'x', 'y', 'z']]],
        ['hash', [['HSET', a, 'f', 'v', 'g', 'w']]],
        ['hash', [['HSET', a, 'f', long], ['HSET', a, 'f', 'short']]],
        ['hash', [['HSET', a, 'keep', '1'], fields.map((x) => (x === 'tmp' ? a : x)), ['HDEL', a, ...fields.filter((_, i) => i >= 2 && i % 2 === 0)]]],
        ['set', [['SADD', a, '5', '1', '3']]],
        ['set', [['SADD', a, '5', '1', 'x'], ['SREM', a, 'x']]],
        ['set', [['SADD', a, 'p', 'q']]],
        ['zset', [['ZADD', a, 1, 'one', 2, 'two']]],
        ['zset', [['ZADD', a, 1, 'one', 2, long], ['ZREM', a, long]]],
        ['zset', [['ZADD', a, '-0', 'neg0', 'inf', 'big', '-inf', 'small', '1e-300', 'tiny', 0, '']]],
        ['list', [['RPUSH', a, '', '1', '']]],
        ['set', [['SADD', a, '', '-1']]],
        ['hash', [['HSET', a, '', '', 'n', '-0']]],
        ['string', [['SET', a, '12345']]],
        ['string', [['SET', a, '']]],
        ['string', [['SET', a, 'x'.repeat(50)]]],
      ];
      const dump = async (k: string): Promise<Reply> => {
        const t = await both('TYPE', k);
        if (t === 'list') return both('LRANGE', k, 0, -1);
        if (t === 'hash') return both('HGETALL', k);
        if (t === 'set') return bothUnordered('SMEMBERS', k);
        if (t === 'zset') return both('ZRANGE', k, 0, -1, 'WITHSCORES');
        return both('GET', k);
      };
      for (const [type, build] of builds) {
        await setup(...build, ['PEXPIRE', a, 100000], ['SET', o, 'other']);
        const enc = await both('OBJECT', 'ENCODING', a);
        const content = await dump(a);
        expect(await both('RENAME', a, b)).toBe('OK');
        expect(await both('EXISTS', a)).toBe(0);
        expect(await both('TYPE', b)).toBe(type);
        expect(await both('OBJECT', 'ENCODING', b), `${type} ${enc}`).toBe(enc);
        expect(await dump(b)).toEqual(content);
        await pttlBetween(b, 90000, 100000);
        expect(await both('COPY', b, c)).toBe(1);
        expect(await both('OBJECT', 'ENCODING', c), `${type} ${enc}`).toBe(enc);
        expect(await dump(c)).toEqual(content);
        await pttlBetween(c, 90000, 100000);
        expect(await both('COPY', b, o)).toBe(0);
        expect(await both('GET', o)).toBe('other');
        expect(await both('COPY', b, o, 'REPLACE')).toBe(1);
        expect(await both('TYPE', o)).toBe(type);
        expect(await both('OBJECT', 'ENCODING', o), `${type} ${enc}`).toBe(enc);
        // The copy is independent of its source.
        await both('DEL', b);
        expect(await dump(c)).toEqual(content);
        expect(await both('RENAMENX', c, o)).toBe(0);
        expect(await both('RENAMENX', c, a)).toBe(1);
        expect(await both('OBJECT', 'ENCODING', a), `${type} ${enc}`).toBe(enc);
        await pttlBetween(a, 90000, 100000);
        expect(await both('RENAME', a, a)).toBe('OK');
        expect(await both('COPY', a, a)).toEqual({ err: 'ERR source and destination objects are the same' });
        // MOVE to db 1, a cross-shard RENAME there, and back.
        expect(await both('MOVE', a, 1)).toBe(1);
        await both('SELECT', 1);
        try {
          expect(await both('OBJECT', 'ENCODING', a), `${type} ${enc}`).toBe(enc);
          expect(await both('RENAME', a, b)).toBe('OK');
          expect(await dump(b)).toEqual(content);
          await pttlBetween(b, 90000, 100000);
          expect(await both('MOVE', b, 0)).toBe(1);
        } finally {
          await both('SELECT', 0);
        }
        expect(await both('OBJECT', 'ENCODING', b), `${type} ${enc}`).toBe(enc);
        await pttlBetween(b, 90000, 100000);
        expect(await both('DBSIZE')).toBe(2);
      }
      expect(await both('RENAME', keyOn('none', 0), b)).toEqual({ err: 'ERR no such key' });
      expect(await both('COPY', keyOn('none', 0), b)).toBe(0);
    });

    // The destination of COPY … DB n lives in db n on its owner shard: the
    // multi-hop path gathers and writes it back there (CommandDef.keyDb).
    it('COPY … DB into another db across shards', async () => {
      const [a, b] = K;
      spread(a, b);
      await setup(['HSET', a, 'f', 'v'], ['PEXPIRE', a, 100000], ['SET', b, 'db0'], ['SELECT', 1], ['SET', a, 'in-db1'], ['SELECT', 0]);
      const ks1 = new Redis({ port: srv.port, db: 1 });
      try {
        expect(await both('COPY', a, b, 'DB', 1)).toBe(1);
        expect(await both('GET', b)).toBe('db0');
        expect(await ks1.hgetall(b)).toEqual({ f: 'v' });
        expect(await ks1.pttl(b)).toBeGreaterThan(90000);
        expect(await ks1.dbsize()).toBe(2);
        expect(await ks.dbsize()).toBe(2);
        // The destination now exists in db 1.
        expect(await both('COPY', a, b, 'DB', 1)).toBe(0);
        expect(await both('COPY', b, a, 'DB', 1)).toBe(0);
        expect(await both('COPY', b, a, 'DB', 1, 'REPLACE')).toBe(1);
        expect(await ks1.get(a)).toBe('db0');
      } finally {
        ks1.disconnect();
      }
    });

    it('MOVE between dbs, then cross-shard commands in the other db', async () => {
      const [a, b, c] = K;
      spread(a, b, c);
      await setup(
        ['ZADD', a, 1, 'x', 2, 'y'],
        ['PEXPIRE', a, 100000],
        ['SADD', b, 'm', 'n'],
        ['SELECT', 1],
        ['SADD', b, 'in-db1'],
        ['SELECT', 0],
      );
      expect(await both('MOVE', a, 1)).toBe(1);
      expect(await both('MOVE', b, 1)).toBe(0);
      expect(await both('EXISTS', a)).toBe(0);
      const clients = [new Redis({ port: srv.port, db: 1 })];
      clients.push(new Redis({ port: rd.options.port, db: 1 }));
      const res = [];
      for (const r of clients) {
        const t = (await r.pttl(a)) as number;
        expect(t).toBeGreaterThan(90000);
        res.push([
          await r.type(a),
          await r.object('ENCODING', a),
          await r.zunionstore(c, 2, a, b),
          await r.zrange(c, 0, -1, 'WITHSCORES'),
          await r.smove(b, a, 'in-db1').catch((e: Error) => e.message),
          await r.rename(a, b),
          await r.type(b),
          await r.pttl(b).then((t) => t > 90000),
          await r.exists(a, b, c),
          await r.move(b, 0),
          await r.dbsize(),
        ]);
        r.disconnect();
      }
      expect(res[0]).toEqual(['zset', 'listpack', 3, ['in-db1', '1', 'x', '1', 'y', '2'], WT, 'OK', 'zset', true, 2, 0, 2]);
      expect(res.length).toBe(2);
      expect(res[0]).toEqual(res[1]);
      expect(await bothUnordered('SMEMBERS', b)).toEqual(['m', 'n']);
    });

    // The acceptor's multi-hop primitives (src/shard/internal.ts __take/__put)
    // move a string as its bytes only; Db.raw, which makes a short string
    // report "raw" like Redis after APPEND/SETRANGE…, stays behind.
    it('strings keep their raw encoding when moved between shards', async () => {
      const [a, b, c, d] = K;
      spread(a, b, c, d);
      await setup(['SET', a, 'abc'], ['APPEND', a, 'def'], ['PEXPIRE', a, 100000]);
      expect(await both('OBJECT', 'ENCODING', a)).toBe('raw');
      expect(await both('RENAME', a, b)).toBe('OK');
      expect(await both('OBJECT', 'ENCODING', b)).toBe('raw');
      expect(await both('COPY', b, c)).toBe(1);
      expect(await both('OBJECT', 'ENCODING', c)).toBe('raw');
      await both('SET', a, 'ab');
      await both('SETRANGE', a, 0, 'c');
      // A failed cross-shard command must not change the key either.
      await both('SADD', d, 'x');
      expect(await both('SMOVE', d, a, 'x')).toEqual({ err: WT });
      expect(await both('OBJECT', 'ENCODING', a)).toBe('raw');
    });

    it('binary members and large values survive moves between shards', async () => {
      const [a, b, c, d] = K;
      spread(a, b, c, d);
      const bin = Array.from({ length: 8 }, (_, i) => Buffer.from([0, 0xff, 13, 10, 0x80 + i, 0x7b, 0x7d, 0xe9]));
      const members = bin.map((x) => x.toString('latin1'));
      await setup();
      for (const [t, args] of [
        ['list', ['RPUSH', a, ...bin]],
        ['set', ['SADD', a, ...bin]],
        ['hash', ['HSET', a, ...bin.flatMap((x, i) => [x, bin[(i + 1) % 8]])]],
        ['zset', ['ZADD', a, ...bin.flatMap((x, i) => [String(i - 3.5), x])]],
      ] as Array<[string, Arg[]]>) {
        await ks.del(a, b, c);
        await ks.call(String(args[0]), ...args.slice(1));
        expect(await ks.rename(a, b)).toBe('OK');
        expect(await ks.copy(b, c)).toBe(1);
        for (const k of [b, c]) {
          const got: Buffer[] =
            t === 'list' ? await ks.lrangeBuffer(k, 0, -1)
            : t === 'set' ? await ks.smembersBuffer(k)
            : t === 'hash' ? await ks.hkeysBuffer(k)
            : await ks.zrangeBuffer(k, 0, -1);
          expect(got.map((x) => x.toString('latin1')).sort(), t).toEqual(members.slice().sort());
        }
      }
      await ks.del(a, b, c);
      await ks.sadd(a, ...bin.slice(0, 4));
      await ks.sadd(b, ...bin.slice(2));
      expect((await ks.sinterBuffer(a, b)).map((x: Buffer) => x.toString('latin1')).sort()).toEqual(members.slice(2, 4).sort());
      // Large values: a multi-megabyte payload per key through the rings.
      const n = 30000;
      const big = Array.from({ length: n }, (_, i) => `member-${i}-${'p'.repeat(40)}`);
      await ks.del(a, b, c, d);
      for (let i = 0; i < n; i += 5000) {
        await ks.sadd(a, ...big.slice(i, i + 5000));
        await ks.zadd(c, ...big.slice(i, i + 5000).flatMap((m, j) => [i + j, m]));
      }
      await ks.sadd(b, 'extra', big[5]);
      expect(await ks.sunionstore(d, a, b)).toBe(n + 1);
      expect(await ks.smove(d, b, big[7])).toBe(1);
      expect(await ks.scard(d)).toBe(n);
      expect(await ks.object('ENCODING', d)).toBe('hashtable');
      expect(await ks.zunionstore(d, 2, c, b)).toBe(n + 1);
      expect(await ks.zscore(d, big[n - 1])).toBe(String(n - 1));
      expect(await ks.zscore(d, 'extra')).toBe('1');
      expect(await ks.object('ENCODING', d)).toBe('skiplist');
      expect(await ks.rename(d, a)).toBe('OK');
      expect(await ks.zcard(a)).toBe(n + 1);
      expect(await ks.zrange(a, 0, 2)).toEqual([big[0], 'extra', big[1]]);
    });

    it('expired keys on other shards count as missing', async () => {
      const [a, b, c, d] = K;
      spread(a, b, c, d);
      await setup(['SADD', a, '1', '2'], ['SADD', b, '2', '3'], ['PEXPIRE', b, 30], ['RPUSH', c, 'x'], ['PEXPIRE', c, 30]);
      await new Promise((r) => setTimeout(r, 60));
      expect(await both('SUNIONSTORE', d, a, b)).toBe(2);
      expect(await both('SINTERCARD', 2, a, b)).toBe(0);
      expect(await both('LMOVE', c, d, 'LEFT', 'LEFT')).toBe(null);
      expect(await both('RENAME', c, d)).toEqual({ err: 'ERR no such key' });
      expect(await both('EXISTS', b, c)).toBe(0);
      expect(await both('SMEMBERS', d)).toEqual(['1', '2']);
      // A destination whose TTL ran out is simply replaced.
      await both('PEXPIRE', d, 30);
      await both('SADD', b, 'z');
      await new Promise((r) => setTimeout(r, 60));
      expect(await both('SMOVE', b, d, 'z')).toBe(1);
      expect(await both('SMEMBERS', d)).toEqual(['z']);
      expect(await both('PTTL', d)).toBe(-1);
    });

    it('argument errors of multi-key type commands', async () => {
      const [a, b, c, d] = K;
      spread(a, b, c, d);
      await setup(['SADD', a, '1'], ['SADD', b, '1'], ['ZADD', c, 1, 'x'], ['RPUSH', d, 'l']);
      const cmds: Arg[][] = [
        ['SINTERCARD', 0, a, b],
        ['SINTERCARD', 3, a, b],
        ['SINTERCARD', 1, a, b],
        ['SINTERCARD', 2, a, b, 'LIMIT'],
        ['SINTERCARD', 2, a, b, 'LIMIT', 'x'],
        ['ZUNION', 0, a, c],
        ['ZUNION', 3, a, c],
        ['ZUNION', 2, a, c, 'WEIGHTS', 1],
        ['ZUNION', 2, a, c, 'WEIGHTS', 1, 'x'],
        ['ZUNION', 2, a, c, 'AGGREGATE', 'AVG'],
        ['ZUNIONSTORE', d, 2, a, c, 'WITHSCORES'],
        ['ZINTERSTORE', d, 0, a],
        ['ZDIFF', 2, a, c, 'WEIGHTS', 1, 2],
        ['ZINTERCARD', 2, a, c, 'LIMIT', -1],
        ['ZRANGESTORE', d, c, 0, 1, 'WITHSCORES'],
        ['ZRANGESTORE', d, c, 0, 1, 'BYSCORE', 'LIMIT', 0],
        ['LMPOP', 0, a, 'LEFT'],
        ['LMPOP', 2, d, b, 'UP'],
        ['LMPOP', 2, d, b, 'LEFT', 'COUNT', 0],
        ['ZMPOP', 2, c, a, 'MIN', 'COUNT', -1],
        ['ZMPOP', 2, c, a],
        ['GEOSEARCHSTORE', b, c, 'FROMLONLAT', 0, 0],
        ['GEOSEARCHSTORE', b, c, 'BYRADIUS', 1, 'km'],
        ['GEORADIUS', c, 0, 0, 1, 'km', 'STORE'],
        ['SORT', d, 'BY', 'w_*', 'LIMIT', 0],
        ['SORT', d, 'BY', 'w_*', 'STORE'],
        ['SORT_RO', d, 'BY', 'w_*', 'STORE', b],
        ['LMOVE', d, a, 'LEFT'],
      ];
      for (const cmd of cmds) await both(...cmd);
      expect(await both('SMEMBERS', a)).toEqual(['1']);
      expect(await both('LRANGE', d, 0, -1)).toEqual(['l']);
      expect(await both('DBSIZE')).toBe(4);
    });

    it('encoding limits from CONFIG SET apply to results built across shards', async () => {
      const [a, b, c, d] = K;
      spread(a, b, c, d);
      const cfg = async (name: string, v: number): Promise<void> => {
        await both('CONFIG', 'SET', name, v);
      };
      try {
        await cfg('set-max-intset-entries', 4);
        await cfg('zset-max-listpack-entries', 3);
        await cfg('hash-max-listpack-entries', 2);
        await setup(['SADD', a, 1, 2, 3], ['SADD', b, 3, 4, 5], ['ZADD', c, 1, 'x', 2, 'y']);
        expect(await both('OBJECT', 'ENCODING', a)).toBe('intset');
        expect(await both('SUNIONSTORE', d, a, b)).toBe(5);
        expect(await both('OBJECT', 'ENCODING', d)).toBe('hashtable');
        expect(await both('SINTERSTORE', d, a, b)).toBe(1);
        expect(await both('OBJECT', 'ENCODING', d)).toBe('intset');
        await both('SADD', a, 6);
        expect(await both('SMOVE', b, a, 4)).toBe(1);
        expect(await both('OBJECT', 'ENCODING', a)).toBe('hashtable');
        expect(await both('SMEMBERS', b)).toEqual(['3', '5']);
        expect(await both('ZUNIONSTORE', d, 2, c, b)).toBe(4);
        expect(await both('OBJECT', 'ENCODING', d)).toBe('skiplist');
        expect(await both('ZRANGESTORE', b, d, 0, 1)).toBe(2);
        expect(await both('OBJECT', 'ENCODING', b)).toBe('listpack');
        expect(await both('GEORADIUS', keyOn('none', 0), 0, 0, 1, 'km', 'STORE', b)).toBe(0);
        await both('HSET', c + 'h', 'f', 1, 'g', 2);
        expect(await both('OBJECT', 'ENCODING', c + 'h')).toBe('listpack');
        await both('HSET', c + 'h', 'h', 3);
        expect(await both('OBJECT', 'ENCODING', c + 'h')).toBe('hashtable');
        await cfg('set-max-intset-entries', 512);
        await cfg('zset-max-listpack-entries', 128);
        await cfg('hash-max-listpack-entries', 512);
        // Conversions are one way: moving the values does not undo them.
        expect(await both('RENAME', d, c)).toBe('OK');
        expect(await both('OBJECT', 'ENCODING', c)).toBe('skiplist');
        expect(await both('RENAME', a, b)).toBe('OK');
        expect(await both('OBJECT', 'ENCODING', b)).toBe('hashtable');
        expect(await bothUnordered('SMEMBERS', b)).toEqual(['1', '2', '3', '4', '6']);
        expect(await both('RENAME', c + 'h', a)).toBe('OK');
        expect(await both('OBJECT', 'ENCODING', a)).toBe('hashtable');
      } finally {
        await cfg('set-max-intset-entries', 512);
        await cfg('zset-max-listpack-entries', 128);
        await cfg('hash-max-listpack-entries', 512);
      }
    });

    it('RESP3 replies of cross-shard commands, and SORT patterns in another db', async () => {
      const [z1, z2, l, d] = K;
      spread(z1, z2, l, d);
      await setup(
        ['SELECT', 2],
        ['ZADD', z1, 1.5, 'a', 2, 'b'],
        ['ZADD', z2, 3, 'b', '-inf', 'c'],
        ['RPUSH', l, 'b', 'a', 'c'],
        ['HSET', 'o_a', 'w', 3],
        ['HSET', 'o_b', 'w', 1],
        ['SET', 'o_c', 'str'],
        ['SELECT', 0],
      );
      const script =
        frame('HELLO', '3') + frame('SELECT', '2') +
        [
          ['ZUNION', '2', z1, z2, 'WITHSCORES'],
          ['ZINTER', '2', z1, z2, 'WITHSCORES'],
          ['ZMPOP', '2', d, z2, 'MIN', 'COUNT', '2'],
          ['LMPOP', '2', d, l, 'RIGHT'],
          ['SORT', l, 'BY', 'o_*->w', 'GET', '#', 'GET', 'o_*->w'],
          ['SORT', l, 'BY', 'o_*->w', 'GET', 'o_*', 'STORE', d],
          ['LRANGE', d, '0', '-1'],
          ['SINTERCARD', '2', z1, d],
          ['ZRANGESTORE', d, z1, '0', '-1'],
          ['ZRANGE', d, '0', '-1', 'WITHSCORES'],
        ].map((c) => frame(...c)).join('') +
        frame('PING', 'end');
      const run = async (port: number): Promise<string> => {
        const c = new RawClient(port);
        await c.ready();
        c.send(script);
        let out = '';
        while (!out.endsWith('+end\r\n') && !out.endsWith('$3\r\nend\r\n')) {
          const got = await c.read(out.length + 1, 2000);
          if (got === '') break;
          out += got;
        }
        c.close();
        return out.slice(out.indexOf('+OK\r\n') + 5);
      };
      const mine = await run(srv.port);
      expect(mine).toBe(
        '*3\r\n*2\r\n$1\r\nc\r\n,-inf\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,5\r\n' +
          '*1\r\n*2\r\n$1\r\nb\r\n,5\r\n' +
          '*2\r\n$' + z2.length + '\r\n' + z2 + '\r\n*2\r\n*2\r\n$1\r\nc\r\n,-inf\r\n*2\r\n$1\r\nb\r\n,3\r\n' +
          '*2\r\n$' + l.length + '\r\n' + l + '\r\n*1\r\n$1\r\nc\r\n' +
          '*4\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n3\r\n' +
          ':2\r\n' +
          '*2\r\n$0\r\n\r\n$0\r\n\r\n' +
          '-' + WT + '\r\n' +
          ':2\r\n' +
          '*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n' +
          '$3\r\nend\r\n',
      );
      expect(mine).toBe(await run(rd.options.port!));
    });

    it('DEL, EXISTS, TYPE, UNLINK, TOUCH of mixed types across shards', async () => {
      const [s, l, h, z] = K;
      spread(s, l, h, z);
      const st = keyOn('set', 0);
      await setup(['SET', s, 'v'], ['RPUSH', l, 'a'], ['HSET', h, 'f', 'v'], ['ZADD', z, 1, 'm'], ['SADD', st, 'x']);
      expect(await both('EXISTS', s, l, h, z, st, keyOn('none', 3), s)).toBe(6);
      for (const [k, t] of [[s, 'string'], [l, 'list'], [h, 'hash'], [z, 'zset'], [st, 'set'], ['nope', 'none']]) {
        expect(await both('TYPE', k)).toBe(t);
      }
      expect(await both('TOUCH', s, l, h, z, 'nope')).toBe(4);
      expect(await both('DEL', s, l, keyOn('none', 2))).toBe(2);
      expect(await both('UNLINK', h, z, st, h)).toBe(3);
      expect(await both('EXISTS', s, l, h, z, st)).toBe(0);
      expect(await both('DBSIZE')).toBe(0);
    });

    it('OBJECT ENCODING after conversions, then moved between shards', async () => {
      const [a, b] = K;
      spread(a, b);
      const cases: Array<[Arg[][], string]> = [];
      const ints: Arg[] = ['SADD', a];
      for (let i = 0; i < 513; i++) ints.push(i);
      cases.push([[ints.slice(0, 514)], 'intset'], [[ints], 'hashtable']);
      cases.push([[['SADD', a, 1, 2], ['SADD', a, '-9223372036854775808']], 'intset']);
      cases.push([[['SADD', a, 1, 2], ['SADD', a, '9223372036854775808']], 'hashtable']);
      cases.push([[['SADD', a, 1, 2], ['SADD', a, '01']], 'hashtable']);
      const hs: Arg[] = ['HSET', a];
      for (let i = 0; i < 513; i++) hs.push(`f${i}`, i);
      cases.push([[hs.slice(0, 2 + 1024)], 'listpack'], [[hs], 'hashtable']);
      cases.push([[['HSET', a, 'f', 'x'.repeat(64)]], 'listpack'], [[['HSET', a, 'f', 'x'.repeat(65)]], 'hashtable']);
      cases.push([[['HSET', a, 'f', '1'], ['HINCRBYFLOAT', a, 'f', '0.1']], 'listpack']);
      const zs: Arg[] = ['ZADD', a];
      for (let i = 0; i < 129; i++) zs.push(i, `m${i}`);
      cases.push([[zs.slice(0, 2 + 256)], 'listpack'], [[zs], 'skiplist']);
      cases.push([[['ZADD', a, 1, 'x'.repeat(65)]], 'skiplist']);
      cases.push([[['ZADD', a, 1, 'x'.repeat(65)], ['ZREMRANGEBYRANK', a, 0, -1], ['ZADD', a, 1, 'y']], 'listpack']);
      cases.push([[['RPUSH', a, 'x'.repeat(10000)]], 'quicklist']);
      cases.push([[['SET', a, '123']], 'int'], [[['SET', a, 'x'.repeat(44)]], 'embstr'], [[['SET', a, 'x'.repeat(45)]], 'raw']);
      for (const [build, enc] of cases) {
        await setup(...build);
        expect(await both('OBJECT', 'ENCODING', a), JSON.stringify(build).slice(0, 80)).toBe(enc);
        await both('RENAME', a, b);
        expect(await both('OBJECT', 'ENCODING', b), 'after RENAME: ' + JSON.stringify(build).slice(0, 80)).toBe(enc);
      }
    });

    it('WRONGTYPE errors across shards leave every key untouched', async () => {
      const [str, l, s, z] = K;
      spread(str, l, s, z);
      const h = keyOn('h', 3);
      await setup(['SET', str, 'v', 'PX', 100000], ['RPUSH', l, 'a', 'b'], ['SADD', s, 'a', 'b'], ['ZADD', z, 1, 'a'], ['HSET', h, 'a', '1']);
      const cmds: Arg[][] = [
        ['SMOVE', l, s, 'a'],
        ['SMOVE', s, l, 'a'],
        ['LMOVE', s, l, 'LEFT', 'LEFT'],
        ['LMOVE', l, s, 'LEFT', 'LEFT'],
        ['RPOPLPUSH', l, h],
        ['SINTER', s, z],
        ['SUNIONSTORE', l, s, h],
        ['SDIFFSTORE', z, s, str],
        ['SINTERCARD', 2, s, l],
        ['ZUNION', 2, z, l],
        ['ZINTERSTORE', s, 2, z, h],
        ['ZDIFFSTORE', s, 2, str, z],
        ['ZINTERCARD', 2, z, h],
        ['ZRANGESTORE', s, l, 0, -1],
        ['GEOSEARCHSTORE', s, h, 'FROMLONLAT', 0, 0, 'BYRADIUS', 1, 'km'],
        ['GEORADIUS', l, 0, 0, 1, 'km', 'STORE', z],
        ['PFMERGE', str, l],
        ['PFCOUNT', str, s],
        ['LMPOP', 2, s, l, 'LEFT'],
        ['ZMPOP', 2, h, z, 'MIN'],
        ['SORT', str, 'BY', 'w_*', 'STORE', l],
        ['HSET', l, 'a', 'b'],
      ];
      for (const c of cmds) {
        const r = await both(...c);
        expect(r, c.join(' ')).toHaveProperty('err');
        expect((r as { err: string }).err, c.join(' ')).toMatch(/^WRONGTYPE /);
      }
      expect(await both('GET', str)).toBe('v');
      await pttlBetween(str, 90000, 100000);
      expect(await both('LRANGE', l, 0, -1)).toEqual(['a', 'b']);
      expect(await bothUnordered('SMEMBERS', s)).toEqual(['a', 'b']);
      expect(await both('ZRANGE', z, 0, -1, 'WITHSCORES')).toEqual(['a', '1']);
      expect(await both('HGETALL', h)).toEqual(['a', '1']);
      expect(await both('DBSIZE')).toBe(5);
    });

    it('concurrent SMOVE back and forth never shows a member twice or nowhere', async () => {
      const [a, b] = K;
      spread(a, b);
      const N = 40;
      const members = Array.from({ length: N }, (_, i) => `m${i}`);
      await ks.flushall();
      await ks.sadd(a, ...members);
      const writers = [new Redis(srv.port), new Redis(srv.port)];
      const readers = [new Redis(srv.port), new Redis(srv.port)];
      let stop = false;
      let moves = 0, reads = 0;
      const bad: string[] = [];
      const writing = writers.map(async (w, wi) => {
        for (let i = wi; !stop; i++) {
          const m = members[i % N];
          const r = (await w.smove(a, b, m)) + (await w.smove(b, a, members[(i * 7) % N]));
          moves += r;
        }
      });
      const reading = readers.map(async (r) => {
        while (!stop) {
          const [u, n, ca, cb] = await Promise.all([
            r.sunion(a, b),
            r.sintercard(2, a, b) as Promise<number>,
            r.scard(a),
            r.scard(b),
          ]);
          reads++;
          if (u.length !== N) bad.push(`sunion ${u.length}`);
          if (n !== 0) bad.push(`sintercard ${n}`);
          if (ca > N || cb > N) bad.push(`scard ${ca} ${cb}`);
        }
      });
      await new Promise((res) => setTimeout(res, 1200));
      stop = true;
      await Promise.all([...writing, ...reading]);
      [...writers, ...readers].forEach((c) => c.disconnect());
      expect(bad.slice(0, 5)).toEqual([]);
      expect(moves).toBeGreaterThan(20);
      expect(reads).toBeGreaterThan(20);
      expect((await ks.scard(a)) + (await ks.scard(b))).toBe(N);
      expect((await ks.sunion(a, b)).sort()).toEqual(members.slice().sort());
    });
  });
}
