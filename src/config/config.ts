// Server configuration: redis.conf syntax, the redis-server command line,
// CONFIG GET/SET/REWRITE semantics and texts as Redis 7.0.15 has them.
//
// Every value is held as a latin1 string (one char per byte), like the wire
// and the config file; paths are turned back into bytes for the file system.

import { globMatch } from '../util/glob';
import { splitArgs as splitArgsBytes } from '../protocol/frame';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createHash } from 'crypto';
import { parseLL, parseDouble } from '../util/parse';
import { VERSION } from '../version';


export class ConfigError extends Error {
  /**
   * `logged`: Redis reports this one through its logger (a timestamped
   * warning line) rather than as the raw FATAL block on stderr.
   */
  constructor(message: string, readonly logged = false) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The block redis-server prints to stderr for a bad configuration line. */
export function fatalConfigText(err: string, lineNo?: number, line?: string): string {
  let s = `\n*** FATAL CONFIG FILE ERROR (Redis ${VERSION}) ***\n`;
  if (lineNo !== undefined) s += `Reading the configuration file, at line ${lineNo}\n>>> '${line}'\n`;
  return s + err + '\n';
}

// ---------------------------------------------------------------------------
// Text helpers shared with other modules (sds.c / util.c semantics)

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** sdssplitargs over a config line (the inline-command splitter, so the rules live once). */
export function splitArgs(line: string): string[] | null {
  const b = Buffer.from(line, 'latin1');
  const parts = splitArgsBytes(b, 0, b.length);
  return parts === null ? null : parts.map((p) => p.latin1Slice(0, p.length));
}

/** sdscatrepr: a double-quoted, escaped representation that splitArgs reads back. */
export function repr(s: string): string {
  let r = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 34) r += '\\' + s[i];
    else if (c === 10) r += '\\n';
    else if (c === 13) r += '\\r';
    else if (c === 9) r += '\\t';
    else if (c === 7) r += '\\a';
    else if (c === 8) r += '\\b';
    else if (c >= 32 && c <= 126) r += s[i];
    else r += '\\x' + (c & 0xff).toString(16).padStart(2, '0');
  }
  return r + '"';
}

const U64 = 1n << 64n;
const LLONG_MAX = (1n << 63n) - 1n;
const LLONG_MIN = -(1n << 63n);
const ULLONG_MAX = U64 - 1n;
const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const UINT_MAX = 4294967295n;

/** memtoull: digits with an optional b/k/kb/m/mb/g/gb unit; null on error. Returns the unsigned 64-bit value. */
export function memToULL(s: string): bigint | null {
  if (s.charCodeAt(0) === 45) return null;
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const u = s.slice(i).toLowerCase();
  let mul: bigint;
  if (u === '' || u === 'b') mul = 1n;
  else if (u === 'k') mul = 1000n;
  else if (u === 'kb') mul = 1024n;
  else if (u === 'm') mul = 1000000n;
  else if (u === 'mb') mul = 1048576n;
  else if (u === 'g') mul = 1000000000n;
  else if (u === 'gb') mul = 1073741824n;
  else return null;
  if (i >= 128) return null;
  // strtoull of no digits is 0 without an error, so "" and "kb" are 0.
  let v = i === 0 ? 0n : BigInt(s.slice(0, i));
  if (v > ULLONG_MAX) v = ULLONG_MAX;
  return BigInt.asUintN(64, v * mul);
}

/** strtoll(s, &end, base) that must consume the whole string; clamps on overflow like libc. */
function strtollWhole(s: string, base: 8 | 10): bigint | null {
  if (s === '') return 0n;
  const m = (base === 10 ? /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/ : /^[ \t\n\v\f\r]*([+-]?)([0-7]+)$/).exec(s);
  if (!m) return null;
  let v = BigInt((base === 8 ? '0o' : '') + m[2]);
  if (m[1] === '-') v = -v;
  return v;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EEXIST: 'File exists',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
  EMFILE: 'Too many open files',
  EBUSY: 'Device or resource busy',
  EIO: 'Input/output error',
  EINVAL: 'Invalid argument',
  EDQUOT: 'Disk quota exceeded',
};

/** strerror() text for a Node fs error. */
export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  return (code && ERRNO_TEXT[code]) || (e as Error)?.message || String(e);
}

/** latin1 (byte) string → what fs APIs take. */
function fsPath(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

function toBytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

function cwdBytes(): string {
  try {
    return toBytes(process.cwd());
  } catch {
    return '';
  }
}

/** util.c getAbsolutePath. */
function absolutePath(file: string): string {
  let rel = file.replace(/^[ \r\n\t]+|[ \r\n\t]+$/g, '');
  if (rel[0] === '/') return rel;
  let abs = cwdBytes();
  if (abs.length && !abs.endsWith('/')) abs += '/';
  while (rel.startsWith('../')) {
    rel = rel.slice(3);
    if (abs.length > 1) abs = abs.slice(0, abs.lastIndexOf('/', abs.length - 2) + 1);
  }
  return abs + rel;
}

// ---------------------------------------------------------------------------
// The option table

const IMMUTABLE = 1;
const PROTECTED = 2;
const HIDDEN = 4;
const MULTI_ARG = 8;
const SENSITIVE = 16;
const DENY_LOADING = 32;

const MEMORY = 1;
const PERCENT = 2;
const OCTAL = 4;

type Validator<T> = (v: T) => string | null;

interface OptBase {
  id: number;
  name: string;
  alias: string | null;
  flags: number;
  /** keyshard reads this option; false means stored and reported only. */
  effective: boolean;
}
interface BoolOpt extends OptBase {
  t: 'bool';
  def: boolean;
  valid?: Validator<boolean>;
}
interface NumOpt extends OptBase {
  t: 'num';
  unsigned: boolean;
  lo: bigint;
  hi: bigint;
  def: bigint;
  nf: number;
  /** Post-set normalisation (hz clamps rather than rejects). */
  post?: (v: bigint) => bigint;
}
interface EnumOpt extends OptBase {
  t: 'enum';
  names: string[];
  vals: number[];
  def: number;
  valid?: Validator<number>;
}
interface StrOpt extends OptBase {
  t: 'str';
  def: string | null;
  emptyNull: boolean;
  valid?: Validator<string>;
}
interface SpecialOpt extends OptBase {
  t: 'special';
  sp: Special;
}
type Opt = BoolOpt | NumOpt | EnumOpt | StrOpt | SpecialOpt;

interface Special {
  init(): unknown;
  /** Returns an error text, or stores the new value through `put`. */
  set(cfg: Config, o: SpecialOpt, argv: string[]): string | null;
  get(cfg: Config, v: any): string;
  rewrite(cfg: Config, st: RewriteState, o: SpecialOpt, v: any): void;
}

/**
 * Options keyshard acts on; the rest are accepted, stored and reported (see
 * README). The encoding thresholds decide what OBJECT ENCODING reports,
 * list-max-listpack-size, list-compress-depth and rdbcompression shape DUMP
 * payloads, hll-sparse-max-bytes the HyperLogLog encoding,
 * enable-protected-configs guards CONFIG SET dir. Not here: save, appendonly,
 * maxmemory (only their "off" values are accepted, see UNIMPLEMENTED),
 * maxmemory-policy (nothing is evicted while maxmemory is 0), daemonize (only
 * "no"), hz (the server cron has a fixed period), dbfilename (no snapshots).
 */
const EFFECTIVE = new Set([
  'port', 'bind', 'shards', 'databases', 'loglevel', 'logfile', 'maxclients', 'timeout', 'tcp-keepalive',
  'proto-max-bulk-len', 'client-query-buffer-limit', 'requirepass', 'dir', 'pidfile', 'enable-protected-configs',
  'hash-max-listpack-entries', 'hash-max-listpack-value', 'set-max-intset-entries', 'zset-max-listpack-entries',
  'zset-max-listpack-value', 'list-max-listpack-size', 'list-compress-depth', 'rdbcompression', 'hll-sparse-max-bytes',
]);

/** Features keyshard does not have yet (persistence and eviction come with a later issue). */
export const MISSING_AOF = 'the append-only file';
export const MISSING_RDB = 'RDB snapshots';
export const MISSING_MAXMEMORY = 'maxmemory (memory limit and eviction)';

/** The reason given when something asks for a missing feature. */
export function notImplemented(feature: string): string {
  return `keyshard does not implement ${feature} yet`;
}

interface Unimplemented {
  feature: string;
  /** The stored value asks for the feature. */
  wants(v: any): boolean;
  /** The same value with the request taken out. */
  off(v: any): any;
}

const SHUTDOWN_SAVE_FLAG = 1; // 'save' in the shutdown-on-sig* enum below
const sigSave: Unimplemented = {
  feature: MISSING_RDB,
  wants: (v: number) => (v & SHUTDOWN_SAVE_FLAG) !== 0,
  off: (v: number) => v & ~SHUTDOWN_SAVE_FLAG,
};

/**
 * Options whose "on" values need a missing feature. CONFIG SET refuses those
 * values; at start-up (config file, command line) they are turned off and
 * reported through `Config.ignored`, so CONFIG GET and INFO say what the
 * server really does.
 */
const UNIMPLEMENTED = new Map<string, Unimplemented>([
  ['appendonly', { feature: MISSING_AOF, wants: (v: boolean) => v, off: () => false }],
  ['save', { feature: MISSING_RDB, wants: (v: Array<[number, number]>) => v.length > 0, off: () => [] }],
  ['maxmemory', { feature: MISSING_MAXMEMORY, wants: (v: bigint) => v !== 0n, off: () => 0n }],
  ['shutdown-on-sigint', sigSave],
  ['shutdown-on-sigterm', sigSave],
]);

/** A start-up option keyshard turned off because it needs a missing feature. */
export interface IgnoredOption {
  option: string;
  /** The value asked for, as CONFIG GET would print it. */
  requested: string;
  /** The value in effect. */
  value: string;
  feature: string;
  /** The warning logged at start-up. */
  message: string;
}

const OPTS: Opt[] = [];
const BY_NAME = new Map<string, Opt>();

function add<T extends Opt>(o: Omit<T, 'id' | 'effective'>): void {
  const full = { ...o, id: OPTS.length, effective: EFFECTIVE.has(o.name) } as T;
  OPTS.push(full);
  BY_NAME.set(full.name, full);
  if (full.alias) BY_NAME.set(full.alias, full);
}

function B(name: string, def: number, flags = 0, alias: string | null = null, valid?: Validator<boolean>): void {
  add<BoolOpt>({ t: 'bool', name, alias, flags, def: def === 1, valid });
}

function S(name: string, def: string | null, flags = 0, alias: string | null = null, valid?: Validator<string>): void {
  add<StrOpt>({ t: 'str', name, alias, flags, def, emptyNull: def === null, valid });
}

function E(name: string, table: Array<[string, number]>, def: number, flags = 0, valid?: Validator<number>): void {
  add<EnumOpt>({ t: 'enum', name, alias: null, flags, names: table.map((x) => x[0]), vals: table.map((x) => x[1]), def, valid });
}

/** signed numeric (int, long, long long, ssize_t, time_t, off_t) */
function I(name: string, lo: bigint, hi: bigint, def: bigint | number, flags = 0, alias: string | null = null, nf = 0): void {
  add<NumOpt>({ t: 'num', name, alias, flags, unsigned: false, lo, hi, def: BigInt(def), nf });
}

/** unsigned numeric (unsigned int, unsigned long long, size_t): bounds checked as unsigned */
function U(name: string, lo: bigint, hi: bigint, def: bigint | number, flags = 0, alias: string | null = null, nf = 0): void {
  add<NumOpt>({ t: 'num', name, alias, flags, unsigned: true, lo, hi, def: BigInt(def), nf });
}

function SP(name: string, flags: number, sp: Special, alias: string | null = null): void {
  add<SpecialOpt>({ t: 'special', name, alias, flags, sp });
}

const isBaseName = (v: string) => v.indexOf('/') < 0 && v.indexOf('\\') < 0;

// Bool
B('rdbchecksum', 1, IMMUTABLE);
B('daemonize', 0, IMMUTABLE, null, (v) => (v ? 'keyshard cannot daemonize: run it under a process supervisor' : null));
B('io-threads-do-reads', 0, IMMUTABLE);
B('always-show-logo', 0, IMMUTABLE);
B('protected-mode', 1);
B('rdbcompression', 1);
B('rdb-del-sync-files', 0);
B('activerehashing', 1);
B('stop-writes-on-bgsave-error', 1);
B('set-proc-title', 1, IMMUTABLE);
B('dynamic-hz', 1);
B('lazyfree-lazy-eviction', 0);
B('lazyfree-lazy-expire', 0);
B('lazyfree-lazy-server-del', 0);
B('lazyfree-lazy-user-del', 0);
B('lazyfree-lazy-user-flush', 0);
B('repl-disable-tcp-nodelay', 0);
B('repl-diskless-sync', 1);
B('aof-rewrite-incremental-fsync', 1);
B('no-appendfsync-on-rewrite', 0);
B('cluster-require-full-coverage', 1);
B('rdb-save-incremental-fsync', 1);
B('aof-load-truncated', 1);
B('aof-use-rdb-preamble', 1);
B('aof-timestamp-enabled', 0);
B('cluster-replica-no-failover', 0, 0, 'cluster-slave-no-failover');
B('replica-lazy-flush', 0, 0, 'slave-lazy-flush');
B('replica-serve-stale-data', 1, 0, 'slave-serve-stale-data');
B('replica-read-only', 1, 0, 'slave-read-only');
B('replica-ignore-maxmemory', 1, 0, 'slave-ignore-maxmemory');
B('jemalloc-bg-thread', 1);
// keyshard has no jemalloc, so it answers as a Redis built without it.
B('activedefrag', 0, 0, null, (v) =>
  v
    ? 'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution'
    : null,
);
B('syslog-enabled', 0, IMMUTABLE);
B('cluster-enabled', 0, IMMUTABLE);
B('appendonly', 0, DENY_LOADING);
B('cluster-allow-reads-when-down', 0);
B('cluster-allow-pubsubshard-when-down', 1);
B('crash-log-enabled', 1);
B('crash-memcheck-enabled', 1);
B('use-exit-on-panic', 0, HIDDEN);
B('disable-thp', 1, IMMUTABLE);
B('cluster-allow-replica-migration', 1);
B('replica-announced', 1);
B('latency-tracking', 1);
B('aof-disable-auto-gc', 0);
B('replica-ignore-disk-write-errors', 0);

// String
S('aclfile', '', IMMUTABLE);
S('unixsocket', null, IMMUTABLE);
S('pidfile', null, IMMUTABLE);
S('replica-announce-ip', null, 0, 'slave-announce-ip');
S('masteruser', null, SENSITIVE);
S('cluster-announce-ip', null);
S('cluster-config-file', 'nodes.conf', IMMUTABLE);
S('cluster-announce-hostname', null, 0, null, (v) => {
  if (v.length >= 256) return 'Hostnames must be less than 256 characters';
  if (!/^[A-Za-z0-9.-]*$/.test(v)) return 'Hostnames may only contain alphanumeric characters, hyphens or dots';
  return null;
});
S('syslog-ident', 'redis', IMMUTABLE);
S('dbfilename', 'dump.rdb', PROTECTED, null, (v) => (isBaseName(v) ? null : "dbfilename can't be a path, just a filename"));
S('appendfilename', 'appendonly.aof', IMMUTABLE, null, (v) =>
  v === '' ? "appendfilename can't be empty" : isBaseName(v) ? null : "appendfilename can't be a path, just a filename",
);
S('appenddirname', 'appendonlydir', IMMUTABLE, null, (v) =>
  v === '' ? "appenddirname can't be empty" : isBaseName(v) ? null : "appenddirname can't be a path, just a dirname",
);
S('server_cpulist', null, IMMUTABLE);
S('bio_cpulist', null, IMMUTABLE);
S('aof_rewrite_cpulist', null, IMMUTABLE);
S('bgsave_cpulist', null, IMMUTABLE);
S('ignore-warnings', '');
S('proc-title-template', '{title} {listen-addr} {server-mode}', 0, null, (v) =>
  validProcTitle(v) ? null : 'template format is invalid or contains unknown variables',
);
S('bind-source-addr', null);
S('logfile', '', IMMUTABLE);
S('masterauth', null, SENSITIVE);
S('requirepass', null, SENSITIVE);

const PROTECTED_ACTION: Array<[string, number]> = [['no', 0], ['yes', 1], ['local', 2]];
const SHUTDOWN: Array<[string, number]> = [['default', 0], ['save', 1], ['nosave', 2], ['now', 4], ['force', 8]];
const validShutdown: Validator<number> = (v) =>
  v & 1 && v & 2 ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null;

// Enum
E('supervised', [['upstart', 3], ['systemd', 2], ['auto', 1], ['no', 0]], 0, IMMUTABLE);
E('syslog-facility', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'].map((n, i) => [n, i]), 1, IMMUTABLE);
E('repl-diskless-load', [['disabled', 0], ['on-empty-db', 1], ['swapdb', 2]], 0, DENY_LOADING);
E('loglevel', [['debug', 0], ['verbose', 1], ['notice', 2], ['warning', 3]], 2);
E('maxmemory-policy', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'].map((n, i) => [n, i]), 7);
E('appendfsync', [['everysec', 2], ['always', 1], ['no', 0]], 2);
E('oom-score-adj', [['no', 0], ['yes', 1], ['relative', 1], ['absolute', 2]], 0);
E('acl-pubsub-default', [['allchannels', 8], ['resetchannels', 0]], 0);
E('sanitize-dump-payload', [['no', 0], ['yes', 1], ['clients', 2]], 0);
E('enable-protected-configs', PROTECTED_ACTION, 0, IMMUTABLE);
E('enable-debug-command', PROTECTED_ACTION, 0, IMMUTABLE);
E('enable-module-command', PROTECTED_ACTION, 0, IMMUTABLE);
E('cluster-preferred-endpoint-type', [['ip', 0], ['hostname', 1], ['unknown-endpoint', 2]], 0);
E('propagation-error-behavior', [['ignore', 0], ['panic', 1], ['panic-on-replicas', 2]], 0);
E('shutdown-on-sigint', SHUTDOWN, 0, MULTI_ARG, validShutdown);
E('shutdown-on-sigterm', SHUTDOWN, 0, MULTI_ARG, validShutdown);

// int
I('databases', 1n, INT_MAX, 16, IMMUTABLE);
I('port', 0n, 65535n, 6379);
I('io-threads', 1n, 128n, 1, IMMUTABLE);
I('auto-aof-rewrite-percentage', 0n, INT_MAX, 100);
I('cluster-replica-validity-factor', 0n, INT_MAX, 10, 0, 'cluster-slave-validity-factor');
I('list-max-listpack-size', INT_MIN, INT_MAX, -2, 0, 'list-max-ziplist-size');
I('tcp-keepalive', 0n, INT_MAX, 300);
I('cluster-migration-barrier', 0n, INT_MAX, 1);
I('active-defrag-cycle-min', 1n, 99n, 1);
I('active-defrag-cycle-max', 1n, 99n, 25);
I('active-defrag-threshold-lower', 0n, 1000n, 10);
I('active-defrag-threshold-upper', 0n, 1000n, 100);
I('lfu-log-factor', 0n, INT_MAX, 10);
I('lfu-decay-time', 0n, INT_MAX, 1);
I('replica-priority', 0n, INT_MAX, 100, 0, 'slave-priority');
I('repl-diskless-sync-delay', 0n, INT_MAX, 5);
I('maxmemory-samples', 1n, INT_MAX, 5);
I('maxmemory-eviction-tenacity', 0n, 100n, 10);
I('timeout', 0n, INT_MAX, 0);
I('replica-announce-port', 0n, 65535n, 0, 0, 'slave-announce-port');
I('tcp-backlog', 0n, INT_MAX, 511, IMMUTABLE);
I('cluster-port', 0n, 65535n, 0, IMMUTABLE);
I('cluster-announce-bus-port', 0n, 65535n, 0);
I('cluster-announce-port', 0n, 65535n, 0);
I('cluster-announce-tls-port', 0n, 65535n, 0);
I('repl-timeout', 1n, INT_MAX, 60);
I('repl-ping-replica-period', 1n, INT_MAX, 10, 0, 'repl-ping-slave-period');
I('list-compress-depth', 0n, INT_MAX, 0);
I('rdb-key-save-delay', INT_MIN, INT_MAX, 0, HIDDEN);
I('key-load-delay', INT_MIN, INT_MAX, 0, HIDDEN);
I('active-expire-effort', 1n, 10n, 1);
I('hz', 0n, INT_MAX, 10);
I('min-replicas-to-write', 0n, INT_MAX, 0, 0, 'min-slaves-to-write');
I('min-replicas-max-lag', 0n, INT_MAX, 10, 0, 'min-slaves-max-lag');
I('watchdog-period', 0n, INT_MAX, 0, HIDDEN);
I('shutdown-timeout', 0n, INT_MAX, 10);
I('repl-diskless-sync-max-replicas', 0n, INT_MAX, 0);
// keyshard: number of shard worker threads.
I('shards', 1n, 1024n, Math.max(1, (os.availableParallelism?.() ?? os.cpus().length) - 1), IMMUTABLE);

// unsigned int
U('maxclients', 1n, UINT_MAX, 10000);
U('unixsocketperm', 0n, 0o777n, 0, IMMUTABLE, null, OCTAL);
U('socket-mark-id', 0n, UINT_MAX, 0, IMMUTABLE);

// unsigned long (bounds checked as signed in Redis)
I('active-defrag-max-scan-fields', 1n, LLONG_MAX, 1000);
I('slowlog-max-len', 0n, LLONG_MAX, 128);
I('acllog-max-len', 0n, LLONG_MAX, 128);

// long long
I('busy-reply-threshold', 0n, LLONG_MAX, 5000, 0, 'lua-time-limit');
I('cluster-node-timeout', 0n, LLONG_MAX, 15000);
I('slowlog-log-slower-than', -1n, LLONG_MAX, 10000);
I('latency-monitor-threshold', 0n, LLONG_MAX, 0);
I('proto-max-bulk-len', 1048576n, LLONG_MAX, 512n * 1048576n, 0, null, MEMORY);
I('stream-node-max-entries', 0n, LLONG_MAX, 100);
I('repl-backlog-size', 1n, LLONG_MAX, 1048576, 0, null, MEMORY);

// unsigned long long
U('maxmemory', 0n, ULLONG_MAX, 0, 0, null, MEMORY);
U('cluster-link-sendbuf-limit', 0n, ULLONG_MAX, 0, 0, null, MEMORY);

// size_t
U('hash-max-listpack-entries', 0n, LLONG_MAX, 512, 0, 'hash-max-ziplist-entries');
U('set-max-intset-entries', 0n, LLONG_MAX, 512);
U('zset-max-listpack-entries', 0n, LLONG_MAX, 128, 0, 'zset-max-ziplist-entries');
U('active-defrag-ignore-bytes', 1n, LLONG_MAX, 100 * 1048576, 0, null, MEMORY);
U('hash-max-listpack-value', 0n, LLONG_MAX, 64, 0, 'hash-max-ziplist-value', MEMORY);
U('stream-node-max-bytes', 0n, LLONG_MAX, 4096, 0, null, MEMORY);
U('zset-max-listpack-value', 0n, LLONG_MAX, 64, 0, 'zset-max-ziplist-value', MEMORY);
U('hll-sparse-max-bytes', 0n, LLONG_MAX, 3000, 0, null, MEMORY);
U('tracking-table-max-keys', 0n, LLONG_MAX, 1000000);
U('client-query-buffer-limit', 1048576n, LLONG_MAX, 1073741824, 0, null, MEMORY);
// ssize_t
I('maxmemory-clients', -100n, LLONG_MAX, 0, 0, null, MEMORY | PERCENT);
// time_t / off_t
I('repl-backlog-ttl', 0n, LLONG_MAX, 3600);
I('auto-aof-rewrite-min-size', 0n, LLONG_MAX, 64 * 1048576, 0, null, MEMORY);
I('loading-process-events-interval-bytes', 1024n, INT_MAX, 2 * 1048576, HIDDEN);

(BY_NAME.get('hz') as NumOpt).post = (v) => (v < 1n ? 1n : v > 500n ? 500n : v);

function validProcTitle(t: string): boolean {
  // Expanded with an empty title, as Redis validates it: must not come out blank.
  let res = '';
  let p = 0;
  while (p < t.length) {
    const sv = t.indexOf('{', p);
    if (sv < 0) {
      res += t.slice(p);
      break;
    }
    res += t.slice(p, sv);
    if (sv + 1 >= t.length) return false;
    if (t[sv + 1] === '{') {
      res += '{';
      p = sv + 2;
      continue;
    }
    const ev = t.indexOf('}', sv + 1);
    if (ev < 0) return false;
    const name = t.slice(sv + 1, ev);
    if (name === 'title' || name === 'server-mode' || name === 'unixsocket') res += '';
    else if (name === 'listen-addr' || name === 'config-file' || name === 'port' || name === 'tls-port') res += 'x';
    else return false;
    p = ev + 1;
  }
  return res.replace(/^ +| +$/g, '').length > 0;
}

// ---------------------------------------------------------------------------
// Special options

const DEFAULT_BIND = ['127.0.0.1', '-::1'];
// Redis's default is "3600 1 300 100 60 10000"; keyshard has no snapshots yet, so none.
const DEFAULT_SAVE: Array<[number, number]> = [];
type Obuf = [bigint, bigint, number];
const DEFAULT_OBUF: Obuf[] = [
  [0n, 0n, 0],
  [256n * 1048576n, 64n * 1048576n, 60],
  [32n * 1048576n, 8n * 1048576n, 60],
];
const OBUF_CLASS = ['normal', 'slave', 'pubsub'];
const DEFAULT_OOM = [0, 200, 800];

const NK = { K: 1, E: 2, g: 4, $: 8, l: 16, s: 32, h: 64, z: 128, x: 256, e: 512, t: 1024, m: 2048, d: 8192, n: 16384 } as Record<string, number>;
const NOTIFY_ALL = 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512 | 1024 | 8192;

/** notify-keyspace-events class string → flags; -1 on a bad character. */
export function keyspaceEventsFlags(classes: string): number {
  let f = 0;
  for (const c of classes) {
    if (c === 'A') f |= NOTIFY_ALL;
    else if (NK[c] !== undefined) f |= NK[c];
    else return -1;
  }
  return f;
}

export function keyspaceEventsString(f: number): string {
  let r = '';
  if ((f & NOTIFY_ALL) === NOTIFY_ALL) r = 'A';
  else for (const c of 'g$lshzxetdn') if (f & NK[c]) r += c;
  if (f & NK.K) r += 'K';
  if (f & NK.E) r += 'E';
  if (f & NK.m) r += 'm';
  return r;
}

function formatMemory(b: bigint): string {
  const gb = 1073741824n;
  const mb = 1048576n;
  const kb = 1024n;
  if (b && b % gb === 0n) return `${b / gb}gb`;
  if (b && b % mb === 0n) return `${b / mb}mb`;
  if (b && b % kb === 0n) return `${b / kb}kb`;
  return String(b);
}

/** printf("%f") with trailing zeros (and a bare '.') trimmed. */
function fmtPercentile(d: number): string {
  let s = d.toFixed(6);
  if (s.indexOf('.') >= 0) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

SP('dir', PROTECTED | DENY_LOADING, {
  init: () => null,
  set(_cfg, _o, argv) {
    if (argv.length !== 1) return 'wrong number of arguments';
    try {
      process.chdir(Buffer.from(argv[0], 'latin1').toString('utf8'));
    } catch (e) {
      return strerror(e);
    }
    return null;
  },
  get: () => cwdBytes(),
  rewrite(_cfg, st, o) {
    const cwd = cwdBytes();
    if (!cwd) return st.markProcessed(o.name);
    st.rewriteLine(o.name, `${o.name} ${repr(cwd)}`, true);
  },
});

SP('save', MULTI_ARG, {
  init: () => DEFAULT_SAVE,
  set(cfg, o, argv) {
    const reset = argv.length === 1 && argv[0] === '';
    if (reset) argv = [];
    if (argv.length & 1) return 'Invalid save parameters';
    const nums: bigint[] = [];
    for (let j = 0; j < argv.length; j++) {
      const v = strtollWhole(argv[j], 10);
      if (v === null || ((j & 1) === 0 && v < 1n) || ((j & 1) === 1 && v < 0n)) return 'Invalid save parameters';
      nums.push(v);
    }
    // While a file loads, its first "save" replaces the built-in defaults
    // and later ones add to it; CONFIG SET always replaces.
    let cur: Array<[number, number]> = cfg.v[o.id];
    if (reset || !cfg.loadingFile || !cfg.saveLoaded) cur = [];
    if (cfg.loadingFile) cfg.saveLoaded = true;
    const next = cur.slice();
    for (let j = 0; j < nums.length; j += 2) {
      next.push([Number(nums[j] > LLONG_MAX ? LLONG_MAX : nums[j]), Number(BigInt.asIntN(32, nums[j + 1]))]);
    }
    cfg.v[o.id] = next;
    return null;
  },
  get: (_cfg, v: Array<[number, number]>) => v.map((p) => `${p[0]} ${p[1]}`).join(' '),
  rewrite(_cfg, st, o, v: Array<[number, number]>) {
    if (!v.length) st.rewriteLine(o.name, 'save ""', true);
    else for (const p of v) st.rewriteLine(o.name, `save ${p[0]} ${p[1]}`, true);
    st.markProcessed(o.name);
  },
});

SP('client-output-buffer-limit', MULTI_ARG, {
  init: () => DEFAULT_OBUF,
  set(cfg, o, argv) {
    if (argv.length % 4) return 'Wrong number of arguments in buffer limit configuration.';
    const next: Obuf[] = (cfg.v[o.id] as Obuf[]).slice();
    for (let j = 0; j < argv.length; j += 4) {
      const cls = argv[j].toLowerCase();
      const k = cls === 'normal' ? 0 : cls === 'slave' || cls === 'replica' ? 1 : cls === 'pubsub' ? 2 : -1;
      if (k < 0) return 'Invalid client class specified in buffer limit configuration.';
      const hard = memToULL(argv[j + 1]);
      const soft = memToULL(argv[j + 2]);
      const secs = strtollWhole(argv[j + 3], 10);
      if (hard === null || soft === null || secs === null || Number(BigInt.asIntN(32, secs)) < 0) {
        return 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';
      }
      next[k] = [hard, soft, Number(BigInt.asIntN(32, secs))];
    }
    cfg.v[o.id] = next;
    return null;
  },
  get: (_cfg, v: Obuf[]) => v.map((l, i) => `${OBUF_CLASS[i]} ${l[0]} ${l[1]} ${l[2]}`).join(' '),
  rewrite(_cfg, st, o, v: Obuf[]) {
    for (let j = 0; j < 3; j++) {
      const d = DEFAULT_OBUF[j];
      const l = v[j];
      const force = l[0] !== d[0] || l[1] !== d[1] || l[2] !== d[2];
      const cls = j === 1 ? 'replica' : OBUF_CLASS[j];
      st.rewriteLine(o.name, `${o.name} ${cls} ${formatMemory(BigInt.asIntN(64, l[0]))} ${formatMemory(BigInt.asIntN(64, l[1]))} ${l[2]}`, force);
    }
  },
});

SP('oom-score-adj-values', MULTI_ARG, {
  init: () => DEFAULT_OOM,
  set(cfg, o, argv) {
    if (argv.length !== 3) return 'wrong number of arguments';
    const vals: number[] = [];
    for (const a of argv) {
      const v = strtollWhole(a, 10);
      if (v === null || v < -2000n || v > 2000n) return 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.';
      vals.push(Number(v));
    }
    cfg.v[o.id] = vals;
    return null;
  },
  get: (_cfg, v: number[]) => v.join(' '),
  rewrite(_cfg, st, o, v: number[]) {
    const force = v.some((x, i) => x !== DEFAULT_OOM[i]);
    st.rewriteLine(o.name, `${o.name} ${v.join(' ')}`, force);
  },
});

SP('notify-keyspace-events', 0, {
  init: () => 0,
  set(cfg, o, argv) {
    if (argv.length !== 1) return 'wrong number of arguments';
    const f = keyspaceEventsFlags(argv[0]);
    if (f === -1) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    cfg.v[o.id] = f;
    return null;
  },
  get: (_cfg, v: number) => keyspaceEventsString(v),
  rewrite(_cfg, st, o, v: number) {
    st.rewriteLine(o.name, `${o.name} ${repr(keyspaceEventsString(v))}`, v !== 0);
  },
});

SP('bind', MULTI_ARG, {
  init: () => DEFAULT_BIND,
  set(cfg, o, argv) {
    if (argv.length > 16) return 'Too many bind addresses specified.';
    cfg.v[o.id] = argv.length === 1 && argv[0] === '' ? [] : argv.slice();
    return null;
  },
  get: (_cfg, v: string[]) => v.join(' '),
  rewrite(_cfg, st, o, v: string[]) {
    if (v.length === DEFAULT_BIND.length && v.every((a, i) => a === DEFAULT_BIND[i])) return st.markProcessed(o.name);
    st.rewriteLine(o.name, `${o.name} ${v.length ? v.join(' ') : '""'}`, true);
  },
});

SP(
  'replicaof',
  IMMUTABLE | MULTI_ARG,
  {
    init: () => null,
    set(cfg, o, argv) {
      if (argv.length !== 2) return 'wrong number of arguments';
      cfg.v[o.id] = null;
      if (argv[0].toLowerCase() === 'no' && argv[1].toLowerCase() === 'one') return null;
      const port = strtollWhole(argv[1], 10);
      if (port === null || port < 0n || port > 65535n) return 'Invalid master port';
      cfg.v[o.id] = [argv[0], Number(port)];
      return null;
    },
    get: (_cfg, v: [string, number] | null) => (v ? `${v[0]} ${v[1]}` : ''),
    rewrite(cfg, st, o, v: [string, number] | null) {
      if (!v || cfg.get('cluster-enabled') === 'yes') return st.markProcessed(o.name);
      st.rewriteLine(o.name, `${o.name} ${v[0]} ${v[1]}`, true);
    },
  },
  'slaveof',
);

SP('latency-tracking-info-percentiles', MULTI_ARG, {
  init: () => [50, 99, 99.9],
  set(cfg, o, argv) {
    const vals: number[] = [];
    if (!(argv.length === 1 && argv[0] === '')) {
      for (const a of argv) {
        const d = a.length === 0 || isSpace(a.charCodeAt(0)) ? null : parseDouble(a);
        if (d === null) return 'Invalid latency-tracking-info-percentiles parameters';
        if (d > 100 || d < 0) return 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]';
        vals.push(d);
      }
    }
    cfg.v[o.id] = vals;
    return null;
  },
  get: (_cfg, v: number[]) => v.map(fmtPercentile).join(' '),
  rewrite(_cfg, st, o, v: number[]) {
    st.rewriteLine(o.name, v.length ? `${o.name} ${v.map(fmtPercentile).join(' ')}` : `${o.name} ""`, true);
  },
});

// ---------------------------------------------------------------------------
// CONFIG REWRITE state (mirrors config.c: reuse old lines, blank orphans)

const SIGNATURE = '# Generated by CONFIG REWRITE';
const FILE_DIRECTIVES = new Set(['include', 'rename-command', 'user', 'loadmodule', 'sentinel']);

class RewriteState {
  lines: string[] = [];
  optLines = new Map<string, number[]>();
  rewritten = new Set<string>();
  needsSig = true;

  static fromText(text: string): RewriteState {
    const st = new RewriteState();
    if (!text.length) return st;
    const raw = text.split('\n');
    for (let i = 0; i < raw.length; i++) {
      const line = raw[i].replace(/^[\r\n\t ]+|[\r\n\t ]+$/g, '');
      if (line === '' || line[0] === '#') {
        if (st.needsSig && line === SIGNATURE) st.needsSig = false;
        st.lines.push(line);
        continue;
      }
      const argv = splitArgs(line);
      const known = argv && argv.length ? BY_NAME.get(argv[0].toLowerCase()) : undefined;
      if (!argv || !argv.length || (!known && !FILE_DIRECTIVES.has(argv[0].toLowerCase()))) {
        // Unparsable or unknown lines survive as comments.
        st.lines.push('# ??? ' + line);
        continue;
      }
      const opt = known ? known.name : argv[0].toLowerCase();
      st.lines.push(line);
      let l = st.optLines.get(opt);
      if (!l) st.optLines.set(opt, (l = []));
      l.push(st.lines.length - 1);
    }
    return st;
  }

  markProcessed(option: string): void {
    this.rewritten.add(option);
  }

  rewriteLine(option: string, line: string, force: boolean): void {
    const l = this.optLines.get(option);
    this.markProcessed(option);
    if (!l && !force) return;
    if (l) {
      const n = l.shift()!;
      if (!l.length) this.optLines.delete(option);
      this.lines[n] = line;
    } else {
      if (this.needsSig) {
        this.lines.push(SIGNATURE);
        this.needsSig = false;
      }
      this.lines.push(line);
    }
  }

  content(): string {
    // Orphaned lines of options we rewrote become blank...
    for (const [opt, l] of this.optLines) {
      if (!this.rewritten.has(opt)) continue;
      for (const n of l) this.lines[n] = '';
    }
    this.optLines.clear();
    // ...and every run of blank lines collapses into one.
    let out = '';
    let wasEmpty = false;
    for (const line of this.lines) {
      if (line === '') {
        if (wasEmpty) continue;
        wasEmpty = true;
      } else wasEmpty = false;
      out += line + '\n';
    }
    return out;
  }
}

// ---------------------------------------------------------------------------

export interface OptionInfo {
  name: string;
  alias: string | null;
  type: 'bool' | 'int' | 'memory' | 'enum' | 'string' | 'special';
  default: string;
  mutable: boolean;
  /** keyshard acts on the option (otherwise it is only stored and reported). */
  effective: boolean;
  /** The missing feature the option's "on" values would need (those values are refused), or null. */
  missing: string | null;
}

export interface FileDirective {
  args: string[];
  lineNo: number;
  line: string;
  file: string | null;
}

export class Config {
  configFile: string | null = null;
  /** Called after each applied CONFIG SET change; a returned string fails (and rolls back) the whole SET. */
  onChange: (name: string, value: string) => string | void = () => {};
  /** Set while a dataset loads: options marked deny-loading then answer -LOADING. */
  loading = false;
  /** rename-command directives, for the command table to apply (see fatalConfigText for errors). */
  renameCommands: FileDirective[] = [];
  /** user directives, for the ACL code. */
  users: FileDirective[] = [];
  /**
   * ACL users as "name rules" for CONFIG REWRITE. When unset and the file
   * declares no users, the default user is described from requirepass the
   * way Redis's ACL code does; with declared users their lines are kept.
   */
  describeUsers: (() => string[]) | null = null;
  /** requirepass changed by CONFIG SET (Redis's default user then gains sanitize-payload). */
  private passChangedBySet = false;
  /**
   * Start-up options that asked for a missing feature and were turned off
   * (see UNIMPLEMENTED); the server logs a warning for each.
   */
  ignored: IgnoredOption[] = [];
  /**
   * Ids of those options until CONFIG SET sets them: CONFIG REWRITE leaves
   * their lines in the file as the user wrote them rather than writing the
   * "off" value keyshard runs with.
   */
  private keepInFile = new Set<number>();

  /** @internal values by option id */
  v: any[];
  /** @internal */
  loadingFile = false;
  /** @internal */
  saveLoaded = false;

  constructor() {
    this.v = OPTS.map((o) => {
      switch (o.t) {
        case 'bool':
        case 'num':
        case 'enum':
        case 'str':
          return o.def;
        case 'special':
          return o.sp.init();
      }
    });
  }

  static fromArgv(argv: string[]): Config {
    const cfg = new Config();
    argv = argv.map(toBytes);
    let j = 0;
    if (argv.length && argv[0][0] !== '-') {
      cfg.configFile = absolutePath(argv[0]);
      j = 1;
    }
    let options = '';
    let handledLast = true;
    for (; j < argv.length; j++) {
      const a = argv[j];
      const last = j === argv.length - 1;
      if (a === '-' && (j === 0 || last)) {
        throw new ConfigError('keyshard does not read its configuration from stdin', true);
      } else if (handledLast && a.startsWith('--')) {
        if (options.length) options += '\n';
        options += a.slice(2) + ' ';
        const parts = splitArgs(a);
        if (parts && parts.length === 1) {
          // A bare name: its values follow, even ones that start with "--".
          handledLast = false;
          const nextIsOpt = !last && argv[j + 1].startsWith('--');
          const lname = a.toLowerCase();
          if (lname === '--save' && (nextIsOpt || last)) {
            options += '""';
            handledLast = nextIsOpt;
          } else if (lname === '--sentinel' && nextIsOpt) {
            handledLast = true;
          }
        } else {
          handledLast = true;
        }
      } else {
        options += repr(a) + ' ';
        handledLast = true;
      }
    }
    let text = cfg.configFile !== null ? readConfigFile(cfg.configFile) : '';
    text += '\n' + options;
    cfg.loadString(text, cfg.configFile);
    cfg.ignored = cfg.turnOffUnimplemented();
    return cfg;
  }

  /** Turns off every option that asks for a missing feature; returns what was asked. */
  private turnOffUnimplemented(): IgnoredOption[] {
    const out: IgnoredOption[] = [];
    for (const [name, u] of UNIMPLEMENTED) {
      const o = BY_NAME.get(name)!;
      if (!u.wants(this.v[o.id])) continue;
      const requested = this.getOpt(o);
      this.v[o.id] = u.off(this.v[o.id]);
      this.keepInFile.add(o.id);
      const value = this.getOpt(o);
      const show = (v: string) => (v === '' ? '""' : v);
      out.push({
        option: name,
        requested,
        value,
        feature: u.feature,
        message: `Ignoring '${name} ${show(requested)}': ${notImplemented(u.feature)}; running with ${name} ${show(value)}`,
      });
    }
    return out;
  }

  /** Parse redis.conf text (as loadServerConfigFromString); throws ConfigError. */
  loadString(text: string, file: string | null = null): void {
    const outer = !this.loadingFile;
    this.loadingFile = true;
    const modCfgs: string[] = [];
    const lines = text.split('\n');
    let i = 0;
    const fail = (err: string): never => {
      throw new ConfigError(i < lines.length ? fatalConfigText(err, i + 1, lines[i]) : fatalConfigText(err));
    };
    for (; i < lines.length; i++) {
      const line = (lines[i] = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''));
      if (line === '' || line[0] === '#') continue;
      const argv = splitArgs(line);
      if (argv === null) fail('Unbalanced quotes in configuration line');
      if (!argv!.length) continue;
      const name = argv![0].toLowerCase();
      const o = BY_NAME.get(name);
      if (o) {
        const multi = (o.flags & MULTI_ARG) !== 0;
        if (!multi && argv!.length !== 2) fail('wrong number of arguments');
        let args = argv!.slice(1);
        if (multi && args.length === 1 && args[0].length) args = splitArgs(args[0]) ?? [];
        const err = this.setOpt(o, args);
        if (err !== null) fail(err);
        continue;
      }
      const argc = argv!.length;
      if ((name === 'list-max-ziplist-entries' || name === 'list-max-ziplist-value' || name === 'lua-replicate-commands') && argc === 2) {
        continue; // deprecated, accepted and ignored
      }
      const d: FileDirective = { args: argv!, lineNo: i + 1, line, file };
      if (name === 'include' && argc === 2) {
        for (const f of expandInclude(argv![1])) this.loadString(readConfigFile(f), f);
      } else if (name === 'rename-command' && argc === 3) {
        this.renameCommands.push(d);
      } else if (name === 'user' && argc >= 2) {
        this.users.push(d);
      } else if (name === 'loadmodule' && argc >= 2) {
        throw new ConfigError(`Module ${argv![1]} failed to load: keyshard does not support modules`, true);
      } else if (name.indexOf('.') >= 0) {
        if (argc < 2) fail('Module config specified without value');
        modCfgs.push(name);
      } else if (name === 'sentinel') {
        if (argc !== 1) fail('sentinel directive while not in sentinel mode');
      } else {
        fail('Bad directive or wrong number of arguments');
      }
    }
    if (!outer) return;
    this.loadingFile = false;
    const logfile = this.get('logfile')!;
    if (logfile !== '') {
      try {
        fs.closeSync(fs.openSync(fsPath(logfile), 'a'));
      } catch (e) {
        fail(`Can't open the log file: ${strerror(e)}`);
      }
    }
    if (this.get('cluster-enabled') === 'yes' && this.v[BY_NAME.get('replicaof')!.id]) {
      fail('replicaof directive not allowed in cluster mode');
    }
    if (modCfgs.length) {
      throw new ConfigError('Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting', true);
    }
  }

  /** Set one option from already-split arguments; returns an error text or null. */
  private setOpt(o: Opt, argv: string[]): string | null {
    switch (o.t) {
      case 'bool': {
        const s = argv[0].toLowerCase();
        const yn = s === 'yes' ? true : s === 'no' ? false : null;
        if (yn === null) return "argument must be 'yes' or 'no'";
        const err = o.valid?.(yn);
        if (err) return err;
        this.v[o.id] = yn;
        return null;
      }
      case 'num': {
        const r = parseNumeric(o, argv[0]);
        if (typeof r === 'string') return r;
        const err = boundsError(o, r);
        if (err) return err;
        this.v[o.id] = o.post ? o.post(r) : r;
        return null;
      }
      case 'enum': {
        const multi = (o.flags & MULTI_ARG) !== 0;
        let val = 0;
        let ok = argv.length > 0 && (multi || argv.length === 1);
        for (let i = 0; ok && i < argv.length; i++) {
          const a = argv[i].toLowerCase();
          const k = o.names.indexOf(a);
          if (k < 0) ok = false;
          else val |= o.vals[k];
        }
        if (!ok) return ('argument(s) must be one of the following: ' + o.names.join(', ')).slice(0, 255);
        const err = o.valid?.(val);
        if (err) return err;
        this.v[o.id] = val;
        return null;
      }
      case 'str': {
        const err = o.valid?.(argv[0]);
        if (err) return err;
        this.v[o.id] = o.emptyNull && argv[0] === '' ? null : argv[0];
        return null;
      }
      case 'special':
        return o.sp.set(this, o, argv);
    }
  }

  private getOpt(o: Opt): string {
    const v = this.v[o.id];
    switch (o.t) {
      case 'bool':
        return v ? 'yes' : 'no';
      case 'num':
        if (o.nf & PERCENT && v < 0n) return `${-v}%`;
        if (o.nf & MEMORY) return BigInt.asUintN(64, v).toString();
        if (o.nf & OCTAL) return BigInt.asUintN(64, v).toString(8);
        return v.toString();
      case 'enum':
        return enumName(o, v);
      case 'str':
        return v ?? '';
      case 'special':
        return o.sp.get(this, v);
    }
  }

  /** Current value as CONFIG GET prints it; name or alias, any case. */
  get(name: string): string | undefined {
    const o = BY_NAME.get(name.toLowerCase());
    return o ? this.getOpt(o) : undefined;
  }

  /** Numeric value (memory units applied; bool 1/0; enum code; notify flags); NaN when not numeric. */
  num(name: string): number {
    const o = BY_NAME.get(name.toLowerCase());
    if (!o) return NaN;
    const v = this.v[o.id];
    switch (o.t) {
      case 'num':
        return Number(o.unsigned ? BigInt.asUintN(64, v) : v);
      case 'bool':
        return v ? 1 : 0;
      case 'enum':
        return v;
      case 'special':
        return typeof v === 'number' ? v : NaN;
      default:
        return NaN;
    }
  }

  /** The `save` points as [seconds, changes]. */
  saveParams(): Array<[number, number]> {
    return this.v[BY_NAME.get('save')!.id];
  }

  /** The `bind` addresses (a leading '-' marks an address that may be unavailable). */
  bindAddrs(): string[] {
    return this.v[BY_NAME.get('bind')!.id];
  }

  /** Whether the option's value must be redacted from SLOWLOG/MONITOR. */
  isSensitive(name: string): boolean {
    const o = BY_NAME.get(name.toLowerCase());
    return !!o && (o.flags & SENSITIVE) !== 0;
  }

  getMatching(patterns: string[]): Array<[string, string]> {
    const found = new Map<string, [string, Opt]>();
    for (const pat of patterns) {
      if (!/[[*?]/.test(pat)) {
        const k = pat.toLowerCase();
        if (found.has(k)) continue;
        const o = BY_NAME.get(k);
        if (o) found.set(k, [pat, o]);
        continue;
      }
      for (const o of OPTS) {
        if (o.flags & HIDDEN) continue;
        for (const n of o.alias ? [o.name, o.alias] : [o.name]) {
          if (!found.has(n) && globMatch(pat, n, true)) found.set(n, [n, o]);
        }
      }
    }
    const out: Array<[string, string]> = [];
    for (const [display, o] of found.values()) out.push([display, this.getOpt(o)]);
    return out;
  }

  /**
   * CONFIG SET of several pairs, all or nothing. `local`: the client is on
   * loopback or a unix socket (for enable-protected-configs local).
   */
  set(pairs: Array<[string, string]>, local = false): string | null {
    const chosen: Opt[] = [];
    const keys: string[] = [];
    let unknownName: string | null = null;
    let errArg: string | null = null;
    let errstr: string | null = null;
    let invalid = false;
    let denyLoading = false;
    for (let i = 0; i < pairs.length; i++) {
      const given = pairs[i][0];
      const key = given.toLowerCase();
      const o = BY_NAME.get(key);
      if (!o) {
        if (!invalid) {
          unknownName = given;
          invalid = true;
        }
        continue;
      }
      if (invalid) continue;
      if (o.flags & IMMUTABLE || (o.flags & PROTECTED && !this.allowed('enable-protected-configs', local))) {
        errstr = o.flags & IMMUTABLE ? "can't set immutable config" : "can't set protected config";
        errArg = given;
        invalid = true;
        continue;
      }
      if (this.loading && o.flags & DENY_LOADING) {
        denyLoading = true;
        invalid = true;
        continue;
      }
      // The same table entry twice; a name and its alias are distinct entries.
      if (keys.indexOf(key === o.name ? o.name : o.alias!) >= 0) {
        errstr = 'duplicate parameter';
        errArg = given;
        invalid = true;
      }
      chosen.push(o);
      keys.push(key === o.name ? o.name : o.alias!);
    }
    const fmt = (): string => {
      if (denyLoading) return 'LOADING Redis is loading the dataset in memory';
      if (unknownName !== null) return sanitize(`ERR Unknown option or number of arguments for CONFIG SET - '${unknownName}'`);
      if (errstr !== null) return sanitize(`ERR CONFIG SET failed (possibly related to argument '${errArg}') - ${errstr}`);
      return sanitize(`ERR CONFIG SET failed (possibly related to argument '${errArg}')`);
    };
    if (invalid) return fmt();

    const saved = this.v.slice();
    const savedCwd = process.cwd();
    const before = chosen.map((o) => this.getOpt(o));
    const restore = () => {
      this.v = saved;
      if (process.cwd() !== savedCwd) {
        try {
          process.chdir(savedCwd);
        } catch {
          /* the old directory vanished: nothing to go back to */
        }
      }
    };
    for (let i = 0; i < chosen.length; i++) {
      const o = chosen[i];
      const val = pairs[i][1];
      let argv: string[];
      if (o.flags & MULTI_ARG) argv = val === '' ? [] : val.split(' ');
      else argv = [val];
      const err = this.setOpt(o, argv);
      const missing = err === null ? UNIMPLEMENTED.get(o.name) : undefined;
      if (err !== null || (missing && missing.wants(this.v[o.id]))) {
        restore();
        errArg = keys[i];
        errstr = err ?? notImplemented(missing!.feature);
        return fmt();
      }
    }
    // Apply: notify each option whose value changed, once.
    const applied: number[] = [];
    for (let i = 0; i < chosen.length; i++) {
      const o = chosen[i];
      if (applied.indexOf(o.id) >= 0) continue;
      const now = this.getOpt(o);
      if (now === before[i] && o.t !== 'special') continue;
      applied.push(o.id);
      if (o.name === 'requirepass') this.passChangedBySet = true;
      const err = this.onChange(o.name, now);
      if (typeof err === 'string') {
        const after = this.v;
        restore();
        for (const id of applied) {
          if (OPTS[id].t !== 'special' && after[id] === this.v[id]) continue;
          this.onChange(OPTS[id].name, this.getOpt(OPTS[id]));
        }
        errArg = keys[i];
        errstr = err;
        return fmt();
      }
    }
    for (const o of chosen) this.keepInFile.delete(o.id);
    return null;
  }

  private allowed(name: string, local: boolean): boolean {
    const v = this.num(name);
    return v === 1 || (v === 2 && local);
  }

  /** enable-debug-command / enable-module-command / enable-protected-configs check for a client. */
  allowProtected(name: 'enable-protected-configs' | 'enable-debug-command' | 'enable-module-command', local: boolean): boolean {
    return this.allowed(name, local);
  }

  rewrite(): string | null {
    if (this.configFile === null) return 'ERR The server is running without a config file';
    const file = fsPath(this.configFile);
    let old = '';
    try {
      old = fs.readFileSync(file).toString('latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return sanitize(`ERR Rewriting config file: ${strerror(e)}`);
    }
    const st = RewriteState.fromText(old);
    for (const o of OPTS) {
      // Asked for a missing feature at start-up: the user's lines stay as they are.
      if (this.keepInFile.has(o.id)) continue;
      this.rewriteOpt(st, o);
    }
    // ACL users: rewritten from the live table when the ACL code provides it.
    if (this.get('aclfile') !== '') st.markProcessed('user');
    else if (this.describeUsers || !this.users.length) {
      const users = this.describeUsers ? this.describeUsers() : [this.defaultUserRules()];
      for (const u of users) st.rewriteLine('user', 'user ' + u, true);
      st.markProcessed('user');
    }
    st.markProcessed('loadmodule');
    const content = st.content();
    const tmp = Buffer.concat([file, Buffer.from('.' + Math.random().toString(36).slice(2, 8), 'latin1')]);
    let fd = -1;
    try {
      fd = fs.openSync(tmp, 'wx', 0o644);
      fs.writeSync(fd, Buffer.from(content, 'latin1'));
      fs.fsyncSync(fd);
      fs.fchmodSync(fd, 0o644 & ~process.umask());
      fs.closeSync(fd);
      fd = -1;
      fs.renameSync(tmp, file);
      try {
        const dfd = fs.openSync(path.dirname(this.configFile), 'r');
        fs.fsyncSync(dfd);
        fs.closeSync(dfd);
      } catch {
        /* directory fsync is best effort */
      }
    } catch (e) {
      if (fd >= 0) fs.closeSync(fd);
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* never created */
      }
      return sanitize(`ERR Rewriting config file: ${strerror(e)}`);
    }
    return null;
  }

  private defaultUserRules(): string {
    const pass: string | null = this.v[BY_NAME.get('requirepass')!.id];
    let r = 'default on';
    if (pass === null) r += ' nopass';
    if (this.passChangedBySet) r += ' sanitize-payload';
    if (pass !== null) r += ' #' + createHash('sha256').update(Buffer.from(pass, 'latin1')).digest('hex');
    return r + ' ~* &* +@all';
  }

  private rewriteOpt(st: RewriteState, o: Opt): void {
    const v = this.v[o.id];
    const n = o.name;
    switch (o.t) {
      case 'bool':
        return st.rewriteLine(n, `${n} ${v ? 'yes' : 'no'}`, v !== o.def);
      case 'num': {
        const force = v !== o.def;
        if (o.nf & PERCENT && v < 0n) return st.rewriteLine(n, `${n} ${-v}%`, force);
        if (o.nf & MEMORY) return st.rewriteLine(n, `${n} ${formatMemory(BigInt.asIntN(64, v))}`, force);
        if (o.nf & OCTAL) return st.rewriteLine(n, `${n} ${BigInt.asUintN(64, v).toString(8)}`, force);
        return st.rewriteLine(n, `${n} ${v}`, force);
      }
      case 'enum':
        return st.rewriteLine(n, `${n} ${enumName(o, v)}`, v !== o.def);
      case 'str':
        if (v === null) return st.markProcessed(n);
        return st.rewriteLine(n, `${n} ${repr(v)}`, o.def === null || v !== o.def);
      case 'special':
        return o.sp.rewrite(this, st, o, v);
    }
  }

  /** The option table, for INFO/README: what keyshard accepts and what it acts on. */
  static describe(): OptionInfo[] {
    const fresh = new Config();
    return OPTS.filter((o) => !(o.flags & HIDDEN)).map((o) => ({
      name: o.name,
      alias: o.alias,
      type: o.t === 'num' ? (o.nf & MEMORY ? 'memory' : 'int') : o.t === 'str' ? 'string' : o.t,
      default: o.name === 'dir' ? '' : fresh.getOpt(o),
      mutable: !(o.flags & IMMUTABLE),
      effective: o.effective,
      missing: UNIMPLEMENTED.get(o.name)?.feature ?? null,
    }));
  }
}

function enumName(o: EnumOpt, v: number): string {
  const multi = (o.flags & MULTI_ARG) !== 0;
  let names = '';
  let unmatched = v;
  for (let i = 0; i < o.names.length; i++) {
    const ev = o.vals[i];
    if (v === ev) return o.names[i];
    if (multi && ev && (unmatched & ev) === ev) {
      names = names ? names + ' ' + o.names[i] : o.names[i];
      unmatched &= ~ev;
    }
  }
  return !names || unmatched ? 'unknown' : names;
}

function parseNumeric(o: NumOpt, s: string): bigint | string {
  if (o.nf & MEMORY) {
    const m = memToULL(s);
    if (m !== null) return BigInt.asIntN(64, m);
  }
  if (o.nf & PERCENT && s.length > 1 && s.endsWith('%')) {
    const p = parseLL(s.slice(0, -1));
    if (p !== null && p >= 0n) return -p; // percentages are kept negative
  }
  if (o.nf & OCTAL) {
    const r = strtollWhole(s, 8);
    if (r !== null && r >= LLONG_MIN && r <= LLONG_MAX) return r;
  }
  if (!o.nf) {
    const r = parseLL(s);
    if (r !== null) return r;
  }
  if (o.nf & MEMORY && o.nf & PERCENT) return 'argument must be a memory or percent value';
  if (o.nf & MEMORY) return 'argument must be a memory value';
  if (o.nf & OCTAL) return "argument couldn't be parsed as an octal number";
  return "argument couldn't be parsed into an integer";
}

function boundsError(o: NumOpt, v: bigint): string | null {
  if (o.unsigned) {
    const u = BigInt.asUintN(64, v);
    if (u > o.hi || u < o.lo) {
      return o.nf & OCTAL
        ? `argument must be between ${o.lo.toString(8)} and ${o.hi.toString(8)} inclusive`
        : `argument must be between ${o.lo} and ${o.hi} inclusive`;
    }
    return null;
  }
  if (o.nf & PERCENT && v < 0n) {
    return v < o.lo ? `percentage argument must be less or equal to ${-o.lo}` : null;
  }
  if (v > o.hi || v < o.lo) return `argument must be between ${o.lo} and ${o.hi} inclusive`;
  return null;
}

/** Redis strips CR/LF from formatted error replies. */
function sanitize(s: string): string {
  return s.replace(/[\r\n]+$/, '').replace(/[\r\n]/g, ' ');
}

function readConfigFile(file: string): string {
  try {
    return fs.readFileSync(fsPath(file)).toString('latin1');
  } catch (e) {
    throw new ConfigError(`Fatal error, can't open config file '${file}': ${strerror(e)}`, true);
  }
}

/** include with wildcards in the last path component matches files (none is fine); without, the file must exist. */
function expandInclude(spec: string): string[] {
  if (!/[*?[]/.test(spec)) return [spec];
  const dir = path.posix.dirname(spec);
  const base = path.posix.basename(spec);
  let names: string[];
  try {
    names = fs.readdirSync(fsPath(dir), { encoding: 'latin1' }) as unknown as string[];
  } catch {
    return [];
  }
  return names
    .filter((n) => !(n[0] === '.' && base[0] !== '.') && globMatch(base, n))
    .sort()
    .map((n) => (dir === '.' && !spec.startsWith('./') ? n : path.posix.join(dir, n)));
}
