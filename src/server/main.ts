// keyshard-server entry point: `keyshard-server [config-file] [--option value …]`.

import { Config, ConfigError } from './config';
import { makeLogger } from './log';
import { Server, VERSION, KEYSHARD_VERSION } from './server';

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
  const server = new Server(config, log);
  try {
    await server.start();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    log.fatal({ err }, `Failed listening on port ${config.num('port')} (tcp): ${err.code ?? err.message}`);
    process.stderr.write(`Could not create server TCP listening socket *:${config.num('port')}: ${err.code ?? err.message}\n`);
    process.exit(1);
  }
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
