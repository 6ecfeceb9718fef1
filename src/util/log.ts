// Logging through pino: JSON lines, or a Redis-like readable line on a TTY.

import pino, { Logger } from 'pino';

const LEVELS: Record<string, string> = {
  debug: 'debug',
  verbose: 'debug',
  notice: 'info',
  warning: 'warn',
  nothing: 'silent',
};

const MARK: Record<number, string> = { 10: '.', 20: '.', 30: '*', 40: '#', 50: '#', 60: '#' };

/** A destination that prints `pid:M 29 Nov 2026 21:40:01.123 * msg {fields}` like redis-server. */
function readable(out: NodeJS.WritableStream) {
  return {
    write(line: string) {
      try {
        const o = JSON.parse(line);
        const { level, time, msg, pid, hostname, ...rest } = o;
        void hostname;
        const d = new Date(time);
        const ts = d.toUTCString().slice(5, 25) + '.' + String(d.getMilliseconds()).padStart(3, '0');
        const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
        out.write(`${pid}:M ${ts} ${MARK[level] ?? '*'} ${msg}${extra}\n`);
      } catch {
        out.write(line);
      }
    },
  };
}

/** The pino level for a Redis loglevel. */
export function pinoLevel(loglevel: string): string {
  return LEVELS[loglevel] ?? 'info';
}

export function makeLogger(loglevel: string, logfile: string): Logger {
  const level = pinoLevel(loglevel);
  if (logfile) return pino({ level }, pino.destination({ dest: logfile, sync: false, mkdir: true }));
  if (process.stdout.isTTY) return pino({ level }, readable(process.stdout));
  return pino({ level }, pino.destination({ fd: 1, sync: false }));
}

/**
 * A shard worker's logger: same lines, written synchronously, because the
 * worker thread never returns to its event loop (asynchronous output would
 * surface only at exit).
 */
export function shardLogger(loglevel: string, logfile: string, shard: number): Logger {
  const level = pinoLevel(loglevel);
  return pino({ level, base: { pid: process.pid, shard } }, pino.destination({ dest: logfile || 1, sync: true, mkdir: true }));
}

/**
 * Writes out what the logger still buffers, synchronously: for a last line
 * logged from a process 'exit' handler, after pino's own exit flush.
 */
export function flushLogSync(log: Logger): void {
  try {
    (log as any)[pino.symbols.streamSym]?.flushSync?.();
  } catch {
    /* nothing buffered, or the destination is gone */
  }
}
