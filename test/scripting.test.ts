// EVAL/EVALSHA/SCRIPT against spawned servers with 1 and 4 shards: replies
// compared byte for byte with a real Redis 7.0 running the same scripts,
// the script cache on every shard, undeclared keys, and atomicity of
// scripts whose keys live on several shards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, ChildProcess, execFileSync } from 'node:child_process';
import * as net from 'node:net';
import Redis from 'ioredis';
import { RawClient, frame, freePort, startServer, Spawned } from './helpers/server';

/** Real Redis 7.0, the reference; the test fails loudly without it. */
async function startRedis(): Promise<{ port: number; proc: ChildProcess; stop(): Promise<void> }> {
  const version = execFileSync('redis-server', ['--version']).toString();
  if (!/v=7\.0\./.test(version)) throw new Error('these tests compare with Redis 7.0; found: ' + version);
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((res) => {
      const s = net.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
      s.on('data', (d) => {
        s.destroy();
        res(d.toString() === '+PONG\r\n');
      });
      s.on('error', () => res(false));
    });
    if (up) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  return {
    port,
    proc,
    stop: () => new Promise<void>((res) => {
      if (proc.exitCode !== null) return res();
      proc.once('exit', () => res());
      proc.kill('SIGTERM');
    }),
  };
}

/** End of the RESP2/RESP3 value at p in s, or -1 if it is not complete yet. */
function skip(s: string, p: number): number {
  const nl = s.indexOf('\r\n', p);
  if (nl < 0) return -1;
  const t = s[p];
  const n = Number(s.slice(p + 1, nl));
  if ('+-:_,#('.includes(t)) return nl + 2;
  if ('$!='.includes(t)) return n < 0 ? nl + 2 : nl + 2 + n + 2 <= s.length ? nl + 2 + n + 2 : -1;
  if ('*~>%|'.includes(t)) {
    if (n < 0) return nl + 2;
    let q = nl + 2;
    const items = t === '%' || t === '|' ? 2 * n : n;
    for (let i = 0; i < items; i++) {
      q = skip(s, q);
      if (q < 0) return -1;
    }
    return q;
  }
  throw new Error('bad RESP: ' + JSON.stringify(s.slice(p)));
}

/** One request, its whole raw reply. */
async function raw(c: RawClient, args: string[]): Promise<string> {
  c.send(frame(...args));
  let out = '';
  while (out === '' || skip(out, 0) !== out.length) {
    const more = await c.read(1, 3000);
    if (more === '') throw new Error('no complete reply to ' + JSON.stringify(args) + ': ' + JSON.stringify(out));
    out += more;
  }
  return out;
}

// Scripts whose replies must be byte-identical to Redis's, in RESP2 and RESP3.
const SAME: Array<[string, string[], string[]]> = [
  ['return 1', [], []],
  ['return 3.99', [], []],
  ['return -2.5', [], []],
  ["return 'hello'", [], []],
  ['return true', [], []],
  ['return false', [], []],
  ['return nil', [], []],
  ['return {1, 2, 3, "x", {4, 5}}', [], []],
  ['return {1, 2, nil, 4}', [], []],
  ["return {ok='fine'}", [], []],
  ["return {err='bad thing'}", [], []],
  ["return {err='MYERR custom'}", [], []],
  ["return redis.error_reply('E1 failure')", [], []],
  ["return redis.status_reply('STATUS')", [], []],
  ['return tostring(10/2)', [], []],
  ['return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}', ['k1', 'k2'], ['a\u0000b', '\u00ff\r\n']],
  ["redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])", ['sk'], ['v1']],
  ["return redis.call('INCRBY', KEYS[1], 5)", ['counter'], []],
  ["redis.call('DEL', KEYS[1]); redis.call('RPUSH', KEYS[1], 'a', 'b', 'c'); return redis.call('LRANGE', KEYS[1], 0, -1)", ['lst'], []],
  ["redis.call('DEL', KEYS[1]); redis.call('HSET', KEYS[1], 'f', 'v'); return redis.call('HGETALL', KEYS[1])", ['hh'], []],
  ["return redis.call('GET', 'no-such-key')", [], []],
  ["return redis.pcall('INCR', KEYS[1])", ['lst'], []],
  ["return redis.call('INCR', KEYS[1])", ['lst'], []],
  ["return redis.call('nosuchcommand')", [], []],
  ["return redis.call('GET')", [], []],
  ['return x', [], []],
  ['y = 1', [], []],
  ['return cjson.encode({1, 2, 3})', [], []],
  ['return bit.band(0xff, 0x0f)', [], []],
  ["return redis.sha1hex('abc')", [], []],
  ["return type(unpack)", [], []],
  ["redis.setresp(3); redis.call('DEL', KEYS[1]); redis.call('HSET', KEYS[1], 'a', '1'); return redis.call('HGETALL', KEYS[1])", ['h3'], []],
  ['this is not lua', [], []],
];

for (const shards of [1, 4]) {
  describe(`scripting (${shards} shard(s))`, () => {
    let srv: Spawned;
    let ref: Awaited<ReturnType<typeof startRedis>>;
    beforeAll(async () => {
      srv = await startServer({ shards });
      ref = await startRedis();
    });
    afterAll(async () => {
      await srv?.stop();
      await ref?.stop();
    });

    for (const proto of [2, 3]) {
      it(`EVAL replies and errors match Redis 7.0 byte for byte (RESP${proto})`, async () => {
        const a = new RawClient(srv.port), b = new RawClient(ref.port);
        await a.ready();
        await b.ready();
        if (proto === 3) {
          await raw(a, ['HELLO', '3']);
          await raw(b, ['HELLO', '3']);
        }
        for (const [body, keys, argv] of SAME) {
          const args = ['EVAL', body, String(keys.length), ...keys, ...argv];
          const got = await raw(a, args);
          const want = await raw(b, args);
          expect(got, body).toBe(want);
        }
        a.close();
        b.close();
      });
    }

    it('SCRIPT LOAD / EXISTS / FLUSH and EVALSHA, on whatever shard the keys live', async () => {
      const r = new Redis(srv.port);
      const sha = (await r.script('LOAD', "return redis.call('GET', KEYS[1])")) as string;
      expect(sha).toBe('d3c21d0c2b9ca22f82737626a27bcaf5d288f99f');
      for (let i = 0; i < 20; i++) await r.set(`es:${i}`, `v${i}`);
      for (let i = 0; i < 20; i++) expect(await r.evalsha(sha, 1, `es:${i}`)).toBe(`v${i}`);
      expect(await r.evalsha(sha.toUpperCase(), 1, 'es:1')).toBe('v1');
      expect(await r.script('EXISTS', sha, 'ffffffffffffffffffffffffffffffffffffffff')).toEqual([1, 0]);
      expect(await r.script('FLUSH')).toBe('OK');
      expect(await r.script('EXISTS', sha)).toEqual([0]);
      await expect(r.evalsha(sha, 1, 'es:1')).rejects.toThrow('NOSCRIPT No matching script. Please use EVAL.');
      await expect(r.evalsha('abc', 0)).rejects.toThrow('NOSCRIPT No matching script. Please use EVAL.');
      // EVAL caches the body: EVALSHA works right after, on every shard.
      expect(await r.eval("return redis.call('GET', KEYS[1])", 1, 'es:3')).toBe('v3');
      for (let i = 0; i < 20; i++) expect(await r.evalsha(sha, 1, `es:${i}`)).toBe(`v${i}`);
      await expect(r.eval('return 1', -1)).rejects.toThrow("ERR Number of keys can't be negative");
      await expect(r.eval('return 1', 2, 'a')).rejects.toThrow("ERR Number of keys can't be greater than number of args");
      await expect(r.eval('return 1', 'x')).rejects.toThrow('ERR value is not an integer or out of range');
      r.disconnect();
    });

    it('scripts that build their keys at run time (undeclared) see and change every shard', async () => {
      const r = new Redis(srv.port);
      const body = "for i = 1, 50 do redis.call('SET', ARGV[1] .. i, i) end; local s = 0; for i = 1, 50 do s = s + tonumber(redis.call('GET', ARGV[1] .. i)) end; return s";
      expect(await r.eval(body, 0, 'undeclared:')).toBe(1275);
      for (let i = 1; i <= 50; i++) expect(await r.get(`undeclared:${i}`)).toBe(String(i));
      // A cross-shard command inside a script.
      await r.set('src-k', 'moved');
      expect(await r.eval("return redis.call('RENAME', ARGV[1], ARGV[2])", 0, 'src-k', 'dst-k-other')).toBe('OK');
      expect(await r.get('dst-k-other')).toBe('moved');
      expect(await r.exists('src-k')).toBe(0);
      r.disconnect();
    });

    it('a script moving a value between keys on different shards is never seen half done', async () => {
      const r = new Redis(srv.port);
      await r.set('atom:a', '100');
      await r.set('atom:b', '0');
      const move = "local v = tonumber(redis.call('GET', KEYS[1])); redis.call('SET', KEYS[1], v - 1); redis.call('SET', KEYS[2], tonumber(redis.call('GET', KEYS[2])) + 1); return v";
      const movers = [new Redis(srv.port), new Redis(srv.port)];
      const reader = new Redis(srv.port);
      let stop = false;
      let torn = 0;
      const reading = (async () => {
        while (!stop) {
          const [a, b] = await reader.mget('atom:a', 'atom:b');
          if (Number(a) + Number(b) !== 100) torn++;
        }
      })();
      await Promise.all(movers.map(async (m, i) => {
        for (let j = 0; j < 40; j++) await m.eval(move, 2, i === 0 ? 'atom:a' : 'atom:b', i === 0 ? 'atom:b' : 'atom:a');
      }));
      stop = true;
      await reading;
      expect(torn).toBe(0);
      expect(Number(await r.get('atom:a')) + Number(await r.get('atom:b'))).toBe(100);
      for (const m of [...movers, reader, r]) m.disconnect();
    });

    it('EVAL_RO refuses writes; scripts inside MULTI run at EXEC', async () => {
      const r = new Redis(srv.port);
      await expect(r.call('EVAL_RO', "return redis.call('SET', KEYS[1], 'x')", '1', 'ro-k')).rejects.toThrow(
        'Write commands are not allowed from read-only scripts.',
      );
      await r.set('ro-k', 'val');
      expect(await r.call('EVAL_RO', "return redis.call('GET', KEYS[1])", '1', 'ro-k')).toBe('val');
      const res = await r.multi().set('m-k', '1').eval("return redis.call('INCR', KEYS[1])", 1, 'm-k').get('m-k').exec();
      expect(res).toEqual([[null, 'OK'], [null, 2], [null, '2']]);
      r.disconnect();
    });
  });
}
