// Real client libraries beyond ioredis: node-redis (RESP2 and RESP3) and
// redis-cli, unmodified, against a spawned keyshard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, WatchError } from 'redis';
import { execFileSync } from 'node:child_process';
import { startServer, Spawned } from './helpers/server';

/** redis-cli must be there (make test installs it): a missing one fails the test. */
function requireRedisCli(): void {
  try {
    execFileSync('redis-cli', ['--version']);
  } catch (e) {
    throw new Error(`redis-cli is not installed (make test installs it: apt-get install redis-tools): ${(e as Error).message}`);
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
      expect(await c.flushAll()).toBe('OK');
      expect(await c.set(`nr${RESP}`, 'v', { PX: 100000 })).toBe('OK');
      expect(await c.get(`nr${RESP}`)).toBe('v');
      expect(await c.mSet([`a${RESP}`, '1', `b${RESP}`, '2', `c${RESP}`, '3'])).toBe('OK');
      expect(await c.mGet([`a${RESP}`, `b${RESP}`, `zz${RESP}`, `c${RESP}`])).toEqual(['1', '2', null, '3']);
      expect(await c.incrByFloat(`f${RESP}`, 1.5)).toBe('1.5');
      expect(await c.dbSize()).toBe(5);
      // INFO's values vary (pid, uptime…), its frame and these fields don't.
      const info = await c.info('server');
      expect(info.startsWith('# Server\r\nredis_version:7.0.15\r\n')).toBe(true);
      expect(info.endsWith('\r\n')).toBe(true);
      expect(info).toContain('\r\nredis_mode:standalone\r\n');
      expect(info).toContain(`\r\nprocess_id:${srv.proc.pid}\r\n`);
      expect(info).toContain(`\r\ntcp_port:${srv.port}\r\n`);
      // Transactions as node-redis sends them: keys on different shards, and WATCH.
      expect(await c.multi().set(`t1${RESP}`, 'x').incr(`t2${RESP}`).get(`t1${RESP}`).exec()).toEqual(['OK', 1, 'x']);
      await c.watch(`t2${RESP}`);
      const other = c.duplicate();
      other.on('error', () => {});
      await other.connect();
      await other.incr(`t2${RESP}`);
      await other.quit();
      // EXEC answered null: node-redis turns exactly that into a WatchError.
      const failed = await c.multi().get(`t2${RESP}`).exec().catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(WatchError);
      expect((failed as Error).message).toBe('One (or more) of the watched keys has been changed');
      expect(await c.get(`t2${RESP}`)).toBe('2');
      await c.quit();
    });
  }

  it('redis-cli (redis-cli is installed by make test)', () => {
    requireRedisCli();
    const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(srv.port), ...args]).toString();
    expect(cli('set', 'clikey', 'hello')).toBe('OK\n');
    expect(cli('get', 'clikey')).toBe('hello\n');
    expect(cli('incr', 'clikey')).toBe('ERR value is not an integer or out of range\n\n');
    expect(cli('--no-raw', 'mget', 'clikey', 'none')).toBe('1) "hello"\n2) (nil)\n');
    expect(cli('-3', 'get', 'none')).toBe('\n');
    expect(cli('-3', '--no-raw', 'hello', '3')).toMatch(
      /^1# "server" => "redis"\n2# "version" => "7\.0\.15"\n3# "proto" => \(integer\) 3\n4# "id" => \(integer\) \d+\n5# "mode" => "standalone"\n6# "role" => "master"\n7# "modules" => \(empty array\)\n$/,
    );
  });
});
