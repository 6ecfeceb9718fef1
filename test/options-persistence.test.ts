// Issue 14: options that ask for persistence or eviction (which keyshard
// does not have yet) are refused by CONFIG SET and SHUTDOWN SAVE, and
// ignored with a warning at start-up; pidfile is written and removed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, freePort, Spawned } from './helpers/server';

const AOF = 'keyshard does not implement the append-only file yet';
const RDB = 'keyshard does not implement RDB snapshots yet';
const MEM = 'keyshard does not implement maxmemory (memory limit and eviction) yet';
const setFailed = (arg: string, reason: string) => `ERR CONFIG SET failed (possibly related to argument '${arg}') - ${reason}`;

const WARN_AOF = "Ignoring 'appendonly yes': keyshard does not implement the append-only file yet; running with appendonly no";
const WARN_SAVE = 'Ignoring \'save 900 1\': keyshard does not implement RDB snapshots yet; running with save ""';
const WARN_MEM =
  "Ignoring 'maxmemory 104857600': keyshard does not implement maxmemory (memory limit and eviction) yet; running with maxmemory 0";

/** The server's log lines (pino JSON on a pipe) as [level, msg]. */
function logLines(out: string): Array<[number, string]> {
  const res: Array<[number, string]> = [];
  for (const line of out.split('\n')) {
    try {
      const o = JSON.parse(line);
      res.push([o.level, o.msg]);
    } catch {
      /* not a log line */
    }
  }
  return res;
}

/** Waits for a spawned server to exit; its exit code. */
function exited(proc: ChildProcess, ms = 5000): Promise<number | null> {
  if (proc.exitCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not exit')), ms);
    proc.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keyshard-options-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('persistence and eviction options on a running server', () => {
  let srv: Spawned;
  let r: Redis;
  beforeAll(async () => {
    srv = await startServer({ args: ['--appendonly', 'yes', '--save', '900 1', '--maxmemory', '100mb', '--loglevel', 'warning'] });
    r = new Redis(srv.port, { maxRetriesPerRequest: 0 });
  });
  afterAll(async () => {
    r?.disconnect();
    await srv?.stop();
  });

  it('starts with them off and warns about each at start-up', async () => {
    const warnings = logLines(srv.output()).filter(([level]) => level === 40).map(([, msg]) => msg);
    expect(warnings).toEqual([WARN_AOF, WARN_SAVE, WARN_MEM]);
    expect(await r.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    expect(await r.config('GET', 'save')).toEqual(['save', '']);
    expect(await r.config('GET', 'maxmemory')).toEqual(['maxmemory', '0']);
    const info = await r.info('persistence');
    expect(info).toContain('\r\naof_enabled:0\r\n');
    expect(info).toContain('\r\nrdb_saves:0\r\n');
    expect(info).toContain('\r\nrdb_bgsave_in_progress:0\r\n');
    expect(await r.info('memory')).toContain('\r\nmaxmemory:0\r\n');
  });

  it('CONFIG SET refuses to turn them on, accepts the off values', async () => {
    expect(await errorOf(r.config('SET', 'appendonly', 'yes'))).toBe(setFailed('appendonly', AOF));
    expect(await errorOf(r.config('SET', 'save', '900 1'))).toBe(setFailed('save', RDB));
    expect(await errorOf(r.config('SET', 'save', '3600 1 300 100 60 10000'))).toBe(setFailed('save', RDB));
    expect(await errorOf(r.config('SET', 'maxmemory', '100mb'))).toBe(setFailed('maxmemory', MEM));
    expect(await errorOf(r.config('SET', 'shutdown-on-sigterm', 'save'))).toBe(setFailed('shutdown-on-sigterm', RDB));
    expect(await errorOf(r.call('CONFIG', 'SET', 'timeout', '7', 'appendonly', 'yes'))).toBe(setFailed('appendonly', AOF));
    expect(await r.config('GET', 'timeout')).toEqual(['timeout', '0']);
    expect(await r.config('SET', 'appendonly', 'no')).toBe('OK');
    expect(await r.config('SET', 'save', '')).toBe('OK');
    expect(await r.config('SET', 'maxmemory', '0')).toBe('OK');
    expect(await r.config('SET', 'maxmemory-policy', 'allkeys-lru')).toBe('OK');
    expect(await r.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'allkeys-lru']);
    expect(await r.config('SET', 'maxmemory-policy', 'noeviction')).toBe('OK');
  });

  it('SAVE, BGSAVE and BGREWRITEAOF say what is missing', async () => {
    expect(await errorOf(r.call('SAVE'))).toBe(`ERR ${RDB}`);
    expect(await errorOf(r.call('BGSAVE'))).toBe(`ERR ${RDB}`);
    expect(await errorOf(r.call('BGSAVE', 'SCHEDULE'))).toBe(`ERR ${RDB}`);
    expect(await errorOf(r.call('BGSAVE', 'NOW'))).toBe('ERR syntax error');
    expect(await errorOf(r.call('BGREWRITEAOF'))).toBe(`ERR ${AOF}`);
    expect(await r.lastsave()).toBeGreaterThan(0);
  });

  it('SHUTDOWN SAVE is refused and the server stays up', async () => {
    const refused = `ERR SHUTDOWN SAVE refused: ${RDB} (SHUTDOWN NOSAVE stops without saving)`;
    expect(await errorOf(r.call('SHUTDOWN', 'SAVE'))).toBe(refused);
    expect(await errorOf(r.call('SHUTDOWN', 'SAVE', 'NOW'))).toBe(refused);
    expect(await errorOf(r.call('SHUTDOWN', 'SAVE', 'NOSAVE'))).toBe('ERR syntax error');
    expect(await r.ping()).toBe('PONG');
    expect(srv.proc.exitCode).toBeNull();
  });
});

describe('loglevel', () => {
  it('CONFIG SET loglevel takes effect at once', async () => {
    const quiet = await startServer({ args: ['--loglevel', 'warning'] });
    await quiet.stop();
    expect(logLines(quiet.output()).map(([, msg]) => msg)).not.toContain('shutting down');
    const srv = await startServer({ args: ['--loglevel', 'warning'] });
    const r = new Redis(srv.port);
    try {
      expect(await r.config('SET', 'loglevel', 'notice')).toBe('OK');
    } finally {
      r.disconnect();
      await srv.stop();
    }
    expect(logLines(srv.output())).toContainEqual([30, 'shutting down']);
  });
});

describe('pidfile', () => {
  it('is written after start and removed on SIGTERM', async () => {
    const pidfile = path.join(tmp, 'ks.pid');
    const srv = await startServer({ args: ['--pidfile', pidfile] });
    try {
      expect(fs.readFileSync(pidfile, 'utf8')).toBe(`${srv.proc.pid}\n`);
    } finally {
      await srv.stop();
    }
    expect(srv.proc.exitCode).toBe(0);
    expect(fs.existsSync(pidfile)).toBe(false);
  });

  it('is relative to dir, and removed on SHUTDOWN and SHUTDOWN SAVE FORCE', async () => {
    for (const shutdown of [['SHUTDOWN'], ['SHUTDOWN', 'NOSAVE'], ['SHUTDOWN', 'SAVE', 'FORCE']]) {
      const srv = await startServer({ args: ['--dir', tmp, '--pidfile', 'rel.pid'] });
      const pidfile = path.join(tmp, 'rel.pid');
      const r = new Redis(srv.port, { maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => {});
      try {
        expect(fs.readFileSync(pidfile, 'utf8')).toBe(`${srv.proc.pid}\n`);
        await r.call(shutdown[0], ...shutdown.slice(1)).catch(() => {});
        expect([shutdown.join(' '), await exited(srv.proc)]).toEqual([shutdown.join(' '), 0]);
        expect(fs.existsSync(pidfile)).toBe(false);
      } finally {
        r.disconnect();
        await srv.stop();
      }
    }
  });

  it('that cannot be written is a warning, as in Redis', async () => {
    const srv = await startServer({ args: ['--pidfile', '/nonexistent-keyshard-dir/ks.pid'] });
    await srv.stop();
    expect(logLines(srv.output())).toContainEqual([40, 'Failed to write PID file: No such file or directory']);
  });

  it('is not written when unset', async () => {
    const srv = await startServer({ args: ['--dir', tmp] });
    const r = new Redis(srv.port);
    try {
      expect(await r.config('GET', 'pidfile')).toEqual(['pidfile', '']);
      expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.pid'))).toEqual([]);
    } finally {
      r.disconnect();
      await srv.stop();
    }
  });
});

describe('a config file asking for persistence and eviction', () => {
  it('starts, warns, and CONFIG REWRITE keeps the lines as written', async () => {
    const conf = path.join(tmp, 'ks.conf');
    fs.writeFileSync(conf, 'appendonly yes\nsave 900 1\nmaxmemory 100mb\ntimeout 0\n');
    const port = await freePort();
    const main = path.join(__dirname, '..', 'dist', 'acceptor', 'main.js');
    const proc = spawn(process.execPath, [main, conf, '--port', String(port), '--shards', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    const r = new Redis(port, { maxRetriesPerRequest: null, retryStrategy: (n) => (n > 300 ? null : 50) });
    r.on('error', () => {});
    try {
      expect(await r.ping()).toBe('PONG');
      expect(logLines(out).filter(([level]) => level === 40).map(([, msg]) => msg)).toEqual([WARN_AOF, WARN_SAVE, WARN_MEM]);
      expect(await r.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      expect(await r.config('SET', 'timeout', '5')).toBe('OK');
      expect(await r.call('CONFIG', 'REWRITE')).toBe('OK');
      const text = fs.readFileSync(conf, 'utf8');
      expect(text.startsWith('appendonly yes\nsave 900 1\nmaxmemory 100mb\ntimeout 5\n')).toBe(true);
    } finally {
      r.disconnect();
      proc.kill('SIGTERM');
      await exited(proc);
    }
  });
});
