#!/usr/bin/env node
// Side-by-side benchmark: keyshard vs Redis 7.0 (redis-benchmark, server CPU,
// shard counts, memory per key, an HTTP cache-aside app, ring microbenchmark).
// `node native-bench/run.mjs --help` lists the options.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  installCleanupHandlers, ensureRedisTools, freePort, keyshardSpec, redisSpec, startServer, stopServer,
  machineInfo, info, isAborting,
} from './lib/servers.mjs';
import { command } from './lib/resp.mjs';
import { ALL_TESTS, SETTINGS, TEST_SCALE, requestsFor, runTest } from './lib/benchmark.mjs';
import { measureMemory } from './lib/memory.mjs';
import { runHttpScenario } from './lib/http.mjs';
import { summarizeSetting, computeTargets, renderMarkdown, writeDocs, median } from './lib/report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const log = (msg) => process.stderr.write(`${msg}\n`);

const HELP = `usage: node native-bench/run.mjs [options]
  --rounds N            rounds per setting (default 3)
  --quick               small counts: -n 2000 base, 20k memory keys, 2 s HTTP
  --requests N          base request count per test (default 100000, quick 2000);
                        scaled per setting: ${Object.entries(SETTINGS).map(([k, s]) => `${k} x${s.mult}`).join(', ')},
                        and per test: ${Object.entries(TEST_SCALE).map(([k, v]) => `${k} x${v}`).join(', ')}
  --only a,b            tests to run (default: ${ALL_TESTS.join(',')})
  --settings a,b        settings to run (default: ${Object.keys(SETTINGS).join(',')})
  --shards N            keyshard shard count for the main runs (default: ${defaultShards()})
  --shard-counts a,b    shard counts for the scaling runs (default 1,2,4)
  --memory-keys N       keys for the memory test (default 1000000, quick 20000)
  --http-duration S     seconds per HTTP run (default 10, quick 2)
  --no-http --no-memory --no-shards --no-ring   skip a phase
  --keyshard-port P --redis-port P              fixed ports (default: free loopback ports)
  --out FILE            JSON result path (default native-bench/results/bench-<time>.json)
  --no-docs             do not update docs/BENCHMARKS.md
env KEYSHARD_CMD: shell template for the keyshard server, with {port} and {shards}
  (default: node dist/acceptor/main.js --port {port} --shards {shards} --save "" --appendonly no)`;

function defaultShards() {
  const n = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  // The acceptor thread needs a core of its own; beyond 4 shards the acceptor saturates first.
  return Math.max(1, Math.min(4, n - 1));
}

function list(v, all, what) {
  if (!v) return all;
  const xs = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = xs.filter((x) => !all.includes(x));
  if (bad.length) throw new Error(`unknown ${what}: ${bad.join(', ')} (known: ${all.join(', ')})`);
  return xs;
}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' }, quick: { type: 'boolean' }, requests: { type: 'string' },
      only: { type: 'string' }, settings: { type: 'string' }, shards: { type: 'string' },
      'shard-counts': { type: 'string' }, 'memory-keys': { type: 'string' }, 'http-duration': { type: 'string' },
      'no-http': { type: 'boolean' }, 'no-memory': { type: 'boolean' }, 'no-shards': { type: 'boolean' }, 'no-ring': { type: 'boolean' },
      'keyshard-port': { type: 'string' }, 'redis-port': { type: 'string' }, out: { type: 'string' },
      'no-docs': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { process.stdout.write(`${HELP}\n`); process.exit(0); }
  const quick = !!values.quick;
  const int = (v, def, name) => {
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer, got ${v}`);
    return n;
  };
  return {
    quick,
    rounds: Math.max(1, int(values.rounds, 3, 'rounds')),
    baseRequests: Math.max(1, int(values.requests, quick ? 2000 : 100000, 'requests')),
    tests: list(values.only, ALL_TESTS, 'test'),
    settings: list(values.settings, Object.keys(SETTINGS), 'setting'),
    shards: Math.max(1, int(values.shards, defaultShards(), 'shards')),
    shardCounts: (values['shard-counts'] ?? '1,2,4').split(',').map((x) => int(x.trim(), 1, 'shard-counts')).filter((x) => x > 0),
    memoryKeys: int(values['memory-keys'], quick ? 20000 : 1000000, 'memory-keys'),
    httpDuration: int(values['http-duration'], quick ? 2 : 10, 'http-duration'),
    http: !values['no-http'], memory: !values['no-memory'], shardRuns: !values['no-shards'], ring: !values['no-ring'],
    keyshardPort: int(values['keyshard-port'], 0, 'keyshard-port'),
    redisPort: int(values['redis-port'], 0, 'redis-port'),
    out: values.out ? path.resolve(values.out) : null,
    docs: !values['no-docs'],
  };
}

// Only a hung server should hit this: allows ~1k rps.
const timeoutFor = (requests) => Math.max(60000, requests);

async function runSuite(server, name, setting, opts, base, prefix) {
  await command(server.port, ['FLUSHALL']);
  const out = {};
  for (const t of opts.tests) {
    const requests = requestsFor(setting, base, t);
    const r = await runTest({ port: server.port, pid: server.pid, test: t, setting, requests, timeoutMs: timeoutFor(requests) });
    out[t] = r;
    log(`${prefix} ${name.padEnd(8)} ${t.padEnd(11)} ${r.ok ? `${Math.round(r.rps).toString().padStart(9)} rps  p99 ${r.p99} ms  cpu ${r.cpuUsPerReq?.toFixed(2)} µs/req` : `n/a (${r.error})`}`);
  }
  return out;
}

async function startPair(opts, ports, tmpDir, logDir, shards) {
  const ks = await startServer(keyshardSpec({ repoRoot, port: ports.keyshard, shards }), { logDir });
  let rd;
  try {
    rd = await startServer(redisSpec({ port: ports.redis, cwd: tmpDir }), { logDir });
  } catch (e) { await stopServer(ks); throw e; }
  return { keyshard: ks, redis: rd };
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  installCleanupHandlers(log);
  ensureRedisTools(log);
  const machine = machineInfo();
  if (machine.redis && !machine.redis.startsWith('7.0.')) log(`warning: redis-server is ${machine.redis}, targets are defined against 7.0.15`);

  const resultsDir = path.join(here, 'results');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logDir = path.join(resultsDir, 'logs', stamp);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyshard-bench-'));
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const result = {
    version: 1,
    machine,
    config: {
      rounds: opts.rounds, quick: opts.quick, baseRequests: opts.baseRequests, tests: opts.tests,
      settings: opts.settings, shards: opts.shards, keyshardVersion: pkg.version,
      keyshardCmd: process.env.KEYSHARD_CMD || null,
    },
    benchmarks: {},
    errors: [],
  };
  const pickPort = async (fixed) => fixed || freePort();
  const live = new Set();
  const stopAll = async () => { for (const s of live) { await stopServer(s); live.delete(s); } };

  try {
    // Main runs + HTTP share one pair of servers.
    const needPair = opts.settings.length > 0 && opts.tests.length > 0 || opts.http;
    if (needPair) {
      const pair = await startPair(opts, { keyshard: await pickPort(opts.keyshardPort), redis: await pickPort(opts.redisPort) }, tmpDir, logDir, opts.shards);
      live.add(pair.keyshard); live.add(pair.redis);
      log(`keyshard pid ${pair.keyshard.pid} port ${pair.keyshard.port} (${pair.keyshard.spec.display}); redis pid ${pair.redis.pid} port ${pair.redis.port}`);
      try { result.config.keyshardInfoVersion = (await info(pair.keyshard.port, 'server')).redis_version ?? null; } catch { /* optional */ }

      for (const setting of opts.settings) {
        if (!opts.tests.length) break;
        const requests = requestsFor(setting, opts.baseRequests);
        const base = opts.baseRequests;
        const rounds = [];
        for (let round = 1; round <= opts.rounds; round++) {
          const order = round % 2 ? ['keyshard', 'redis'] : ['redis', 'keyshard'];
          const entry = { round, order };
          for (const name of order) {
            entry[name] = await runSuite(pair[name], name, setting, opts, base, `[${setting} round ${round}/${opts.rounds}]`);
          }
          rounds.push(entry);
        }
        result.benchmarks[setting] = { label: SETTINGS[setting].label, requests, rounds, summary: summarizeSetting(opts.tests, rounds) };
        log(`[${setting}] geomean ratio ${result.benchmarks[setting].summary.geomean?.toFixed(3) ?? 'n/a'}`);
      }

      if (opts.http) {
        const idRange = opts.quick ? 2000 : 20000;
        result.http = { durationSec: opts.httpDuration, warmupSec: opts.quick ? 1 : 3, connections: 50, idRange };
        for (const name of ['keyshard', 'redis']) {
          log(`[http] ${name}: ${opts.httpDuration} s`);
          try {
            result.http[name] = await runHttpScenario(pair[name], { durationSec: opts.httpDuration, warmupSec: opts.quick ? 1 : 3, idRange, connections: 50 });
            log(`[http] ${name}: ${Math.round(result.http[name].rps)} req/s, p99 ${result.http[name].p99} ms`);
          } catch (e) {
            result.http[name] = { error: e.message };
            log(`[http] ${name} failed: ${e.message}`);
          }
        }
        const k = result.http.keyshard;
        const r = result.http.redis;
        result.http.rpsRatio = k?.rps && r?.rps ? k.rps / r.rps : null;
        result.http.p99Ratio = k?.p99 && r?.p99 ? k.p99 / r.p99 : null;
      }
      await stopAll();
    }

    if (opts.memory && opts.memoryKeys > 0) {
      // Fresh servers: allocator state left by the throughput runs would hide growth.
      log(`[memory] ${opts.memoryKeys} keys per server`);
      const mem = { keys: opts.memoryKeys, errors: [] };
      try {
        const pair = await startPair(opts, { keyshard: await freePort(), redis: await freePort() }, tmpDir, logDir, opts.shards);
        live.add(pair.keyshard); live.add(pair.redis);
        for (const name of ['keyshard', 'redis']) {
          try { mem[name] = await measureMemory(pair[name], opts.memoryKeys, log); } catch (e) { mem.errors.push(`${name}: ${e.message}`); }
        }
      } catch (e) { mem.errors.push(e.message); }
      await stopAll();
      const k = mem.keyshard;
      const r = mem.redis;
      mem.rssRatio = k && r && r.rssPerKey > 0 ? k.rssPerKey / r.rssPerKey : null;
      mem.usedMemoryRatio = k?.usedMemoryPerKey && r?.usedMemoryPerKey ? k.usedMemoryPerKey / r.usedMemoryPerKey : null;
      result.memory = mem;
    }

    const shardTests = opts.tests.filter((t) => t === 'set' || t === 'get');
    if (opts.shardRuns && shardTests.length && opts.shardCounts.length) {
      const setting = 'c50p16r';
      const requests = requestsFor(setting, opts.baseRequests);
      const redisRef = result.benchmarks[setting]?.summary?.tests;
      const sh = { setting, requests, nproc: machine.nproc, rounds: opts.rounds, runs: [] };
      for (const shards of opts.shardCounts) {
        const run = { shards, raw: [], tests: {} };
        try {
          const srv = await startServer(keyshardSpec({ repoRoot, port: await freePort(), shards }), { logDir });
          live.add(srv);
          for (let round = 1; round <= opts.rounds; round++) {
            run.raw.push(await runSuite(srv, 'keyshard', setting, { tests: shardTests }, opts.baseRequests, `[shards ${shards} round ${round}/${opts.rounds}]`));
          }
          await stopAll();
          for (const t of shardTests) {
            const ok = run.raw.map((r) => r[t]).filter((r) => r.ok);
            const rps = median(ok.map((r) => r.rps));
            const ref = redisRef?.[t]?.redis;
            run.tests[t] = ok.length
              ? { ok: true, rps, p99: median(ok.map((r) => r.p99)), cpuUsPerReq: median(ok.map((r) => r.cpuUsPerReq)), vsRedis: ref?.ok ? rps / ref.rps : null }
              : { ok: false, error: run.raw.find((r) => r[t].error)?.[t].error };
          }
        } catch (e) {
          run.error = e.message.split('\n')[0];
          log(`[shards ${shards}] failed: ${e.message}`);
          await stopAll();
        }
        sh.runs.push(run);
      }
      result.shards = sh;
    }

    const ringScript = path.join(here, 'ring-bench.mjs');
    if (opts.ring && fs.existsSync(ringScript)) {
      log('[ring] node native-bench/ring-bench.mjs');
      // Its progress lines go straight to our stderr; its stdout is the Markdown table.
      const r = spawnSync(process.execPath, [ringScript, ...(opts.quick ? ['--quick'] : [])], { cwd: repoRoot, encoding: 'utf8', timeout: 15 * 60000, stdio: ['ignore', 'pipe', 'inherit'] });
      result.ring = r.status === 0 ? { output: r.stdout } : { error: `exit ${r.status ?? r.signal}${r.error ? `: ${r.error.message}` : ''} (see its stderr above)`, output: r.stdout };
    }
  } catch (e) {
    result.errors.push(e.message.split('\n')[0]);
    log(`error: ${e.stack || e.message}`);
  } finally {
    await stopAll();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }

  // An interrupted run must not overwrite docs with a partial report.
  if (isAborting()) return;
  result.targets = computeTargets(result);
  const md = renderMarkdown(result);
  result.markdown = md;
  const outFile = opts.out ?? path.join(resultsDir, `bench-${stamp}.json`);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  log(`results: ${path.relative(process.cwd(), outFile) || outFile}`);
  if (opts.docs && result.errors.length) log('docs/BENCHMARKS.md not updated: the run had harness errors');
  else if (opts.docs) {
    const docFile = path.join(repoRoot, 'docs', 'BENCHMARKS.md');
    writeDocs(docFile, md);
    log(`report: ${path.relative(process.cwd(), docFile)}`);
  }
  process.stdout.write(`${md}\n`);
  if (result.errors.length) process.exitCode = 1;
}

main().catch((e) => { log(e.stack || e.message); process.exitCode = 1; });
