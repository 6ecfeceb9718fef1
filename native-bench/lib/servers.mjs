// Starting/stopping the servers under test and reading their /proc counters.
// Every child is tracked so it can be stopped by pid on any exit path.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { command, parseInfo } from './resp.mjs';

const children = new Set();
let aborting = false;
export const isAborting = () => aborting;

export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  // A phase may still be spawning when a signal arrives; don't let it leak.
  if (aborting && child.pid) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }
  return child;
}

// Synchronous so it also works from process.on('exit').
export function killAllTracked(signal = 'SIGKILL') {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid) {
      try { process.kill(c.pid, signal); } catch { /* already gone */ }
    }
  }
}

export function installCleanupHandlers(log) {
  let stopping = false;
  const onSignal = (sig) => {
    if (stopping) return;
    stopping = aborting = true;
    log(`\n${sig}: stopping ${children.size} child process(es)`);
    killAllTracked('SIGTERM');
    setTimeout(() => { killAllTracked('SIGKILL'); process.exit(sig === 'SIGINT' ? 130 : 143); }, 1500).unref();
    const poll = setInterval(() => {
      if (children.size === 0) { clearInterval(poll); process.exit(sig === 'SIGINT' ? 130 : 143); }
    }, 50);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => killAllTracked('SIGKILL'));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function which(bin) {
  const r = spawnSync('/bin/sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function ensureRedisTools(log) {
  const need = ['redis-server', 'redis-benchmark', 'redis-cli'];
  if (need.every(which)) return;
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    log('redis-server/redis-tools missing: installing with apt-get');
    const r = spawnSync('sh', ['-c', 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server redis-tools'],
      { stdio: ['ignore', 2, 2] });
    if (r.status !== 0 || !need.every(which)) throw new Error('apt-get install of redis-server redis-tools failed');
    return;
  }
  throw new Error(`missing ${need.filter((b) => !which(b)).join(', ')}; install them with: sudo apt-get install -y redis-server redis-tools`);
}

export function redisVersion() {
  try {
    const out = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
    const m = /v=(\S+)/.exec(out);
    return m ? m[1] : out.trim();
  } catch { return null; }
}

// KEYSHARD_CMD is a shell template with {port}/{shards}; `exec` keeps the pid
// equal to the server's so /proc counters measure the server, not sh.
export function keyshardSpec({ repoRoot, port, shards }) {
  const tpl = process.env.KEYSHARD_CMD;
  if (tpl) {
    const cmd = tpl.replaceAll('{port}', String(port)).replaceAll('{shards}', String(shards));
    return { name: 'keyshard', file: '/bin/sh', args: ['-c', `exec ${cmd}`], cwd: repoRoot, port, shards, display: cmd };
  }
  const main = path.join(repoRoot, 'dist/acceptor/main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} not found: run \`make build\` first (or set KEYSHARD_CMD)`);
  const args = [main, '--port', String(port), '--shards', String(shards), '--save', '', '--appendonly', 'no'];
  return { name: 'keyshard', file: process.execPath, args, cwd: repoRoot, port, shards, display: `node dist/acceptor/main.js --port ${port} --shards ${shards}` };
}

export function redisSpec({ port, cwd }) {
  const args = ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--daemonize', 'no'];
  return { name: 'redis', file: 'redis-server', args, cwd, port, display: `redis-server --port ${port} --save '' --appendonly no` };
}

export async function startServer(spec, { logDir, timeoutMs = 20000 } = {}) {
  if (aborting) throw new Error('interrupted');
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${spec.name}-${spec.port}.log`);
  const fd = fs.openSync(logFile, 'w');
  const child = track(spawn(spec.file, spec.args, { cwd: spec.cwd, stdio: ['ignore', fd, fd] }));
  fs.closeSync(fd);
  let exited = null;
  child.once('exit', (code, sig) => { exited = sig || `code ${code}`; });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${spec.name} exited (${exited}) during startup; log ${logFile}:\n${tail(logFile)}`);
    let reply;
    try { reply = await command(spec.port, ['PING'], { timeoutMs: 1000 }); } catch { /* not up yet */ }
    if (reply !== undefined) {
      // Any RESP reply means it is serving; a wrong one is worth a warning, not a failure.
      if (reply !== 'PONG') process.stderr.write(`warning: ${spec.name} answered PING with ${reply instanceof Error ? `-${reply.message}` : JSON.stringify(reply)}\n`);
      break;
    }
    if (Date.now() > deadline) {
      await stopServer({ child, spec });
      throw new Error(`${spec.name} did not answer PING on port ${spec.port} within ${timeoutMs} ms; log ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  return { spec, child, pid: child.pid, port: spec.port, logFile };
}

export async function stopServer(srv) {
  const { child } = srv;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  try { process.kill(child.pid, 'SIGTERM'); } catch { return; }
  const t = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
  await gone;
  clearTimeout(t);
}

function tail(file, n = 20) {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let clkTck = null;
function ticksPerSecond() {
  if (clkTck === null) {
    try { clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { clkTck = 100; }
  }
  return clkTck;
}

// utime+stime of the whole thread group (includes exited threads), in microseconds.
export function cpuMicros(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  // comm may contain spaces/parens: fields restart after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return ((utime + stime) * 1e6) / ticksPerSecond();
}

// Nanosecond on-CPU time summed over live threads; null if schedstat is absent.
function schedMicros(pid) {
  let total = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try { total += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]); } catch { /* thread exited */ }
    }
  } catch { return null; }
  return Number.isFinite(total) ? total / 1000 : null;
}

export function cpuSample(pid) {
  return { ticks: cpuMicros(pid), sched: schedMicros(pid) };
}

// Clock ticks are 10 ms, too coarse for short runs, so prefer schedstat; but
// it loses threads that exited mid-run, so fall back to ticks when they disagree
// by more than their resolution.
export function cpuDelta(a, b) {
  const ticks = b.ticks - a.ticks;
  if (a.sched === null || b.sched === null) return ticks;
  const sched = b.sched - a.sched;
  const tick = 1e6 / ticksPerSecond();
  return sched >= 0 && ticks - sched <= 2 * tick ? sched : ticks;
}

export function rssBytes(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

export async function info(port, section) {
  return parseInfo(await command(port, section ? ['INFO', section] : ['INFO']));
}

export function machineInfo() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  } catch { /* non-Linux */ }
  let nproc = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  try { nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc; } catch { /* keep */ }
  return {
    cpuModel,
    nproc,
    memTotalGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    redis: redisVersion(),
    date: new Date().toISOString(),
  };
}
