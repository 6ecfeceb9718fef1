// Aggregation (medians, ratios, geometric means, targets) and the Markdown report.
import fs from 'node:fs';
import path from 'node:path';
import { SETTINGS, TEST_SCALE } from './benchmark.mjs';

export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';

export function median(xs) {
  const v = xs.filter((x) => x !== null && x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function geomean(xs) {
  const v = xs.filter((x) => x !== null && Number.isFinite(x) && x > 0);
  if (!v.length) return null;
  return Math.exp(v.reduce((a, x) => a + Math.log(x), 0) / v.length);
}

const ratio = (a, b) => (a !== null && b !== null && a !== undefined && b !== undefined && b > 0 ? a / b : null);

// rounds: [{ keyshard: {test: result}, redis: {test: result} }]
export function summarizeSetting(tests, rounds) {
  const perTest = {};
  for (const t of tests) {
    const side = (name) => {
      const rs = rounds.map((r) => r[name]?.[t]).filter(Boolean);
      const ok = rs.filter((r) => r.ok);
      if (!ok.length) return { ok: false, error: rs.find((r) => r.error)?.error ?? 'not run' };
      return {
        ok: true,
        rps: median(ok.map((r) => r.rps)),
        p50: median(ok.map((r) => r.p50)),
        p99: median(ok.map((r) => r.p99)),
        cpuUsPerReq: median(ok.map((r) => r.cpuUsPerReq)),
        failedRounds: rs.length - ok.length,
      };
    };
    const ks = side('keyshard');
    const rd = side('redis');
    // Same-round ratios cancel machine drift between rounds.
    const ratios = rounds.map((r) => (r.keyshard?.[t]?.ok && r.redis?.[t]?.ok ? r.keyshard[t].rps / r.redis[t].rps : null)).filter((x) => x !== null);
    perTest[t] = {
      keyshard: ks, redis: rd, ratios,
      ratio: median(ratios),
      cpuRatio: ks.ok && rd.ok ? ratio(ks.cpuUsPerReq, rd.cpuUsPerReq) : null,
    };
  }
  const rs = Object.values(perTest).map((x) => x.ratio);
  return { tests: perTest, geomean: geomean(rs), ratioCount: rs.filter((x) => x !== null).length };
}

export function computeTargets(result) {
  const b = result.benchmarks || {};
  const targets = [];
  const setGet = (setting, min) => {
    const s = b[setting]?.summary?.tests;
    const set = s?.set?.ratio ?? null;
    const get = s?.get?.ratio ?? null;
    const measured = set !== null && get !== null;
    targets.push({
      name: `SET/GET ${SETTINGS[setting].label}`, threshold: `≥ ${min.toFixed(2)}× Redis rps (each)`,
      value: s ? `SET ${fmtRatio(set)} / GET ${fmtRatio(get)}` : 'not run',
      met: measured ? set >= min && get >= min : null,
    });
  };
  setGet('c50p1', 0.95);
  setGet('c50p16', 0.75);
  setGet('c50p16r', 0.65);
  setGet('c1p1', 0.75);
  {
    const s = b.c50p16?.summary?.tests;
    const set = s?.set?.cpuRatio ?? null;
    const get = s?.get?.cpuRatio ?? null;
    targets.push({
      name: 'Server CPU per request, SET/GET -c 50 -P 16', threshold: '≤ 1.50× Redis (each)',
      value: s ? `SET ${fmtRatio(set)} / GET ${fmtRatio(get)}` : 'not run',
      met: set !== null && get !== null ? set <= 1.5 && get <= 1.5 : null,
    });
  }
  {
    const m = result.memory;
    const r = m?.rssRatio ?? null;
    const note = m && m.keys !== 1000000 ? ` (measured with ${m.keys.toLocaleString('en-US')} keys, not 1M)` : '';
    targets.push({
      name: 'Memory per key (1M keys), RSS', threshold: '≤ 1.30× Redis',
      value: m ? `${fmtRatio(r)}${note}` : 'not run',
      met: r !== null ? r <= 1.3 : null,
    });
  }
  return targets;
}

// Errors can be multi-line stack traces; a table cell needs one line without pipes.
function oneLine(msg) {
  const lines = String(msg ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /^\w*Error\b|^ERR|^Error from server/.test(l)) ?? lines[0] ?? '';
  const short = lines[0] && line !== lines[0] ? `${lines[0].replace(/:$/, '')}: ${line}` : line;
  return short.replaceAll('|', '\\|').slice(0, 200);
}

function fmtRatio(x) { return x === null || x === undefined ? 'n/a' : x.toFixed(2); }
function fmtInt(x) { return x === null || x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US'); }
function fmtMs(x) { return x === null || x === undefined ? 'n/a' : x.toFixed(3); }
function fmtUs(x) { return x === null || x === undefined ? 'n/a' : x.toFixed(2); }
function fmtBytes(x) { return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(1); }
function mib(x) { return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : (x / 2 ** 20).toFixed(1); }

export function renderMarkdown(result) {
  const L = [];
  const m = result.machine;
  const c = result.config;
  L.push(`## Results (${c.quick ? 'quick run' : 'full run'}, ${m.date.slice(0, 10)})`, '');
  L.push(`- Machine: ${m.cpuModel}, nproc ${m.nproc}, ${m.memTotalGiB} GiB RAM, ${m.kernel}`);
  L.push(`- Node ${m.node}; Redis ${m.redis} (\`redis-server --save '' --appendonly no\`); keyshard ${c.keyshardVersion ?? ''} with --shards ${c.shards}${c.keyshardCmd ? ` via \`${c.keyshardCmd}\`` : ''}`);
  L.push(`- Rounds: ${c.rounds}, interleaved keyshard, Redis, Redis, keyshard, …; ratio = median over rounds of keyshard rps / Redis rps in the same round; geomean over tests with a ratio.`);
  L.push(`- Server CPU = on-CPU time of the server process, all threads (per-thread schedstat, or utime+stime from /proc/PID/stat when threads exited), across one redis-benchmark run ÷ requests (lrange_* runs include their LPUSH fill).`);
  L.push('');

  L.push('### Targets', '', '| target | threshold | measured | |', '|---|---|---|---|');
  for (const t of result.targets) {
    L.push(`| ${t.name} | ${t.threshold} | ${t.value} | ${t.met === null ? 'not measured' : t.met ? '**met**' : '**not met**'} |`);
  }
  L.push('');

  for (const [setting, b] of Object.entries(result.benchmarks || {})) {
    const s = b.summary;
    const scaled = Object.keys(s.tests).filter((t) => TEST_SCALE[t]).map((t) => `${t} ×${TEST_SCALE[t]}`);
    L.push(`### redis-benchmark ${b.label} (-n ${b.requests.toLocaleString('en-US')} per test${scaled.length ? `; ${scaled.join(', ')}` : ''})`, '');
    L.push(`Geometric mean ratio: **${fmtRatio(s.geomean)}** over ${s.ratioCount} of ${Object.keys(s.tests).length} tests.`, '');
    L.push('| test | keyshard rps | Redis rps | ratio | keyshard p50/p99 ms | Redis p50/p99 ms | keyshard CPU µs/req | Redis CPU µs/req | CPU ratio |');
    L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const [t, x] of Object.entries(s.tests)) {
      const k = x.keyshard;
      const r = x.redis;
      L.push(`| ${t} | ${k.ok ? fmtInt(k.rps) : 'n/a'} | ${r.ok ? fmtInt(r.rps) : 'n/a'} | ${fmtRatio(x.ratio)} | ${k.ok ? `${fmtMs(k.p50)} / ${fmtMs(k.p99)}` : 'n/a'} | ${r.ok ? `${fmtMs(r.p50)} / ${fmtMs(r.p99)}` : 'n/a'} | ${k.ok ? fmtUs(k.cpuUsPerReq) : 'n/a'} | ${r.ok ? fmtUs(r.cpuUsPerReq) : 'n/a'} | ${fmtRatio(x.cpuRatio)} |`);
    }
    const errs = Object.entries(s.tests).flatMap(([t, x]) => [['keyshard', x.keyshard], ['Redis', x.redis]]
      .filter(([, v]) => !v.ok).map(([n, v]) => `${t} (${n}): ${oneLine(v.error)}`));
    if (errs.length) L.push('', `n/a: ${errs.join('; ')}`);
    L.push('');
  }

  if (result.shards) {
    const sh = result.shards;
    L.push(`### keyshard shard count (${SETTINGS[sh.setting].label}, -n ${sh.requests.toLocaleString('en-US')}, nproc ${sh.nproc})`, '');
    L.push('| shards | test | rps | p99 ms | CPU µs/req | vs Redis |', '|---:|---|---:|---:|---:|---:|');
    for (const run of sh.runs) {
      if (run.error) { L.push(`| ${run.shards} | – | n/a | | | ${oneLine(run.error)} |`); continue; }
      for (const [t, x] of Object.entries(run.tests)) {
        L.push(`| ${run.shards} | ${t} | ${x.ok ? fmtInt(x.rps) : 'n/a'} | ${x.ok ? fmtMs(x.p99) : 'n/a'} | ${x.ok ? fmtUs(x.cpuUsPerReq) : 'n/a'} | ${fmtRatio(x.vsRedis)} |`);
      }
    }
    L.push('', 'vs Redis: against the Redis median at the same setting from the main run.', '');
  }

  if (result.memory) {
    const mm = result.memory;
    L.push(`### Memory (${mm.keys.toLocaleString('en-US')} keys, 16-byte values, fresh servers)`, '');
    L.push('| | keyshard | Redis | ratio |', '|---|---:|---:|---:|');
    const k = mm.keyshard;
    const r = mm.redis;
    L.push(`| RSS per key (bytes) | ${fmtBytes(k?.rssPerKey)} | ${fmtBytes(r?.rssPerKey)} | ${fmtRatio(mm.rssRatio)} |`);
    L.push(`| used_memory per key (bytes) | ${fmtBytes(k?.usedMemoryPerKey)} | ${fmtBytes(r?.usedMemoryPerKey)} | ${fmtRatio(mm.usedMemoryRatio)} |`);
    L.push(`| RSS before → after (MiB) | ${mib(k?.rssBefore)} → ${mib(k?.rssAfter)} | ${mib(r?.rssBefore)} → ${mib(r?.rssAfter)} | |`);
    L.push(`| load time (ms) | ${k?.loadMs ?? 'n/a'} | ${r?.loadMs ?? 'n/a'} | |`);
    if (mm.errors?.length) L.push('', `Errors: ${mm.errors.map(oneLine).join('; ')}`);
    L.push('');
  }

  if (result.http) {
    const h = result.http;
    L.push(`### HTTP cache-aside (node:http + ioredis, autocannon ${h.connections} connections, ${h.durationSec} s after a ${h.warmupSec} s warm-up, ids 1..${h.idRange} from a cold cache)`, '');
    L.push('| backend | req/s | p50 ms | p99 ms | non-2xx | errors | keys cached (misses) |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const [n, x] of [['keyshard', h.keyshard], ['Redis', h.redis]]) {
      if (!x || x.error) { L.push(`| ${n} | n/a | | | | ${x ? oneLine(x.error) : 'not run'} | |`); continue; }
      L.push(`| ${n} | ${fmtInt(x.rps)} | ${x.p50} | ${x.p99} | ${x.non2xx} | ${x.errors} | ${x.cachedKeys} |`);
    }
    L.push('', `keyshard / Redis: req/s ${fmtRatio(h.rpsRatio)}, p99 ${fmtRatio(h.p99Ratio)}.`, '');
  }

  if (result.ring) {
    L.push('### Ring microbenchmark (native-bench/ring-bench.mjs)', '');
    if (result.ring.error) L.push(`Failed: ${oneLine(result.ring.error)}`);
    else L.push(result.ring.output.trim());
    L.push('');
  }

  if (result.errors?.length) {
    L.push('### Harness errors', '');
    for (const e of result.errors) L.push(`- ${oneLine(e)}`);
    L.push('');
  }
  return L.join('\n');
}

const INTRO = `# Benchmarks

keyshard next to Redis 7.0.15 on the same machine, measured by \`native-bench/run.mjs\`
(\`make bench\` for 3 rounds, \`make bench-quick\` for a short smoke run). Everything between
the bench markers below is regenerated by the harness; edit only outside them.

`;

export function writeDocs(file, markdown) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : INTRO;
  const block = `${START}\n${markdown.trim()}\n${END}`;
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a >= 0 && b > a) doc = doc.slice(0, a) + block + doc.slice(b + END.length);
  else doc = `${doc.replace(/\s*$/, '\n\n')}${block}\n`;
  fs.writeFileSync(file, doc);
}
