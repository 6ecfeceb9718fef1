// Server commands run on the acceptor: INFO, TIME, LASTSAVE, SHUTDOWN,
// SAVE/BGSAVE/BGREWRITEAOF (refused: no persistence yet) and CLUSTER
// (cluster mode is off; KEYSLOT answers anyway, it's handy for clients that
// want to co-locate keys on one shard).
//
// INFO follows server.c genRedisInfoString: same sections, separators and
// field order. A field is printed when keyshard can give it a true value
// (0 for features that don't exist, e.g. AOF or Lua); fields that only
// make sense for Redis's allocator or build (allocator_*, redis_build_id,
// gcc_version, per-thread CPU) are left out rather than invented.

import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandDef, NodeCtx } from './contract';
import { E, arityError } from './errors';
import { META } from './meta';
import { unknownSubcommandError } from './table';
import { slotOfString } from '../util/slot';
import { VERSION, KEYSHARD_VERSION } from '../version';
import type { CmdStatView, AcceptorView as ServerView, ClientView as ConnView } from './contract';
import { notImplemented, MISSING_AOF, MISSING_RDB } from '../config/config';

interface Ctx extends NodeCtx {
  conn: ConnView;
  server: ServerView;
}

/**
 * The acceptor and the shards accumulate `performance.now()` differences,
 * i.e. milliseconds, in their `usec` counters; INFO prints microseconds.
 */

// ---------------------------------------------------------------- printf

/** printf("%.Nf"): like toFixed, but exact binary ties round to even as glibc does. */
export function fixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  if (!Number.isFinite(x)) return s;
  const long = Math.abs(x).toFixed(digits + 25);
  if (long.charCodeAt(long.length - 25) !== 53 /* 5 */ || !/^50*$/.test(long.slice(long.length - 25))) return s;
  let head = long.slice(0, long.length - 25);
  if (head.endsWith('.')) head = head.slice(0, -1);
  const last = head.charCodeAt(head.length - 1) - 48;
  if (last % 2 !== 0) return s; // odd: rounding away gives the even neighbour
  return (x < 0 ? '-' : '') + head;
}

/** server.c bytesToHuman. */
export function bytesToHuman(n: number): string {
  const K = 1024;
  if (n < K) return `${n}B`;
  if (n < K ** 2) return fixed(n / K, 2) + 'K';
  if (n < K ** 3) return fixed(n / K ** 2, 2) + 'M';
  if (n < K ** 4) return fixed(n / K ** 3, 2) + 'G';
  if (n < K ** 5) return fixed(n / K ** 4, 2) + 'T';
  if (n < K ** 6) return fixed(n / K ** 5, 2) + 'P';
  return `${n}B`;
}

/** getSafeInfoString: the characters that would break INFO's line format become '_'. */
export function safeInfoString(s: string): string {
  return /[#:\n\r]/.test(s) ? s.replace(/[#:\n\r]/g, '_') : s;
}

/** "%ld.%06ld" of a microsecond count. */
function secUsec(us: number): string {
  const sec = Math.floor(us / 1e6);
  return `${sec}.${String(Math.floor(us - sec * 1e6)).padStart(6, '0')}`;
}

// ---------------------------------------------------------------- sections

export interface InfoRequest {
  sections: Set<string>;
  all: boolean;
  everything: boolean;
}

const DEFAULT_SECTIONS = [
  'server', 'clients', 'memory', 'persistence', 'stats', 'replication',
  'cpu', 'module_list', 'errorstats', 'cluster', 'keyspace',
];

/** genInfoSectionDict: section names (case-insensitive), with default/all/everything. */
export function parseInfoArgs(args: readonly string[]): InfoRequest {
  const r: InfoRequest = { sections: new Set(), all: false, everything: false };
  if (args.length === 0) {
    for (const s of DEFAULT_SECTIONS) r.sections.add(s);
    return r;
  }
  for (const a of args) {
    const s = a.toLowerCase();
    if (s === 'default') for (const d of DEFAULT_SECTIONS) r.sections.add(d);
    else if (s === 'all') r.all = true;
    else if (s === 'everything') r.all = r.everything = true;
    else r.sections.add(s);
  }
  return r;
}

/** Sections in genRedisInfoString's order, with their titles. */
export const SECTIONS: ReadonlyArray<readonly [string, string]> = [
  ['server', 'Server'],
  ['clients', 'Clients'],
  ['memory', 'Memory'],
  ['persistence', 'Persistence'],
  ['stats', 'Stats'],
  ['replication', 'Replication'],
  ['cpu', 'CPU'],
  ['modules', 'Modules'],
  ['commandstats', 'Commandstats'],
  ['errorstats', 'Errorstats'],
  ['latencystats', 'Latencystats'],
  ['cluster', 'Cluster'],
  ['keyspace', 'Keyspace'],
];

export function wantsSection(r: InfoRequest, key: string): boolean {
  if (r.all) return true;
  if (key === 'modules') return r.sections.has('module_list') || r.sections.has('modules');
  return r.sections.has(key);
}

/** Sections whose numbers live (partly) in the shards. */
const SHARD_SECTIONS = ['memory', 'persistence', 'stats', 'commandstats', 'errorstats', 'keyspace'];

export function needsShards(r: InfoRequest): boolean {
  for (const s of SHARD_SECTIONS) if (wantsSection(r, s)) return true;
  return false;
}

/**
 * The INFO text: "# Title" then "field:value" lines, CRLF-terminated, a
 * blank line between sections. `render(key)` gives a section's lines.
 */
export function formatInfo(r: InfoRequest, render: (key: string) => readonly string[]): string {
  let out = '';
  let n = 0;
  for (const [key, title] of SECTIONS) {
    if (!wantsSection(r, key)) continue;
    if (n++ > 0) out += '\r\n';
    out += `# ${title}\r\n`;
    for (const l of render(key)) out += l + '\r\n';
  }
  return out;
}

// ---------------------------------------------------------------- stats

export interface MergedStats {
  cmd: Map<string, CmdStatView>;
  err: Map<string, number>;
  /** Per database: [keys, keys with a TTL]. */
  dbs: Array<[number, number]>;
  expiredKeys: number;
  evictedKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  dirty: number;
  /** Heap bytes the shards report (0 if they don't). */
  shardMem: number;
}

/** Acceptor counters plus every shard's `__stats` JSON (src/shard/internal.ts). */
export function mergeStats(
  cmdStats: ReadonlyMap<string, CmdStatView>,
  errStats: ReadonlyMap<string, number>,
  shards: readonly any[],
): MergedStats {
  const m: MergedStats = {
    cmd: new Map(),
    err: new Map(errStats),
    dbs: [],
    expiredKeys: 0,
    evictedKeys: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
    dirty: 0,
    shardMem: 0,
  };
  for (const [k, v] of cmdStats) m.cmd.set(k, { calls: v.calls, usec: v.usec, failed: v.failed, rejected: v.rejected });
  for (const s of shards) {
    if (s === null || typeof s !== 'object') continue;
    if (s.cmd) {
      for (const k of Object.keys(s.cmd)) {
        if (k.startsWith('__')) continue; // internal admin/coordinator ops
        const v = s.cmd[k];
        let t = m.cmd.get(k);
        if (t === undefined) m.cmd.set(k, (t = { calls: 0, usec: 0, failed: 0, rejected: 0 }));
        t.calls += v.calls | 0;
        t.usec += +v.usec || 0;
        t.failed += v.failed | 0;
        t.rejected += v.rejected | 0;
      }
    }
    if (s.err) for (const k of Object.keys(s.err)) m.err.set(k, (m.err.get(k) ?? 0) + s.err[k]);
    if (Array.isArray(s.dbs)) {
      s.dbs.forEach((d: [number, number], i: number) => {
        const t = (m.dbs[i] ??= [0, 0]);
        t[0] += d[0];
        t[1] += d[1];
      });
    }
    const ks = s.ks ?? {};
    m.expiredKeys += ks.expiredKeys ?? 0;
    m.evictedKeys += ks.evictedKeys ?? 0;
    m.keyspaceHits += ks.keyspaceHits ?? 0;
    m.keyspaceMisses += ks.keyspaceMisses ?? 0;
    m.dirty += ks.dirty ?? 0;
    m.shardMem += typeof s.mem === 'number' ? s.mem : 0;
  }
  return m;
}

function nameOrder(a: string, b: string): number {
  // A container's subcommands follow it directly, as Redis's recursion prints them.
  const x = a.replace('|', '\0'), y = b.replace('|', '\0');
  return x < y ? -1 : x > y ? 1 : 0;
}

export function commandstatLines(cmd: ReadonlyMap<string, CmdStatView>): string[] {
  const out: string[] = [];
  for (const name of [...cmd.keys()].sort(nameOrder)) {
    const s = cmd.get(name)!;
    if (!s.calls && !s.failed && !s.rejected) continue;
    const usec = Math.round(s.usec);
    // Redis divides in float precision.
    const per = s.calls === 0 ? 0 : Math.fround(Math.fround(usec) / Math.fround(s.calls));
    out.push(
      `cmdstat_${safeInfoString(name)}:calls=${s.calls},usec=${usec},usec_per_call=${fixed(per, 2)}` +
        `,rejected_calls=${s.rejected},failed_calls=${s.failed}`,
    );
  }
  return out;
}

export function errorstatLines(err: ReadonlyMap<string, number>): string[] {
  const names = [...err.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((k) => `errorstat_${safeInfoString(k)}:count=${err.get(k)}`);
}

export function keyspaceLines(dbs: ReadonlyArray<readonly [number, number]>): string[] {
  const out: string[] = [];
  for (let i = 0; i < dbs.length; i++) {
    const d = dbs[i];
    if (d && (d[0] || d[1])) out.push(`db${i}:keys=${d[0]},expires=${d[1]},avg_ttl=0`);
  }
  return out;
}

// ---------------------------------------------------------------- sampler

/**
 * instantaneous_* metrics: like Redis's serverCron, a reading every 100ms
 * and the mean of the last 16 rates. Started by the first INFO.
 */
const SAMPLES = 16;

class Sampler {
  private readonly rates = [new Float64Array(SAMPLES), new Float64Array(SAMPLES), new Float64Array(SAMPLES)];
  private idx = 0;
  private lastT = performance.now();
  private last: number[];
  private timer: NodeJS.Timeout;
  peakMem = 0;

  constructor(private readonly s: ServerView) {
    this.last = this.read();
    this.timer = setInterval(() => this.tick(), 100);
    this.timer.unref();
  }

  private read(): number[] {
    const st = this.s.stats;
    return [st.totalCommands, st.netInput, st.netOutput];
  }

  private tick(): void {
    if (this.s.isShuttingDown?.()) {
      clearInterval(this.timer);
      return;
    }
    const now = performance.now();
    const cur = this.read();
    const dt = now - this.lastT;
    for (let m = 0; m < 3; m++) this.rates[m][this.idx] = dt > 0 ? Math.floor(((cur[m] - this.last[m]) * 1000) / dt) : 0;
    this.idx = (this.idx + 1) % SAMPLES;
    this.lastT = now;
    this.last = cur;
  }

  /** Mean rate per second (integer division, as getInstantaneousMetric). */
  metric(m: number): number {
    let sum = 0;
    for (let j = 0; j < SAMPLES; j++) sum += this.rates[m][j];
    return Math.floor(sum / SAMPLES);
  }
}

interface ServerExtras {
  sampler: Sampler;
  replid: string;
}

const extras = new WeakMap<object, ServerExtras>();

function extrasOf(s: ServerView): ServerExtras {
  let e = extras.get(s);
  if (e === undefined) {
    let replid = '';
    while (replid.length < 40) replid += Math.floor(Math.random() * 16).toString(16);
    extras.set(s, (e = { sampler: new Sampler(s), replid }));
  }
  return e;
}

// ---------------------------------------------------------------- INFO

function cfgNum(s: ServerView, name: string, dflt: number): number {
  if (s.config.get(name) === undefined) return dflt;
  const v = s.config.num(name);
  return Number.isFinite(v) ? v : dflt;
}

function multiplexingApi(): string | null {
  switch (process.platform) {
    case 'linux':
      return 'epoll';
    case 'darwin':
    case 'freebsd':
    case 'openbsd':
      return 'kqueue';
    case 'sunos':
      return 'evport';
    default:
      return null;
  }
}

function serverLines(s: ServerView, now: number): string[] {
  const nowS = Math.floor(now / 1000);
  const uptime = nowS - Math.floor(s.startedAt / 1000);
  const hz = cfgNum(s, 'hz', 10);
  const mux = multiplexingApi();
  const l = [
    `redis_version:${VERSION}`,
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    'redis_mode:standalone',
    `os:${os.type()} ${os.release()} ${os.machine()}`,
    `arch_bits:${/64/.test(process.arch) ? 64 : 32}`,
  ];
  // libuv's clock and poller.
  if (process.platform !== 'win32') l.push('monotonic_clock:POSIX clock_gettime');
  if (mux !== null) l.push(`multiplexing_api:${mux}`);
  l.push(
    `process_id:${process.pid}`,
    'process_supervised:no',
    `run_id:${s.runId}`,
    `tcp_port:${s.port}`,
    `server_time_usec:${Math.floor((performance.timeOrigin + performance.now()) * 1000)}`,
    `uptime_in_seconds:${uptime}`,
    `uptime_in_days:${Math.floor(uptime / 86400)}`,
    `hz:${hz}`,
    `configured_hz:${hz}`,
    `lru_clock:${nowS & 0xffffff}`,
    `executable:${path.resolve(process.argv[1] ?? process.execPath)}`,
    `config_file:${s.config.configFile ?? ''}`,
    'io_threads_active:0',
    `keyshard_version:${KEYSHARD_VERSION}`,
    `keyshard_shards:${s.ranges.length}`,
  );
  return l;
}

function clientsLines(s: ServerView): string[] {
  let maxIn = 0, maxOut = 0, blocked = 0;
  for (const c of s.conns.values()) {
    if (c.blockedSeq >= 0) blocked++;
    const i = c.inBuf === null ? 0 : c.inBuf.length;
    const o = c.out.length + (c.socket.writableLength ?? 0);
    if (i > maxIn) maxIn = i;
    if (o > maxOut) maxOut = o;
  }
  return [
    `connected_clients:${s.conns.size}`,
    'cluster_connections:0',
    `maxclients:${cfgNum(s, 'maxclients', 10000)}`,
    `client_recent_max_input_buffer:${maxIn}`,
    `client_recent_max_output_buffer:${maxOut}`,
    `blocked_clients:${blocked}`,
    'tracking_clients:0',
    'clients_in_timeout_table:0',
  ];
}

function memoryLines(s: ServerView, m: MergedStats, x: ServerExtras): string[] {
  const mu = process.memoryUsage();
  // Node can't see malloc's total. used_memory is the acceptor isolate's
  // heap plus its off-heap buffers plus what the shards report of theirs;
  // RSS covers the whole process, every thread.
  const used = mu.heapUsed + mu.external + m.shardMem;
  const rss = mu.rss;
  if (used > x.sampler.peakMem) x.sampler.peakMem = used;
  const peak = x.sampler.peakMem;
  const total = os.totalmem();
  const maxmem = cfgNum(s, 'maxmemory', 0);
  const sc = s.scripts.info();
  let clientsMem = 0;
  for (const c of s.conns.values()) {
    clientsMem += c.out.length + (c.inBuf === null ? 0 : c.inBuf.length) + (c.socket.writableLength ?? 0);
  }
  return [
    `used_memory:${used}`,
    `used_memory_human:${bytesToHuman(used)}`,
    `used_memory_rss:${rss}`,
    `used_memory_rss_human:${bytesToHuman(rss)}`,
    `used_memory_peak:${peak}`,
    `used_memory_peak_human:${bytesToHuman(peak)}`,
    `used_memory_peak_perc:${fixed(peak ? (used * 100) / peak : 0, 2)}%`,
    `total_system_memory:${total}`,
    `total_system_memory_human:${bytesToHuman(total)}`,
    `used_memory_lua:${sc.luaMemory}`,
    `used_memory_vm_eval:${sc.luaMemory}`,
    `used_memory_lua_human:${bytesToHuman(sc.luaMemory)}`,
    `used_memory_scripts_eval:${sc.memory}`,
    `number_of_cached_scripts:${sc.scripts}`,
    'number_of_functions:0',
    'number_of_libraries:0',
    'used_memory_vm_functions:0',
    `used_memory_vm_total:${sc.luaMemory}`,
    `used_memory_vm_total_human:${bytesToHuman(sc.luaMemory)}`,
    'used_memory_functions:0',
    `used_memory_scripts:${sc.memory}`,
    `used_memory_scripts_human:${bytesToHuman(sc.memory)}`,
    `maxmemory:${maxmem}`,
    `maxmemory_human:${bytesToHuman(maxmem)}`,
    `maxmemory_policy:${s.config.get('maxmemory-policy') ?? 'noeviction'}`,
    `mem_fragmentation_ratio:${fixed(used ? rss / used : 0, 2)}`,
    `mem_fragmentation_bytes:${rss - used}`,
    'mem_not_counted_for_evict:0',
    'mem_replication_backlog:0',
    'mem_total_replication_buffers:0',
    'mem_clients_slaves:0',
    `mem_clients_normal:${clientsMem}`,
    'mem_cluster_links:0',
    'mem_aof_buffer:0',
    'mem_allocator:libc',
    'active_defrag_running:0',
    'lazyfree_pending_objects:0',
    'lazyfreed_objects:0',
  ];
}

/**
 * No snapshot or AOF exists yet, and the options that would turn them on are
 * refused (src/config/config.ts UNIMPLEMENTED), so aof_enabled:0 and
 * rdb_saves:0 are true; the *_status:ok fields are what Redis reports before
 * any save or rewrite has run.
 */
function persistenceLines(s: ServerView, m: MergedStats): string[] {
  return [
    'loading:0',
    'async_loading:0',
    'current_cow_peak:0',
    'current_cow_size:0',
    'current_cow_size_age:0',
    'current_fork_perc:0.00',
    'current_save_keys_processed:0',
    'current_save_keys_total:0',
    `rdb_changes_since_last_save:${m.dirty}`,
    'rdb_bgsave_in_progress:0',
    `rdb_last_save_time:${s.stats.lastSave}`,
    'rdb_last_bgsave_status:ok',
    'rdb_last_bgsave_time_sec:-1',
    'rdb_current_bgsave_time_sec:-1',
    'rdb_saves:0',
    'rdb_last_cow_size:0',
    'rdb_last_load_keys_expired:0',
    'rdb_last_load_keys_loaded:0',
    'aof_enabled:0',
    'aof_rewrite_in_progress:0',
    'aof_rewrite_scheduled:0',
    'aof_last_rewrite_time_sec:-1',
    'aof_current_rewrite_time_sec:-1',
    'aof_last_bgrewrite_status:ok',
    'aof_rewrites:0',
    'aof_rewrites_consecutive_failures:0',
    'aof_last_write_status:ok',
    'aof_last_cow_size:0',
    'module_fork_in_progress:0',
    'module_fork_last_cow_size:0',
  ];
}

function statsLines(s: ServerView, m: MergedStats, x: ServerExtras): string[] {
  const st = s.stats;
  const smp = x.sampler;
  let errors = 0;
  for (const n of m.err.values()) errors += n;
  const l = [
    `total_connections_received:${st.totalConnections}`,
    `total_commands_processed:${st.totalCommands}`,
    `instantaneous_ops_per_sec:${smp.metric(0)}`,
    `total_net_input_bytes:${st.netInput}`,
    `total_net_output_bytes:${st.netOutput}`,
    'total_net_repl_input_bytes:0',
    'total_net_repl_output_bytes:0',
    `instantaneous_input_kbps:${fixed(Math.fround(smp.metric(1) / 1024), 2)}`,
    `instantaneous_output_kbps:${fixed(Math.fround(smp.metric(2) / 1024), 2)}`,
    'instantaneous_input_repl_kbps:0.00',
    'instantaneous_output_repl_kbps:0.00',
    `rejected_connections:${st.rejectedConnections}`,
    'sync_full:0',
    'sync_partial_ok:0',
    'sync_partial_err:0',
    `expired_keys:${m.expiredKeys}`,
    'expired_stale_perc:0.00',
    'expired_time_cap_reached_count:0',
    'expire_cycle_cpu_milliseconds:0',
    `evicted_keys:${m.evictedKeys}`,
    'evicted_clients:0',
    'total_eviction_exceeded_time:0',
    'current_eviction_exceeded_time:0',
    `keyspace_hits:${m.keyspaceHits}`,
    `keyspace_misses:${m.keyspaceMisses}`,
    'pubsub_channels:0',
    'pubsub_patterns:0',
    'pubsubshard_channels:0',
    'latest_fork_usec:0',
    'total_forks:0',
    'migrate_cached_sockets:0',
    'slave_expires_tracked_keys:0',
    'active_defrag_hits:0',
    'active_defrag_misses:0',
    'active_defrag_key_hits:0',
    'active_defrag_key_misses:0',
    'total_active_defrag_time:0',
    'current_active_defrag_time:0',
    'tracking_total_keys:0',
    'tracking_total_items:0',
    'tracking_total_prefixes:0',
    'unexpected_error_replies:0',
    `total_error_replies:${errors}`,
    'dump_payload_sanitizations:0',
  ];
  // Read/write event counts only when the acceptor keeps them.
  if (typeof st.reads === 'number' && typeof st.writes === 'number') {
    l.push(`total_reads_processed:${st.reads}`, `total_writes_processed:${st.writes}`);
  }
  l.push('io_threaded_reads_processed:0', 'io_threaded_writes_processed:0', 'reply_buffer_shrinks:0', 'reply_buffer_expands:0');
  // keyshard's own: scripts that ran with every shard held (keys on several
  // shards, keys built at run time, or a first run).
  l.push(`keyshard_scripts_held_runs:${s.scripts.info().heldRuns}`);
  return l;
}

function replicationLines(s: ServerView, x: ServerExtras): string[] {
  return [
    'role:master',
    'connected_slaves:0',
    'master_failover_state:no-failover',
    `master_replid:${x.replid}`,
    'master_replid2:0000000000000000000000000000000000000000',
    'master_repl_offset:0',
    'second_repl_offset:-1',
    'repl_backlog_active:0',
    `repl_backlog_size:${cfgNum(s, 'repl-backlog-size', 1048576)}`,
    'repl_backlog_first_byte_offset:0',
    'repl_backlog_histlen:0',
  ];
}

function cpuLines(): string[] {
  // Whole process (every thread); Node 20 has no per-thread figure.
  const u = process.cpuUsage();
  return [
    `used_cpu_sys:${secUsec(u.system)}`,
    `used_cpu_user:${secUsec(u.user)}`,
    'used_cpu_sys_children:0.000000',
    'used_cpu_user_children:0.000000',
  ];
}

const EMPTY: string[] = [];

/** The INFO text for a request; `shards` is Server.shardStats() output (or [] if not needed). */
export function genInfo(s: ServerView, r: InfoRequest, shards: readonly any[], now = Date.now()): string {
  const x = extrasOf(s);
  const m = mergeStats(s.cmdStats, s.errStats, shards);
  return formatInfo(r, (key) => {
    switch (key) {
      case 'server':
        return serverLines(s, now);
      case 'clients':
        return clientsLines(s);
      case 'memory':
        return memoryLines(s, m, x);
      case 'persistence':
        return persistenceLines(s, m);
      case 'stats':
        return statsLines(s, m, x);
      case 'replication':
        return replicationLines(s, x);
      case 'cpu':
        return cpuLines();
      case 'commandstats':
        return commandstatLines(m.cmd);
      case 'errorstats':
        return errorstatLines(m.err);
      case 'cluster':
        return ['cluster_enabled:0'];
      case 'keyspace':
        return keyspaceLines(m.dbs);
      default:
        // modules: none loaded; latencystats: no per-command histograms kept.
        return EMPTY;
    }
  });
}

async function info(c: Ctx, a: string[]): Promise<void> {
  const s = c.server;
  extrasOf(s); // start sampling on first use
  const r = parseInfoArgs(a.slice(1));
  const shards = needsShards(r) ? await s.shardStats() : [];
  // The writer may have been swapped while awaiting: read c.w only now.
  c.w.verbatim(genInfo(s, r, shards));
}

// ---------------------------------------------------------------- others

function time(c: Ctx): void {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const sec = Math.floor(us / 1e6);
  c.w.arr(2);
  c.w.bulk(String(sec));
  c.w.bulk(String(us - sec * 1e6));
}

const NOSAVE = 1, SAVE = 2, NOW = 4, FORCE = 8;

function shutdown(c: Ctx, a: string[]): void {
  let flags = 0;
  let abort = false;
  for (let i = 1; i < a.length; i++) {
    const o = a[i].toLowerCase();
    if (o === 'nosave') flags |= NOSAVE;
    else if (o === 'save') flags |= SAVE;
    else if (o === 'now') flags |= NOW;
    else if (o === 'force') flags |= FORCE;
    else if (o === 'abort') abort = true;
    else return c.w.error(E.SYNTAX);
  }
  if ((abort && flags !== 0) || (flags & NOSAVE && flags & SAVE)) return c.w.error(E.SYNTAX);
  if (abort) return c.w.error('ERR No shutdown in progress.');
  // keyshard has no snapshots yet (and `save` points can't be set), so
  // SHUTDOWN and SHUTDOWN NOSAVE just stop. SHUTDOWN SAVE would fail to save:
  // like Redis when its save fails, the server stays up and says why, unless
  // FORCE asks to exit anyway. Like Redis, a stopping server's caller gets no
  // reply: its connection closes with the rest.
  let reason = 'SHUTDOWN';
  if (flags & SAVE) {
    if (!(flags & FORCE)) return c.w.error(SHUTDOWN_SAVE_ERROR);
    reason = `SHUTDOWN SAVE FORCE: nothing saved, ${notImplemented(MISSING_RDB)}`;
  }
  void c.server.shutdown(reason).then(() => process.exit(0));
}

const SHUTDOWN_SAVE_ERROR = `ERR SHUTDOWN SAVE refused: ${notImplemented(MISSING_RDB)} (SHUTDOWN NOSAVE stops without saving)`;

/** SAVE / BGSAVE [SCHEDULE]: no snapshots yet; say so rather than pretend. */
function save(c: Ctx, a: string[]): void {
  if (a.length > 1 && !(a.length === 2 && a[1].toLowerCase() === 'schedule')) return c.w.error(E.SYNTAX);
  c.w.error(`ERR ${notImplemented(MISSING_RDB)}`);
}

function clusterContainer(c: Ctx, a: string[]): void {
  const full = 'cluster|' + a[1].toLowerCase();
  const meta = META[full];
  if (meta === undefined) return c.w.error(unknownSubcommandError(a));
  const ar = meta.arity;
  if (ar > 0 ? a.length !== ar : a.length < -ar) return c.w.error(arityError(full));
  c.w.error('ERR This instance has cluster support disabled');
}

/**
 * FUNCTION FLUSH: keyshard has no function libraries yet (Lua comes with a
 * later issue), so flushing them has nothing to remove; the arguments are
 * still checked as Redis does. Test harnesses and tools call it on start.
 */
function functionFlush(c: NodeCtx, a: string[]): void {
  if (a.length > 3) {
    c.w.error(`ERR unknown subcommand or wrong number of arguments for '${a[1].slice(0, 128)}'. Try ${a[0].toUpperCase()} HELP.`);
    return;
  }
  if (a.length === 3 && !/^(a?sync)$/i.test(a[2])) {
    c.w.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
    return;
  }
  c.w.ok();
}

export const commands: CommandDef[] = [
  { name: 'function|flush', node: functionFlush },
  { name: 'info', node: info },
  { name: 'time', node: time },
  { name: 'lastsave', node: (c) => c.w.int(c.server.stats.lastSave) },
  { name: 'shutdown', node: shutdown },
  { name: 'save', node: save },
  { name: 'bgsave', node: save },
  { name: 'bgrewriteaof', node: (c) => c.w.error(`ERR ${notImplemented(MISSING_AOF)}`) },
  { name: 'cluster', node: clusterContainer },
  { name: 'cluster|keyslot', node: (c, a) => c.w.int(slotOfString(a[2])) },
];
