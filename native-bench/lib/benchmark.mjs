// One redis-benchmark invocation per test, so every test gets its own server
// CPU reading and an unsupported command only costs that test.
import { spawn } from 'node:child_process';
import { track, cpuSample, cpuDelta } from './servers.mjs';

export const ALL_TESTS = ['ping_inline', 'ping_mbulk', 'set', 'get', 'incr', 'lpush', 'rpush', 'lpop', 'rpop',
  'sadd', 'hset', 'spop', 'zadd', 'zpopmin', 'lrange_100', 'lrange_300', 'mset'];

// `mult` scales the base request count: pipelined runs finish ~10x faster, and
// the server-CPU figure needs enough clock ticks (10 ms each) to be meaningful.
export const SETTINGS = {
  c50p1: { label: '-c 50 -P 1', c: 50, P: 1, r: 0, mult: 1 },
  c50p16: { label: '-c 50 -P 16', c: 50, P: 16, r: 0, mult: 5 },
  c50p16r: { label: '-c 50 -P 16 -r 100000', c: 50, P: 16, r: 100000, mult: 5 },
  c1p1: { label: '-c 1 -P 1', c: 1, P: 1, r: 0, mult: 0.2 },
};

// Tests whose replies (or requests) are many times larger than a SET's would
// dominate the run time at the same count.
export const TEST_SCALE = { lrange_100: 0.25, lrange_300: 0.1, mset: 0.25 };

export function requestsFor(setting, base, test) {
  return Math.max(50, Math.round(base * SETTINGS[setting].mult * (TEST_SCALE[test] ?? 1)));
}

// redis-benchmark 7.0 --csv header:
// "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
// Row titles are upper-case and may carry a note, e.g. "LRANGE_100 (first 100 elements)",
// "MSET (10 keys)", plus an extra "LPUSH (needed to benchmark LRANGE)" row for lrange_*.
export function parseCsv(text) {
  const rows = [];
  let header = null;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('"')) continue;
    const cells = t.split('","').map((c) => c.replace(/^"|"$/g, ''));
    if (cells[0] === 'test') { header = cells; continue; }
    if (!header) continue;
    const row = {};
    header.forEach((h, i) => { row[h] = cells[i]; });
    rows.push({
      title: row.test,
      key: row.test.split(' ')[0].toLowerCase(),
      rps: Number(row.rps),
      avg: Number(row.avg_latency_ms),
      p50: Number(row.p50_latency_ms),
      p95: Number(row.p95_latency_ms),
      p99: Number(row.p99_latency_ms),
      max: Number(row.max_latency_ms),
    });
  }
  return rows;
}

function runProcess(file, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = track(spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
    const timer = setTimeout(() => { timedOut = true; try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    child.on('error', (e) => { err += String(e); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out, err, timedOut }); });
  });
}

export async function runTest({ port, pid, test, setting, requests, timeoutMs }) {
  const s = SETTINGS[setting];
  const args = ['-h', '127.0.0.1', '-p', String(port), '-n', String(requests), '-c', String(s.c), '-P', String(s.P), '--csv', '-t', test];
  if (s.r) args.push('-r', String(s.r));
  let cpu0;
  try { cpu0 = cpuSample(pid); } catch {
    return { test, setting, requests, ok: false, error: 'server process not running', rps: null, avg: null, p50: null, p95: null, p99: null, max: null, cpuUs: null, cpuUsPerReq: null, wallMs: 0 };
  }
  const t0 = process.hrtime.bigint();
  const res = await runProcess('redis-benchmark', args, timeoutMs);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  let cpu1;
  try { cpu1 = cpuSample(pid); } catch { cpu1 = null; }
  const rows = parseCsv(res.out);
  const main = rows.find((r) => r.key === test);
  // Warnings (e.g. CONFIG GET unsupported) are fine; any error line is not.
  const errLine = res.err.split('\n').find((l) => /error/i.test(l) && !/^WARNING/.test(l));
  let error = null;
  if (res.timedOut) error = `timeout after ${timeoutMs} ms`;
  else if (errLine) error = errLine.trim();
  else if (res.code !== 0) error = `redis-benchmark exited with ${res.signal || res.code}: ${res.err.trim().split('\n').pop() || ''}`;
  else if (!main) error = 'no CSV row for test';
  else if (!(main.rps > 0)) error = 'rps 0';
  // lrange_* also runs an LPUSH fill of the same size; its requests cost server CPU too.
  const totalRequests = requests * Math.max(1, rows.length);
  const cpuUs = cpu1 ? cpuDelta(cpu0, cpu1) : NaN;
  return {
    test, setting, requests, ok: !error, error,
    rps: error ? null : main.rps,
    avg: error ? null : main.avg,
    p50: error ? null : main.p50,
    p95: error ? null : main.p95,
    p99: error ? null : main.p99,
    max: error ? null : main.max,
    cpuUs: Number.isFinite(cpuUs) ? cpuUs : null,
    cpuUsPerReq: !error && Number.isFinite(cpuUs) ? cpuUs / totalRequests : null,
    wallMs: Math.round(wallMs),
  };
}
