// Real client libraries beyond ioredis: node-redis (RESP2 and RESP3) and
// redis-cli, unmodified, against a spawned keyshard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { execFileSync } from 'node:child_process';
import { startServer, Spawned } from './helpers/server';

function hasRedisCli(): boolean {
  try {
    execFileSync('redis-cli', ['--version']);
    return true;
  } catch {
    return false;
  }
}

describe('node-redis and redis-cli (4 shards)', () => {
  let srv: Spawned;
  beforeAll(async () => {
    srv = await startServer({ shards: 4 });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  for (const RESP of [2, 3] as const) {
    it(`node-redis with RESP${RESP}`, async () => {
      const c = createClient({ socket: { host: '127.0.0.1', port: srv.port }, RESP });
      c.on('error', () => {});
      await c.connect();
      expect(await c.ping()).toBe('PONG');
      expect(await c.set(`nr${RESP}`, 'v', { PX: 100000 })).toBe('OK');
      expect(await c.get(`nr${RESP}`)).toBe('v');
      expect(await c.mSet([`a${RESP}`, '1', `b${RESP}`, '2', `c${RESP}`, '3'])).toBe('OK');
      expect(await c.mGet([`a${RESP}`, `b${RESP}`, `zz${RESP}`, `c${RESP}`])).toEqual(['1', '2', null, '3']);
      expect(await c.incrByFloat(`f${RESP}`, 1.5)).toBe('1.5');
      expect(await c.dbSize()).toBeGreaterThan(0);
      expect(typeof (await c.info('server'))).toBe('string');
      // Transactions as node-redis sends them: keys on different shards, and WATCH.
      expect(await c.multi().set(`t1${RESP}`, 'x').incr(`t2${RESP}`).get(`t1${RESP}`).exec()).toEqual(['OK', 1, 'x']);
      await c.watch(`t2${RESP}`);
      const other = c.duplicate();
      other.on('error', () => {});
      await other.connect();
      await other.incr(`t2${RESP}`);
      await other.quit();
      await expect(c.multi().get(`t2${RESP}`).exec()).rejects.toThrow(/WATCH|aborted/i);
      await c.quit();
    });
  }

  it.skipIf(!hasRedisCli())('redis-cli (redis-cli is installed by make test)', () => {
    const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(srv.port), ...args]).toString();
    expect(cli('set', 'clikey', 'hello')).toBe('OK\n');
    expect(cli('get', 'clikey')).toBe('hello\n');
    expect(cli('incr', 'clikey')).toBe('ERR value is not an integer or out of range\n\n');
    expect(cli('--no-raw', 'mget', 'clikey', 'none')).toBe('1) "hello"\n2) (nil)\n');
    expect(cli('-3', 'get', 'none')).toBe('\n');
    expect(cli('-3', '--no-raw', 'hello', '3').split('\n').slice(0, 3)).toEqual(['1# "server" => "redis"', '2# "version" => "7.0.15"', '3# "proto" => (integer) 3']);
  });
});
