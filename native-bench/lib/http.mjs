// HTTP scenario: http-app.mjs (node:http + ioredis cache-aside) in its own
// process, loaded by autocannon from this process.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { track } from './servers.mjs';
import { command } from './resp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const APP = path.join(here, '..', 'http-app.mjs');
const require = createRequire(import.meta.url);

function startApp(redisPort) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, [APP, '--redis-port', String(redisPort), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    const timer = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } reject(new Error(`http-app did not start: ${err}`)); }, 15000);
    child.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, port: Number(m[1]) }); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`http-app exited (${code}): ${err.trim()}`)); });
  });
}

async function stopApp(app) {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  const gone = new Promise((r) => app.child.once('exit', r));
  try { process.kill(app.child.pid, 'SIGTERM'); } catch { return; }
  const t = setTimeout(() => { try { process.kill(app.child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
  await gone;
  clearTimeout(t);
}

export async function runHttpScenario(srv, { durationSec, warmupSec = 1, idRange, connections = 50 }) {
  const autocannon = require('autocannon');
  await command(srv.port, ['FLUSHALL']);
  const app = await startApp(srv.port);
  try {
    // A seeded LCG per connection so both backends see the same id mix.
    const makeSetup = (offset) => {
      let nextSeed = 1;
      return (req, ctx) => {
        if (ctx.seed === undefined) ctx.seed = (nextSeed++ * 2654435761) >>> 0;
        ctx.seed = (Math.imul(ctx.seed, 1103515245) + 12345) >>> 0;
        req.path = `/product/${offset + 1 + ((ctx.seed >>> 8) % idRange)}`;
        return req;
      };
    };
    const url = `http://127.0.0.1:${app.port}`;
    // Warm the app's JIT on ids outside the measured range, so the measured
    // run still starts from a cold cache.
    await autocannon({ url, connections, duration: warmupSec, requests: [{ method: 'GET', setupRequest: makeSetup(idRange) }] });
    await new Promise((r) => setTimeout(r, 300)); // let in-flight warm-up misses land
    const before = Number(await command(srv.port, ['DBSIZE']));
    const result = await autocannon({ url, connections, duration: durationSec, requests: [{ method: 'GET', setupRequest: makeSetup(0) }] });
    const cached = Number(await command(srv.port, ['DBSIZE'])) - before;
    return {
      durationSec, warmupSec, connections, idRange,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      cachedKeys: cached,
    };
  } finally {
    await stopApp(app);
  }
}
