// Smoke test of the benchmark harness (native-bench/run.mjs): runs every phase
// except HTTP and the ring benchmark on tiny counts against a real keyshard
// server and real Redis, and checks the shape of the JSON result. No timing
// assertions: the numbers at these counts mean nothing.
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-ignore plain ESM helper without type declarations
import { parseCsv } from '../native-bench/lib/benchmark.mjs';
// @ts-ignore plain ESM helper without type declarations
import { median, geomean, writeDocs, START, END } from '../native-bench/lib/report.mjs';

const root = path.resolve(__dirname, '..');
const has = (bin: string) => spawnSync('/bin/sh', ['-c', `command -v ${bin}`]).status === 0;
const redisMissing = !has('redis-server') || !has('redis-benchmark');

function runHarness(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'native-bench/run.mjs'), ...args], { cwd: root, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bench harness helpers', () => {
  it('parses redis-benchmark 7.0 CSV including annotated titles', () => {
    const rows = parseCsv([
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
      '"LPUSH (needed to benchmark LRANGE)","50000.00","0.453","0.112","0.455","0.671","0.759","0.799"',
      '"LRANGE_100 (first 100 elements)","33333.33","0.891","0.320","0.799","1.711","1.983","2.047"',
      '"MSET (10 keys)","66666.66","0.615","0.208","0.607","0.935","1.047","1.087"',
    ].join('\n'));
    expect(rows.map((r: { key: string }) => r.key)).toEqual(['lpush', 'lrange_100', 'mset']);
    expect(rows[1]).toMatchObject({ rps: 33333.33, p50: 0.799, p99: 1.983 });
  });

  it('computes medians and geometric means, ignoring missing values', () => {
    expect(median([3, null, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([null])).toBeNull();
    expect(geomean([1, 4, null])).toBeCloseTo(2, 10);
  });

  it('rewrites only the marked block of docs/BENCHMARKS.md', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-docs-'));
    const file = path.join(dir, 'BENCHMARKS.md');
    try {
      writeDocs(file, 'first');
      expect(fs.readFileSync(file, 'utf8')).toContain(`${START}\nfirst\n${END}`);
      fs.writeFileSync(file, `# Mine\n\nintro\n\n${START}\nold\n${END}\n\n## Notes\nkeep me\n`);
      writeDocs(file, 'second');
      expect(fs.readFileSync(file, 'utf8')).toBe(`# Mine\n\nintro\n\n${START}\nsecond\n${END}\n\n## Notes\nkeep me\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bench harness run', () => {
  it('runs all phases on tiny counts and writes structured JSON', async () => {
    // make test installs both; without them this fails rather than skips.
    if (redisMissing) throw new Error('redis-server/redis-benchmark not installed (make test installs them: apt-get install -y redis-server redis-tools)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
    const out = path.join(dir, 'result.json');
    try {
      const res = await runHarness([
        '--quick', '--rounds', '2', '--requests', '200', '--only', 'ping_mbulk,set', '--settings', 'c50p1',
        '--no-http', '--no-ring', '--no-docs', '--memory-keys', '1000', '--shard-counts', '1,2', '--shards', '1',
        '--out', out,
      ]);
      expect(res.code, res.stderr).toBe(0);
      const r = JSON.parse(fs.readFileSync(out, 'utf8'));

      expect(r.version).toBe(1);
      expect(r.errors).toEqual([]);
      expect(r.machine).toMatchObject({ nproc: expect.any(Number), node: process.version, cpuModel: expect.any(String) });
      expect(r.machine.redis).toMatch(/^\d+\.\d+\.\d+/);
      expect(r.config).toMatchObject({ rounds: 2, quick: true, baseRequests: 200, tests: ['ping_mbulk', 'set'], settings: ['c50p1'] });

      expect(Object.keys(r.benchmarks)).toEqual(['c50p1']);
      const b = r.benchmarks.c50p1;
      expect(b).toMatchObject({ label: '-c 50 -P 1', requests: 200 });
      expect(b.rounds.map((x: { order: string[] }) => x.order)).toEqual([['keyshard', 'redis'], ['redis', 'keyshard']]);
      for (const round of b.rounds) {
        for (const server of ['keyshard', 'redis']) {
          for (const t of ['ping_mbulk', 'set']) {
            const x = round[server][t];
            expect(x).toMatchObject({ test: t, setting: 'c50p1', requests: 200 });
            expect(typeof x.ok).toBe('boolean');
            if (x.ok) {
              expect(x.rps).toBeGreaterThan(0);
              for (const k of ['p50', 'p99', 'cpuUsPerReq']) expect(typeof x[k]).toBe('number');
            } else {
              expect(typeof x.error).toBe('string');
            }
          }
        }
        // SET is the one command every keyshard build must serve.
        expect(round.keyshard.set.ok, round.keyshard.set.error).toBe(true);
        expect(round.redis.set.ok, round.redis.set.error).toBe(true);
      }
      const set = b.summary.tests.set;
      expect(set.ratios).toHaveLength(2);
      expect(typeof set.ratio).toBe('number');
      expect(set.keyshard).toMatchObject({ ok: true, rps: expect.any(Number), p99: expect.any(Number) });
      expect(typeof b.summary.geomean).toBe('number');

      expect(r.memory).toMatchObject({ keys: 1000, errors: [] });
      for (const server of ['keyshard', 'redis']) {
        expect(r.memory[server]).toMatchObject({ keys: 1000, dbsize: 1000, rssPerKey: expect.any(Number), rssBefore: expect.any(Number) });
      }
      expect(typeof r.memory.rssRatio === 'number' || r.memory.rssRatio === null).toBe(true);

      expect(r.shards).toMatchObject({ setting: 'c50p16r', nproc: r.machine.nproc });
      expect(r.shards.runs.map((x: { shards: number }) => x.shards)).toEqual([1, 2]);
      for (const run of r.shards.runs) {
        expect(run.error).toBeUndefined();
        expect(run.tests.set).toMatchObject({ ok: true, rps: expect.any(Number) });
      }

      expect(r.http).toBeUndefined();
      expect(r.targets).toHaveLength(6);
      for (const t of r.targets) expect(t).toMatchObject({ name: expect.any(String), threshold: expect.any(String), value: expect.any(String) });
      expect(r.markdown).toContain('### Targets');
      expect(res.stdout).toContain('redis-benchmark -c 50 -P 1');
      expect(res.stderr).toMatch(/\[c50p1 round 2\/2\] redis/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
