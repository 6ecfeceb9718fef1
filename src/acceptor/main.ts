// keyshard-server entry point: `keyshard-server [config-file] [--option value …]`.

import * as v8 from 'node:v8';
import * as fs from 'node:fs';
import { Config, ConfigError, strerror } from '../config/config';

// V8 heap sizing for a server that keeps millions of small objects:
// - heaps grow 20 % per step instead of up to 2x, so a shard holding
//   millions of keys doesn't keep large committed-but-unused old space;
// - the young generation stays at its initial size instead of growing to
//   tens of MB: what survives it is long-lived (keys, values) anyway, and a
//   nursery that fits in cache makes the acceptor's per-request garbage
//   cheaper. Set before the shard workers' isolates exist; the acceptor's
//   own isolate reads the growth factor when it would grow.
// 1M-key memory test and A/B throughput: docs/BENCHMARKS.md.
v8.setFlagsFromString('--heap-growing-percent=20 --semi-space-growth-factor=1');
import type { Logger } from 'pino';
import { makeLogger, pinoLevel, flushLogSync } from '../util/log';
import { Acceptor } from './acceptor';
import { VERSION, KEYSHARD_VERSION } from '../version';

/**
 * Writes the process id to `pidfile` as redis-server does (after the server
 * listens; a failure is only a warning) and removes it when the process
 * exits, whichever way it stops (SIGTERM, SIGINT, SHUTDOWN). The path is
 * taken relative to the directory at start-up, after `dir`.
 */
function createPidFile(file: string, log: Logger): void {
  // Option values are byte strings (latin1); the file system takes bytes.
  const rel = Buffer.from(file, 'latin1');
  const abs = file.startsWith('/') ? rel : Buffer.concat([Buffer.from(process.cwd() + '/'), rel]);
  try {
    fs.writeFileSync(abs, `${process.pid}\n`);
  } catch (e) {
    log.warn(`Failed to write PID file: ${strerror(e)}`);
    return;
  }
  process.on('exit', () => {
    log.info('Removing the pid file.');
    flushLogSync(log);
    try {
      fs.unlinkSync(abs);
    } catch {
      /* already gone */
    }
  });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = Config.fromArgv(process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(e.message.endsWith('\n') ? e.message : e.message + '\n');
      process.exit(1);
    }
    throw e;
  }
  const log = makeLogger(config.get('loglevel') ?? 'notice', config.get('logfile') ?? '');
  // Options asking for persistence or eviction, which keyshard lacks: the
  // server starts with them off and says so (README, "Options").
  for (const ig of config.ignored) {
    log.warn({ option: ig.option, requested: ig.requested, value: ig.value }, ig.message);
  }
  const server = new Acceptor(config, log);
  // CONFIG SET loglevel takes effect at once.
  const serverOnChange = config.onChange;
  config.onChange = (name, value) => {
    if (name === 'loglevel') log.level = pinoLevel(value);
    return serverOnChange(name, value);
  };
  try {
    await server.start();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    log.fatal({ err }, `Failed listening on port ${config.num('port')} (tcp): ${err.code ?? err.message}`);
    process.stderr.write(`Could not create server TCP listening socket *:${config.num('port')}: ${err.code ?? err.message}\n`);
    process.exit(1);
  }
  const pidfile = config.get('pidfile') ?? '';
  if (pidfile !== '') createPidFile(pidfile, log);
  log.info(
    {
      version: KEYSHARD_VERSION,
      redis_version: VERSION,
      port: server.port,
      pid: process.pid,
      shards: server.shardCount,
      slots: server.ranges.map(([a, b]) => `${a}-${b - 1}`),
    },
    'keyshard ready to accept connections',
  );
  const stop = (sig: string) => {
    server.shutdown(sig).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
